"""The participant's side of assignments: "Tugas saya", the hand-in page (text autosaved, photos, links,
PDF, hand in, withdraw, revise), and their own files.

Every page works without JavaScript: one form saves the text and links, adds the files chosen,
removes a file, or hands in, by the button pressed; assignment.js only autosaves and checks the
caption live. Only the training's enrolled participants open a task (others: 403; anonymous: login).
"""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from lms.accounts.models import Role
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.assignments import handin, services
from lms.assignments.models import Assignment, SubmissionFile
from lms.caption import report
from lms.dates import format_clock
from lms.db_types import utcnow
from lms.forms import ActionForm, act
from lms.routing import bounded_int
from lms.trainings import scope as trainings
from lms.trainings.models import Training

bp = Blueprint("assignments", __name__, url_prefix="/tugas")


def _task(slug: str, assignment_id: int) -> tuple[Training, Assignment]:
    """Load the training and assignment of a participant's task: 404 unknown, 403 not their training."""
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    if not (current_user.has_role(Role.PARTICIPANT) and training.status != "draft"
            and trainings.is_enrolled(current_user, training)):
        abort(403)
    assignment = services.get_assignment(assignment_id)
    if assignment is None or not services.is_offered(training, assignment):
        abort(404)
    return training, assignment


def _valid_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _version() -> int | None:
    raw = request.form.get("version", "")
    try:
        return bounded_int(raw) if raw else None
    except ValueError:
        abort(400)


def _here(training: Training, assignment: Assignment, anchor: str = "") -> str:
    return url_for(".task", slug=training.slug, assignment_id=assignment.id) + anchor


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """An upload beyond MAX_CONTENT_LENGTH: nothing of it was read, what was saved before stays."""
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    text = (f"Kiriman Anda lebih dari {limit} MB sekaligus, jadi tidak ada yang diterima dari kiriman itu. "
            "Isian yang sudah tersimpan sebelumnya tidak hilang. Kirim foto satu per satu, atau kecilkan "
            "ukurannya (kirim tangkapan layar atau pilih resolusi kamera lebih kecil), lalu coba lagi.")
    if request.path.endswith(".json"):
        return jsonify(error="too_large", message=text), 413
    args = request.view_args or {}
    back = (url_for(".task", slug=args["slug"], assignment_id=args["assignment_id"])
            if "slug" in args and "assignment_id" in args else url_for(".mine"))
    return render_template("assignments/too_large.html", text=text, back=back), 413


@bp.get("/")
@role_required(Role.PARTICIPANT)
def mine() -> ResponseReturnValue:
    """Tugas saya: every task of the participant's trainings, those still to do first."""
    now = utcnow()
    return render_template("assignments/mine.html", rows=handin.task_rows(current_user, now), now=now)


def _page(training: Training, assignment: Assignment, status_code: int = 200, typed: dict[str, Any] | None = None,
          conflict: bool = False) -> ResponseReturnValue:
    """Render the hand-in page; `typed` holds what was sent but not saved, shown again so nothing is lost."""
    page = handin.task_page(current_user, training, assignment, utcnow())
    text = typed["text"] if typed and typed.get("text") is not None else page.text
    links = typed["links"] if typed and typed.get("links") is not None else handin.links_text(page.links)
    checked = None
    if page.caption and text.strip() and len(text) <= report.MAX_INPUT:
        checked = report.build(text, "instagram", current_app.config["COURSES_DIR"])
    body = render_template("assignments/task.html", page=page, text=text, links=links, typed=typed,
                           conflict=conflict, report=checked, form=ActionForm(), zone=training.time_zone,
                           link_warnings=handin.link_warnings(handin.read_links(links)) if page.editable else [])
    return body, status_code


@bp.get("/<slug>/<int:assignment_id>")
@role_required(*ANY_ROLE)
def task(slug: str, assignment_id: int) -> ResponseReturnValue:
    training, assignment = _task(slug, assignment_id)
    return _page(training, assignment)


def _posted(assignment: Assignment) -> dict[str, Any]:
    """Return the text and links sent (None for what the assignment does not take)."""
    return {"text": request.form.get("text") if assignment.accepts_kind("text") else None,
            "links": request.form.get("links") if assignment.accepts_kind("links") else None}


def _save_typed(training: Training, assignment: Assignment, typed: dict[str, Any], seen: int | None) -> Any:
    now = utcnow()
    submission = handin.open_draft(current_user, training, assignment, seen, now)
    if typed["text"] is None and typed["links"] is None:
        return submission
    links = handin.read_links(typed["links"]) if typed["links"] is not None else None
    return services.save_draft(current_user, submission, typed["text"], links, seen or None, now)


