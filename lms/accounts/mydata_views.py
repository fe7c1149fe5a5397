""""Data Saya": a person's own data as a page, JSON and PDF, and their correction of phone and e-mail."""

from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts import mydata
from lms.accounts.forms import ContactForm
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.dates import compact_date
from lms.db_types import utcnow
from lms.forms import act
from lms.web import send_bytes

bp = Blueprint("mydata", __name__)


def _page(form: ContactForm) -> str:
    data = mydata.collect(current_user, utcnow())
    return render_template("auth/mydata.html", data=data, profile=mydata.profile_pairs(data),
                           sections=mydata.table_sections(data), form=form)


@bp.get("/account/data")
@role_required(*ANY_ROLE)
def page() -> ResponseReturnValue:
    return _page(ContactForm(obj=current_user))


@bp.get("/account/data.json")
@role_required(*ANY_ROLE)
def download_json() -> ResponseReturnValue:
    data = mydata.collect(current_user, utcnow())
    body = json.dumps(mydata.as_json(data), ensure_ascii=False, indent=2).encode()
    return send_bytes(body, "application/json", _filename(data, "json"), private=True)


@bp.get("/account/data.pdf")
@role_required(*ANY_ROLE)
def download_pdf() -> ResponseReturnValue:
    data = mydata.collect(current_user, utcnow())
    return send_bytes(mydata.render_pdf(data), "application/pdf", _filename(data, "pdf"), private=True)


def _filename(data: mydata.PersonalData, extension: str) -> str:
    return f"data-saya-{compact_date(data.generated_at)}.{extension}"


@bp.post("/account/data/contact")
@role_required(*ANY_ROLE)
def contact() -> ResponseReturnValue:
    form = ContactForm()
    if not form.validate_on_submit():
        return _page(form), 400
    saved = act(lambda: mydata.update_contact(current_user, form.email.data or "", form.phone.data or ""), form,
                lambda changed: "Surel dan nomor HP Anda disimpan." if changed else "Tidak ada perubahan.")
    if not saved.ok:
        return _page(form), 400
    return redirect(url_for("mydata.page"))
