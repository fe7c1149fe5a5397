"""Forms shared by every domain."""

from __future__ import annotations

from typing import Any, Callable

from flask import flash
from flask_wtf import FlaskForm

from lms.errors import LmsError


class ActionForm(FlaskForm):
    """Only a CSRF token: for buttons that post an action (mark done, confirm)."""


def show_error(form: Any, exc: LmsError) -> None:
    """Put a domain error on the form field it names, or flash it when it names none."""
    field = getattr(form, exc.field, None) if exc.field and form is not None else None
    if field is not None:
        field.errors.append(exc.message)
    else:
        flash(exc.message, "danger")


def run_action(action: Callable[[], Any], form: Any = None, success: str = "") -> bool:
    """Run a service call: commit and flash success, or roll back and show its domain error."""
    from lms.extensions import db

    try:
        action()
    except LmsError as exc:
        db.session.rollback()
        show_error(form, exc)
        return False
    db.session.commit()
    if success:
        flash(success, "success")
    return True
