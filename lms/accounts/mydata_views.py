""""Data Saya": a person's own data as a page, JSON and PDF, and their correction of phone and e-mail."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.accounts import mydata
from lms.accounts.forms import ContactForm
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.dates import compact_date
from lms.db_types import utcnow
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import show_error

bp = Blueprint("mydata", __name__)


def _page(form: ContactForm) -> str:
    data = mydata.collect(current_user, utcnow())
    return render_template("auth/mydata.html", data=data, profile=mydata.profile_pairs(data),
                           sections=mydata.table_sections(data), form=form)


@bp.get("/account/data")
@role_required(*ANY_ROLE)
def page() -> str:
    return _page(ContactForm(obj=current_user))


@bp.get("/account/data.json")
@role_required(*ANY_ROLE)
def download_json() -> Response:
    data = mydata.collect(current_user, utcnow())
    body = json.dumps(mydata.as_json(data), ensure_ascii=False, indent=2).encode()
    return _attachment(body, "application/json", data, "json")


@bp.get("/account/data.pdf")
@role_required(*ANY_ROLE)
def download_pdf() -> Response:
    data = mydata.collect(current_user, utcnow())
    return _attachment(mydata.render_pdf(data), "application/pdf", data, "pdf")


def _attachment(body: bytes, mimetype: str, data: mydata.PersonalData, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    name = f"data-saya-{compact_date(data.generated_at)}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/data/contact")
@role_required(*ANY_ROLE)
def contact() -> Any:
    form = ContactForm()
    if not form.validate_on_submit():
        return _page(form), 400
    try:
        changed = mydata.update_contact(current_user, form.email.data or "", form.phone.data or "")
    except LmsError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _page(form), 400
    db.session.commit()
    flash("Surel dan nomor HP Anda disimpan." if changed else "Tidak ada perubahan.", "success")
    return redirect(url_for("mydata.page"))
