"""Certificates: the admin's eligibility and issuing page, downloads, revocation, public verification."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.models import Role, User
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.accounts.services import current_institution
from lms.certificates import bulk, services
from lms.certificates.export import certificate_filename, export_training, list_table
from lms.certificates.forms import IssueForm, LookupForm, ReasonForm, SignatoryForm
from lms.certificates.models import Certificate, Job
from lms.certificates.pdf.revoked import stamp_revoked
from lms.certificates.signing import SigningError
from lms.certificates.signing import jobs as signing_jobs
from lms.certificates.signing import services as signing
from lms.confirm import requires_confirmation, unconfirmed
from lms.db_types import utcnow
from lms.evaluations import services as evaluations
from lms.exports import format_arg, send_export
from lms.extensions import db, limiter
from lms.forms import ActionForm, act
from lms.routing import bounded_int, wants_json
from lms.trainings import scope as trainings
from lms.trainings.models import Training
from lms.web import send_bytes

bp = Blueprint("certificates", __name__)
VERIFY_LIMIT = "30 per minute"
SIGNATORY_FIELDS = ("signatory_name", "signatory_pangkat", "signatory_nip", "signatory_title")


def _training(slug: str) -> Training:
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    return training


@bp.get("/trainings/<slug>/certificates")
@role_required(Role.ADMIN)
def manage(slug: str) -> ResponseReturnValue:
    training, now, base_url, args = _training(slug), utcnow(), services.public_base_url(), _list_args()
    problem = _local_key_problem()
    listing = services.list_page(training, now, args.get("status", ""), args.get("q", ""),
                                 request.args.get("page", 1, type=bounded_int), current_app.config["PAGE_SIZE"])
    return render_template("certificates/manage.html", training=training, listing=listing, list_args=args,
                           states=services.STATES, columns=services.COLUMNS, reason_form=ReasonForm(),
                           action_form=ActionForm(), issue_form=IssueForm(),
                           early=services.before_last_day(training, now),
                           signatory_form=SignatoryForm(obj=training), zone=current_institution().time_zone,
                           public_ok=services.base_url_is_public(base_url), base_url=base_url,
                           sign_counts=signing.counts(training.id), sign_problem=problem, sign_ready=problem is None)


def _list_args() -> dict[str, str]:
    """Return the list's filter and page from the query string, so an action returns to the same view."""
    args = {"status": request.args.get("status", ""), "q": " ".join(request.args.get("q", "").split())[:100],
            "page": request.args.get("page", "")}
    if args["status"] not in services.STATES:
        args["status"] = ""
    if not args["page"].isdigit() or len(args["page"]) > 6:
        args["page"] = ""
    return {key: value for key, value in args.items() if value}


NUMBER_USED = ("Nomor sertifikat berikutnya dipakai dan tidak dapat dikembalikan; sertifikat langsung berstatus "
               "Sah di halaman verifikasi publik.")


