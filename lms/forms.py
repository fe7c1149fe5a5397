"""Forms shared by every domain."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_wtf import FlaskForm

from lms.errors import LmsError


class ActionForm(FlaskForm):
    """Only a CSRF token: for buttons that post an action (mark done, confirm)."""


def show_error(form: Any, exc: LmsError) -> None:
    """Put a domain error on the form field it names, or flash it when it names none."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors.append(exc.message)
    else:
        flash(exc.message, "danger")
