"""Forms shared by every domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from flask import flash, has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest

from lms.errors import LmsError
from lms.extensions import db

T = TypeVar("T")

SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Form(FlaskForm):
    """Base of every form: it reads form fields only; a JSON body is refused with 400.

    Flask-WTF would otherwise feed a JSON body to the fields as form data, and a list, a
    number or a bare string there broke validation with a 500.
    """

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if (formdata is not None and not hasattr(formdata, "getlist") and has_request_context()
                    and request.method in SUBMIT_METHODS and request.is_json
                    and not request.form and not request.files):
                raise BadRequest("Formulir harus dikirim sebagai formulir, bukan JSON.")
            return super().wrap_formdata(form, formdata)  # type: ignore[misc]


class ActionForm(Form):
    """Only a CSRF token: for buttons that post an action (mark done, confirm)."""


def show_error(form: Any, exc: LmsError, category: str = "danger") -> None:
    """Put a domain error on the form field it names, or flash it when it names none."""
    field = getattr(form, exc.field, None) if exc.field and form is not None else None
    if field is not None:
        field.errors = [*field.errors, exc.message]  # a tuple until the form has been validated
    else:
        flash(exc.message, category)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call ended in: its result, or the domain error it raised."""

    value: T | None = None
    error: LmsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def act(action: Callable[[], T], form: Any = None, success: str | Callable[[T], str] = "",
        error_category: str | None = "danger") -> Outcome[T]:
    """The one way a view acts: call a service, commit or roll back, and tell the user.

    On success the transaction is committed and `success` is flashed (a callable receives the
    service's result, e.g. ``lambda c: f"Sertifikat {c.number} diterbitkan."``). A domain error
    rolls back, lands on the form field it names (or is flashed), and is returned. With
    `error_category=None` the error is only returned, for a view that answers it itself (JSON,
    a result page).
    """
    try:
        value = action()
    except LmsError as exc:
        db.session.rollback()
        if error_category is not None:
            show_error(form, exc, error_category)
        return Outcome(error=exc)
    db.session.commit()
    if success:
        flash(success(value) if callable(success) else success, "success")
    return Outcome(value=value)


def run_action(action: Callable[[], Any], form: Any = None, success: str = "") -> bool:
    """Run a service call: commit and flash success, or roll back and show its domain error."""
    return act(action, form, success).ok
