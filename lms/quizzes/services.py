"""Use cases of quizzes: catalog sync, the attempt engine, results and regrading.

Stored snapshots are decoded here, once, into the typed model (lms.quizzes.questions); nothing
above this module reads their JSON. Reads never write: an open attempt past its deadline and
grace counts, in every read, as finished with what it saved (attempt_state); finalize_overdue
is the explicit step that records it (the job worker every minute, the CLI, the attempt POSTs).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Iterable, Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.audit import services as audit
from lms.contentfiles import SyncReport, sync_rows
from lms.db_types import writing
from lms.extensions import db
from lms.quizzes import grading
from lms.quizzes.definitions import QuizDefinition
from lms.quizzes.errors import (AttemptClosed, NotYourAttempt, QuizUnavailable, StaleAnswer,
                                UnknownQuestion)
from lms.quizzes.models import Attempt, Quiz, QuizVersion, Response
from lms.quizzes.questions.codec import (entries_from_json, entries_to_json, fraction_text,
                                         question_from_snapshot, question_to_snapshot,
                                         settings_from_json, settings_to_json)
from lms.quizzes.questions.model import AttemptQuestion, Question, QuizSettings
from lms.quizzes.questions.types import clean_answer, show_in_attempt
from lms.quizzes.rules import NO_CONTEXT, QuizContext, final_percent

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


def rules_of(version: QuizVersion) -> QuizSettings:
    """Return a version's settings, decoded."""
    return settings_from_json(version.settings)


def version_questions(version: QuizVersion) -> list[Question]:
    """Return a version's questions, decoded."""
    return [question_from_snapshot(q) for q in version.questions]


def get_quiz(slug: str) -> Quiz | None:
    return db.session.scalars(select(Quiz).where(Quiz.slug == slug, Quiz.retired_at.is_(None))).first()


def list_quizzes(kinds: Iterable[str] | None = None,
                 course_slug: str | None = None) -> list[Quiz]:
    query = select(Quiz).where(Quiz.retired_at.is_(None))
    if kinds is not None:
        query = query.where(Quiz.kind.in_(list(kinds)))
    if course_slug is not None:
        query = query.where(Quiz.course_slug == course_slug)
    order = {"pretest": 0, "practice": 1, "posttest": 2}
    return sorted(db.session.scalars(query), key=lambda q: (order.get(q.kind, 9), q.title))


# ---------------------------------------------------------------- attempts


def user_attempts(user: User, quiz: Quiz, context: QuizContext = NO_CONTEXT) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id, Attempt.context == context.key)
        .order_by(Attempt.number)))


def open_attempt(user: User, quiz: Quiz, context: QuizContext = NO_CONTEXT) -> Attempt | None:
    return db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id, Attempt.context == context.key,
        Attempt.status == "in_progress")).first()


def final_percent_of(percents: list[Fraction], rules: QuizSettings) -> Fraction | None:
    """Combine a user's finished attempts by the quiz's grading method."""
    return final_percent(percents, rules.grading)


def attempts_left(rules: QuizSettings, attempts: Sequence[Any]) -> int | None:
    """Return how many more attempts may start (None = unlimited)."""
    if rules.attempts == 0:
        return None
    return max(rules.attempts - len(attempts), 0)


def start_attempt(user: User, quiz: Quiz, now: datetime, rng: random.Random | None = None,
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
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id,
        Attempt.context == context.key)) or 0) + 1
    shown = _snapshot(version_questions(version), rules, rng or random.Random())
    attempt = Attempt(quiz_id=quiz.id, version_id=version.id, user_id=user.id, number=number,
                      context=context.key, training_id=context.training_id,
                      window_close_at=rules.close_at, status="in_progress", started_at=now,
                      deadline_at=rules.deadline(now), questions=entries_to_json(shown))
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


def _check_can_start(rules: QuizSettings, quiz: Quiz, user: User, now: datetime,
                     context: QuizContext) -> None:
    if quiz.retired_at is not None:
        raise QuizUnavailable("Kuis ini sudah tidak tersedia.")
    if rules.open_at and now < rules.open_at:
        raise QuizUnavailable("Kuis belum dibuka.")
    if rules.closed(now):
        raise QuizUnavailable("Kuis sudah ditutup.")
    done = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id,
        Attempt.context == context.key)) or 0
    if rules.attempts and done >= rules.attempts:
        raise QuizUnavailable(f"Kesempatan mengerjakan kuis ini sudah habis ({rules.attempts} kali).")


