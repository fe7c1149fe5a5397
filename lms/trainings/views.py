"""Trainings: list, setup, agenda, participants and per-training quiz results."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from lms.accounts import imports
from lms.accounts import services as accounts
from lms.accounts.credentials import credential_download
from lms.accounts.forms import ImportForm
from lms.accounts.imports import ImportPlan
from lms.accounts.models import Role, User, UserImport
from lms.accounts.permissions import ANY_ROLE, STAFF, role_required
from lms.assignments import review_pages
from lms.confirm import unconfirmed
from lms.dates import format_date, utc_to_wall, wall_to_utc
from lms.db_types import utcnow
from lms.exports import format_arg, send_export
from lms.extensions import db
from lms.forms import ActionForm, act, validate_all
from lms.quizzes import presenters as quiz_presenters
from lms.quizzes import services as quiz_services
from lms.quizzes.models import Quiz
from lms.reports import dashboard
from lms.reports.training_facts import training_facts
from lms.training_defaults import TRAINING
from lms.trainings import overview, scope, services
from lms.trainings.forms import AgendaForm, EnrollAgencyForm, EnrollForm, TrainingForm, WalkInForm
from lms.trainings.models import AgendaItem, Training
from lms.trainings.roster_export import participants_table
from lms.web import venue_base_url

bp = Blueprint("trainings", __name__, url_prefix="/trainings")


def _training(slug: str, manage: bool = False) -> Training:
    training = scope.get_training(slug)
    if training is None:
        abort(404)
    allowed = scope.can_manage(current_user, training) if manage else scope.can_view(current_user, training)
    if not allowed:
        abort(403)
    return training


@bp.get("/")
@role_required(*ANY_ROLE)
def index() -> ResponseReturnValue:
    items = scope.visible_trainings(current_user)
    return render_template("trainings/index.html", items=items, counts=scope.trainings_with_counts(items))


# ---------------------------------------------------------------- setup


def _setup_choices(form: TrainingForm) -> None:
    form.courses.choices = [SelectChoice(c.id, c.title) for c in services.selectable_courses()]
    form.trainers.choices = [SelectChoice(u.id, u.full_name) for u in services.selectable_trainers()]
    quizzes = quiz_services.list_quizzes()
    for field, kind in ((form.pretest_id, "pretest"), (form.posttest_id, "posttest")):
        field.choices = [SelectChoice(0, "— Tidak ada —")] + [
            SelectChoice(q.id, q.title) for q in quizzes if q.kind == kind]



def _or_default(value: int | None, default: int) -> int:
    """An optional number field: 0 is a value, only an empty field takes the default."""
    return default if value is None else value


def _training_data(form: TrainingForm) -> services.TrainingData:
    zone = form.time_zone.data or TRAINING.time_zone
    return services.TrainingData(
        title=form.title.data or "", slug=(form.slug.data or "").strip(), start_date=form.start_date.data,
        end_date=form.end_date.data, venue=form.venue.data or "", city=form.city.data or "",
        description=form.description.data or "", time_zone=zone, status=form.status.data or TRAINING.status,
        quota=form.quota.data, minutes_per_jp=form.minutes_per_jp.data or TRAINING.minutes_per_jp,
        min_attendance_percent=_or_default(form.min_attendance_percent.data, TRAINING.min_attendance_percent),
        require_posttest_pass=bool(form.require_posttest_pass.data),
        require_courses_complete=bool(form.require_courses_complete.data),
        evaluation_days=_or_default(form.evaluation_days.data, TRAINING.evaluation_days),
        require_evaluation=bool(form.require_evaluation.data),
        late_after_minutes=_or_default(form.late_after_minutes.data, TRAINING.late_after_minutes),
        present_statuses=TRAINING.present_list() if form.late_counts_present.data else ["hadir"],
        venue_network=(form.venue_network.data or "").strip(), course_ids=form.courses.data or [],
        trainer_ids=form.trainers.data or [], pretest_id=form.pretest_id.data or None,
        posttest_id=form.posttest_id.data or None,
        pretest_open_at=wall_to_utc(form.pretest_open_at.data, zone),
        pretest_close_at=wall_to_utc(form.pretest_close_at.data, zone),
        posttest_open_at=wall_to_utc(form.posttest_open_at.data, zone),
        posttest_close_at=wall_to_utc(form.posttest_close_at.data, zone))


def _fill_form(form: TrainingForm, training: Training) -> None:
    form.courses.data = [c.id for c in training.courses]
    form.trainers.data = [t.id for t in training.trainers]
    form.pretest_id.data, form.posttest_id.data = training.pretest_id or 0, training.posttest_id or 0
    form.late_counts_present.data = "terlambat" in training.present_statuses
    for name in ("pretest_open_at", "pretest_close_at", "posttest_open_at", "posttest_close_at"):
        getattr(form, name).data = utc_to_wall(getattr(training, name), training.time_zone)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new() -> ResponseReturnValue:
    form = TrainingForm()
    _setup_choices(form)
    if validate_all(form, lambda: services.check_training(_training_data(form), None)):
        training = act(lambda: services.save_training(None, _training_data(form), current_user), form,
                       "Kegiatan dibuat. Lanjutkan dengan menyusun agenda.").value
        if training is not None:
            return redirect(url_for("trainings.agenda", slug=training.slug))
    return render_template("trainings/form.html", form=form, training=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(slug: str) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    form = TrainingForm(obj=training)
    _setup_choices(form)
    if request.method == "GET":
        _fill_form(form, training)
    if validate_all(form, lambda: services.check_training(_training_data(form), training)):
        if act(lambda: services.save_training(training, _training_data(form), current_user),
               form, "Perubahan kegiatan disimpan.").ok:
            return redirect(url_for("trainings.show", slug=training.slug))
    return render_template("trainings/form.html", form=form, training=training)


@bp.get("/<slug>")
@role_required(*ANY_ROLE)
def show(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    if scope.can_manage(current_user, training):
        return render_template("trainings/show.html", training=training,
                               summary=overview.staff_summary(training, utcnow()),
                               opd_targets=review_pages.opd_targets(training),
                               dashboard=dashboard.build(training_facts(training, utcnow(), current_user),
                                                         training.total_jp, training.quota))
    return render_template("trainings/participant.html", training=training,
                           view=overview.participant_view(current_user, training, utcnow()))


# ---------------------------------------------------------------- agenda


def _agenda_choices(form: AgendaForm, training: Training) -> None:
    form.day.choices = [SelectChoice(d.isoformat(), format_date(d, with_day=True)) for d in training.days]
    form.trainer_id.choices = [SelectChoice(0, "— Narasumber tamu —")] + [
        SelectChoice(t.id, t.full_name) for t in training.trainers]


def _agenda_data(form: AgendaForm) -> services.AgendaData:
    return services.AgendaData(day=date.fromisoformat(form.day.data or ""), start_time=form.start_time.data,
                               end_time=form.end_time.data, topic=form.topic.data or "",
                               trainer_id=form.trainer_id.data or None, trainer_name=form.trainer_name.data or "",
                               jp=form.jp.data)


@bp.route("/<slug>/agenda", methods=["GET", "POST"])
@role_required(*ANY_ROLE)
def agenda(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    manage = scope.can_manage(current_user, training)
    form = AgendaForm()
    _agenda_choices(form, training)
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit():
            if act(lambda: services.save_agenda_item(training, None, _agenda_data(form), current_user),
                   form, "Materi ditambahkan ke agenda.").ok:
                return redirect(url_for("trainings.agenda", slug=slug))
    return render_template("trainings/agenda.html", training=training, form=form, manage=manage,
                           action_form=ActionForm())


def _agenda_item(training: Training, item_id: int) -> AgendaItem:
    """Return the training's agenda slot, or 404 (another training's slot is not found here)."""
    item = db.get_or_404(AgendaItem, item_id)
    if item.training_id != training.id:
        abort(404)
    return item


@bp.route("/<slug>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def agenda_edit(slug: str, item_id: int) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    item = _agenda_item(training, item_id)
    form = AgendaForm(obj=item)
    _agenda_choices(form, training)
    if request.method == "GET":
        form.day.data, form.trainer_id.data = item.day.isoformat(), item.trainer_id or 0
        form.jp.data = item.jp if item.jp_manual else None
    if form.validate_on_submit():
        if act(lambda: services.save_agenda_item(training, item, _agenda_data(form), current_user),
               form, "Agenda diperbarui.").ok:
            return redirect(url_for("trainings.agenda", slug=slug))
    return render_template("trainings/agenda_edit.html", training=training, form=form, item=item)


@bp.post("/<slug>/agenda/<int:item_id>/delete")
@role_required(*STAFF)
def agenda_delete(slug: str, item_id: int) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    item = _agenda_item(training, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: services.delete_agenda_item(item, current_user), success="Materi dihapus dari agenda.")
    return redirect(url_for("trainings.agenda", slug=slug))


@bp.get("/<slug>/agenda/print")
@role_required(*ANY_ROLE)
def agenda_print(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    return render_template("trainings/agenda_print.html", training=training,
                           institution=accounts.current_institution())


# ---------------------------------------------------------------- participants


def _agency_choices() -> list[SelectChoice]:
    return [SelectChoice(a.id, a.name) for a in services.agencies()]


def _agency_form() -> EnrollAgencyForm:
    form = EnrollAgencyForm()
    form.agency_id.choices = _agency_choices()
    return form


def _walk_in_form() -> WalkInForm:
    form = WalkInForm()
    form.agency_id.choices = [SelectChoice(0, "— Pilih OPD —")] + _agency_choices()
    return form


@bp.get("/<slug>/participants")
@role_required(*STAFF)
def participants(slug: str) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    people = scope.participants(training)
    if fmt := format_arg(request.args.get("format")):  # phones and e-mails: never kept by a cache
        return send_export(participants_table(people), fmt, f"peserta-{training.slug}", training.title, private=True)
    return render_template("trainings/participants.html", training=training,
                           people=people, enroll_form=EnrollForm(),
                           agency_form=_agency_form(), walk_in=_walk_in_form(), import_form=ImportForm(),
                           action_form=ActionForm())


@bp.post("/<slug>/participants/add")
@role_required(*STAFF)
def participant_add(slug: str) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    form = EnrollForm()
    if form.validate_on_submit():
        user = accounts.find_by_login(form.login.data or "")
        if user is None:
            flash("Tidak ada pengguna dengan NIP/surel itu. Gunakan \"Peserta pengganti\" untuk "
                  "mendaftarkan orang baru.", "danger")
        else:
            _enroll_flash(training, [user], "manual")
    return redirect(url_for("trainings.participants", slug=slug))


def _enroll_flash(training: Training, users: list[User], source: str) -> None:
    added = act(lambda: services.enroll(training, users, source, current_user)).value
    if added is not None:
        flash(f"{added} peserta ditambahkan." if added else "Tidak ada peserta baru (sudah terdaftar, "
              "nonaktif, atau bukan peserta).", "success" if added else "info")


@bp.post("/<slug>/participants/agency")
@role_required(*STAFF)
def participant_agency(slug: str) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    form = _agency_form()
    if form.validate_on_submit():
        act(lambda: services.enroll_agency(training, form.agency_id.data, current_user),
            success=lambda added: f"{added} peserta dari OPD itu ditambahkan.")
    return redirect(url_for("trainings.participants", slug=slug))


@bp.post("/<slug>/participants/<int:user_id>/remove")
@role_required(*STAFF)
def participant_remove(slug: str, user_id: int) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    person = db.get_or_404(User, user_id)
    if (page := unconfirmed(f"Keluarkan {person.full_name} dari {training.title}?",
                            "Ia tidak lagi tercantum sebagai peserta, di daftar hadir, maupun di halaman sertifikat "
                            "kegiatan ini.", url_for("trainings.participants", slug=slug))) is not None:
        return page
    if ActionForm().validate_on_submit():
        act(lambda: services.unenroll(training, user_id, current_user), success="Peserta dikeluarkan dari kegiatan.")
    return redirect(url_for("trainings.participants", slug=slug))


@bp.post("/<slug>/walk-in")
@role_required(*STAFF)
def walk_in(slug: str) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    form = _walk_in_form()
    data = accounts.UserData(full_name=form.full_name.data or "", nip=form.nip.data or "",
                             email=form.email.data or "", jabatan=form.jabatan.data or "",
                             agency_id=form.agency_id.data or None, phone=form.phone.data or "")
    result = None
    if validate_all(form, lambda: accounts.clean_user_data(data)):
        result = act(lambda: services.walk_in(training, data, current_user), form).value
    if result is None:
        # What was typed stays in the form, every error beside its field.
        return render_template("trainings/participants.html", training=training,
                               people=scope.participants(training), enroll_form=EnrollForm(),
                               agency_form=_agency_form(), walk_in=form, import_form=ImportForm(),
                               action_form=ActionForm())
    return render_template("trainings/walk_in_slip.html", training=training, result=result,
                           address=venue_base_url())


@bp.route("/<slug>/participants/import", methods=["POST"])
@role_required(*STAFF)
def participant_import(slug: str) -> ResponseReturnValue:
    _training(slug, manage=True)  # 404 or 403 unless the user manages it
    form = ImportForm()
    if not form.validate_on_submit():
        flash("Pilih berkas CSV atau XLSX terlebih dahulu.", "danger")
        return redirect(url_for("trainings.participants", slug=slug))
    upload = form.file.data
    previewed = act(lambda: _preview(upload)).value
    if previewed is None:
        return redirect(url_for("trainings.participants", slug=slug))
    plan, pending = previewed
    return render_template("admin/import_preview.html", plan=plan, pending=pending, filename=upload.filename,
                           confirm=ActionForm(), back_url=url_for("trainings.participants", slug=slug),
                           confirm_url=url_for("trainings.participant_import_confirm", slug=slug,
                                               import_id=pending.id) if pending else None)


def _preview(upload: FileStorage) -> tuple[ImportPlan, UserImport | None]:
    """Check an uploaded file; keep a clean plan until it is confirmed."""
    plan = imports.preview(upload.filename or "", upload.read(), current_app.config["MAX_IMPORT_ROWS"], current_user)
    return plan, None if plan.errors else imports.save_pending(upload.filename or "", plan, current_user)


@bp.post("/<slug>/participants/import/<int:import_id>")
@role_required(*STAFF)
def participant_import_confirm(slug: str, import_id: int) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    pending = db.get_or_404(UserImport, import_id)
    if pending.created_by_id != current_user.id or not ActionForm().validate_on_submit():
        abort(403)
    act(lambda: services.import_and_enroll(training, pending, current_user, utcnow()), success=_imported_text)
    return redirect(url_for("trainings.participants", slug=slug))


def _imported_text(done: services.ImportEnrolment) -> str:
    refused = done.summary["refused"]
    skipped = f" {refused} baris akun narasumber/penyelenggara dilewati." if refused else ""
    return (f"Impor selesai: {done.summary['creates']} akun baru, {done.enrolled} peserta didaftarkan ke "
            f"kegiatan.{skipped} Buat kata sandi sekali pakai untuk akun baru dari halaman Pengguna atau cetak "
            "slip di bawah.")


@bp.post("/<slug>/participants/slips")
@role_required(*STAFF)
def participant_slips(slug: str) -> ResponseReturnValue:
    """Give every participant of this training who has no password yet a one-time password."""
    training = _training(slug, manage=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    people = [u for u in scope.participants(training) if u.password_hash is None and u.active]
    if not people:
        flash("Semua peserta sudah memiliki kata sandi.", "info")
        return redirect(url_for("trainings.participants", slug=slug))
    issued = act(lambda: accounts.issue_one_time_passwords(people, current_user)).value
    if issued is None:
        return redirect(url_for("trainings.participants", slug=slug))
    return credential_download(issued, "pdf")


# ---------------------------------------------------------------- quiz results per training


@bp.get("/<slug>/quizzes/<quiz_slug>/results")
@role_required(*STAFF)
def quiz_results(slug: str, quiz_slug: str) -> ResponseReturnValue:
    training = _training(slug, manage=True)
    quiz = services.quiz_by_slug(quiz_slug)
    if quiz is None:
        abort(404)
    # A read: no commit before rendering (a commit would expire every row the template then reloads).
    report = _training_report(training, quiz)
    if fmt := format_arg(request.args.get("format")):
        return send_export(quiz_presenters.results_table(report), fmt, f"hasil-{training.slug}-{quiz.slug}",
                           f"{training.title}: {quiz.title}")
    return render_template("quizzes/results.html", report=report, training=training)


def _training_report(training: Training, quiz: Quiz) -> quiz_presenters.ResultsReport:
    pretest = training.pretest if quiz.id == training.posttest_id else None
    return quiz_presenters.results_report(quiz, utcnow(), scope.participant_ids(training),
                                          scope.quiz_context(training, quiz), pretest)


