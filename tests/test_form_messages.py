"""Every form speaks Indonesian: no default message of WTForms or Flask-WTF is left in English.

The English texts are read from the installed WTForms and Flask-WTF themselves (every string
they hand to gettext or raise as a CSRF error), so a release that adds a message fails here.
The forms are found by importing every module of `lms`, and each field of each is sent the
input that makes each of its checks fail.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import flask_wtf
import pytest
import wtforms
from flask import Flask, session
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileAllowed, FileSize
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import validators as v
from wtforms.fields import DateTimeField, DecimalField, FloatField, IntegerField, SelectField, SelectMultipleField

from lms.certificates.forms import ReasonForm
from lms.forms import INDONESIAN, MESSAGES, Form
from tests.formclasses import app_form_classes

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%s|\{\w+\}")
FORMS = app_form_classes()


def _called(call: ast.Call) -> str:
    return getattr(call.func, "attr", getattr(call.func, "id", ""))


def _text(node: ast.AST) -> str | None:
    """Return a message literal; an f-string's values become {n}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{n}" for part in node.values)
    return None


def english_texts() -> list[str]:
    found = set()
    for package in (wtforms, flask_wtf):
        for path in sorted(Path(package.__file__).parent.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and _called(node) in {"gettext", "ngettext", "ValidationError"}:
                    found.update(t for t in map(_text, node.args) if t)
    return sorted(found)


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in PLACEHOLDER.split(text)), re.S)


ENGLISH = english_texts()
ENGLISH_PATTERNS = [_pattern(text) for text in ENGLISH]


def english(message: str) -> bool:
    return any(p.fullmatch(message) for p in ENGLISH_PATTERNS)


# ---------------------------------------------------------------- the catalogue


def test_the_english_texts_are_found():
    assert "Field cannot be longer than %(max)d characters." in ENGLISH
    assert "The CSRF token is missing." in ENGLISH and "Not a valid choice." in ENGLISH
    assert "File must be between {n} and {n} bytes." in ENGLISH
    assert len(ENGLISH) >= 50


@pytest.mark.parametrize("text", ENGLISH)
def test_every_default_message_has_an_indonesian_text(text):
    sample = text.replace("{n}", "7")
    translated = INDONESIAN.gettext(sample)
    assert translated != sample and not english(translated)
    assert PLACEHOLDER.findall(translated) == PLACEHOLDER.findall(sample)  # formatting still fills it


def test_plural_messages_are_indonesian_for_one_and_many():
    one, many = "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."
    assert INDONESIAN.ngettext(one, many, 1) % {"max": 1} == "Paling banyak 1 karakter."
    assert INDONESIAN.ngettext(one, many, 200) % {"max": 200} == "Paling banyak 200 karakter."


def test_labels_and_other_texts_pass_unchanged():
    assert INDONESIAN.gettext("Csrf Token") == "Csrf Token"
    assert INDONESIAN.gettext("Nama OPD") == "Nama OPD"


# ---------------------------------------------------------------- every form of the app


def _field_inputs(field: Any) -> Iterator[tuple[str, Any]]:
    """Yield (what, value) for each input that makes one of this field's checks fail."""
    checks = field.validators
    if any(isinstance(c, (v.DataRequired, v.InputRequired)) for c in checks):  # FileRequired too
        yield "empty", ""
    for check in checks:
        yield from _check_inputs(check)
    if isinstance(field, (IntegerField, DecimalField, FloatField, DateTimeField)):  # dates and times too
        yield "not a value", "bukan-nilai"
    if isinstance(field, SelectMultipleField) and field.validate_choice:
        yield "unknown choice", ["bukan-pilihan"]
        yield "unknown number", ["987654"]
    elif isinstance(field, SelectField) and field.validate_choice:
        yield "unknown choice", "bukan-pilihan"
        yield "unknown number", "987654"


