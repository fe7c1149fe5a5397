"""Forms shared by every domain."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash, has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from werkzeug.exceptions import BadRequest
from wtforms import ValidationError

from lms.errors import LmsError
from lms.extensions import db

T = TypeVar("T")

SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Every default message of WTForms' validators and fields and of Flask-WTF's file and CSRF
# checks, in Indonesian: WTForms ships no "id" locale. Plural forms share one text.
MESSAGES = {
    # validators
    "This field is required.": "Wajib diisi.",
    "Field cannot be longer than %(max)d character.": "Paling banyak %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Paling banyak %(max)d karakter.",
    "Field must be at least %(min)d character long.": "Paling sedikit %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Paling sedikit %(min)d karakter.",
    "Field must be exactly %(max)d character long.": "Harus tepat %(max)d karakter.",
    "Field must be exactly %(max)d characters long.": "Harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": "Harus %(min)d sampai %(max)d karakter.",
    "Number must be at least %(min)s.": "Angka paling kecil %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "Date must be at least %(min)s.": "Tanggal paling awal %(min)s.",
    "Date must be at most %(max)s.": "Tanggal paling akhir %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Tanggal harus antara %(min)s dan %(max)s.",
    "Field must be equal to %(other_name)s.": "Harus sama dengan %(other_name)s.",
    "Invalid field name '%s'.": "Nama kolom '%s' tidak dikenal.",
    "Invalid input.": "Isian tidak sah.",
    "Invalid email address.": "Alamat surel tidak sah.",
    "Invalid IP address.": "Alamat IP tidak sah.",
    "Invalid Mac address.": "Alamat MAC tidak sah.",
    "Invalid URL.": "Alamat URL tidak sah.",
    "Invalid UUID.": "UUID tidak sah.",
    "Invalid value, must be one of: %(values)s.": "Isian harus salah satu dari: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Isian tidak boleh salah satu dari: %(values)s.",
    "This field cannot be edited.": "Kolom ini tidak dapat diubah.",
    "This field is disabled and cannot have a value.": "Kolom ini dinonaktifkan dan tidak boleh diisi.",
    # fields
    "Not a valid choice.": "Pilihan tidak tersedia.",
    "Invalid Choice: could not coerce.": "Pilihan tidak sah.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Ada pilihan yang tidak sah.",
    "'%(value)s' is not a valid choice for this field.": "Pilihan '%(value)s' tidak tersedia.",
    "'%(value)s' are not valid choices for this field.": "Pilihan '%(value)s' tidak tersedia.",
    "Choices cannot be None.": "Daftar pilihan belum diisi.",
    "Not a valid datetime value.": "Isi tanggal dan jam yang sah.",
    "Not a valid date value.": "Isi tanggal yang sah.",
    "Not a valid time value.": "Isi jam yang sah.",
    "Not a valid week value.": "Isi minggu yang sah.",
    "Not a valid integer value.": "Isi dengan angka bulat.",
    "Not a valid decimal value.": "Isi dengan angka desimal.",
    "Not a valid float value.": "Isi dengan angka.",
    # files (Flask-WTF)
    "File does not have an approved extension: {extensions}": "Jenis berkas tidak diterima; gunakan: {extensions}",
    "File does not have an approved extension.": "Jenis berkas tidak diterima.",
    # CSRF (WTForms' own, and Flask-WTF's)
    "Invalid CSRF Token.": "Token formulir tidak sah. Muat ulang halaman, lalu kirim lagi.",
    "CSRF token missing.": "Token formulir tidak ada. Muat ulang halaman, lalu kirim lagi.",
    "CSRF failed.": "Pemeriksaan token formulir gagal. Muat ulang halaman, lalu kirim lagi.",
    "CSRF token expired.": "Formulir kedaluwarsa. Muat ulang halaman, lalu kirim lagi.",
    "The CSRF token is missing.": "Token formulir tidak ada. Muat ulang halaman, lalu kirim lagi.",
    "The CSRF session token is missing.": "Sesi formulir tidak ditemukan. Muat ulang halaman, lalu kirim lagi.",
    "The CSRF token has expired.": "Formulir kedaluwarsa. Muat ulang halaman, lalu kirim lagi.",
    "The CSRF token is invalid.": "Token formulir tidak sah. Muat ulang halaman, lalu kirim lagi.",
    "The CSRF tokens do not match.": "Token formulir tidak cocok. Muat ulang halaman, lalu kirim lagi.",
}
# Flask-WTF's FileSize formats its numbers into the text before asking for a translation.
_FILE_SIZE = re.compile(r"File must be between (\d+) and (\d+) bytes\.")


class Indonesian:
    """The translations object WTForms asks for its messages; any other text (a label) passes."""

    def gettext(self, text: str) -> str:
        size = _FILE_SIZE.fullmatch(text)
        if size:
            return f"Ukuran berkas harus antara {size[1]} dan {size[2]} bita."
        return MESSAGES.get(text, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


INDONESIAN = Indonesian()


class _IndonesianCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF check, whose messages it raises untranslated, with them translated."""

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as exc:
            raise ValidationError(field.gettext(exc.args[0])) from exc


class Form(FlaskForm):
    """Base of every form: Indonesian messages; form fields only, a JSON body is refused with 400.

    Flask-WTF would otherwise feed a JSON body to the fields as form data, and a list, a
    number or a bare string there broke validation with a 500.
    """

    class Meta:
        csrf_class = _IndonesianCSRF

        def get_translations(self, form: Any) -> Indonesian:
            return INDONESIAN

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if (formdata is not None and not hasattr(formdata, "getlist") and has_request_context()
                    and request.method in SUBMIT_METHODS and request.is_json
                    and not request.form and not request.files):
                raise BadRequest("Formulir harus dikirim sebagai formulir, bukan JSON.")
            return super().wrap_formdata(form, formdata)  # type: ignore[misc]


class ActionForm(Form):
    """Only a CSRF token: for buttons that post an action (mark done, confirm)."""


def show_error(form: Any, exc: LmsError, category: str = "danger") -> None:
    """Put each of a domain error's problems on the form field it names; flash those that name none.

    A field that already shows an error of its own (e.g. "Wajib diisi.") keeps only that one.
    """
    for name, message in exc.errors:
        field = getattr(form, name, None) if name and form is not None else None
        if field is None or not hasattr(field, "errors"):
            flash(message, category)
        elif message not in field.errors and not (getattr(field, "_own_errors", False) and field.errors):
            field.errors = [*field.errors, message]  # a tuple until the form has been validated


def validate_all(form: Any, check: Callable[[], object] | None = None) -> bool:
    """Validate a submitted form with its own validators and the domain's checks, showing every error at once.

    `check` is the read-only part of the service the view will call (e.g. the checks of a user's
    fields), run even when a field failed, so one submit reports every problem. Its errors land
    on their fields; the view then re-renders the form with what was typed.
    """
    if not form.is_submitted():
        return False
    valid = bool(form.validate())
    for field in form:
        field._own_errors = bool(field.errors)
    if check is None:
        return valid
    try:
        check()
    except LmsError as exc:
        show_error(form, exc)
        return False
    except (TypeError, ValueError):
        if valid:
            raise
        # A field that failed left a value (None) the domain's check cannot judge; its own error shows.
        return False
    return valid


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