def _snapshot(questions: list[Question], rules: QuizSettings,
              rng: random.Random) -> list[AttemptQuestion]:
    chosen = list(questions)
    if rules.draw and rules.draw < len(chosen):
        chosen = rng.sample(chosen, rules.draw)
    if rules.shuffle_questions:
        rng.shuffle(chosen)
    return [show_in_attempt(q, rules.shuffle_answers, rng) for q in chosen]


def attempt_questions(attempt: Attempt) -> list[AttemptQuestion]:
    """Return the questions the attempt shows, in its order, decoded from its snapshot."""
    return entries_from_json(attempt.questions)


def responses_of(attempt: Attempt) -> dict[str, Response]:
    return {r.question_id: r for r in db.session.scalars(
        select(Response).where(Response.attempt_id == attempt.id))}


def check_owner(user: User, attempt: Attempt) -> None:
    if attempt.user_id != user.id:
        raise NotYourAttempt("Percobaan ini milik pengguna lain.")


def save_answer(user: User, attempt: Attempt, question_id: str, value: Any, revision: int,
                now: datetime) -> Response:
    """Save one answer as given; refuse stale tabs, foreign answers and late writes."""
    check_owner(user, attempt)
    _check_writable(attempt, now)
    entry = next((e for e in attempt_questions(attempt) if e.id == question_id), None)
    if entry is None:
        raise UnknownQuestion("Pertanyaan ini tidak ada dalam percobaan Anda.")
    value = clean_answer(entry, value)
    saved = db.session.scalars(select(Response).where(
        Response.attempt_id == attempt.id, Response.question_id == question_id)).first()
    if saved is None:
        return _insert_response(attempt, question_id, value, revision, now)
    if saved.revision != revision:
        raise StaleAnswer("Jawaban ini sudah diubah di tab atau perangkat lain.", saved.revision,
                          saved.value)
    changed = db.session.execute(
        update(Response).where(Response.id == saved.id, Response.revision == revision)
        .values(value=value, revision=revision + 1, saved_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(saved)
        raise StaleAnswer("Jawaban ini sudah diubah di tab atau perangkat lain.", saved.revision,
                          saved.value)
    db.session.refresh(saved)
    return saved


def _insert_response(attempt: Attempt, question_id: str, value: Any, revision: int,
                     now: datetime) -> Response:
    if revision != 0:
        raise StaleAnswer("Jawaban ini sudah tidak ada di server; muat ulang halaman.", 0, None)
    response = Response(attempt_id=attempt.id, question_id=question_id, value=value, revision=1,
                        saved_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        current = db.session.scalars(select(Response).where(
            Response.attempt_id == attempt.id, Response.question_id == question_id)).one()
        raise StaleAnswer("Jawaban ini sudah disimpan dari tab lain.", current.revision,
                          current.value) from None
    return response


_TIME_UP = "Waktu mengerjakan sudah habis; jawaban yang tersimpan sudah dinilai."


def _check_writable(attempt: Attempt, now: datetime) -> None:
    if attempt.finished:
        if attempt.finish_reason == "deadline":
            raise AttemptClosed(_TIME_UP)
        raise AttemptClosed("Percobaan ini sudah dikumpulkan; jawaban tidak dapat diubah lagi.")
    if is_overdue(attempt, now):
        finalize(attempt, attempt.deadline_at, "deadline")  # type: ignore[arg-type]
        raise AttemptClosed(_TIME_UP)


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    """Tell whether an open attempt is past its deadline and grace (it counts as finished)."""
    if attempt.finished or attempt.deadline_at is None:
        return False
    return now > attempt.deadline_at + rules_of(attempt.version).grace


def submit(user: User, attempt: Attempt, now: datetime) -> Attempt:
    """Grade and close the attempt; a second submit (double click, two tabs) changes nothing."""
    check_owner(user, attempt)
    if attempt.finished:
        return attempt
    if is_overdue(attempt, now):
        finalize(attempt, attempt.deadline_at, "deadline")  # type: ignore[arg-type]
    else:
        finalize(attempt, now, "submitted")
    return attempt


def finalize(attempt: Attempt, finished_at: datetime, reason: str) -> bool:
    """Grade the saved answers and close the attempt once; return False if already closed."""
    values = _result_values(grade_attempt(attempt))
    closed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(status="finished", finished_at=finished_at, finish_reason=reason,
                points={k: fraction_text(v) for k, v in values.points.items()},
                score=values.score, maximum=values.maximum, percent=values.percent,
                passed=values.passed)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    return closed == 1


def grade_attempt(attempt: Attempt,
                  questions: dict[str, Question] | None = None) -> grading.GradeResult:
    """Grade an attempt's saved answers against its snapshot (or against corrected questions)."""
    shown = [e.question for e in attempt_questions(attempt)]
    graded = [(questions or {}).get(q.id, q) for q in shown]
    values = {qid: r.value for qid, r in responses_of(attempt).items()}
    return grading.grade(graded, values, rules_of(attempt.version).pass_mark)


@dataclass(frozen=True)
class Result:
    """An attempt's grade as stored: points per question, then score, maximum and percent."""

    points: dict[str, Fraction]
    score: Decimal
    maximum: Decimal
    percent: Decimal
    passed: bool


def _result_values(result: grading.GradeResult) -> Result:
    def dec(value: Fraction, places: str) -> Decimal:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(places), ROUND_HALF_UP)

    return Result(dict(result.points), dec(result.total, "0.001"), dec(result.maximum, "0.001"),
                  dec(result.percent, "0.01"), result.passed)


def finalize_overdue(now: datetime, quiz: Quiz | None = None, user: User | None = None) -> int:
    """Close every attempt past its deadline and grace, with the deadline as its finish time."""
    query = select(Attempt).where(Attempt.status == "in_progress",
                                  Attempt.deadline_at.is_not(None))
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    count = 0
    for attempt in db.session.scalars(query).all():
        if is_overdue(attempt, now):
            count += finalize(attempt, attempt.deadline_at, "deadline")  # type: ignore[arg-type]
    return count


def run_finalize_overdue(now: datetime) -> int:
    """Finalise overdue attempts and commit, in one write transaction (the CLI and the job)."""
    with writing():
        count = finalize_overdue(now)
        db.session.commit()
    return count


# ---------------------------------------------------------------- the effective state


@dataclass(frozen=True)
class AttemptState:
    """An attempt as it stands at a moment, computed without writing.

    A finished attempt reads as stored; an open one past its deadline and grace reads as
    finished at its deadline with what it saved, exactly as finalize_overdue will record it.
    """

    attempt: Attempt
    finished: bool
    finished_at: datetime | None = None
    finish_reason: str | None = None
    result: Result | None = None

    @property
    def id(self) -> int:
        return self.attempt.id

    @property
    def number(self) -> int:
        return self.attempt.number

    @property
    def started_at(self) -> datetime:
        return self.attempt.started_at

    @property
    def percent(self) -> Decimal | None:
        return self.result.percent if self.result else None

    @property
    def passed(self) -> bool | None:
        return self.result.passed if self.result else None


def _stored_result(attempt: Attempt) -> Result:
    return Result({k: Fraction(v) for k, v in (attempt.points or {}).items()},
                  Decimal(attempt.score), Decimal(attempt.maximum), Decimal(attempt.percent),
                  bool(attempt.passed))


def attempt_state(attempt: Attempt, now: datetime) -> AttemptState:
    """Return the attempt as it stands now: an overdue open attempt counts as finished."""
    if attempt.finished:
        return AttemptState(attempt, True, attempt.finished_at, attempt.finish_reason,
                            _stored_result(attempt))
    if is_overdue(attempt, now):
        return AttemptState(attempt, True, attempt.deadline_at, "deadline",
                            _result_values(grade_attempt(attempt)))
    return AttemptState(attempt, False)


def review_items(state: AttemptState, now: datetime) -> frozenset[str]:
    """Return what the participant may see of the attempt now (see ReviewPolicy)."""
    rules = rules_of(state.attempt.version)
    closes = state.attempt.window_close_at or rules.close_at
    return rules.review.shown(state.finished, closes is not None and now >= closes)


def counted_attempts(quiz: Quiz, now: datetime, user_ids: Sequence[int] | None = None,
                     context: QuizContext | None = None) -> list[tuple[AttemptState, User]]:
    """Return the attempts that count at `now` (finished or overdue), per user, oldest first."""
    query = (select(Attempt, User).join(User, User.id == Attempt.user_id)
             .where(Attempt.quiz_id == quiz.id,
                    or_(Attempt.status == "finished", Attempt.deadline_at < now))
             .order_by(Attempt.user_id, Attempt.number))
    if context is not None:
        query = query.where(Attempt.context == context.key)
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    states = [(attempt_state(attempt, now), user) for attempt, user in db.session.execute(query)]
    return [(state, user) for state, user in states if state.finished]


# ---------------------------------------------------------------- results


@dataclass
class ParticipantResult:
    user: User
    attempts: int
    percent: Fraction | None
    passed: bool | None


def final_results(quiz: Quiz, rules: QuizSettings, now: datetime,
                  user_ids: Sequence[int] | None = None,
                  context: QuizContext | None = None) -> dict[int, ParticipantResult]:
    """Return each user's final score on the quiz by its grading method, as it stands at `now`."""
    grouped: dict[int, tuple[User, list[Fraction]]] = {}
    for state, user in counted_attempts(quiz, now, user_ids, context):
        grouped.setdefault(user.id, (user, []))[1].append(Fraction(str(state.percent)))
    results = {}
    for user_id, (user, percents) in grouped.items():
        percent = final_percent(percents, rules.grading)
        results[user_id] = ParticipantResult(user, len(percents), percent,
                                             None if percent is None else percent >= rules.pass_mark)
    return results


@dataclass
class ItemStat:
    question: Question
    answered: int = 0
    full_marks: int = 0
    picks: dict[str, int] = field(default_factory=dict)

    @property
    def percent_correct(self) -> int | None:
        return round(100 * self.full_marks / self.answered) if self.answered else None


def item_analysis(quiz: Quiz, version: QuizVersion, now: datetime,
                  user_ids: Sequence[int] | None = None,
                  context: QuizContext | None = None) -> list[ItemStat]:
    """Return, per question, the share of full marks and how often each answer was picked."""
    stats = {q.id: ItemStat(q) for q in version_questions(version)}
    attempt_ids = []
    for state, _ in counted_attempts(quiz, now, user_ids, context):
        attempt_ids.append(state.id)
        full = {e.id: e.question.points for e in attempt_questions(state.attempt)}
        for qid, earned in (state.result.points if state.result else {}).items():
            if qid in stats:
                stats[qid].answered += 1
                stats[qid].full_marks += earned >= full.get(qid, Fraction(1))
    for qid, value in db.session.execute(select(Response.question_id, Response.value)
                                         .where(Response.attempt_id.in_(attempt_ids))).all():
        if qid in stats:
            for choice in value if isinstance(value, list) else [value]:
                if isinstance(choice, str):
                    stats[qid].picks[choice] = stats[qid].picks.get(choice, 0) + 1
    return list(stats.values())


# ---------------------------------------------------------------- regrade


def regrade(quiz: Quiz, actor: User | None, now: datetime) -> list[dict[str, Any]]:
    """Regrade finished attempts against the current key; return those whose pass/fail changed."""
    version = current_version(quiz)
    corrected = {q.id: q for q in version_questions(version)}
    changed = []
    for attempt in db.session.scalars(select(Attempt).where(Attempt.quiz_id == quiz.id,
                                                            Attempt.status == "finished")).all():
        before = attempt.passed
        values = _result_values(grade_attempt(attempt, corrected))
        attempt.points = {k: fraction_text(v) for k, v in values.points.items()}
        attempt.score, attempt.maximum = values.score, values.maximum
        attempt.percent, attempt.passed = values.percent, values.passed
        if before != attempt.passed:
            changed.append({"attempt_id": attempt.id, "user_id": attempt.user_id,
                            "passed_before": before, "passed_after": attempt.passed})
    db.session.flush()
    audit.record(actor, "quiz.regrade", "quiz", quiz.id,
                 {"version": version.number, "changed_attempts": [c["attempt_id"] for c in changed]},
                 now)
    return changed
