"""Numbers as Indonesians write them (decimal comma): pure."""

from __future__ import annotations

from typing import Any


def decimal_text(value: Any, places: int = 1) -> str:
    """Return 87,5 / 100 / 7,25 for a number (Fraction, Decimal, float, int); "—" for None."""
    if value is None:
        return "—"
    text = f"{float(value):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def percent_text(value: Any, places: int = 1) -> str:
    """Return 87,5% ("—" for None)."""
    return "—" if value is None else decimal_text(value, places) + "%"


def optional_decimal(value: Any, places: int = 1) -> str | None:
    """Return decimal_text(value), or None when there is no value (printed lines left out)."""
    return None if value is None else decimal_text(value, places)
