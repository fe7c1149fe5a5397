"""Use cases of quizzes: catalog sync, the attempt engine, results and regrading."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.audit import services as audit
from lms.contentfiles import SyncReport, sync_rows
from lms.extensions import db
from lms.quizzes import grading
from lms.quizzes.definitions import QuizDefinition, question_from_snapshot, question_to_snapshot
from lms.quizzes.errors import (AttemptClosed, InvalidAnswer, NotYourAttempt, QuizUnavailable,
                                StaleAnswer, UnknownQuestion)
from lms.quizzes.models import Attempt, Quiz, QuizVersion, Response
from lms.quizzes.rules import NO_CONTEXT, QuizContext, Rules, final_percent, rules_from_json, settings_to_json

SHUFFLED_TYPES = {"single", "multiple", "missingword"}

# ---------------------------------------------------------------- catalog


def sync_quizzes(definitions: Sequence[QuizDefinition], now: datetime) -> SyncReport:
    """Upsert quizzes; a changed quiz gets a new version, running attempts keep theirs."""
    def create(definition: QuizDefinition) -> Quiz:
        quiz = Quiz(slug=definition.slug, version_number=0)
        db.session.add(quiz)
        return quiz

    def retire(quiz: Quiz) -> None:
        quiz.retired_at = now

    existing = {q.slug: q for q in db.session.scalars(select(Quiz))}
    report = sync_rows(existing, definitions, create, lambda q, d: _apply_quiz(q, d, now), retire)
    db.session.flush()
    return report


def _apply_quiz(quiz: Quiz, definition: QuizDefinition, now: datetime) -> None:
    settings = definition.settings
    quiz.title, quiz.kind, quiz.course_slug = settings.title, settings.kind, settings.course
    quiz.pretest_slug, quiz.synced_at, quiz.retired_at = settings.pretest, now, None
    if quiz.content_hash != definition.content_hash:
        db.session.flush()
        quiz.version_number += 1
        quiz.content_hash = definition.content_hash
        db.session.add(QuizVersion(quiz_id=quiz.id, number=quiz.version_number, created_at=now,
                                   content_hash=definition.content_hash,
                                   settings=settings_to_json(settings),
                                   questions=[question_to_snapshot(q) for q in definition.questions]))


def current_version(quiz: Quiz) -> QuizVersion:
    return db.session.scalars(select(QuizVersion).where(QuizVersion.quiz_id == quiz.id,
                                                        QuizVersion.number == quiz.version_number)).one()


def rules_of(version: QuizVersion) -> Rules:
    return rules_from_json(version.settings)


def get_quiz(slug: str) -> Optional[Quiz]:
    return db.session.scalars(select(Quiz).where(Quiz.slug == slug, Quiz.retired_at.is_(None))).first()


def list_quizzes(kinds: Optional[Iterable[str]] = None, course_slug: Optional[str] = None) -> list[Quiz]:
    query = select(Quiz).where(Quiz.retired_at.is_(None))
    if kinds is not None:
        query = query.where(Quiz.kind.in_(list(kinds)))
    if course_slug is not None:
        query = query.where(Quiz.course_slug == course_slug)
    order = {"pretest": 0, "practice": 1, "posttest": 2}
    return sorted(db.session.scalars(query), key=lambda q: (order.get(q.kind, 9), q.title))


# ---------------------------------------------------------------- attempts


def user_attempts(user: User, quiz: Quiz, context: QuizContext = NO_CONTEXT) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id == quiz.id,
                                                         Attempt.context == context.key)
                                   .order_by(Attempt.number)))


def open_attempt(user: User, quiz: Quiz, context: QuizContext = NO_CONTEXT) -> Optional[Attempt]:
    return db.session.scalars(select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_id == quiz.id,
                                                    Attempt.context == context.key,
                                                    Attempt.status == "in_progress")).first()


def final_percent_of(percents: list[Fraction], rules: Rules) -> Optional[Fraction]:
    """Combine a user's finished attempts by the quiz's grading method."""
    return final_percent(percents, rules.grading)


def attempts_left(rules: Rules, attempts: Sequence[Attempt]) -> Optional[int]:
    """Return how many more attempts may start (None = unlimited)."""
    if rules.attempts == 0:
        return None
    return max(rules.attempts - len(attempts), 0)


def start_attempt(user: User, quiz: Quiz, now: datetime, rng: Optional[random.Random] = None,
                  context: QuizContext = NO_CONTEXT) -> Attempt:
    """Resume the user's open attempt, or start a new one with a frozen snapshot."""
    finalize_overdue(now, quiz=quiz, user=user)
    running = open_attempt(user, quiz, context)
    if running is not None:
        return running
    version = current_version(quiz)
    rules = context.apply(rules_of(version))
    _check_can_start(rules, quiz, user, now, context)
    number = (db.session.scalar(select(func.max(Attempt.number)).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.context == context.key)) or 0) + 1
    attempt = Attempt(quiz_id=quiz.id, version_id=version.id, user_id=user.id, number=number,
                      context=context.key, training_id=context.training_id, window_close_at=rules.close_at,
                      status="in_progress", started_at=now, deadline_at=rules.deadline(now),
                      questions=_snapshot(version.questions, rules, rng or random.Random()))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # Another tab or a double click started one at the same moment: use that one.
        running = open_attempt(user, quiz, context)
        if running is None:
            raise QuizUnavailable("Percobaan tidak dapat dimulai; coba lagi.") from None
        return running
    return attempt