def _check_inputs(check: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(check, v.Length):
        if check.max >= 0:
            yield "too long", "x" * (check.max + 1)
        if check.min > 1:
            yield "too short", "x" * (check.min - 1)
    elif isinstance(check, v.NumberRange):
        if check.max is not None:
            yield "too big", str(check.max + 1)
        if check.min is not None:
            yield "too small", str(check.min - 1)
    elif isinstance(check, (v.Email, v.URL, v.Regexp, v.IPAddress, v.UUID, v.MacAddress, v.AnyOf)):
        yield "malformed", "@@ bukan isian @@"
    elif isinstance(check, v.NoneOf):
        yield "refused", str(check.values[0])
    elif isinstance(check, (FileAllowed, FileSize)):
        yield "bad file", FileStorage(BytesIO(b"x" * 10_000_000), filename="berkas.bukan")


def _build(form_class: type[Form], data: dict[str, Any], csrf: bool = False) -> Form:
    form = form_class(formdata=MultiDict(data), meta={"csrf": csrf})
    for field in form:
        if isinstance(field, SelectField) and field.choices is None:  # a view fills these
            field.choices = []
    form.validate()
    return form


def _csrf_inputs() -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (what, form data) for each CSRF failure, in order within one request: the session changes."""
    yield "no token", {}
    yield "no session token", {"csrf_token": "bukan-token"}
    generate_csrf()
    yield "invalid token", {"csrf_token": "bukan-token"}
    token = generate_csrf()
    session["csrf_token"] = "token-lain"
    yield "tokens differ", {"csrf_token": token}


def _csrf_checked(form_class: type[Form]) -> bool:
    """Tell whether the form checks a CSRF token when the app does (the nearest Meta.csrf decides)."""
    metas = [vars(c)["Meta"] for c in form_class.__mro__ if "Meta" in vars(c)]
    return next(vars(m)["csrf"] for m in metas if "csrf" in vars(m)) is not False


def shown_messages(app: Flask, form_class: type[Form]) -> list[tuple[str, str, list[str]]]:
    """Return (field, what was sent, its errors) for every failing input of every field, and CSRF."""
    shown = []
    with app.test_request_context(method="POST"):
        fields = [(f.name, f) for f in form_class(formdata=None, meta={"csrf": False})]
    for name, field in fields:
        for what, value in _field_inputs(field):
            data = {name: value}
            for check in field.validators:
                if isinstance(check, v.EqualTo):
                    data = {name: "satu", check.fieldname: "dua"}
            with app.test_request_context(method="POST"):
                shown.append((name, what, _build(form_class, data).errors.get(name, [])))
    if _csrf_checked(form_class):
        with app.test_request_context(method="POST"):
            for what, data in _csrf_inputs():
                shown.append(("csrf_token", what, _build(form_class, data, csrf=True).errors.get("csrf_token", [])))
    return shown


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_message_a_form_shows_is_indonesian(app, form_class):
    shown = shown_messages(app, form_class)
    assert [(name, what) for name, what, errors in shown if not errors] == []  # each input did fail
    left = [(name, what, e) for name, what, errors in shown for e in errors if english(e)]
    assert left == []


def test_the_walk_meets_every_kind_of_message_the_app_uses(app):
    shown = {e for cls in FORMS for _, _, errors in shown_messages(app, cls) for e in errors}
    met = {key for key, text in MESSAGES.items() if any(_pattern(text).fullmatch(e) for e in shown)}
    assert {"This field is required.", "Field cannot be longer than %(max)d characters.",
            "Number must be between %(min)s and %(max)s.", "Not a valid integer value.",
            "Not a valid date value.", "Not a valid time value.", "Not a valid datetime value.",
            "Not a valid choice.", "Invalid Choice: could not coerce.",
            "'%(value)s' is not a valid choice for this field.",
            "Invalid choice(s): one or more data inputs could not be coerced.",
            "The CSRF token is missing.", "The CSRF session token is missing.",
            "The CSRF token is invalid.", "The CSRF tokens do not match."} <= met
    assert "Paling banyak 200 karakter." in shown
    assert "Token formulir tidak ada. Muat ulang halaman, lalu kirim lagi." in shown


def test_every_form_of_the_app_is_found_and_derives_from_the_base():
    names = {f"{c.__module__}.{c.__qualname__}" for c in FORMS}
    assert {"lms.accounts.forms.AgencyForm", "lms.attendance.forms.MarkForm",
            "lms.certificates.forms.SignatoryForm", "lms.trainings.forms.TrainingForm"} <= names
    assert [c for c in FORMS if not issubclass(c, Form)] == []


# ---------------------------------------------------------------- as a person sees it


def test_an_accounts_form_shows_the_length_message_in_indonesian(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    page = client.post("/admin/agencies", data={"name": "x" * 201}).get_data(as_text=True)
    assert "Paling banyak 200 karakter." in page and "Field cannot be longer" not in page


def test_a_certificate_form_shows_the_length_message_in_indonesian(app):
    with app.test_request_context(method="POST"):
        form = _build(ReasonForm, {"reason": "x" * 1001})
    assert form.errors == {"reason": ["Paling banyak 1000 karakter."]}
