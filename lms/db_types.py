"""Column types shared by every domain."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, Integer, String, literal_column, text
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.orm import MappedColumn, mapped_column
from sqlalchemy.types import TypeDecorator

from lms.extensions import db


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; SQLite, which keeps no zone, gets UTC back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_WRITING: ContextVar[bool] = ContextVar("lms_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Run the session's next transactions with the write lock taken up front (SQLite; CLI, jobs).

    An open transaction is committed first, already with the write intent: changes set since the
    last commit (a job's progress, counted after a batch was stored) have begun a transaction of the
    session that holds no connection yet, and their flush must begin a write transaction, not a plain
    one whose late upgrade SQLite refuses at once ("database is locked") while answer saves write.
    Pending changes with no transaction open are left for the caller's commit, inside the write
    transaction, likewise. (Changes made after a read in the same transaction are still flushed in
    that read transaction: commit before changing what a job reports.)
    """
    token = _WRITING.set(True)
    try:
        if db.session().in_transaction():
            db.session.commit()
        yield
    finally:
        _WRITING.reset(token)


def write_intent() -> bool:
    return _WRITING.get()


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def affected_rows(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE changed (SQLAlchemy types execute() as a plain Result)."""
    return cast(CursorResult[Any], result).rowcount


def new_uuid() -> str:
    """Return a fresh random identity for a row that travels in a training bundle."""
    return str(uuid_module.uuid4())


def uuid_column() -> MappedColumn[Any]:
    """The stable identity of a row across installations (laptop and server): lms.bundles matches on it."""
    return mapped_column(String(36), unique=True, default=new_uuid)


def row_version_column() -> MappedColumn[Any]:
    """A counter every UPDATE (ORM or Core) raises by one: bundles compare copies of a row by it."""
    return mapped_column(Integer, default=1, server_default=text("1"),
                         onupdate=literal_column("row_version + 1"))
