"""Reads do not write: an overdue attempt reads as finished everywhere, explicit steps record it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates import services as certificates
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import presenters, services
from lms.quizzes.models import Attempt
from lms.trainings import scope as trainings
from lms.trainings.models import Training


@pytest.fixture
def overdue(quiz, make_user, enroll_in_training):
    """An enrolled participant's post-test attempt, out of time an hour ago, one answer saved."""
    user = make_user(full_name="Peserta Terlambat")
    training = enroll_in_training(user)
    context = trainings.quiz_context(training, quiz)
    started = utcnow() - timedelta(hours=1)
    attempt = services.start_attempt(user, quiz, started, context=context)
    services.save_answer(user, attempt, "isian", "5W+1H", 0, started)
    db.session.commit()
    return attempt


def _status(attempt: Attempt) -> str:
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id).status


def test_an_overdue_attempt_reads_as_finished_with_what_it_saved(overdue):
    state = services.attempt_state(overdue, utcnow())
    assert (
        state.finished
        and state.finish_reason == "deadline"
        and state.finished_at == overdue.deadline_at
    )
    assert state.result.points["isian"] == 1 and state.percent == 20 and state.passed is False
    assert services.attempt_state(overdue, overdue.deadline_at).finished is False  # within grace
    assert _status(overdue) == "in_progress"


def test_get_pages_of_an_overdue_attempt_write_nothing(client, auth, overdue, watch_writes):
    auth.login_as(db.session.get(User, overdue.user_id))
    with watch_writes() as seen:
        listing = client.get("/quizzes/").get_data(as_text=True)
        page = client.get("/quizzes/uji-mesin").get_data(as_text=True)
        attempt = client.get(f"/quizzes/attempts/{overdue.id}")
        review = client.get(f"/quizzes/attempts/{overdue.id}/review").get_data(as_text=True)
        status = client.get(f"/quizzes/attempts/{overdue.id}/status.json").get_json()
    assert seen.writes == []
    assert "Nilai 20%" in listing and "Sedang dikerjakan" not in listing
    assert "Lanjutkan mengerjakan" not in page and "Tinjau" in page
    assert attempt.status_code == 302 and attempt.headers["Location"].endswith(
        f"/attempts/{overdue.id}/review"
    )
    assert "Nilai 20" in review and "otomatis saat waktu habis" in review
    assert status["finished"] is True
    assert _status(overdue) == "in_progress"


def test_staff_reads_of_results_write_nothing(client, auth, overdue, make_user, watch_writes):
    auth.login_as(make_user(role="admin"))
    with watch_writes() as seen:
        page = client.get("/quizzes/uji-mesin/results").get_data(as_text=True)
        csv = client.get("/quizzes/uji-mesin/results.csv")
        review = client.get(f"/quizzes/attempts/{overdue.id}/review").get_data(as_text=True)
    assert seen.writes == []
    assert "1 peserta mengerjakan" in page and "Peserta Terlambat" in page
    assert csv.headers["Content-Disposition"] == "attachment; filename=hasil-uji-mesin.csv"
    assert "Peserta Terlambat" in csv.get_data(as_text=True)
    assert "Nilai 20" in review
    assert _status(overdue) == "in_progress"


def test_certificate_eligibility_counts_an_overdue_attempt_without_writing(overdue, watch_writes):
    training = db.session.scalars(select(Training)).one()
    with watch_writes() as seen:
        rows = certificates.eligibility_table(training, utcnow())
    assert seen.writes == []
    assert [(row.user.id, row.posttest) for row in rows] == [(overdue.user_id, 20)]
    assert _status(overdue) == "in_progress"


def test_presenters_compute_without_writing(overdue, watch_writes):
    user = db.session.get(User, overdue.user_id)
    now = utcnow()
    with watch_writes() as seen:
        context = trainings.quiz_context(db.session.scalars(select(Training)).one(), overdue.quiz)
        card = presenters.quiz_cards(user, [overdue.quiz], now, {overdue.quiz_id: context})[0]
        report = presenters.results_report(overdue.quiz, now)
    assert seen.writes == []
    assert card.running is None and card.final == 20 and card.attempts[0].finished
    assert [row.percent for row in report.rows] == [20]


def test_a_post_records_the_overdue_attempt(client, auth, overdue):
    auth.login_as(db.session.get(User, overdue.user_id))
    response = client.post(
        f"/quizzes/attempts/{overdue.id}/answers",
        json={"question": "benar-salah", "value": "false", "revision": 0},
    )
    assert (
        response.status_code == 409
        and "Waktu mengerjakan sudah habis" in response.get_json()["message"]
    )
    db.session.expire_all()
    recorded = db.session.get(Attempt, overdue.id)
    assert recorded.status == "finished" and recorded.finish_reason == "deadline"
    assert recorded.finished_at == recorded.deadline_at and recorded.points["benar-salah"] == "0/1"


def test_the_job_worker_records_overdue_attempts_every_minute(app, overdue):
    jobs = app.extensions["lms_jobs"]
    task, huey = jobs["finalize_overdue_attempts"], jobs["huey"]
    for minute in (0, 1, 37):
        assert "finalize_overdue_attempts" in [
            t.name for t in huey.read_periodic(datetime(2026, 11, 22, 9, minute))
        ]
    task()  # JOBS_IMMEDIATE in tests: runs at once, as the worker does each minute
    assert _status(overdue) == "finished"
