"""The certificates page's cached facts: the token changes with every write they read, in any process."""

from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.pool import NullPool

from lms import create_app
from lms.accounts.models import User
from lms.assignments import services as assignments
from lms.assignments.models import Submission
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.certificates import eligibility, revisions, services
from lms.courses import services as courses
from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.trainings.models import Enrollment
from tests.certificates.conftest import NOW
from tests.conftest import settings_for


def fresh_counts(training):
    """The counts as the uncached issue path judges them."""
    rows = services.eligibility_table(training, NOW)
    return {"terbit": sum(1 for r in rows if r.certificate), "siap": sum(1 for r in rows if r.may_issue),
            "belum": sum(1 for r in rows if not r.certificate and not r.may_issue)}


def missing(training, key):
    """Return the id of a participant who misses only the criterion `key`."""
    return next(r.user.id for r in services.eligibility_table(training, NOW)
                if [c.key for c in r.verdict.criteria if not c.ok] == [key])


def cached(training):
    """Load the page's listing twice (the second from the cache) and return its counts."""
    services.list_page(training, NOW)
    return services.list_page(training, NOW).counts


def test_the_cached_counts_follow_attendance_lessons_assignments_and_enrolment(finished):
    before = cached(finished)
    assert before == fresh_counts(finished) == {"siap": 5, "belum": 4, "terbit": 0}
    token = revisions.token_of(finished)

    absent = missing(finished, "attendance")
    for record in db.session.scalars(select(AttendanceRecord).join(AttendanceSession).where(
            AttendanceSession.training_id == finished.id, AttendanceRecord.user_id == absent)):
        record.status = "hadir"
    db.session.commit()
    assert revisions.token_of(finished) != token
    assert cached(finished) == fresh_counts(finished) == {"siap": 6, "belum": 3, "terbit": 0}

    behind = missing(finished, "courses")
    for course in finished.courses:
        for lesson in db.session.scalars(select(Lesson).where(Lesson.course_id == course.id)):
            courses.set_completed(db.session.get(User, behind), lesson, True, NOW)
    db.session.commit()
    assert cached(finished) == fresh_counts(finished) == {"siap": 7, "belum": 2, "terbit": 0}

    late = missing(finished, "assignments")
    for assignment in assignments.required_of(finished):
        submission = db.session.scalars(select(Submission).where(
            Submission.training_id == finished.id, Submission.user_id == late,
            Submission.assignment_id == assignment.id)).first()
        if submission is None:
            submission = Submission(training_id=finished.id, user_id=late, assignment_id=assignment.id)
            db.session.add(submission)
        submission.status = "passed"
    db.session.commit()
    assert cached(finished) == fresh_counts(finished) == {"siap": 8, "belum": 1, "terbit": 0}

    removed = db.session.scalars(select(Enrollment).where(Enrollment.training_id == finished.id)).first()
    db.session.delete(removed)
    db.session.commit()
    assert sum(cached(finished).values()) == 8 and cached(finished) == fresh_counts(finished)


def test_a_lesson_viewed_or_an_unwatched_column_leaves_the_token(finished):
    cached(finished)
    token = revisions.token_of(finished)
    progress = db.session.scalars(select(LessonProgress)).first()
    progress.last_viewed_at = NOW
    db.session.execute(update(AttendanceRecord).values(client_address=None, user_agent=None, device_id=None))
    db.session.commit()
    assert revisions.token_of(finished) == token


def test_a_bulk_statement_on_a_watched_column_changes_every_token(finished):
    before = cached(finished)
    token = revisions.token_of(finished)
    db.session.execute(update(AttendanceRecord).values(status="tidak_hadir"))
    db.session.commit()
    assert revisions.token_of(finished) != token
    after = cached(finished)
    assert after == fresh_counts(finished) and after["siap"] == 0 and after != before


def test_a_write_rolled_back_leaves_no_stale_facts(finished):
    cached(finished)
    db.session.execute(update(AttendanceRecord).values(status="tidak_hadir"))
    assert services.list_page(finished, NOW).counts["siap"] == 0  # this transaction sees its own write
    db.session.rollback()
    assert cached(finished) == fresh_counts(finished) == {"siap": 5, "belum": 4, "terbit": 0}


def test_a_write_in_another_process_reaches_this_one(app, finished):
    # Its own cache, as another server process; its connections closed as soon as they are returned.
    options = {"poolclass": NullPool} if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else {}
    other = create_app(settings_for(Path(app.instance_path), SQLALCHEMY_ENGINE_OPTIONS=options))
    with other.app_context():
        far = db.session.get(type(finished), finished.id)
        assert cached(far) == {"siap": 5, "belum": 4, "terbit": 0}
        db.session.remove()
    db.session.execute(update(AttendanceRecord).values(status="tidak_hadir"))
    db.session.commit()
    with other.app_context():
        far = db.session.get(type(finished), finished.id)
        assert cached(far)["siap"] == 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("attendance,posttest,done,statuses", [
    (80, 75, {1, 2}, {7: "passed"}), (79, 75, {1, 2}, {7: "passed"}), (80, None, {1, 2}, {7: "passed"}),
    (80, 60, {1, 2}, {7: "passed"}), (80, 75, {1}, {7: "passed"}), (80, 75, {1, 2}, {7: "submitted"}),
    (80, 75, {1, 2}, {}),
])
def test_eligible_says_what_judge_says(attendance, posttest, done, statuses):
    for require_posttest, require_courses in ((True, True), (False, False), (True, False)):
        rules = eligibility.Rules(80, require_posttest, require_courses, True, {1: "A", 2: "B"}, {7: "Tugas"})
        facts = eligibility.Facts(Fraction(attendance), None if posttest is None else
                                  Fraction(posttest), None if posttest is None else posttest >= 70,
                                  frozenset(done), statuses)
        assert eligibility.eligible(rules, facts) == eligibility.judge(rules, facts).eligible