@bp.post("/<slug>/<int:assignment_id>")
@role_required(*ANY_ROLE)
def save(slug: str, assignment_id: int) -> ResponseReturnValue:
    """Save the text and links, then add the files chosen, remove one, or hand in, by the button pressed.

    Each step commits on its own: a refused photo leaves the text and the other photos saved.
    """
    training, assignment = _task(slug, assignment_id)
    _valid_csrf()
    seen, typed, action = _version(), _posted(assignment), request.form.get("do", "save")
    uploads = [f for name in ("photos", "files") for f in request.files.getlist(name) if f and f.filename]
    page = handin.task_page(current_user, training, assignment, utcnow())
    if page.editable:
        outcome = act(lambda: _save_typed(training, assignment, typed, seen), error_category=None)
        if not outcome.ok and outcome.error is not None:
            conflict = isinstance(outcome.error, services.SubmissionConflict)
            flash(handin.CONFLICT_PAGE if conflict else outcome.error.message, "danger")
            if uploads:
                flash("Berkas yang Anda pilih belum diunggah: pilih lagi setelah memeriksa isian.", "warning")
            return _page(training, assignment, 409 if conflict else 400, typed=typed, conflict=conflict)
    elif action != "submit" or uploads:
        flash(f"Tugas ini berstatus {page.status_label}; isiannya tidak dapat diubah sekarang.", "warning")
        return _page(training, assignment, 409, typed=typed)
    submission = services.submission_of(current_user, training, assignment)
    if submission is None:
        abort(409)
    added = _add_files(submission.id, uploads)
    anchor = "#berkas" if uploads else ""
    if request.form.get("remove"):
        _remove(submission.id)
        anchor = "#berkas"
    if action == "submit":
        done = act(lambda: services.submit(current_user, _reload(submission.id), None, utcnow()),
                   success=lambda s: "Tugas dikumpulkan. Narasumber akan menilainya; Anda dapat menariknya kembali "
                                     "sebelum penilaian dimulai." + (" Tercatat terlambat." if s.late else ""))
        return redirect(_here(training, assignment, "" if done.ok else "#isian"))
    if not uploads and not request.form.get("remove"):
        flash("Draf disimpan.", "success")
    elif added:
        flash(f"{added} berkas diunggah.", "success")
    return redirect(_here(training, assignment, anchor))


def _reload(submission_id: int) -> Any:
    found = services.load_submission(submission_id)
    if found is None:
        abort(404)
    return found


def _add_files(submission_id: int, uploads: list[Any]) -> int:
    """Add each file chosen in its own step (a refused one is reported and the rest still go in)."""
    added = 0
    for upload in uploads:
        data: bytes = upload.read()  # bounded by MAX_CONTENT_LENGTH; the service names a size beyond its limit
        name: str = (upload.filename or "")[:80]

        def add(data: bytes = data, name: str = name) -> object:
            return services.add_file(current_user, _reload(submission_id), data, None, utcnow(), name=name)

        added += act(add).ok
    return added


def _remove(submission_id: int) -> None:
    try:
        file_id = bounded_int(request.form.get("remove", ""))
    except ValueError:
        abort(400)
    act(lambda: services.remove_file(current_user, _reload(submission_id), file_id, None, utcnow()),
        success="Berkas dihapus.")


@bp.post("/<slug>/<int:assignment_id>/draf.json")
@role_required(*ANY_ROLE)
def autosave(slug: str, assignment_id: int) -> ResponseReturnValue:
    """Autosave the text and links (assignment.js); a stale tab gets 409 with what is saved now."""
    training, assignment = _task(slug, assignment_id)
    _valid_csrf()
    typed = _posted(assignment)
    outcome = act(lambda: _save_typed(training, assignment, typed, _version()), error_category=None)
    if outcome.error is not None:
        if isinstance(outcome.error, services.SubmissionConflict):
            page = handin.task_page(current_user, training, assignment, utcnow())
            return jsonify(error="conflict", message=handin.CONFLICT_LIVE, version=page.version,
                           text=page.text, links=handin.links_text(page.links)), 409
        return jsonify(error="refused", message=outcome.error.message), 400
    saved = handin.task_page(current_user, training, assignment, utcnow())
    stamp = format_clock(saved.submission.saved_at, training.time_zone) if saved.submission else ""
    return jsonify(saved=True, version=saved.version, saved_at=stamp,
                   warnings=handin.link_warnings(handin.read_links(typed["links"] or "")))


@bp.post("/<slug>/<int:assignment_id>/tarik")
@role_required(*ANY_ROLE)
def withdraw(slug: str, assignment_id: int) -> ResponseReturnValue:
    """Take the hand-in back before the review starts (then edit and hand in again)."""
    training, assignment = _task(slug, assignment_id)
    _valid_csrf()
    submission = services.submission_of(current_user, training, assignment)
    if submission is None:
        abort(404)
    seen = _version()
    act(lambda: services.withdraw(current_user, submission, seen, utcnow()),
        success="Tugas ditarik kembali. Ubah isiannya, lalu kumpulkan lagi sebelum batas waktu.")
    return redirect(_here(training, assignment))


@bp.get("/berkas/<int:file_id>")
@role_required(*ANY_ROLE)
def file(file_id: int) -> ResponseReturnValue:
    """A hand-in's image (inline) or PDF (download) for the participant who added it; others: 404."""
    found = services.file_for(current_user, file_id)
    if found is None or not services.is_owner(current_user, found[0].submission):
        abort(404)
    return send_stored(*found)


def send_stored(stored: SubmissionFile, data: bytes) -> Response:
    """Answer with a hand-in's file: an image inline, a PDF as a download; never kept by a cache."""
    response = send_file(io.BytesIO(data), mimetype=stored.mime, as_attachment=stored.kind == "pdf",
                         download_name=stored.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

