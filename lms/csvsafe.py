"""The formula guard of every exported text cell (lms.exports writes the files): pure."""

from __future__ import annotations

import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number (-1,75; +3; 12.5) is data, not a formula: spreadsheets read it as a number.
_NUMBER = re.compile(r"[-+]?\d+([.,]\d+)?")


def cell(value: Any) -> str:
    """Return value as text a spreadsheet will not run as a formula; plain numbers pass unchanged."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
