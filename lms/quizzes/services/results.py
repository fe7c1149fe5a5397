"""Attempts as they stand at a moment, computed without writing: state, results, item analysis.

An open attempt past its deadline and grace counts, in every read, as finished with what it
saved, exactly as finalize_overdue will record it; regrading rewrites finished attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import defer, undefer

from lms.accounts.models import User
from lms.audit import services as audit
from lms.extensions import db
from lms.quizzes.models import Attempt, Quiz, QuizVersion, Response
from lms.quizzes.questions.codec import fraction_text
from lms.quizzes.questions.model import Question, QuizSettings
from lms.quizzes.rules import QuizContext, final_percent
from lms.quizzes.services.attempts import Result, grade_attempt, is_overdue, result_of
from lms.quizzes.services.catalog import current_version, rules_of, version_questions


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
    # A finished attempt always has its grade (finalize writes all of it at once).
    return Result({k: Fraction(v) for k, v in (attempt.points or {}).items()},
                  Decimal(str(attempt.score)), Decimal(str(attempt.maximum)),
                  Decimal(str(attempt.percent)), bool(attempt.passed))


def attempt_state(attempt: Attempt, now: datetime) -> AttemptState:
    """Return the attempt as it stands now: an overdue open attempt counts as finished."""
    if attempt.finished:
        return AttemptState(attempt, True, attempt.finished_at, attempt.finish_reason,
                            _stored_result(attempt))
    if is_overdue(attempt, now):
        return AttemptState(attempt, True, attempt.deadline_at, "deadline",
                            result_of(grade_attempt(attempt)))
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
    # A finished attempt counts by its stored grade: its question snapshot (the largest column)
    # stays in the database. Overdue open attempts are graded now, so theirs is loaded, in one query.
    pairs = [(attempt, user) for attempt, user in db.session.execute(query.options(defer(Attempt.questions)))]
    overdue = [attempt.id for attempt, _ in pairs if not attempt.finished and "questions" in inspect(attempt).unloaded]
    if overdue:
        db.session.scalars(select(Attempt).options(undefer(Attempt.questions))
                           .where(Attempt.id.in_(overdue)).execution_options(populate_existing=True)).all()
    states = [(attempt_state(attempt, now), user) for attempt, user in pairs]
    return [(state, user) for state, user in states if state.finished]


# ---------------------------------------------------------------- results


@dataclass
class ParticipantResult:
    user: User
    attempts: int
    percent: Fraction | None
    passed: bool | None


@dataclass(frozen=True)
class FinalScore:
    attempts: int
    percent: Fraction | None
    passed: bool | None


def final_scores(quiz: Quiz, rules: QuizSettings, now: datetime,
                 user_ids: Sequence[int] | None = None,
                 context: QuizContext | None = None) -> dict[int, FinalScore]:
    """Return each user id's final score on the quiz by its grading method, as it stands at `now`.

    The same attempts as counted_attempts, read as plain columns: a finished attempt counts by its
    stored percent (no snapshot or per-question points decoded); only overdue open attempts are
    loaded, in one query, and graded as they stand.
    """
    query = (select(Attempt.id, Attempt.user_id, Attempt.status, Attempt.percent)
             .where(Attempt.quiz_id == quiz.id, or_(Attempt.status == "finished", Attempt.deadline_at < now))
             .order_by(Attempt.user_id, Attempt.number))
    if context is not None:
        query = query.where(Attempt.context == context.key)
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(user_ids))
    rows = db.session.execute(query).all()
    overdue: dict[int, Decimal] = {}
    if open_ids := [row[0] for row in rows if row[2] != "finished"]:
        for attempt in db.session.scalars(select(Attempt).options(undefer(Attempt.questions))
                                          .where(Attempt.id.in_(open_ids))):
            state = attempt_state(attempt, now)
            if state.finished and state.percent is not None:
                overdue[attempt.id] = state.percent
    grouped: dict[int, list[Fraction]] = {}
    for attempt_id, user_id, status, percent in rows:
        value = Decimal(str(percent)) if status == "finished" else overdue.get(attempt_id)
        if value is not None:
            grouped.setdefault(user_id, []).append(Fraction(value))  # exact: a Decimal
    scores = {}
    for user_id, percents in grouped.items():
        final = final_percent(percents, rules.grading)
        scores[user_id] = FinalScore(len(percents), final, None if final is None else final >= rules.pass_mark)
    return scores


def final_results(quiz: Quiz, rules: QuizSettings, now: datetime,
                  user_ids: Sequence[int] | None = None,
                  context: QuizContext | None = None) -> dict[int, ParticipantResult]:
    """Return each user's final score on the quiz by its grading method, as it stands at `now`."""
    scores = final_scores(quiz, rules, now, user_ids, context)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(scores))))} if scores else {}
    return {user_id: ParticipantResult(users[user_id], score.attempts, score.percent, score.passed)
            for user_id, score in scores.items() if user_id in users}


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
    full_marks: dict[int, dict[str, Fraction]] = {}  # per version: an attempt's questions are its version's
    for state, _ in counted_attempts(quiz, now, user_ids, context):
        attempt_ids.append(state.id)
        version_id = state.attempt.version_id
        if version_id not in full_marks:
            full_marks[version_id] = {q.id: q.points for q in version_questions(state.attempt.version)}
        full = full_marks[version_id]
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
        values = result_of(grade_attempt(attempt, corrected))
        attempt.points = {k: fraction_text(v) for k, v in values.points.items()}
        attempt.score, attempt.maximum = values.score, values.maximum
        attempt.percent, attempt.passed = values.percent, values.passed
        if before != attempt.passed:
            changed.append({"attempt_id": attempt.id, "user_id": attempt.user_id,
                            "passed_before": before, "passed_after": attempt.passed})
    db.session.flush()
    audit.record(actor, "quiz.regrade", "quiz", quiz.id,
                 {"version": version.number,
                  "changed_attempts": [c["attempt_id"] for c in changed]},
                 now)
    return changed
