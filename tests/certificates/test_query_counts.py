"""The certificates page and the quiz results load in the same number of queries at any size."""

import random
import re
from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates import services
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.trainings.scope import quiz_context
from tests.certificates.conftest import NOW
from tests.trainings.factory import bulk_enroll, bulk_participants


def grow(training, count, admin, certify=True):
    """Add `count` participants: post-test finished (and one left open past its deadline), some certified."""
    ids = bulk_participants(count, prefix=f"Tambahan {count}")
    bulk_enroll(training, ids)
    people = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()
    quiz, context, rng = training.posttest, quiz_context(training, training.posttest), random.Random(count)
    opened = training.posttest_open_at + timedelta(minutes=5)
    for n, person in enumerate(people):
        attempt = quizzes.start_attempt(person, quiz, opened, rng, context)
        if n:  # the first stays open: past its deadline it counts, graded as it stands
            quizzes.submit(person, attempt, opened + timedelta(minutes=10))
    for person in people[: count // 2]:
        services.set_override(training, person, "Hadir di ruang lain, dicatat panitia", admin)
    db.session.commit()
    if certify:  # (an issue also records the overdue attempt as finished)
        services.issue_all(training, admin, NOW, commit=db.session.commit)


def measure(client, count_queries, url):
    client.get(url)  # warm-up: caches and the login check settle
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted.count, response.get_data(as_text=True)


def test_certificates_page_and_results_do_not_grow_with_participants(client, auth, finished, make_user,
                                                                     count_queries):
    admin = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(admin)
    pages = {"certificates": f"/trainings/{finished.slug}/certificates",
             "results": f"/trainings/{finished.slug}/quizzes/{finished.posttest.slug}/results",
             "quiz results": f"/quizzes/{finished.posttest.slug}/results"}
    grow(finished, 4, admin)
    small = {name: measure(client, count_queries, url) for name, url in pages.items()}
    grow(finished, 40, admin)
    large = {name: measure(client, count_queries, url) for name, url in pages.items()}
    assert "53 peserta" in large["certificates"][1] and "13 peserta" in small["certificates"][1]
    # 53 participants: the list shows one page of PAGE_SIZE (50); a search shows the 40 added at once.
    assert large["certificates"][1].count('<td class="cell-title">') == 50
    searched = client.get(f"/trainings/{finished.slug}/certificates?q=Tambahan+40").get_data(as_text=True)
    assert searched.count("Tambahan 40 ") == 40 and "40 dari 53 peserta cocok" in searched
    assert large["results"][1].count("Tambahan 40 ") >= 40
    for name in pages:
        assert large[name][0] == small[name][0], (name, small[name][0], large[name][0])
        assert large[name][0] <= 25, (name, large[name][0])


def test_results_read_no_attempt_snapshot_for_finished_attempts(client, auth, finished, make_user, app):
    from sqlalchemy import event

    admin = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(admin)
    grow(finished, 6, admin, certify=False)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()) + repr(args[0] if args else ""))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(f"/trainings/{finished.slug}/quizzes/{finished.posttest.slug}/results")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    with_snapshot = [s for s in statements if s.startswith("SELECT") and "attempts.questions" in s]
    # Only the open attempt past its deadline is graded now, so only its snapshot is read (once for
    # the scores, once for the item analysis): never the finished attempts' snapshots.
    assert 1 <= len(with_snapshot) <= 2
    # One id in the IN list (SQLite writes "(?)", PostgreSQL a named parameter): the overdue attempt's.
    assert all(re.search(r"FROM attempts WHERE attempts\.id IN \((\?|%\(id_1_1\)s[^,]*)\)", s)
               for s in with_snapshot), with_snapshot
