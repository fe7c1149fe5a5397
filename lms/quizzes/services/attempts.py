"""The attempt engine: start, autosave, submit, and the explicit finalising of overdue attempts."""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import Update, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, joinedload, make_transient_to_detached

from lms.accounts.models import User
from lms.db_types import writing
from lms.extensions import db
from lms.quizzes import grading
from lms.quizzes.errors import AttemptClosed, NotYourAttempt, QuizUnavailable, StaleAnswer, UnknownQuestion
from lms.quizzes.models import Attempt, Quiz, Response
from lms.quizzes.questions.codec import entries_from_json, entries_to_json, fraction_text
from lms.quizzes.questions.model import AttemptQuestion, Question, QuizSettings
from lms.quizzes.questions.types import clean_answer, show_in_attempt
from lms.quizzes.rules import NO_CONTEXT, QuizContext, final_percent
from lms.quizzes.services.catalog import current_content, current_version, rules_of


def get_attempt(attempt_id: int) -> Attempt | None:
    """Return an attempt with its quiz and version, in one query.

    The JSON of the version and of the attempt's own snapshot stays deferred: both are decoded
    once per process (catalog.version_content, attempt_questions) and read only on a miss.
    """
    return db.session.scalars(select(Attempt).where(Attempt.id == attempt_id)
                              .options(joinedload(Attempt.quiz), joinedload(Attempt.version),
                                       defer(Attempt.questions))).first()


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
    """Resume the user's open attempt, or start a new one with a frozen snapshot.

    The user's overdue attempts of the quiz are finalised first, from the same query that finds
    the running one and counts the attempts made: 300 phones start at once, so every query here
    is paid 300 times.
    """
    running, done, last = None, 0, 0
    for attempt in _attempts_of(user, quiz):
        if attempt.status == "in_progress" and is_overdue(attempt, now):
            finalize(attempt, attempt.deadline_at, "deadline")  # type: ignore[arg-type]
        elif attempt.status == "in_progress" and attempt.context == context.key:
            running = attempt
        if attempt.context == context.key:
            done, last = done + 1, max(last, attempt.number)
    if running is not None:
        return running
    version_id, content = current_content(quiz)
    rules = context.apply(content.settings)
    _check_can_start(rules, quiz, now, done)
    shown = _snapshot(list(content.questions), rules, rng or random.Random())
    values = {"quiz_id": quiz.id, "version_id": version_id, "user_id": user.id, "number": last + 1,
              "context": context.key, "training_id": context.training_id,
              "window_close_at": rules.close_at, "status": "in_progress", "started_at": now,
              "deadline_at": rules.deadline(now), "questions": entries_to_json(shown), "current_page": 1}
    # One statement: another tab or a double click that started one at the same moment makes it
    # insert nothing (the open-attempt index, or the number), with no savepoint to set and release.
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    attempt_id = db.session.execute(_INSERT_ATTEMPT[dialect.__name__], values).scalar()
    if attempt_id is None:  # use the one started at the same moment
        running = open_attempt(user, quiz, context)
        if running is None:
            raise QuizUnavailable("Percobaan tidak dapat dimulai; coba lagi.")
        return running
    # The row as written, in the session as if loaded: no flush of an object, no reload.
    attempt = Attempt(id=attempt_id, finished_at=None, points=None, score=None, maximum=None,
                      percent=None, passed=None, finish_reason=None, **values)
    make_transient_to_detached(attempt)
    stale = db.session.identity_map.get(db.session.identity_key(Attempt, attempt_id))
    if stale is not None:  # a start rolled back earlier in this session had the id: that row never was
        db.session.expunge(stale)
    db.session.add(attempt)
    # The attempt page the start redirects to needs these questions: kept once committed.
    db.session.info.setdefault(_PENDING, {})[_snapshot_key(attempt)] = tuple(shown)
    return attempt


# The start's INSERT, built once: the values go in as parameters, as the ORM's own inserts do.
_INSERT_ATTEMPT = {d.__name__: d.insert(Attempt.__table__).on_conflict_do_nothing().returning(Attempt.__table__.c.id)
                   for d in (postgresql, sqlite)}


def started_now(attempt: Attempt) -> bool:
    """Tell whether start_attempt created this attempt in the open transaction (not resumed it)."""
    return _snapshot_key(attempt) in db.session.info.get(_PENDING, {})


