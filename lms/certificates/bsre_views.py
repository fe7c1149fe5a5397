"""The signer's page: sign a training's waiting certificates (Menunggu TTE) through BSrE.

Two ways: the signer's personal signature (NIK and the passphrase of their BSrE certificate) or
the institution's electronic seal (a TOTP that BSrE issues for the seal's holder). The NIK,
passphrase and TOTP live only in this request: they are never stored, logged, put in the session
or a job, nor written back into the page. Certificates are signed in batches through
``signing.services.sign_batch``; a failure leaves the batch waiting and says why.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from lms.accounts.forms import REQUIRED
from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.certificates.models import Certificate
from lms.certificates.signing import Signer, SigningError
from lms.certificates.signing import services as signing
from lms.certificates.signing.bsre import BsreClient, BsreConfig, BsrePersonalSigner, BsreSealSigner
from lms.db_types import utcnow
from lms.errors import LmsError
from lms.extensions import db, limiter
from lms.forms import ActionForm, Form
from lms.trainings import scope as trainings
from lms.trainings.models import Training

bp = Blueprint("bsre", __name__)

# Certificates signed per submit (the rest stay waiting for the next one), and per sign_batch call.
PER_SUBMIT = 50
BATCH = 10
SIGN_LIMIT = "20 per 10 minutes"
OFF = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}


class PersonalForm(Form):
    nik = StringField("NIK penanda tangan", validators=[DataRequired(REQUIRED), Length(max=16)],
                      render_kw={**OFF, "inputmode": "numeric", "maxlength": "16", "pattern": "[0-9]{16}"},
                      description="16 angka, sesuai NIK yang terdaftar di BSrE.")
    passphrase = PasswordField("Passphrase TTE", validators=[DataRequired(REQUIRED), Length(max=200)],
                               render_kw={**OFF, "autocomplete": "new-password"},
                               description="Passphrase sertifikat elektronik Anda di BSrE, bukan kata sandi "
                                           "akun LMS. Tidak disimpan dan hanya dipakai untuk pengiriman ini.")


class SealForm(Form):
    totp = StringField("Kode TOTP segel", validators=[DataRequired(REQUIRED), Length(max=8)],
                       render_kw={**OFF, "inputmode": "numeric", "maxlength": "8"},
                       description="Kode dari BSrE untuk pemegang segel elektronik; berlaku beberapa menit.")


def _training(slug: str) -> Training:
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    return training


def _client() -> BsreClient | None:
    config = BsreConfig.from_app_config(current_app.config)
    return BsreClient(config) if config else None


def _page(training: Training, personal: PersonalForm | None = None, seal: SealForm | None = None,
          status: int = 200) -> ResponseReturnValue:
    client = _client()
    counts = signing.counts(training.id)
    waiting = counts["pending"] + counts["none"]
    for form in (personal, seal):  # what the signer typed is never written back into the page
        if form is not None:
            for name in ("nik", "passphrase", "totp"):
                if hasattr(form, name):
                    getattr(form, name).data = None
    return render_template("certificates/bsre_sign.html", training=training, configured=client is not None,
                           seal_configured=bool(client and client.config.seal_subscriber_id),
                           counts=counts, waiting=waiting, per_submit=PER_SUBMIT,
                           personal=personal or PersonalForm(), seal=seal or SealForm(),
                           action_form=ActionForm()), status


@bp.get("/trainings/<slug>/certificates/tte-bsre")
@role_required(Role.ADMIN)
def page(slug: str) -> ResponseReturnValue:
    return _page(_training(slug))


@bp.post("/trainings/<slug>/certificates/tte-bsre/totp")
@role_required(Role.ADMIN)
@limiter.limit(SIGN_LIMIT)
def request_totp(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    client = _client()
    if not ActionForm().validate_on_submit() or client is None:
        abort(400)
    try:
        message = client.request_seal_totp()
    except SigningError as exc:
        flash(exc.message, "danger")
    else:
        flash("Kode TOTP segel diminta dari BSrE. " + (message or "Masukkan kode yang diterima pemegang segel."),
              "success")
    return redirect(url_for("bsre.page", slug=training.slug))


@bp.post("/trainings/<slug>/certificates/tte-bsre/pribadi")
@role_required(Role.ADMIN)
@limiter.limit(SIGN_LIMIT)
def sign_personal(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    form = PersonalForm()
    client = _client()
    if client is None:
        abort(400)
    if not form.validate_on_submit():
        return _page(training, personal=form, status=400)
    try:
        signer: Any = BsrePersonalSigner(client, form.nik.data or "", form.passphrase.data or "")
    except SigningError as exc:
        form.nik.errors = [exc.message] if "NIK" in exc.message else []
        if not form.nik.errors:
            form.passphrase.errors = [exc.message]
        return _page(training, personal=form, status=400)
    return _sign(training, signer)


@bp.post("/trainings/<slug>/certificates/tte-bsre/segel")
@role_required(Role.ADMIN)
@limiter.limit(SIGN_LIMIT)
def sign_seal(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    form = SealForm()
    client = _client()
    if client is None or not client.config.seal_subscriber_id:
        abort(400)
    if not form.validate_on_submit():
        return _page(training, seal=form, status=400)
    try:
        signer: Any = BsreSealSigner(client, form.totp.data or "")
    except SigningError as exc:
        form.totp.errors = [exc.message]
        return _page(training, seal=form, status=400)
    return _sign(training, signer)


def _sign(training: Training, signer: Signer) -> ResponseReturnValue:
    """Sign up to PER_SUBMIT waiting certificates in batches; stop at the first failure."""
    ids = signing.pending_ids(training.id)[:PER_SUBMIT]
    if not ids:
        flash("Tidak ada sertifikat yang menunggu TTE pada kegiatan ini.", "info")
        return redirect(url_for("bsre.page", slug=training.slug))
    certificates = list(db.session.scalars(select(Certificate).where(Certificate.id.in_(ids))
                                           .order_by(Certificate.seq)))
    actor = current_user._get_current_object()
    done = 0
    failure = ""
    try:
        for start in range(0, len(certificates), BATCH):
            batch = certificates[start:start + BATCH]
            done += len(signing.sign_batch(batch, signer, actor, utcnow(), commit=db.session.commit))
    except SigningError as exc:
        db.session.rollback()
        failure = exc.message
    except LmsError as exc:
        db.session.rollback()
        failure = exc.message
    finally:
        forget = getattr(signer, "forget", None)
        if forget:
            forget()
    left = signing.counts(training.id)
    waiting = left["pending"] + left["none"]
    if done:
        flash(f"{done} sertifikat ditandatangani melalui {signer.label}."
              + (f" {waiting} sertifikat masih menunggu TTE." if waiting else ""), "success")
    if failure:
        flash(failure + (f" {waiting} sertifikat tetap menunggu TTE dan dapat ditandatangani lagi nanti."
                         if waiting else ""), "danger")
    return redirect(url_for("bsre.page", slug=training.slug))
