"""Certificates: the admin's eligibility and issuing page, downloads, revocation, public verification."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from lms.accounts.identity import IdentityError, normalize_nip
from lms.accounts.models import Role, User
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.certificates import bulk, services
from lms.certificates.forms import LookupForm, ReasonForm, SignatoryForm
from lms.certificates.models import Certificate, Job
from lms.db_types import utcnow
from lms.errors import LmsError
from lms.extensions import db, limiter
from lms.forms import ActionForm, run_action
from lms.jobs import enqueue
from lms.routing import wants_json
from lms.trainings import scope as trainings
from lms.trainings.models import Training

bp = Blueprint("certificates", __name__)
VERIFY_LIMIT = "30 per minute"


def _training(slug: str) -> Training:
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    return training


@bp.get("/trainings/<slug>/certificates")
@role_required(Role.ADMIN)
def manage(slug: str) -> str:
    training = _training(slug)
    rows = services.eligibility_table(training, utcnow())
    db.session.commit()
    form = SignatoryForm(obj=training)
    return render_template("certificates/manage.html", training=training, rows=rows, reason_form=ReasonForm(),
                           action_form=ActionForm(), signatory_form=form,
                           public_ok=services.base_url_is_public(services.public_base_url()),
                           base_url=services.public_base_url())


@bp.post("/trainings/<slug>/certificates/issue/<int:user_id>")
@role_required(Role.ADMIN)
def issue_one(slug: str, user_id: int) -> Response:
    training = _training(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        certificate = services.issue_for(training, user_id, current_user, utcnow())
    except LmsError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"Sertifikat {certificate.number} diterbitkan.", "success")
    return redirect(url_for("certificates.manage", slug=slug))


@bp.post("/trainings/<slug>/certificates/issue-all")
@role_required(Role.ADMIN)
def issue_all(slug: str) -> Response:
    training = _training(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    waiting = sum(1 for r in services.eligibility_table(training, utcnow()) if r.may_issue)
    try:
        job = bulk.create_issue_job(training, current_user, utcnow())
    except LmsError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("certificates.manage", slug=slug))
    db.session.commit()  # the worker (another session) must see the job and find the database free
    if waiting <= current_app.config["INLINE_ISSUE_LIMIT"]:
        bulk.run_issue_job(job.id)  # small enough to finish within this request
    else:
        enqueue("issue_certificates", job.id)
    return redirect(url_for("certificates.job", job_id=job.id))


@bp.get("/certificates/jobs/<int:job_id>")
@role_required(Role.ADMIN)
def job(job_id: int) -> Any:
    item = db.get_or_404(Job, job_id)
    if wants_json():
        return jsonify(status=item.status, done=item.done, total=item.total, failures=item.failures)
    return render_template("certificates/job.html", job=item, training=db.session.get(Training, item.training_id))


@bp.post("/trainings/<slug>/certificates/override/<int:user_id>")
@role_required(Role.ADMIN)
def override(slug: str, user_id: int) -> Response:
    training = _training(slug)
    form = ReasonForm()
    user = db.get_or_404(User, user_id)
    if form.validate_on_submit():
        run_action(lambda: services.set_override(training, user, form.reason.data or "", current_user),
                      None, f"Pengecualian untuk {user.full_name} dicatat; sertifikat kini dapat diterbitkan.")
    else:
        flash("Tulis alasan pengecualian.", "danger")
    return redirect(url_for("certificates.manage", slug=slug))


@bp.post("/trainings/<slug>/certificates/signatory")
@role_required(Role.ADMIN)
def signatory(slug: str) -> Response:
    training = _training(slug)
    form = SignatoryForm()
    if form.validate_on_submit():
        values = {k: getattr(form, k).data or "" for k in ("signatory_name", "signatory_pangkat", "signatory_title")}
        upload = form.signature.data
        try:
            values["signatory_nip"] = normalize_nip(form.signatory_nip.data) if form.signatory_nip.data else ""
            services.set_signatory(training, values, upload.read() if upload and upload.filename else None,
                                   form.predikat_bands.data or "", current_user)
        except IdentityError as exc:
            flash(f"NIP penanda tangan: {exc}", "danger")
        except LmsError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("Penanda tangan dan predikat disimpan. Sertifikat yang sudah terbit tidak berubah.", "success")
    return redirect(url_for("certificates.manage", slug=slug))


@bp.post("/certificates/<int:certificate_id>/revoke")
@role_required(Role.ADMIN)
def revoke(certificate_id: int) -> Response:
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if form.validate_on_submit():
        run_action(lambda: services.revoke(certificate, form.reason.data or "", current_user, utcnow()),
                      None, f"Sertifikat {certificate.number} dicabut. Halaman verifikasinya kini menampilkan Dicabut.")
    return redirect(url_for("certificates.manage", slug=certificate.training.slug))


@bp.post("/certificates/<int:certificate_id>/reissue")
@role_required(Role.ADMIN)
def reissue(certificate_id: int) -> Response:
    old = db.get_or_404(Certificate, certificate_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if old.status != "revoked":
        flash("Cabut sertifikat lama (dengan alasan) sebelum menerbitkan penggantinya.", "danger")
        return redirect(url_for("certificates.manage", slug=old.training.slug))
    try:
        new = services.issue_for(old.training, old.user_id, current_user, utcnow(), replaces=old)
    except LmsError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"Sertifikat pengganti {new.number} diterbitkan.", "success")
    return redirect(url_for("certificates.manage", slug=old.training.slug))


def _filename(certificate: Certificate) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "_", certificate.number).strip("_") + ".pdf"


@bp.get("/certificates/<int:certificate_id>.pdf")
@role_required(*ANY_ROLE)
def download(certificate_id: int) -> Response:
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.user_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(403)
    response = Response(services.pdf_bytes(certificate), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{_filename(certificate)}"'
    return response


@bp.get("/trainings/<slug>/certificates/export")
@role_required(Role.ADMIN)
def export(slug: str) -> Response:
    training = _training(slug)
    items = list(services.pdfs_of(training))
    if request.args.get("format") == "pdf":
        body, mime, name = _merged(items), "application/pdf", f"sertifikat-{training.slug}.pdf"
    else:
        body, mime, name = _zip(items), "application/zip", f"sertifikat-{training.slug}.zip"
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _zip(items: list[tuple[Certificate, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate, pdf in items:
            archive.writestr(_filename(certificate), pdf)
    return buffer.getvalue()


def _merged(items: list[tuple[Certificate, bytes]]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _, pdf in items:
        writer.append(io.BytesIO(pdf))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@bp.get("/certificates/mine")
@role_required(*ANY_ROLE)
def mine() -> str:
    return render_template("certificates/mine.html", ledger=services.ledger(current_user), target=services.JP_TARGET)


# ---------------------------------------------------------------- public verification


@bp.get("/verify")
@limiter.limit(VERIFY_LIMIT)
def lookup() -> Any:
    form = LookupForm(request.args)
    if request.args.get("code") and form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip()))
    return render_template("certificates/lookup.html", form=form)


@bp.get("/verify/<code>.json")
@limiter.limit(VERIFY_LIMIT)
def verify_json(code: str) -> Any:
    return _verify(code, as_json=True)


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code: str) -> Any:
    return _verify(code, as_json=wants_json())


def _verify(code: str, as_json: bool) -> Any:
    certificate = services.find(code)
    if certificate is None:
        if as_json:
            return jsonify(status="Tidak ditemukan", code=code[:40]), 404
        return render_template("certificates/verify.html", view=None, code=code[:40], form=LookupForm()), 404
    view = services.public_view(certificate)
    if as_json:
        return jsonify(view)
    return render_template("certificates/verify.html", view=view, code=certificate.code, form=LookupForm())
