"""Handing in and reviewing through the services: the whole path, conflicts, deadlines, limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.assignments import review, services, states
from lms.assignments.models import Submission
from lms.audit.models import AuditEvent
from lms.errors import NotAllowed, ValidationFailed
from lms.extensions import db
from tests.assignments.conftest import AFTER_DUE, BEFORE_DUE, make_assignment, photo_bytes

NOW = BEFORE_DUE


def _started(world, who="ani"):
    submission = services.start(world[who], world["training"], world["assignment"], NOW)
    db.session.commit()
    return submission


def _handed_in(world, text="Bupati Sinjai, H. Andi Seto Gadhista Asapa, S.H., M.Si., membuka bimtek."):
    submission = _started(world)
    services.save_draft(world["ani"], submission, text, ["https://instagram.com/p/abc"], submission.version, NOW)
    services.submit(world["ani"], submission, submission.version, NOW)
    db.session.commit()
    return submission


def _audit_actions():
    return [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.not_like("user.%"))
                                                 .order_by(AuditEvent.id))]


def test_the_training_gives_its_courses_assignments_by_default(world):
    assert services.offered(world["training"]) == [world["assignment"]]


def test_a_training_can_leave_one_out_and_take_another(world):
    training, admin = world["training"], world["admin"]
    other = make_assignment(course_slug="lain", id="log-mingguan")
    services.set_given(training, world["assignment"], False, admin)
    services.set_given(training, other, True, admin)
    db.session.commit()
    assert services.offered(training) == [other]
    assert "assignment.choose" in _audit_actions()


def test_another_trainer_cannot_choose(world):
    with pytest.raises(NotAllowed):
        services.set_given(world["training"], world["assignment"], False, world["other_trainer"])


def test_start_twice_returns_the_same_draft(world):
    first = _started(world)
    assert services.start(world["ani"], world["training"], world["assignment"], NOW).id == first.id
    assert first.status == "draft"


def test_someone_not_enrolled_cannot_start(world, make_user):
    with pytest.raises(NotAllowed):
        services.start(make_user(), world["training"], world["assignment"], NOW)


def test_the_draft_keeps_text_and_a_stale_tab_is_refused(world):
    submission = _started(world)
    seen = submission.version
    services.save_draft(world["ani"], submission, "Draf pertama", None, seen, NOW)
    db.session.commit()
    with pytest.raises(services.SubmissionConflict):
        services.save_draft(world["ani"], submission, "Tab lama", None, seen, NOW)
    db.session.rollback()
    assert db.session.get(Submission, submission.id).text == "Draf pertama"


def test_submit_review_return_revise_pass(world):
    trainer, ani = world["trainer"], world["ani"]
    submission = _handed_in(world)
    assert (submission.status, submission.late, submission.agency_id) == ("submitted", False, world["opd_a"].id)
    review.save_review(trainer, submission, {"unsur": 1}, {"unsur": "Sebutkan tempat."}, "", submission.version, NOW)
    assert submission.status == "in_review"
    review.return_for_revision(trainer, submission, submission.version, NOW)
    db.session.commit()
    assert submission.status == "revision_requested"
    services.save_draft(ani, submission, submission.text + " Di Aula Dinas.", None, submission.version, NOW)
    services.submit(ani, submission, submission.version, AFTER_DUE)  # a revision asked for is never late
    assert (submission.status, submission.round, submission.late) == ("resubmitted", 2, False)
    review.save_review(trainer, submission, {"unsur": 0, "ejaan": 0}, {}, "Bagus.", submission.version, NOW)
    review.decide(trainer, submission, submission.version, NOW)
    db.session.commit()
    assert (submission.status, submission.score) == ("passed", 10)
    assert review.last_decided(submission).outcome == "passed"
    assert _audit_actions() == ["submission.submit", "submission.review", "submission.return",
                                "submission.resubmit", "submission.review", "submission.decide"]


def test_a_low_score_fails(world):
    submission = _handed_in(world)
    review.save_review(world["trainer"], submission, {"unsur": 1, "ejaan": 1}, {}, "", submission.version, NOW)
    review.decide(world["trainer"], submission, submission.version, NOW)
    assert (submission.status, submission.score) == ("failed", 4)


def test_the_revision_limit_holds(world):
    trainer, ani = world["trainer"], world["ani"]
    submission = _handed_in(world)
    review.save_review(trainer, submission, {}, {}, "Perbaiki.", submission.version, NOW)
    review.return_for_revision(trainer, submission, submission.version, NOW)
    services.submit(ani, submission, submission.version, NOW)
    review.save_review(trainer, submission, {}, {}, "Masih kurang.", submission.version, NOW)
    with pytest.raises(ValidationFailed, match="Batas revisi tugas ini \\(1 kali\\)"):
        review.return_for_revision(trainer, submission, submission.version, NOW)


def test_reviewing_a_withdrawn_submission_is_refused_and_keeps_it(world):
    submission = _handed_in(world)
    services.withdraw(world["ani"], submission, submission.version, NOW)
    db.session.commit()
    with pytest.raises(states.TransitionRefused, match="sudah ditarik"):
        review.save_review(world["trainer"], submission, {"unsur": 0}, {}, "", None, NOW)
    db.session.rollback()
    assert db.session.get(Submission, submission.id).status == "withdrawn"


def test_late_work_is_marked_or_refused(world):
    submission = _started(world)
    services.save_draft(world["ani"], submission, "Caption", None, None, NOW)
    services.submit(world["ani"], submission, None, AFTER_DUE)
    assert submission.late is True
    strict = make_assignment(id="tepat-waktu", accept_late=False)
    other = services.start(world["budi"], world["training"], strict, NOW)
    services.save_draft(world["budi"], other, "Caption", None, None, NOW)
    with pytest.raises(ValidationFailed, match="Batas waktu pengumpulan sudah lewat"):
        services.submit(world["budi"], other, None, AFTER_DUE)
    assert other.text == "Caption" and other.status == "draft"


def test_an_empty_submission_and_a_bad_link_are_refused(world):
    submission = _started(world)
    with pytest.raises(ValidationFailed, match="Tugas masih kosong"):
        services.submit(world["ani"], submission, None, NOW)
    services.save_draft(world["ani"], submission, "Caption", ["javascript:alert(1)"], None, NOW)
    with pytest.raises(ValidationFailed, match="harus diawali http"):
        services.submit(world["ani"], submission, None, NOW)
    assert submission.links == ["javascript:alert(1)"]


def test_more_images_than_allowed_are_refused(world):
    submission = _started(world)
    for _ in range(2):
        services.add_file(world["ani"], submission, photo_bytes(), None, NOW)
    with pytest.raises(ValidationFailed, match="sudah ada 2 foto"):
        services.add_file(world["ani"], submission, photo_bytes(), None, NOW)
    assert len(submission.files) == 2


def test_the_opd_target_counts_distinct_links_per_opd(world):
    _handed_in(world)  # Ani (Dinas Kesehatan): one link
    budi = world["budi"]
    other = services.start(budi, world["training"], world["assignment"], NOW)
    links = ["https://www.instagram.com/p/satu/", "http://instagram.com/p/satu", "https://x.com/dispend/status/2"]
    services.save_draft(budi, other, "Caption", links, None, NOW)
    services.submit(budi, other, None, NOW)
    counts = {c.name: (c.count, c.met) for c in review.opd_counts(world["training"], world["assignment"])}
    assert counts == {"Dinas Kesehatan": (1, False), "Dinas Pendidikan": (2, True)}
    services.withdraw(budi, other, None, NOW)
    counts = {c.name: c.count for c in review.opd_counts(world["training"], world["assignment"])}
    assert counts == {"Dinas Kesehatan": 1, "Dinas Pendidikan": 0}