def _check_can_start(rules: Rules, quiz: Quiz, user: User, now: datetime, context: QuizContext) -> None:
    if quiz.retired_at is not None:
        raise QuizUnavailable("Kuis ini sudah tidak tersedia.")
    if rules.open_at and now < rules.open_at:
        raise QuizUnavailable("Kuis belum dibuka.")
    if rules.closed(now):
        raise QuizUnavailable("Kuis sudah ditutup.")
    done = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.context == context.key)) or 0
    if rules.attempts and done >= rules.attempts:
        raise QuizUnavailable(f"Kesempatan mengerjakan kuis ini sudah habis ({rules.attempts} kali).")


def _snapshot(questions: list[dict[str, Any]], rules: Rules, rng: random.Random) -> list[dict[str, Any]]:
    chosen = list(questions)
    if rules.draw and rules.draw < len(chosen):
        chosen = rng.sample(chosen, rules.draw)
    if rules.shuffle_questions:
        rng.shuffle(chosen)
    frozen = []
    for question in chosen:
        question = dict(question)
        if rules.shuffle_answers and question["type"] in SHUFFLED_TYPES:
            question["answers"] = rng.sample(question["answers"], len(question["answers"]))
        entry: dict[str, Any] = {"q": question}
        if question["type"] == "matching":
            rights = sorted({p["right"] for p in question["pairs"]})
            entry["choices"] = rng.sample(rights, len(rights))
        frozen.append(entry)
    return frozen


def question_map(attempt: Attempt) -> dict[str, dict[str, Any]]:
    return {entry["q"]["id"]: entry for entry in attempt.questions}


def responses_of(attempt: Attempt) -> dict[str, Response]:
    return {r.question_id: r for r in db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))}


def check_owner(user: User, attempt: Attempt) -> None:
    if attempt.user_id != user.id:
        raise NotYourAttempt("Percobaan ini milik pengguna lain.")


