"""Column values to JSON and back, by the column's type: pure (no session, no Flask)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Date, LargeBinary, Numeric, Time

from lms.db_types import UTCDateTime


class CodecError(ValueError):
    """A value in the bundle does not fit its column."""


def is_binary(column: Column[Any]) -> bool:
    return isinstance(column.type, LargeBinary)


def encode(value: Any) -> Any:
    """Return a JSON-ready value: ISO texts for times and dates, a text for a decimal."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode(column: Column[Any], value: Any) -> Any:
    """Return the Python value of a JSON value for this column, or raise CodecError."""
    if value is None or isinstance(column.type, JSON):
        return value
    try:
        if isinstance(column.type, UTCDateTime):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise CodecError(f"waktu tanpa zona di kolom {column.name}")
            return moment.astimezone(UTC)
        if isinstance(column.type, Date):
            return date.fromisoformat(value)
        if isinstance(column.type, Time):
            return time.fromisoformat(value)
        if isinstance(column.type, Numeric):
            return Decimal(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise CodecError(f"nilai {value!r} tidak sah untuk kolom {column.name}") from exc
    return value


def same(column: Column[Any], left: Any, right: Any) -> bool:
    """Tell whether two values of a column are equal (decimals by value, JSON by content)."""
    if isinstance(column.type, Numeric) and left is not None and right is not None:
        return Decimal(left) == Decimal(right)
    return bool(left == right)
