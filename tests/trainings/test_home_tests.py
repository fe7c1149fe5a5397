"""The participant's home announces the pre-test/post-test whose window is open, in bounded queries."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.extensions import db
from lms.quizzes.models import Attempt, Quiz, QuizVersion
from tests.conftest import Clock, create_training

NOW = datetime(2026, 8, 17, 2, 0, tzinfo=UTC)  # 09.00 WIB


@pytest.fixture
def clock(monkeypatch):
    now = Clock(NOW)
    monkeypatch.setattr("lms.core.utcnow", now)
    return now


def quiz(slug, kind):
    item = Quiz(slug=slug, title=f"Uji {slug}", kind=kind)
    db.session.add(item)
    db.session.flush()
    return item


def trainings_for(person, count, first=0, **windows):
    """Create `count` open trainings of person, each with a pre-test and a post-test and the given windows."""
    made = []
    for n in range(first, first + count):
        pre, post = quiz(f"pre-{n}", "pretest"), quiz(f"post-{n}", "posttest")
        made.append(create_training(f"bimtek-{n}", users=(person,), title=f"Bimtek Nomor {n}", pretest_id=pre.id,
                                    posttest_id=post.id, start_date=date(2026, 8, 17), end_date=date(2026, 8, 19),
                                    **windows))
    return made


def page(client):
    return client.get("/").get_data(as_text=True)


def test_open_pretest_is_announced_with_its_link(client, auth, make_user, clock):
    person = make_user()
    (training,) = trainings_for(person, 1, pretest_open_at=NOW - timedelta(hours=1),
                                pretest_close_at=NOW + timedelta(hours=2),
                                posttest_open_at=NOW + timedelta(days=2))
    auth.login_as(person)
    home = page(client)
    assert "Kerjakan pretest" in home and "Kerjakan posttest" not in home
    assert 'href="/quizzes/pre-0?training=bimtek-0"' in home and "ditutup 17 Agustus 2026 11.00 WIB" in home
    clock.now = NOW + timedelta(hours=2)  # the window closed
    assert "Kerjakan pretest" not in page(client)
    clock.now = NOW + timedelta(days=2, minutes=1)
    assert "Kerjakan posttest" in page(client) and 'href="/quizzes/post-0?training=bimtek-0"' in page(client)
    training.status = "finished"
    db.session.commit()
    assert "Kerjakan posttest" not in page(client)


def test_a_test_without_a_window_or_already_done_is_not_announced(client, auth, make_user, clock):
    person = make_user()
    (training,) = trainings_for(person, 1, posttest_open_at=NOW - timedelta(minutes=5))
    auth.login_as(person)
    home = page(client)
    assert "Kerjakan posttest" in home and "Kerjakan pretest" not in home  # the pre-test has no window
    version = QuizVersion(quiz_id=training.posttest_id, number=1, content_hash="x", settings={}, questions=[])
    db.session.add(version)
    db.session.flush()
    attempt = Attempt(quiz_id=training.posttest_id, version_id=version.id, user_id=person.id, number=1,
                      context=f"training:{training.id}", training_id=training.id, status="in_progress",
                      started_at=NOW, questions=[])
    db.session.add(attempt)
    db.session.commit()
    assert "Lanjutkan posttest" in page(client)
    attempt.status, attempt.finished_at = "finished", NOW
    db.session.commit()
    home = page(client)
    assert "Kerjakan posttest" not in home and "Lanjutkan posttest" not in home


def test_the_home_does_not_query_per_training(client, auth, make_user, clock, count_queries):
    counts = {}
    for size, first in ((2, 0), (5, 2)):
        person = make_user()
        trainings_for(person, size, first, pretest_open_at=NOW - timedelta(hours=1))
        auth.login_as(person)
        with count_queries() as counter:
            home = page(client)
        assert home.count("Kerjakan pretest") == size
        counts[size] = counter.count
        auth.logout()
    assert counts[2] == counts[5], counts