def _attempts_of(user: User, quiz: Quiz) -> list[Attempt]:
    """Return the user's attempts of the quiz in every context, their snapshots left unread."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id).options(defer(Attempt.questions))))


def _check_can_start(rules: QuizSettings, quiz: Quiz, now: datetime, done: int) -> None:
    if quiz.retired_at is not None:
        raise QuizUnavailable("Kuis ini sudah tidak tersedia.")
    if rules.open_at and now < rules.open_at:
        raise QuizUnavailable("Kuis belum dibuka.")
    if rules.closed(now):
        raise QuizUnavailable("Kuis sudah ditutup.")
    if rules.attempts and done >= rules.attempts:
        raise QuizUnavailable("Kesempatan mengerjakan kuis ini sudah habis "
                              f"({rules.attempts} kali).")


def _snapshot(questions: list[Question], rules: QuizSettings,
              rng: random.Random) -> list[AttemptQuestion]:
    chosen = list(questions)
    if rules.draw and rules.draw < len(chosen):
        chosen = rng.sample(chosen, rules.draw)
    if rules.shuffle_questions:
        rng.shuffle(chosen)
    return [show_in_attempt(q, rules.shuffle_answers, rng) for q in chosen]


# An attempt's snapshot never changes once it has started, and each of its pages and saves
# needs it: each process decodes one once (or keeps the one it just started), so the attempt page
# and every save skip reading and decoding its JSON. Keyed by id, owner, version and start time:
# an id reused by an emptied database is another key. Bounded: old attempts fall out.
DECODED_ATTEMPTS_MAX = 4096
_SnapshotKey = tuple[int, int, int, datetime]
_decoded_attempts: OrderedDict[_SnapshotKey, tuple[AttemptQuestion, ...]] = OrderedDict()
_decoded_attempts_lock = threading.Lock()
_PENDING = "lms_started_snapshots"  # Session.info: snapshots of attempts started, until commit


def _snapshot_key(attempt: Attempt) -> _SnapshotKey:
    return (attempt.id, attempt.user_id, attempt.version_id, attempt.started_at)


def _remember(key: _SnapshotKey, entries: tuple[AttemptQuestion, ...]) -> None:
    with _decoded_attempts_lock:
        _decoded_attempts[key] = entries
        _decoded_attempts.move_to_end(key)
        while len(_decoded_attempts) > DECODED_ATTEMPTS_MAX:
            _decoded_attempts.popitem(last=False)


@event.listens_for(Session, "after_commit")
def _keep_started(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it may still roll back
    for key, entries in session.info.pop(_PENDING, {}).items():
        _remember(key, entries)


@event.listens_for(Session, "after_rollback")
def _drop_started(session: Session) -> None:
    # A rolled-back start never existed; its id may be given to another attempt. (A savepoint
    # rolled back drops them too: they are only a cache, read again from the database.)
    session.info.pop(_PENDING, None)


def forget_decoded_attempts() -> None:
    """Empty this process's cache of decoded snapshots (tests that empty the database)."""
    with _decoded_attempts_lock:
        _decoded_attempts.clear()


def attempt_questions(attempt: Attempt) -> list[AttemptQuestion]:
    """Return the questions the attempt shows, in its order, decoded from its snapshot once."""
    key = _snapshot_key(attempt)
    with _decoded_attempts_lock:
        found = _decoded_attempts.get(key)
        if found is not None:
            _decoded_attempts.move_to_end(key)
            return list(found)
    entries = tuple(entries_from_json(attempt.questions))  # a deferred column: read only here
    _remember(key, entries)
    return list(entries)


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
    changed = _rows_changed(
        update(Response).where(Response.id == saved.id, Response.revision == revision)
        .values(value=value, revision=revision + 1, saved_at=now))
    if changed != 1:
        db.session.refresh(saved)
        raise StaleAnswer("Jawaban ini sudah diubah di tab atau perangkat lain.", saved.revision,
                          saved.value)
    db.session.refresh(saved)
    return saved


def _rows_changed(statement: Update) -> int:
    """Run a guarded UPDATE (the session's objects are refreshed by the caller); count its rows."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount


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


def set_page(user: User, attempt: Attempt, page: int, now: datetime) -> Attempt:
    """Remember the page of questions the participant has open, so a re-opened attempt resumes there."""
    check_owner(user, attempt)
    _check_writable(attempt, now)
    attempt.current_page = max(page, 1)  # the page view clamps it to the attempt's last page
    return attempt


def may_retry(attempt: Attempt, now: datetime) -> bool:
    """Tell whether the attempt's owner may still take the quiz again in the attempt's context.

    True while another attempt of theirs is open there, or one more may start: the quiz is not
    retired, its window (as the attempt recorded it) has not closed and attempts are left.
    """
    rules = rules_of(current_version(attempt.quiz))
    closes = attempt.window_close_at or rules.close_at
    if attempt.quiz.retired_at is not None or (closes is not None and now >= closes):
        return False
    statuses = list(db.session.scalars(select(Attempt.status).where(
        Attempt.quiz_id == attempt.quiz_id, Attempt.user_id == attempt.user_id,
        Attempt.context == attempt.context)))
    return "in_progress" in statuses or not rules.attempts or len(statuses) < rules.attempts


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
    values = result_of(grade_attempt(attempt))
    closed = _rows_changed(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(status="finished", finished_at=finished_at, finish_reason=reason,
                points={k: fraction_text(v) for k, v in values.points.items()},
                score=values.score, maximum=values.maximum, percent=values.percent,
                passed=values.passed))
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


def result_of(result: grading.GradeResult) -> Result:
    def dec(value: Fraction, places: str) -> Decimal:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(places), ROUND_HALF_UP)

    return Result(dict(result.points), dec(result.total, "0.001"), dec(result.maximum, "0.001"),
                  dec(result.percent, "0.01"), result.passed)


def finalize_overdue(now: datetime, quiz: Quiz | None = None, user: User | None = None) -> int:
    """Close every attempt past its deadline and grace, with the deadline as its finish time."""
    count = 0
    for attempt in overdue_candidates(now, quiz, user):
        if is_overdue(attempt, now):
            count += finalize(attempt, attempt.deadline_at, "deadline")  # type: ignore[arg-type]
    return count


def overdue_candidates(now: datetime, quiz: Quiz | None = None, user: User | None = None) -> list[Attempt]:
    """Return the open attempts past their deadline (grace not yet applied: is_overdue decides)."""
    query = select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at.is_not(None),
                                  Attempt.deadline_at < now)
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    return list(db.session.scalars(query))


def has_overdue(now: datetime, quiz: Quiz, user: User) -> bool:
    """Tell whether finalize_overdue(now, quiz, user) would close anything (one read)."""
    return any(is_overdue(a, now) for a in overdue_candidates(now, quiz, user))


def run_finalize_overdue(now: datetime) -> int:
    """Finalise overdue attempts and commit, in one write transaction (the CLI and the job)."""
    with writing():
        count = finalize_overdue(now)
        db.session.commit()
    return count
