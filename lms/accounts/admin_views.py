"""Administration: users, one-time passwords, OPDs, the institution profile, participant import."""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.accounts import imports, privacy, services
from lms.accounts.forms import (AgencyForm, AnonymiseForm, ImportForm, InstitutionForm,
                                OneTimePasswordForm, UserForm)
from lms.accounts.models import ROLE_LABELS, Agency, Role, User, UserImport
from lms.accounts.permissions import role_required
from lms.accounts.slips import Slip, render_slips
from lms.csvsafe import write_csv
from lms.dates import compact_stamp
from lms.db_types import utcnow
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import ActionForm, show_error, run_action
from lms.routing import bounded_int, bounded_ints

bp = Blueprint("admin", __name__, url_prefix="/admin")
VERIFY_FLAGS = ("verify_show_score", "verify_show_pangkat", "verify_show_jabatan")


def _agency_choices() -> list[SelectChoice]:
    return [SelectChoice(0, "— Tanpa OPD —")] + [  # type: ignore[arg-type]
        SelectChoice(a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.name_key))]


# ---------------------------------------------------------------- users


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> str:
    args = request.args
    active = {"1": True, "0": False}.get(args.get("aktif", ""))
    query = services.list_users(args.get("q", ""), args.get("peran", ""),
                                args.get("opd", type=bounded_int), active, user_id=args.get("id", type=bounded_int))
    page = db.paginate(query, page=args.get("page", 1, type=bounded_int),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    form = OneTimePasswordForm()
    return render_template("admin/users.html", page=page, agencies=[(c.value, c.label) for c in _agency_choices()[1:]],
                           roles=ROLE_LABELS, otp_form=form, action_form=ActionForm())


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(full_name=form.full_name.data or "", email=form.email.data or "",
                             nip=form.nip.data or "", pangkat_golongan=form.pangkat_golongan.data or "",
                             jabatan=form.jabatan.data or "", phone=form.phone.data or "",
                             agency_id=form.agency_id.data or None, role=form.role.data or "participant")


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_new() -> Any:
    form = UserForm()
    form.agency_id.choices = _agency_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(_user_data(form), current_user)
        except LmsError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"Pengguna {user.full_name} ditambahkan. Buat kata sandi sekali pakai agar "
                  "ia dapat masuk.", "success")
            # The user's id, never their NIP or e-mail: URLs end up in logs and browser history.
            return redirect(url_for("admin.users", id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.agency_id.data = user.agency_id or 0
    if form.validate_on_submit():
        try:
            changed = services.update_user(user, _user_data(form), current_user)
        except LmsError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash("Perubahan disimpan." if changed else "Tidak ada perubahan.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, action_form=ActionForm())


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def user_set_active(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        try:
            services.set_active(user, request.form.get("active") == "1", current_user)
        except LmsError as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"Akun {user.full_name} {'diaktifkan' if user.active else 'dinonaktifkan'}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_anonymise(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = AnonymiseForm()
    refusal = privacy.anonymise_refusal(user, current_user)
    if form.validate_on_submit() and run_action(lambda: privacy.anonymise_user(user, current_user, utcnow()), form,
                                                f"Akun #{user.id} dianonimkan; sesi-sesinya diakhiri."):
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/anonymise.html", user=user, form=form, refusal=refusal,
                           certificates=privacy.certificate_count(user))


@bp.post("/users/one-time-passwords")
@role_required(Role.ADMIN)
def one_time_passwords() -> Any:
    form = OneTimePasswordForm()
    form.user_ids.choices = [SelectChoice(n, str(n))  # type: ignore[arg-type]
                             for n in bounded_ints(request.form.getlist("user_ids")) if n > 0]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
        return redirect(request.referrer or url_for("admin.users"))
    chosen = db.session.scalars(select(User).where(User.id.in_(form.user_ids.data))
                                .order_by(User.full_name)).all()
    issued = services.issue_one_time_passwords(chosen, current_user)
    db.session.commit()
    return credential_download(issued, form.output.data or "pdf")


def credential_download(issued: list[tuple[User, str]], output: str) -> Response:
    """Answer with the slips of freshly issued one-time passwords (PDF or CSV)."""
    slips = [Slip(u.full_name, u.login_name, u.agency.name if u.agency else "", pw) for u, pw in issued]
    stamp = compact_stamp(utcnow())
    if output == "csv":
        body = write_csv(["nama", "masuk_dengan", "opd", "kata_sandi_sekali_pakai"],
                         [(s.name, s.login, s.agency, s.password) for s in slips])
        return _attachment(body, "text/csv; charset=utf-8", f"kata-sandi-{stamp}.csv")
    pdf = render_slips(slips, services.get_institution().name, request.host_url.rstrip("/"))
    return _attachment(pdf, "application/pdf", f"slip-kata-sandi-{stamp}.pdf")


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- OPD


@bp.route("/agencies", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agencies() -> Any:
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = services.create_agency(form.name.data or "", current_user)
        except LmsError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash(f"OPD {agency.name} ditambahkan.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agencies.html", form=form, rows=services.agencies_with_counts())


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agency_edit(agency_id: int) -> Any:
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            services.rename_agency(agency, form.name.data or "", current_user)
        except LmsError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            flash("Nama OPD disimpan.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


# ---------------------------------------------------------------- institution


@bp.route("/institution", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def institution() -> Any:
    profile = services.get_institution()
    form = InstitutionForm(obj=profile)
    if form.validate_on_submit():
        if run_action(lambda: _save_institution(profile, form),
                      form, "Profil instansi disimpan."):
            return redirect(url_for("admin.institution"))
    return render_template("admin/institution.html", form=form, institution=profile)


def _save_institution(profile: Any, form: InstitutionForm) -> None:
    data = {key: getattr(form, key).data.strip() for key in
            ("name", "city", "address", "head_name", "head_pangkat", "head_title", "certificate_pattern")}
    from lms.certificates.services import check_pattern

    check_pattern(data["certificate_pattern"])
    data["time_zone"] = form.time_zone.data
    data.update({key: bool(getattr(form, key).data) for key in VERIFY_FLAGS})
    data["head_nip"] = _clean_head_nip(form.head_nip.data or "")
    services.update_institution(profile, data, current_user)
    upload = form.logo.data
    if upload and getattr(upload, "filename", ""):
        services.set_institution_logo(profile, upload.read(), current_user)


def _clean_head_nip(raw: str) -> str:
    from lms.accounts.identity import IdentityError, normalize_nip

    try:
        return normalize_nip(raw) if raw.strip() else ""
    except IdentityError as exc:
        raise LmsError(str(exc), "head_nip") from None


# ---------------------------------------------------------------- import


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_upload() -> Any:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            plan = imports.preview(upload.filename or "", upload.read(),
                                   current_app.config["MAX_IMPORT_ROWS"], current_user)
        except LmsError as exc:
            show_error(form, exc)
        else:
            pending = None if plan.errors else imports.save_pending(upload.filename or "", plan, current_user)
            db.session.commit()
            return render_template("admin/import_preview.html", plan=plan, pending=pending,
                                   filename=upload.filename, confirm=ActionForm())
    return render_template("admin/import.html", form=form)


@bp.post("/import/<int:import_id>/confirm")
@role_required(Role.ADMIN)
def import_confirm(import_id: int) -> Response:
    pending = db.get_or_404(UserImport, import_id)
    if ActionForm().validate_on_submit():
        try:
            summary = imports.apply(pending, current_user, utcnow())
        except LmsError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("admin.import_upload"))
        db.session.commit()
        flash(f"Impor selesai: {summary['creates']} peserta baru, {summary['updates']} diperbarui, "
              f"{summary['new_agencies']} OPD baru" + _skipped(summary) + ".", "success")
        return redirect(url_for("admin.import_done", import_id=pending.id))
    return redirect(url_for("admin.import_upload"))


def _skipped(summary: dict[str, Any]) -> str:
    refused = summary.get("refused", 0)
    return f", {refused} baris akun narasumber/penyelenggara dilewati (tidak diubah)" if refused else ""


@bp.get("/import/<int:import_id>")
@role_required(Role.ADMIN)
def import_done(import_id: int) -> str:
    pending = db.get_or_404(UserImport, import_id)
    ids = (pending.summary or {}).get("created_user_ids", [])
    created = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.full_name)).all()
    form = OneTimePasswordForm()
    return render_template("admin/import_done.html", pending=pending, created=created, otp_form=form)