def save_answer(user: User, attempt: Attempt, question_id: str, value: Any, revision: int,
                now: datetime) -> Response:
    """Save one answer as given; refuse stale tabs, foreign answers and late writes."""
    check_owner(user, attempt)
    _check_writable(attempt, now)
    entry = question_map(attempt).get(question_id)
    if entry is None:
        raise UnknownQuestion("Pertanyaan ini tidak ada dalam percobaan Anda.")
    value = clean_value(entry, value)
    saved = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id,
                                                      Response.question_id == question_id)).first()
    if saved is None:
        return _insert_response(attempt, question_id, value, revision, now)
    if saved.revision != revision:
        raise StaleAnswer("Jawaban ini sudah diubah di tab atau perangkat lain.", saved.revision, saved.value)
    changed = db.session.execute(
        update(Response).where(Response.id == saved.id, Response.revision == revision)
        .values(value=value, revision=revision + 1, saved_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(saved)
        raise StaleAnswer("Jawaban ini sudah diubah di tab atau perangkat lain.", saved.revision, saved.value)
    db.session.refresh(saved)
    return saved


def _insert_response(attempt: Attempt, question_id: str, value: Any, revision: int, now: datetime) -> Response:
    if revision != 0:
        raise StaleAnswer("Jawaban ini sudah tidak ada di server; muat ulang halaman.", 0, None)
    response = Response(attempt_id=attempt.id, question_id=question_id, value=value, revision=1, saved_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        current = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id,
                                                            Response.question_id == question_id)).one()
        raise StaleAnswer("Jawaban ini sudah disimpan dari tab lain.", current.revision, current.value) from None
    return response


def _check_writable(attempt: Attempt, now: datetime) -> None:
    if attempt.finished:
        raise AttemptClosed("Percobaan ini sudah dikumpulkan; jawaban tidak dapat diubah lagi.")
    rules = rules_of(attempt.version)
    if attempt.deadline_at is not None and now > attempt.deadline_at + rules.grace:
        finalize(attempt, attempt.deadline_at, "deadline")
        raise AttemptClosed("Waktu mengerjakan sudah habis; jawaban yang tersimpan sudah dinilai.")


def clean_value(entry: dict[str, Any], value: Any) -> Any:
    """Return a response value in the shape its question type expects, or raise InvalidAnswer."""
    question = entry["q"]
    kind = question["type"]
    if value is None or value == "" or value == []:
        return None
    answer_ids = {a["id"] for a in question.get("answers", [])}
    if kind in {"single", "missingword"} and isinstance(value, str) and value in answer_ids:
        return value
    if kind == "multiple" and isinstance(value, list) and all(isinstance(v, str) for v in value) \
            and set(value) <= answer_ids:
        return sorted(set(value))
    if kind == "truefalse" and value in ("true", "false", True, False):
        return "true" if value in ("true", True) else "false"
    if kind in {"short", "numerical"} and isinstance(value, str) and len(value) <= 500:
        return value.strip()
    if kind == "matching" and isinstance(value, dict):
        return _clean_matching(entry, value)
    raise InvalidAnswer("Jawaban tidak sesuai dengan pilihan pertanyaan ini.")


def _clean_matching(entry: dict[str, Any], value: dict[str, Any]) -> dict[str, str]:
    pairs = {p["id"] for p in entry["q"]["pairs"] if p["left"]}
    choices = set(entry.get("choices", []))
    if not set(value) <= pairs or not all(isinstance(v, str) and (v in choices or v == "") for v in value.values()):
        raise InvalidAnswer("Pasangan jawaban tidak sesuai dengan pertanyaan ini.")
    return {k: v for k, v in value.items() if v}


def submit(user: User, attempt: Attempt, now: datetime) -> Attempt:
    """Grade and close the attempt; a second submit (double click, two tabs) changes nothing."""
    check_owner(user, attempt)
    if attempt.finished:
        return attempt
    rules = rules_of(attempt.version)
    finished_at = now
    reason = "submitted"
    if attempt.deadline_at is not None and now > attempt.deadline_at + rules.grace:
        finished_at, reason = attempt.deadline_at, "deadline"
    finalize(attempt, finished_at, reason)
    return attempt


def finalize(attempt: Attempt, finished_at: datetime, reason: str) -> bool:
    """Grade the saved answers and close the attempt once; return False if already closed."""
    result = grade_attempt(attempt)
    values = _result_values(result)
    closed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(status="finished", finished_at=finished_at, finish_reason=reason, **values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    return closed == 1


def grade_attempt(attempt: Attempt, questions: Optional[dict[str, dict[str, Any]]] = None) -> grading.GradeResult:
    """Grade an attempt's saved answers against its snapshot (or against corrected questions)."""
    snapshot = [entry["q"] for entry in attempt.questions]
    parsed = [question_from_snapshot((questions or {}).get(q["id"], q)) for q in snapshot]
    values = {qid: r.value for qid, r in responses_of(attempt).items()}
    return grading.grade(parsed, values, rules_of(attempt.version).pass_mark)


def _result_values(result: grading.GradeResult) -> dict[str, Any]:
    def dec(value: Fraction, places: str) -> Decimal:
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places), ROUND_HALF_UP)

    return {"points": {k: f"{v.numerator}/{v.denominator}" for k, v in result.points.items()},
            "score": dec(result.total, "0.001"), "maximum": dec(result.maximum, "0.001"),
            "percent": dec(result.percent, "0.01"), "passed": result.passed}


def finalize_overdue(now: datetime, quiz: Optional[Quiz] = None, user: Optional[User] = None) -> int:
    """Close every attempt past its deadline and grace, with the deadline as its finish time."""
    query = select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at.is_not(None))
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    count = 0
    for attempt in db.session.scalars(query).all():
        if now > attempt.deadline_at + rules_of(attempt.version).grace:  # type: ignore[operator]
            count += finalize(attempt, attempt.deadline_at, "deadline")  # type: ignore[arg-type]
    return count


