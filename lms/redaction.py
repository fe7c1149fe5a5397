"""Keep personal data out of the error logs: database error details and SQL parameters are redacted."""

from __future__ import annotations

import logging
import re

from flask import Flask
from flask.logging import default_handler

REDACTED = "[disembunyikan]"
# PostgreSQL puts the offending values in the DETAIL line ("Key (nip)=(1985...) already exists",
# "Failing row contains (...)"); hide_parameters only hides the statement's bound parameters.
_PATTERNS = (
    (re.compile(r"DETAIL:[^\n]*"), f"DETAIL: {REDACTED}"),
    (re.compile(r"\[parameters: [^\n]*\]"), f"[parameters: {REDACTED}]"),
)
# The app's own logger (Flask logs unhandled request errors there) and the job worker's.
LOGGERS = ("huey",)


def redact(text: str) -> str:
    """Return text with database error details and SQL parameters replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Redact a record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(app: Flask) -> None:
    """Attach the redacting filter to the app's and the job worker's loggers and Flask's handler, once."""
    # Flask's default handler also receives what child loggers (lms.*) propagate past the filters.
    for target in (app.logger, default_handler, *(logging.getLogger(name) for name in LOGGERS)):
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
