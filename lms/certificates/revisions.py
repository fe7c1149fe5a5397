"""Eligibility revisions: a per-training token changed in the same transaction as every write it covers.

The certificates page judges every participant for its counts; most of that work reads facts that
change only when someone writes them: attendance (sessions and records), lesson completion,
enrolments and assignment statuses. `cached_facts` keeps those facts per process, keyed by the
training's token, so a page load reuses them until one of those writes commits.

The token is exact across processes and clocks: a flush that adds, removes or changes a watched
column of a watched row sets a fresh random token on the trainings it affects, in the same
transaction (a reader sees the new facts and the new token together, or neither); a bulk
INSERT/UPDATE/DELETE statement on a watched table through the session changes every training's
token. A random token, not a counter, so an emptied database or a restored backup never brings back
a token that a process cached other facts under. The reader reads the token first, then the facts.

What depends on the clock (post-test attempts past their deadline) or is cheap (certificates,
overrides, the training's rules) is read fresh on every load and never cached.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from lms.assignments.models import Assignment, Submission
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.certificates.models import EligibilityRevision
from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.trainings.models import Enrollment, Training, training_courses

# The columns whose change changes a fact; a row added or removed always counts.
WATCHED: dict[type, tuple[str, ...]] = {
    AttendanceSession: ("training_id",),
    AttendanceRecord: ("session_id", "user_id", "status"),
    Enrollment: ("training_id", "user_id"),
    Submission: ("training_id", "user_id", "assignment_id", "status"),
    LessonProgress: ("user_id", "lesson_id", "completed_at"),
    Lesson: ("course_id", "retired_at"),
}
WATCHED_TABLES = {model.__table__.name: set(columns) for model, columns in WATCHED.items()}  # type: ignore[attr-defined]
CACHE_SIZE = 64
ALL = -1  # every training


# ---------------------------------------------------------------- writing: the token follows the facts


def _changed(obj: Any, columns: Sequence[str]) -> bool:
    state = db.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _values(obj: Any, name: str) -> set[Any]:
    """Return the attribute's current value and, if changed in this flush, the one it replaces."""
    history = db.inspect(obj).attrs[name].history
    return {v for v in (*history.unchanged, *history.added, *history.deleted) if v is not None}


def _affected(session: Session) -> set[int]:
    """Return the ids of the trainings whose facts this flush changes (ALL: every training)."""
    trainings: set[int] = set()
    sessions: set[int] = set()
    lessons: set[int] = set()
    for obj, is_dirty in [*((o, False) for o in session.new), *((o, False) for o in session.deleted),
                          *((o, True) for o in session.dirty)]:
        columns = WATCHED.get(type(obj))
        if columns is None or (is_dirty and not _changed(obj, columns)):
            continue
        if isinstance(obj, Lesson):
            return {ALL}
        if isinstance(obj, AttendanceRecord):
            found = _values(obj, "session_id")
            sessions |= found
        elif isinstance(obj, LessonProgress):
            found = _values(obj, "lesson_id")
            lessons |= found
        else:
            found = _values(obj, "training_id")
            trainings |= found
        if not found:  # set through a relationship only: be safe
            return {ALL}
    connection = session.connection()
    if sessions:
        trainings |= set(connection.scalars(select(AttendanceSession.__table__.c.training_id)
                                            .where(AttendanceSession.__table__.c.id.in_(sessions))))
    if lessons:
        trainings |= set(connection.scalars(
            select(training_courses.c.training_id)
            .join(Lesson.__table__, Lesson.__table__.c.course_id == training_courses.c.course_id)
            .where(Lesson.__table__.c.id.in_(lessons))))
    return trainings


def bump(session: Session, trainings: Iterable[int]) -> None:
    """Give these trainings (ALL: every training) a new token, in the session's transaction."""
    wanted = set(trainings)
    if not wanted:
        return
    connection = session.connection()
    if ALL in wanted:
        wanted = set(connection.scalars(select(Training.__table__.c.id)))
        if not wanted:
            return
    token = secrets.randbits(62) + 1
    table = EligibilityRevision.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values([{"training_id": t, "token": token} for t in sorted(wanted)])
    connection.execute(statement.on_conflict_do_update(index_elements=[table.c.training_id],  # type: ignore[attr-defined]
                                                       set_={"token": token}))


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        bump(session, _affected(session))


def _statement_changes_facts(state: ORMExecuteState) -> bool:
    """Tell whether a bulk INSERT, UPDATE or DELETE run through the session may change a watched fact."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return False
    table = getattr(state.statement, "table", None)
    columns = WATCHED_TABLES.get(getattr(table, "name", ""))
    if columns is None:
        return False
    if state.is_update:
        values = getattr(state.statement, "_values", None)
        if values:
            names = {getattr(key, "key", key) for key in values}
            return bool(names & columns)
    return True


def _do_orm_execute(state: ORMExecuteState) -> None:
    if _statement_changes_facts(state):
        bump(state.session, [ALL])


def init() -> None:
    """Listen to every session's flushes and bulk statements (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)


# ---------------------------------------------------------------- reading: facts cached by token


@dataclass(frozen=True)
class CachedFacts:
    """The facts of the training's participants that only a watched write changes."""

    user_ids: frozenset[int]
    attendance: dict[int, Fraction]
    completed: dict[int, set[int]]
    statuses: dict[int, dict[int, str]]


_lock = threading.Lock()


def _cache() -> OrderedDict[tuple[Any, ...], CachedFacts]:
    return current_app.extensions.setdefault("eligibility_facts", OrderedDict())  # type: ignore[no-any-return]


def token_of(training: Training) -> int | None:
    return db.session.scalar(select(EligibilityRevision.token).where(EligibilityRevision.training_id == training.id))


def cached_facts(training: Training, user_ids: Sequence[int], required: Sequence[Assignment],
                 compute: Callable[[Sequence[int]], CachedFacts]) -> CachedFacts:
    """Return the facts of these participants, from the cache when the training's token is unchanged.

    The key also holds what the facts are computed from on the training itself (its courses, the
    statuses that count as present, its required assignments), so editing those needs no token.
    """
    token = token_of(training)  # first: the facts read after it are at least as new as the token
    key = (training.id, token, tuple(c.id for c in training.courses), tuple(sorted(training.present_statuses)),
           tuple(a.id for a in required))
    cache = _cache()
    with _lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
    if found is not None and found.user_ids.issuperset(user_ids):
        return found
    found = compute(user_ids)
    with _lock:
        cache[key] = found
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return found


def forget() -> None:
    """Empty this process's cache (tests empty their database between cases)."""
    with _lock:
        _cache().clear()