def _holder_name(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.full_name if user else "peserta ini"


def _back_to_manage(slug: str, **_: object) -> str:
    values: dict[str, Any] = {"slug": slug, **_list_args()}
    return url_for("certificates.manage", **values)


def _early_reason(form: IssueForm) -> str | None:
    """Return the early-issue reason when the override is ticked, else None (no override asked)."""
    return (form.early_reason.data or "") if form.early.data else None


@bp.post("/trainings/<slug>/certificates/issue/<int:user_id>")
@role_required(Role.ADMIN)
def issue_one(slug: str, user_id: int) -> ResponseReturnValue:
    training = _training(slug)
    if (page := unconfirmed(f"Terbitkan sertifikat untuk {_holder_name(user_id)}?", NUMBER_USED,
                            _back_to_manage(slug))) is not None:
        return page
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    issued = act(lambda: services.issue_for(training, user_id, current_user, utcnow(),
                                            early_reason=_early_reason(form)),
                 success=lambda certificate: f"Sertifikat {certificate.number} diterbitkan.").value
    if issued is not None:
        signing.sign_after_issue(issued, current_user, utcnow())
    return redirect(_back_to_manage(slug))


@bp.post("/trainings/<slug>/certificates/issue-all")
@role_required(Role.ADMIN)
@requires_confirmation("Terbitkan sertifikat untuk semua peserta yang memenuhi syarat?",
                       "Setiap sertifikat memakai satu nomor urut yang tidak dapat dikembalikan; semuanya langsung "
                       "berstatus Sah di halaman verifikasi publik.", _back_to_manage)
def issue_all(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    waiting = services.waiting_count(training, utcnow())
    # Committed before it runs: the worker (another session) must see the job and find the database free.
    job = act(lambda: bulk.create_issue_job(training, current_user, utcnow(), _early_reason(form)),
              error_category="warning").value
    if job is None:
        return redirect(url_for("certificates.manage", slug=slug))
    bulk.start_issue_job(job, waiting)
    return redirect(url_for("certificates.job", job_id=job.id))


@bp.get("/certificates/jobs/<int:job_id>")
@role_required(Role.ADMIN)
def job(job_id: int) -> ResponseReturnValue:
    item = db.get_or_404(Job, job_id)
    state = bulk.job_state(item, utcnow())
    if wants_json():
        return jsonify(status=item.status, state=state.key, ended=state.ended, done=item.done, total=item.total,
                       failures=item.failures)
    return render_template("certificates/job.html", job=item, state=state, training=item.training,
                           action_form=ActionForm())


@bp.post("/certificates/jobs/<int:job_id>/retry")
@role_required(Role.ADMIN)
def retry_job(job_id: int) -> ResponseReturnValue:
    old = db.get_or_404(Job, job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if old.kind == signing_jobs.SIGN:
        again = act(lambda: signing_jobs.retry_sign_job(old, current_user, utcnow()), error_category="warning").value
        if again is None:
            return redirect(url_for("certificates.job", job_id=job_id))
        signing_jobs.start_sign_job(again)
        return redirect(url_for("certificates.job", job_id=again.id))
    training = old.training
    waiting = services.waiting_count(training, utcnow()) if training else 0
    new = act(lambda: bulk.retry_issue_job(old, current_user, utcnow()), error_category="warning").value
    if new is None:
        return redirect(url_for("certificates.job", job_id=job_id))
    bulk.start_issue_job(new, waiting)
    return redirect(url_for("certificates.job", job_id=new.id))


@bp.post("/trainings/<slug>/certificates/override/<int:user_id>")
@role_required(Role.ADMIN)
def override(slug: str, user_id: int) -> ResponseReturnValue:
    training = _training(slug)
    form = ReasonForm()
    user = db.get_or_404(User, user_id)
    if form.validate_on_submit():
        act(lambda: services.set_override(training, user, form.reason.data or "", current_user),
            success=f"Pengecualian untuk {user.full_name} dicatat; sertifikat kini dapat diterbitkan.")
    else:
        flash("Tulis alasan pengecualian.", "danger")
    return redirect(_back_to_manage(slug))


@bp.post("/trainings/<slug>/certificates/signatory")
@role_required(Role.ADMIN)
def signatory(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    form = SignatoryForm()
    if form.validate_on_submit():
        values = {k: getattr(form, k).data or "" for k in SIGNATORY_FIELDS}
        upload = form.signature.data
        act(lambda: services.set_signatory(training, values, upload.read() if upload and upload.filename else None,
                                           form.predikat_bands.data or "", current_user),
            success="Penanda tangan dan predikat disimpan. Sertifikat yang sudah terbit tidak berubah.")
    return redirect(url_for("certificates.manage", slug=slug))


@bp.post("/certificates/<int:certificate_id>/revoke")
@role_required(Role.ADMIN)
def revoke(certificate_id: int) -> ResponseReturnValue:
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm()
    if form.validate_on_submit():
        act(lambda: services.revoke(certificate, form.reason.data or "", current_user, utcnow()),
            success=f"Sertifikat {certificate.number} dicabut. Halaman verifikasinya kini menampilkan Dicabut.")
    return redirect(_back_to_manage(certificate.training.slug))


@bp.post("/certificates/<int:certificate_id>/reissue")
@role_required(Role.ADMIN)
def reissue(certificate_id: int) -> ResponseReturnValue:
    old = db.get_or_404(Certificate, certificate_id)
    if (page := unconfirmed(f"Terbitkan sertifikat pengganti {old.number} untuk {old.data.get('holder_name', '')}?",
                            "Sertifikat pengganti memakai nomor urut baru yang tidak dapat dikembalikan; sertifikat "
                            "lama tetap tercatat sebagai Dicabut.", _back_to_manage(old.training.slug))) is not None:
        return page
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    issued = act(lambda: services.issue_for(old.training, old.user_id, current_user, utcnow(), replaces=old,
                                            early_reason=_early_reason(form)),
                 success=lambda new: f"Sertifikat pengganti {new.number} diterbitkan.").value
    if issued is not None:
        signing.sign_after_issue(issued, current_user, utcnow())
    return redirect(_back_to_manage(old.training.slug))


@bp.post("/trainings/<slug>/certificates/sign-all")
@role_required(Role.ADMIN)
@requires_confirmation("Tandatangani secara elektronik semua sertifikat yang menunggu TTE?",
                       "Setiap sertifikat ditandatangani dengan kunci lokal yang dikonfigurasi; berkas bertanda "
                       "tangan itulah yang kemudian diunduh dan diverifikasi.", _back_to_manage)
def sign_all(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    if (problem := _local_key_problem()) is not None:
        flash(problem, "danger")
        return redirect(_back_to_manage(slug))
    job = act(lambda: signing_jobs.create_sign_job(training, current_user, utcnow()), error_category="warning").value
    if job is None:
        return redirect(_back_to_manage(slug))
    signing_jobs.start_sign_job(job)
    return redirect(url_for("certificates.job", job_id=job.id))


@bp.post("/certificates/<int:certificate_id>/sign")
@role_required(Role.ADMIN)
def sign_one(certificate_id: int) -> ResponseReturnValue:
    certificate = db.get_or_404(Certificate, certificate_id)
    back = _back_to_manage(certificate.training.slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    if (problem := _local_key_problem()) is not None:
        flash(problem, "danger")
        return redirect(back)
    signer = signing.local_signer(utcnow())
    assert signer is not None

    def sign() -> list[Certificate]:
        db.session.commit()  # the request's reads end here: the signing itself holds no write lock
        return signing_jobs.sign_now([certificate], signer, current_user, utcnow())

    act(sign, success=lambda done: f"Sertifikat {certificate.number} ditandatangani secara elektronik."
        if done else f"Sertifikat {certificate.number} tidak ditandatangani: statusnya berubah sementara itu.")
    return redirect(back)


def _local_key_problem() -> str | None:
    """Return why the local key cannot sign now (not configured, wrong passphrase, expired…), else None."""
    try:
        signer = signing.local_signer(utcnow())
    except SigningError as exc:
        return exc.message
    if signer is None:
        return ("Kunci tanda tangan lokal belum dikonfigurasi di server ini (LMS_SIGNING_PKCS12); sertifikat tetap "
                "menunggu TTE.")
    return None


@bp.get("/certificates/<int:certificate_id>.pdf")
@role_required(*ANY_ROLE)
def download(certificate_id: int) -> ResponseReturnValue:
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.user_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(403)
    if certificate.user_id == current_user.id:  # the participant's own download may wait for the evaluation
        reason = evaluations.certificate_block_reason(current_user, certificate.training)
        if reason:
            flash(reason, "warning")
            return redirect(url_for("certificates.mine"))
    pdf = services.pdf_bytes(certificate)
    if certificate.status == "revoked":  # the copy handed out says so on every page; the stored bytes stay
        pdf = stamp_revoked(pdf, services.revoked_on(certificate), certificate.revoke_reason)
    return send_bytes(pdf, "application/pdf", certificate_filename(certificate), attachment=False)


@bp.get("/trainings/<slug>/certificates/export")
@role_required(Role.ADMIN)
def export(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    if fmt := format_arg(request.args.get("format")):
        return send_export(list_table(training), fmt, f"daftar-sertifikat-{training.slug}", training.title)
    written = export_training(training, merged=request.args.get("format") == "pdf")
    return send_bytes(written.body, written.mimetype, written.filename)


@bp.get("/certificates/mine")
@role_required(*ANY_ROLE)
def mine() -> ResponseReturnValue:
    ledger = services.ledger(current_user)
    training_ids = {c.training_id for _, items in ledger.values() for c in items}
    blocks = evaluations.certificate_blocks(current_user, training_ids)
    return render_template("certificates/mine.html", ledger=ledger, target=services.JP_TARGET,
                           zone=current_institution().time_zone, blocks=blocks)


# ---------------------------------------------------------------- public verification


@bp.get("/verify")
@limiter.limit(VERIFY_LIMIT)
def lookup() -> ResponseReturnValue:
    form = LookupForm(request.args)
    if request.args.get("code") and form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip()))
    return render_template("certificates/lookup.html", form=form)


@bp.get("/verify/<code>.json")
@limiter.limit(VERIFY_LIMIT)
def verify_json(code: str) -> ResponseReturnValue:
    return _verify(code, as_json=True)


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code: str) -> ResponseReturnValue:
    return _verify(code, as_json=wants_json())


def _verify(code: str, as_json: bool) -> ResponseReturnValue:
    certificate = services.find(code)
    if certificate is None:
        if as_json:
            return jsonify(status="Tidak ditemukan", code=code[:40]), 404
        return render_template("certificates/verify.html", view=None, code=code[:40], form=LookupForm()), 404
    view = services.public_view(certificate)
    if as_json:
        return jsonify(view)
    return render_template("certificates/verify.html", view=view, code=certificate.code, form=LookupForm())
