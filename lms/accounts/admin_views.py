"""Administration: users, one-time passwords, OPDs, the institution profile, participant import."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts import imports, privacy, services
from lms.accounts.credentials import credential_download
from lms.accounts.forms import AgencyForm, AnonymiseForm, ImportForm, InstitutionForm, OneTimePasswordForm, UserForm
from lms.accounts.models import ROLE_LABELS, Agency, Role, User, UserImport
from lms.accounts.permissions import role_required
from lms.confirm import unconfirmed
from lms.db_types import utcnow
from lms.extensions import db
from lms.forms import ActionForm, act, validate_all
from lms.routing import bounded_int, bounded_ints

bp = Blueprint("admin", __name__, url_prefix="/admin")
VERIFY_FLAGS = ("verify_show_score", "verify_show_pangkat", "verify_show_jabatan")
PROFILE_TEXTS = ("name", "city", "address", "head_name", "head_pangkat", "head_title", "certificate_pattern",
                 "head_nip", "public_base_url")


def _agency_choices() -> list[SelectChoice]:
    return [SelectChoice(0, "— Tanpa OPD —")] + [  # type: ignore[arg-type]
        SelectChoice(a.id, a.name) for a in services.list_agencies()]


# ---------------------------------------------------------------- users


@bp.get("/users")
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    args = request.args
    active = {"1": True, "0": False}.get(args.get("aktif", ""))
    filters = {"search": args.get("q", ""), "role": args.get("peran", ""),
               "agency_id": args.get("opd", type=bounded_int), "active": active,
               "user_id": args.get("id", type=bounded_int)}
    page = services.users_page(filters, args.get("page", 1, type=bounded_int), current_app.config["PAGE_SIZE"])
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
def user_new() -> ResponseReturnValue:
    form = UserForm()
    form.agency_id.choices = _agency_choices()
    if validate_all(form, lambda: services.check_user(_user_data(form))):
        user = act(lambda: services.create_user(_user_data(form), current_user), form,
                   lambda u: f"Pengguna {u.full_name} ditambahkan. Buat kata sandi sekali pakai agar "
                             "ia dapat masuk.").value
        if user is not None:
            # The user's id, never their NIP or e-mail: URLs end up in logs and browser history.
            return redirect(url_for("admin.users", id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_edit(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.agency_id.data = user.agency_id or 0
    if validate_all(form, lambda: services.check_user(_user_data(form), user.id)) and act(
            lambda: services.update_user(user, _user_data(form), current_user), form,
                                         lambda changed: "Perubahan disimpan." if changed else
                                         "Tidak ada perubahan.").ok:
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, action_form=ActionForm())


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def user_set_active(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    activate = request.form.get("active") == "1"
    if user.active and not activate and user.id != current_user.id and (page := unconfirmed(
            f"Nonaktifkan akun {user.full_name}?",
            "Ia tidak dapat masuk lagi dan sesi yang sedang terbuka diakhiri; data, presensi, dan sertifikatnya "
            "tetap tersimpan, dan akun dapat diaktifkan kembali.",
            url_for("admin.user_edit", user_id=user.id))) is not None:
        return page
    if ActionForm().validate_on_submit():
        act(lambda: services.set_active(user, activate, current_user),
            success=lambda _: f"Akun {user.full_name} {'diaktifkan' if user.active else 'dinonaktifkan'}.")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_anonymise(user_id: int) -> ResponseReturnValue:
    user = db.get_or_404(User, user_id)
    form = AnonymiseForm()
    refusal = privacy.anonymise_refusal(user, current_user)
    if form.validate_on_submit() and act(lambda: privacy.anonymise_user(user, current_user, utcnow()), form,
                                         f"Akun #{user.id} dianonimkan; sesi-sesinya diakhiri.").ok:
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/anonymise.html", user=user, form=form, refusal=refusal,
                           certificates=privacy.certificate_count(user))


@bp.post("/users/one-time-passwords")
@role_required(Role.ADMIN)
def one_time_passwords() -> ResponseReturnValue:
    form = OneTimePasswordForm()
    form.user_ids.choices = [SelectChoice(n, str(n))  # type: ignore[arg-type]
                             for n in bounded_ints(request.form.getlist("user_ids")) if n > 0]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "danger")
        return redirect(request.referrer or url_for("admin.users"))
    issued = act(lambda: services.issue_one_time_passwords(services.users_by_ids(form.user_ids.data or []),
                                                           current_user)).value
    if issued is None:
        return redirect(request.referrer or url_for("admin.users"))
    return credential_download(issued, form.output.data or "pdf")


# ---------------------------------------------------------------- OPD


@bp.route("/agencies", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agencies() -> ResponseReturnValue:
    form = AgencyForm()
    if form.validate_on_submit() and act(lambda: services.create_agency(form.name.data or "", current_user), form,
                                         lambda agency: f"OPD {agency.name} ditambahkan.").ok:
        return redirect(url_for("admin.agencies"))
    return render_template("admin/agencies.html", form=form, rows=services.agencies_with_counts())


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def agency_edit(agency_id: int) -> ResponseReturnValue:
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit() and act(lambda: services.rename_agency(agency, form.name.data or "", current_user),
                                         form, "Nama OPD disimpan.").ok:
        return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


# ---------------------------------------------------------------- institution


@bp.route("/institution", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def institution() -> ResponseReturnValue:
    profile = services.current_institution()
    form = InstitutionForm(obj=profile)
    if form.validate_on_submit() and act(lambda: services.save_institution(_profile_data(form), _logo(form),
                                                                          current_user),
                                         form, "Profil instansi disimpan.").ok:
        return redirect(url_for("admin.institution"))
    return render_template("admin/institution.html", form=form, institution=profile,
                           default_base_url=str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/"),
                           base_url=services.public_base_url(profile))


def _profile_data(form: InstitutionForm) -> dict[str, Any]:
    data: dict[str, Any] = {key: (getattr(form, key).data or "").strip() for key in PROFILE_TEXTS}
    data["time_zone"] = form.time_zone.data
    data.update({key: bool(getattr(form, key).data) for key in VERIFY_FLAGS})
    return data


def _logo(form: InstitutionForm) -> bytes | None:
    upload = form.logo.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


# ---------------------------------------------------------------- import


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_upload() -> ResponseReturnValue:
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        staged = act(lambda: imports.stage(upload.filename or "", upload.read(),
                                           current_app.config["MAX_IMPORT_ROWS"], current_user), form).value
        if staged is not None:
            return render_template("admin/import_preview.html", plan=staged.plan, pending=staged.pending,
                                   filename=upload.filename, confirm=ActionForm())
    return render_template("admin/import.html", form=form)


@bp.post("/import/<int:import_id>/confirm")
@role_required(Role.ADMIN)
def import_confirm(import_id: int) -> ResponseReturnValue:
    pending = db.get_or_404(UserImport, import_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.import_upload"))
    if not act(lambda: imports.apply(pending, current_user, utcnow()), success=_applied).ok:
        return redirect(url_for("admin.import_upload"))
    return redirect(url_for("admin.import_done", import_id=pending.id))


def _applied(summary: dict[str, Any]) -> str:
    refused = summary.get("refused", 0)
    skipped = f", {refused} baris akun narasumber/penyelenggara dilewati (tidak diubah)" if refused else ""
    return (f"Impor selesai: {summary['creates']} peserta baru, {summary['updates']} diperbarui, "
            f"{summary['new_agencies']} OPD baru{skipped}.")


@bp.get("/import/<int:import_id>")
@role_required(Role.ADMIN)
def import_done(import_id: int) -> ResponseReturnValue:
    pending = db.get_or_404(UserImport, import_id)
    created = services.users_by_ids((pending.summary or {}).get("created_user_ids", []))
    return render_template("admin/import_done.html", pending=pending, created=created, otp_form=OneTimePasswordForm())
