"""The attempt engine: snapshots, saves, stale tabs, deadlines, submit, limits, versions."""

from datetime import timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes
from lms.quizzes.errors import (
    AttemptClosed,
    InvalidAnswer,
    NotYourAttempt,
    QuizUnavailable,
    StaleAnswer,
    UnknownQuestion,
)
from lms.quizzes.models import Attempt, QuizVersion, Response
from tests.engine.conftest import ENGINE, T0, entry_ids, key_answers


def answer_all(user, attempt, answers, now=T0):
    for qid, value in answers.items():
        services.save_answer(user, attempt, qid, value, 0, now)
    db.session.commit()


def test_start_freezes_a_snapshot_and_resumes_it(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    db.session.commit()
    assert attempt.number == 1 and attempt.deadline_at == T0 + timedelta(minutes=10)
    assert sorted(entry_ids(attempt)) == ["benar-salah", "isian", "jamak", "jodoh", "tunggal"]
    assert sorted(entry_ids(attempt)["jodoh"]["choices"]) == ["Analytics", "Insights", "Kalkulator"]
    again = services.start_attempt(user, quiz, T0 + timedelta(minutes=1))
    assert again.id == attempt.id


def test_full_marks_and_idempotent_submit(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    answer_all(user, attempt, key_answers(attempt))
    services.submit(user, attempt, T0 + timedelta(minutes=5))
    db.session.commit()
    assert attempt.finished and attempt.passed and attempt.percent == 100
    assert attempt.finish_reason == "submitted"
    services.submit(user, attempt, T0 + timedelta(minutes=6))
    db.session.commit()
    assert attempt.finished_at == T0 + timedelta(minutes=5)
    assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_partial_credit_and_negative_weights(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    entries = entry_ids(attempt)
    answers = entries["jamak"]["q"]["answers"]
    half = next(a["id"] for a in answers if a["fraction"] == "1/2")
    wrong = next(a["id"] for a in answers if a["fraction"].startswith("-"))
    services.save_answer(user, attempt, "jamak", [half], 0, T0)
    services.save_answer(user, attempt, "benar-salah", "true", 0, T0)
    services.submit(user, attempt, T0)
    db.session.commit()
    assert attempt.points["jamak"] == "1/2" and attempt.points["benar-salah"] == "0/1"
    assert attempt.percent == 10 and attempt.passed is False
    second = services.start_attempt(user, quiz, T0 + timedelta(hours=1))
    services.save_answer(user, second, "jamak", [half, wrong], 0, T0 + timedelta(hours=1))
    services.submit(user, second, T0 + timedelta(hours=1))
    assert second.points["jamak"] == "0/1"


def test_save_updates_revision_and_refuses_stale_tab(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    first = services.save_answer(user, attempt, "isian", "5W", 0, T0)
    assert first.revision == 1
    second = services.save_answer(user, attempt, "isian", "5W+1H", 1, T0)
    assert second.revision == 2
    with pytest.raises(StaleAnswer) as stale:
        services.save_answer(user, attempt, "isian", "lama", 1, T0)
    assert stale.value.revision == 2 and stale.value.value == "5W+1H"
    with pytest.raises(StaleAnswer):
        services.save_answer(user, attempt, "tunggal", None, 3, T0)
    db.session.commit()
    assert db.session.scalars(select(Response.value).where(Response.question_id == "isian")).one() == "5W+1H"


@pytest.mark.parametrize("question, value, error", [
    ("tunggal", "a99", InvalidAnswer),
    ("jamak", ["a1", "a9"], InvalidAnswer),
    ("benar-salah", "mungkin", InvalidAnswer),
    ("jodoh", {"p9": "Insights"}, InvalidAnswer),
    ("jodoh", {"p1": "Tidak ada"}, InvalidAnswer),
    ("isian", "x" * 501, InvalidAnswer),
    ("bukan-soal-ini", "a1", UnknownQuestion),
])
def test_tampered_answers_are_refused(quiz, make_user, question, value, error):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    with pytest.raises(error):
        services.save_answer(user, attempt, question, value, 0, T0)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_other_users_attempt_is_refused(quiz, make_user):
    owner, other = make_user(), make_user()
    attempt = services.start_attempt(owner, quiz, T0)
    with pytest.raises(NotYourAttempt):
        services.save_answer(other, attempt, "isian", "x", 0, T0)
    with pytest.raises(NotYourAttempt):
        services.submit(other, attempt, T0)


def test_deadline_and_grace(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    deadline = attempt.deadline_at
    services.save_answer(user, attempt, "isian", "5W+1H", 0, deadline + timedelta(seconds=59))
    with pytest.raises(AttemptClosed):
        services.save_answer(user, attempt, "benar-salah", "false", 0, deadline + timedelta(seconds=61))
    db.session.commit()
    assert attempt.finished and attempt.finished_at == deadline and attempt.finish_reason == "deadline"
    assert attempt.points["isian"] == "1/1" and attempt.points["benar-salah"] == "0/1"


def test_overdue_attempts_are_finalised_by_the_explicit_step_and_by_command(quiz, make_user, runner, cli_clock):
    late, later = make_user(), make_user()
    first = services.start_attempt(late, quiz, T0)
    second = services.start_attempt(later, quiz, T0)
    services.save_answer(late, first, "isian", "5w+1h", 0, T0)
    db.session.commit()
    assert services.finalize_overdue(T0 + timedelta(minutes=5)) == 0
    assert services.finalize_overdue(T0 + timedelta(minutes=12), user=late) == 1
    db.session.commit()
    assert first.finished and first.finished_at == first.deadline_at and not second.finished
    cli_clock(T0 + timedelta(minutes=12))
    result = runner.invoke(args=["quizzes", "finalize-overdue"])
    assert result.exit_code == 0 and "1 percobaan" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, second.id).finished


def test_submit_after_grace_uses_the_deadline(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    services.submit(user, attempt, T0 + timedelta(hours=2))
    assert attempt.finished_at == attempt.deadline_at and attempt.finish_reason == "deadline"


def test_attempt_limit(quiz, make_user):
    user = make_user()
    for hour in (0, 1):
        attempt = services.start_attempt(user, quiz, T0 + timedelta(hours=hour))
        services.submit(user, attempt, T0 + timedelta(hours=hour))
    db.session.commit()
    with pytest.raises(QuizUnavailable, match="sudah habis"):
        services.start_attempt(user, quiz, T0 + timedelta(hours=3))


def test_database_refuses_a_second_open_attempt(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    db.session.commit()
    duplicate = Attempt(quiz_id=quiz.id, version_id=attempt.version_id, user_id=user.id, number=2,
                        status="in_progress", started_at=T0, questions=[])
    db.session.add(duplicate)
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()


def test_content_change_makes_a_new_version_and_running_attempts_keep_theirs(quiz, make_user, tmp_path):
    user = make_user()
    running = services.start_attempt(user, quiz, T0)
    db.session.commit()
    for path in ENGINE.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / path.name).write_text(text.replace("10 hari kerja\"", "sepuluh hari kerja\""), encoding="utf-8")
    definitions, errors, _ = load_quizzes(tmp_path)
    assert errors == []
    report = services.sync_quizzes(definitions, T0 + timedelta(minutes=1))
    db.session.commit()
    assert report.updated == ["uji-mesin"] and quiz.version_number == 2
    assert db.session.scalar(select(func.count(QuizVersion.id)).where(QuizVersion.quiz_id == quiz.id)) == 2
    texts = [a["text"] for a in entry_ids(running)["tunggal"]["q"]["answers"]]
    assert "10 hari kerja" in texts
    answer_all(user, running, key_answers(running), T0 + timedelta(minutes=2))
    services.submit(user, running, T0 + timedelta(minutes=2))
    fresh = services.start_attempt(user, quiz, T0 + timedelta(minutes=3))
    assert fresh.version.number == 2
    assert "sepuluh hari kerja" in [a["text"] for a in entry_ids(fresh)["tunggal"]["q"]["answers"]]
    assert running.percent == 100


def test_review_policy_before_and_after_close(quiz, make_user):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    services.submit(user, attempt, T0)
    shown = services.review_items(services.attempt_state(attempt, T0), T0)
    assert "score" in shown and "correctness" in shown and "feedback" in shown and "answers" not in shown


def test_regrade_lists_changed_results(quiz, make_user, runner):
    user = make_user()
    attempt = services.start_attempt(user, quiz, T0)
    answers = key_answers(attempt)
    answers["tunggal"] = next(a["id"] for a in entry_ids(attempt)["tunggal"]["q"]["answers"] if a["fraction"] == "0/1")
    answers["isian"] = "salah"
    answer_all(user, attempt, answers)
    services.submit(user, attempt, T0)
    db.session.commit()
    assert attempt.percent == 60 and attempt.passed is True
    version = services.current_version(quiz)
    corrected = [dict(q) for q in version.questions]
    for q in corrected:
        if q["id"] == "benar-salah":
            q["correct_bool"] = True  # a "corrected" key that makes this participant fail
    version.questions = corrected
    # Versions are immutable and decoded once per process: a rewrite in place must change the hash.
    version.content_hash = "corrected-" + version.content_hash[:50]
    db.session.commit()
    result = runner.invoke(args=["quizzes", "regrade", "uji-mesin"])
    assert result.exit_code == 0, result.output
    assert f"attempt {attempt.id}" in result.output and "lulus → tidak lulus" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).percent == 40


def test_final_score_by_grading_method():
    from lms.quizzes.rules import final_percent, normalised_gain

    scores = [Fraction(40), Fraction(90), Fraction(70)]
    assert final_percent(scores, "highest") == 90
    assert final_percent(scores, "first") == 40
    assert final_percent(scores, "last") == 70
    assert final_percent(scores, "average") == Fraction(200, 3)
    assert final_percent([], "highest") is None
    assert normalised_gain(Fraction(40), Fraction(70)) == Fraction(1, 2)
    assert normalised_gain(Fraction(100), Fraction(100)) is None
    assert normalised_gain(Fraction(80), Fraction(60)) == -1