# ---------------------------------------------------------------- review


@dataclass(frozen=True)
class ReviewPolicy:
    score: bool
    correctness: bool
    answers: bool
    feedback: bool


def review_policy(attempt: Attempt, now: datetime) -> ReviewPolicy:
    """Return what the participant may see of a finished attempt now."""
    rules = rules_of(attempt.version)
    closes = attempt.window_close_at or rules.close_at
    items = set(rules.after_submit) if attempt.finished else set()
    if attempt.finished and closes is not None and now >= closes:
        items |= rules.after_close
    return ReviewPolicy(**{item: item in items for item in ("score", "correctness", "answers", "feedback")})


# ---------------------------------------------------------------- results


@dataclass
class ParticipantResult:
    user: User
    attempts: int
    percent: Optional[Fraction]
    passed: Optional[bool]


def final_results(quiz: Quiz, rules: Rules, user_ids: Optional[Sequence[int]] = None,
                  context: Optional[QuizContext] = None) -> dict[int, ParticipantResult]:
    """Return each user's final score on the quiz by its grading method, in one query."""
    query = (select(Attempt, User).join(User, User.id == Attempt.user_id)
             .where(Attempt.quiz_id == quiz.id, Attempt.status == "finished")
             .order_by(Attempt.user_id, Attempt.number))
    if context is not None:
        query = query.where(Attempt.context == context.key)
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    grouped: dict[int, tuple[User, list[Fraction]]] = {}
    for attempt, user in db.session.execute(query).all():
        grouped.setdefault(user.id, (user, []))[1].append(Fraction(str(attempt.percent)))
    results = {}
    for user_id, (user, percents) in grouped.items():
        percent = final_percent(percents, rules.grading)
        results[user_id] = ParticipantResult(user, len(percents), percent,
                                             None if percent is None else percent >= rules.pass_mark)
    return results


@dataclass
class ItemStat:
    question: dict[str, Any]
    answered: int = 0
    full_marks: int = 0
    picks: dict[str, int] = field(default_factory=dict)

    @property
    def percent_correct(self) -> Optional[int]:
        return round(100 * self.full_marks / self.answered) if self.answered else None


def item_analysis(quiz: Quiz, version: QuizVersion, user_ids: Optional[Sequence[int]] = None,
                  context: Optional[QuizContext] = None) -> list[ItemStat]:
    """Return, per question, the share of full marks and how often each answer was picked."""
    stats = {q["id"]: ItemStat(q) for q in version.questions}
    query = select(Attempt.points, Attempt.questions, Attempt.id).where(
        Attempt.quiz_id == quiz.id, Attempt.status == "finished")
    if context is not None:
        query = query.where(Attempt.context == context.key)
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    attempt_ids = []
    for points, questions, attempt_id in db.session.execute(query).all():
        attempt_ids.append(attempt_id)
        full = {e["q"]["id"]: Fraction(e["q"]["points"]) for e in questions}
        for qid, earned in (points or {}).items():
            if qid in stats:
                stats[qid].answered += 1
                stats[qid].full_marks += Fraction(earned) >= full.get(qid, Fraction(1))
    for qid, value in db.session.execute(select(Response.question_id, Response.value)
                                         .where(Response.attempt_id.in_(attempt_ids))).all():
        if qid in stats:
            for choice in value if isinstance(value, list) else [value]:
                if isinstance(choice, str):
                    stats[qid].picks[choice] = stats[qid].picks.get(choice, 0) + 1
    return list(stats.values())


# ---------------------------------------------------------------- regrade


def regrade(quiz: Quiz, actor: Optional[User], now: datetime) -> list[dict[str, Any]]:
    """Regrade finished attempts against the current key; return those whose pass/fail changed."""
    version = current_version(quiz)
    corrected = {q["id"]: q for q in version.questions}
    changed = []
    for attempt in db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id,
                                                            Attempt.status == "finished")).all():
        before = attempt.passed
        values = _result_values(grade_attempt(attempt, corrected))
        for key, value in values.items():
            setattr(attempt, key, value)
        if before != attempt.passed:
            changed.append({"attempt_id": attempt.id, "user_id": attempt.user_id,
                            "passed_before": before, "passed_after": attempt.passed})
    db.session.flush()
    audit.record(actor, "quiz.regrade", "quiz", quiz.id,
                 {"version": version.number, "changed_attempts": [c["attempt_id"] for c in changed]}, now)
    return changed
