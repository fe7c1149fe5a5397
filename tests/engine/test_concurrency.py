"""Threads starting and submitting the same attempt at once (file SQLite, and PostgreSQL in CI)."""

import threading

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.models import Attempt
from tests.engine.conftest import T0, key_answers

THREADS = 6


def run_in_threads(app, work):
    """Run work(user_id) in THREADS threads released together, each as its own POST request."""
    barrier = threading.Barrier(THREADS)
    results, errors = [], []

    def worker():
        with app.test_request_context("/", method="POST"):
            app.preprocess_request()  # as a real POST: the write mode of lms.web
            try:
                barrier.wait(timeout=10)
                results.append(work())
                db.session.commit()
            except Exception as exc:  # collected and asserted on below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_concurrent_starts_create_one_attempt(app, quiz, make_user):
    user_id, quiz_slug = make_user().id, quiz.slug
    db.session.commit()

    def start():
        return services.start_attempt(db.session.get(User, user_id), services.get_quiz(quiz_slug), T0).id

    ids, errors = run_in_threads(app, start)
    assert errors == [] and len(set(ids)) == 1 and len(ids) == THREADS
    assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_concurrent_submits_grade_once(app, quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    for qid, value in key_answers(attempt).items():
        services.save_answer(user, attempt, qid, value, 0, T0)
    db.session.commit()
    user_id, attempt_id = user.id, attempt.id

    def submit():
        done = services.submit(db.session.get(User, user_id), db.session.get(Attempt, attempt_id), T0)
        return (done.status, str(done.percent))

    results, errors = run_in_threads(app, submit)
    assert errors == [] and set(results) == {("finished", "100.00")}
    db.session.rollback()  # end the test's read transaction to see what the threads wrote
    finished = db.session.get(Attempt, attempt_id)
    assert finished.finished_at == T0 and finished.percent == 100


def test_attempt_limit_holds_under_concurrent_starts(app, quiz, make_user):
    user = make_user()
    for _ in range(2):
        services.submit(user, services.start_attempt(user, quiz, T0), T0)
    db.session.commit()
    user_id, quiz_slug = user.id, quiz.slug

    def start():
        return services.start_attempt(db.session.get(User, user_id), services.get_quiz(quiz_slug), T0).id

    ids, errors = run_in_threads(app, start)
    assert ids == [] and len(errors) == THREADS
    assert db.session.scalar(select(func.count(Attempt.id))) == 2
