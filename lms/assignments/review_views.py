"""The trainer's side of assignments: the review queue, the review page, snippets, the OPD target, the ZIP.

Every URL is for the training's trainers and admins (others: 403; anonymous: the login page).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.permissions import STAFF, role_required
from lms.assignments import handin, review, review_pages, rubric, services, states
from lms.assignments.models import Assignment, Submission
from lms.assignments.views import send_stored
from lms.caption import report
from lms.db_types import utcnow
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.forms import ActionForm, act
from lms.routing import bounded_int
from lms.trainings import scope as trainings
from lms.trainings.models import Training

bp = Blueprint("assignment_review", __name__)


def _training(slug: str) -> Training:
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    if not services.can_review(current_user, training):
        abort(403)
    return training


def _assignment(training: Training, assignment_id: int) -> Assignment:
    assignment = services.get_assignment(assignment_id)
    if assignment is None or not services.is_offered(training, assignment):
        abort(404)
    return assignment


def _submission(training: Training, submission_id: int) -> Submission:
    submission = services.load_submission(submission_id)
    # A draft never handed in is the participant's own until they submit it.
    if submission is None or submission.training_id != training.id or submission.status == "draft":
        abort(404)
    return submission


def _filter_key() -> str:
    key = request.values.get("status", "")
    return key if key in states.FILTERS else ""


def _valid_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def is_web_link(url: str) -> bool:
    """A hand-in link shown as an anchor only when it is http(s) with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


@bp.get("/trainings/<slug>/penilaian-tugas")
@role_required(*STAFF)
def index(slug: str) -> ResponseReturnValue:
    """The training's assignments, each with how many participants each queue filter holds."""
    training = _training(slug)
    rows = [(a, review_pages.filter_counts(review.queue(training, a))) for a in services.offered(training)]
    return render_template("assignment_review/index.html", training=training, rows=rows, filters=states.FILTERS)


@bp.get("/trainings/<slug>/penilaian-tugas/<int:assignment_id>")
@role_required(*STAFF)
def queue(slug: str, assignment_id: int) -> ResponseReturnValue:
    training = _training(slug)
    assignment = _assignment(training, assignment_id)
    key = _filter_key()
    everyone = review.queue(training, assignment)
    wanted = states.FILTERS[key][1] if key else None
    rows = [r for r in everyone if wanted is None or r.status in wanted]
    return render_template("assignment_review/queue.html", training=training, assignment=assignment, rows=rows,
                           counts=review_pages.filter_counts(everyone), total=len(everyone), key=key,
                           filters=states.FILTERS, zone=training.time_zone, form=ActionForm())


def _page(training: Training, submission: Submission, data: review_pages.ReviewInput | None = None,
          status_code: int = 200) -> ResponseReturnValue:
    assignment = submission.assignment
    key = _filter_key()
    rows = review.queue(training, assignment)
    before, after = review_pages.neighbours(rows, submission.id, key)
    person = next((r for r in rows if r.user_id == submission.user_id), None)
    current = review.current_review(submission)
    if data is None:
        data = review_pages.ReviewInput(dict(current.levels) if current else {},
                                        dict(current.comments) if current else {},
                                        current.overall_comment if current else "")
    earlier = [r for r in submission.reviews if r.outcome is not None and r.round < submission.round]
    score = rubric.score(assignment.rubric, data.levels)
    snippets = review.snippets(assignment)
    checked = None  # Cek Caption on the text handed in: the same checks the participant saw
    shown = services.round_handed_in(submission)  # withdrawn or being revised: the text is the participant's
    text = submission.text if shown else ""
    if handin.takes_caption(assignment) and text.strip() and len(text) <= report.MAX_INPUT:
        checked = report.build(submission.text, "instagram", current_app.config["COURSES_DIR"])
    body = render_template(
        "assignment_review/submission.html", training=training, assignment=assignment, submission=submission,
        person=person, data=data, score=score, earlier=earlier, decided=review.last_decided(submission),
        files=services.reviewer_files(submission), text_shown=shown,
        links=[(u, is_web_link(u)) for u in (submission.links or []) if shown],
        before=before, after=after, key=key, filters=states.FILTERS, snippets=snippets,
        revisions_left=review.revisions_left(submission), can_edit=submission.status in states.WAITING,
        label=states.label(submission.status), due=services.due_at(assignment, training),
        form=ActionForm(), zone=training.time_zone, caption_report=checked)
    return body, status_code


@bp.get("/trainings/<slug>/penilaian-tugas/kiriman/<int:submission_id>")
@role_required(*STAFF)
def submission(slug: str, submission_id: int) -> ResponseReturnValue:
    training = _training(slug)
    return _page(training, _submission(training, submission_id))


@bp.post("/trainings/<slug>/penilaian-tugas/kiriman/<int:submission_id>")
@role_required(*STAFF)
def save(slug: str, submission_id: int) -> ResponseReturnValue:
    """Save the levels and comments; then, by the button pressed, return for revision or give the final score.

    A snippet button (`insert`) appends the snippet to its comment and saves, for phones without JavaScript.
    """
    training = _training(slug)
    submission = _submission(training, submission_id)
    _valid_csrf()
    assignment = submission.assignment
    action = request.form.get("do", "save")
    version = _version()
    now = utcnow()
    try:
        data = review_pages.read_review_form(assignment, request.form)
    except ValidationFailed as exc:
        flash(exc.message, "danger")
        return _page(training, submission, status_code=400)
    inserted = request.form.get("insert", "")
    if inserted:
        try:
            snippet = review_pages.get_snippet(assignment, bounded_int(inserted))
        except ValueError:
            snippet = None
        if snippet is None:
            flash("Komentar siap pakai itu sudah dihapus.", "warning")
        else:
            data = review_pages.with_snippet(data, snippet)
        action = "save"

    def run() -> object:
        review.save_review(current_user, submission, data.levels, data.comments, data.overall, version, now)
        if action == "return":
            return review.return_for_revision(current_user, submission, None, now)
        if action == "decide":
            return review.decide(current_user, submission, None, now)
        return None

    messages = {"save": "Penilaian disimpan.", "return": "Tugas dikembalikan kepada peserta untuk revisi.",
                "decide": "Nilai akhir diberikan."}
    outcome = act(run, success=messages.get(action, messages["save"]))
    if not outcome.ok:
        # Nothing typed is lost: the page comes back with the levels and comments as sent.
        fresh = _submission(training, submission_id)
        return _page(training, fresh, data, status_code=409 if getattr(outcome.error, "status", 400) == 409 else 400)
    anchor = "#komentar-umum" if inserted else ""
    return redirect(url_for(".submission", slug=slug, submission_id=submission_id, status=_filter_key() or None)
                    + anchor)


def _version() -> int | None:
    raw = request.form.get("version", "")
    try:
        return bounded_int(raw)
    except ValueError:
        abort(400)


@bp.post("/trainings/<slug>/penilaian-tugas/kiriman/<int:submission_id>/buka")
@role_required(*STAFF)
def reopen(slug: str, submission_id: int) -> ResponseReturnValue:
    training = _training(slug)
    submission = _submission(training, submission_id)
    _valid_csrf()
    reason = request.form.get("reason", "")
    act(lambda: review.reopen(current_user, submission, reason, _version(), utcnow()),
        success="Penilaian dibuka kembali; ubah level atau komentar lalu beri nilai akhir lagi.")
    return redirect(url_for(".submission", slug=slug, submission_id=submission_id, status=_filter_key() or None))


@bp.post("/trainings/<slug>/penilaian-tugas/<int:assignment_id>/komentar")
@role_required(*STAFF)
def add_snippet(slug: str, assignment_id: int) -> ResponseReturnValue:
    training = _training(slug)
    assignment = _assignment(training, assignment_id)
    _valid_csrf()
    back = _back(training)
    act(lambda: review_pages.add_snippet(current_user, training, assignment, request.form.get("criterion_id", ""),
                                         request.form.get("text", ""), utcnow()),
        success="Komentar siap pakai disimpan.")
    return redirect(back)


@bp.post("/trainings/<slug>/penilaian-tugas/<int:assignment_id>/komentar/<int:snippet_id>/hapus")
@role_required(*STAFF)
def delete_snippet(slug: str, assignment_id: int, snippet_id: int) -> ResponseReturnValue:
    training = _training(slug)
    assignment = _assignment(training, assignment_id)
    _valid_csrf()
    snippet = review_pages.get_snippet(assignment, snippet_id)
    if snippet is None:
        abort(404)
    back = _back(training)
    act(lambda: review_pages.delete_snippet(current_user, training, assignment, snippet, utcnow()),
        success="Komentar siap pakai dihapus.")
    return redirect(back)


def _back(training: Training) -> str:
    """Return to the submission the snippet form was on (an id of this training), else the training's list."""
    try:
        submission_id = bounded_int(request.form.get("submission_id", ""))
    except ValueError:
        return url_for(".index", slug=training.slug)
    found = db.session.get(Submission, submission_id)
    if found is None or found.training_id != training.id:
        return url_for(".index", slug=training.slug)
    return url_for(".submission", slug=training.slug, submission_id=submission_id,
                   status=_filter_key() or None) + "#cuplikan"


@bp.get("/trainings/<slug>/penilaian-tugas/<int:assignment_id>/target-opd")
@role_required(*STAFF)
def opd_target(slug: str, assignment_id: int) -> ResponseReturnValue:
    training = _training(slug)
    assignment = _assignment(training, assignment_id)
    if not assignment.opd_target:
        abort(404)
    groups = review.opd_counts(training, assignment)
    return render_template("assignment_review/opd_target.html", training=training, assignment=assignment,
                           groups=groups, met=sum(g.met for g in groups),
                           links={p.url: is_web_link(p.url) for g in groups for p in g.posts})


@bp.post("/trainings/<slug>/penilaian-tugas/<int:assignment_id>/unduh.zip")
@role_required(*STAFF)
def download(slug: str, assignment_id: int) -> ResponseReturnValue:
    """The ZIP of the hand-ins: a POST (a button), since every download is recorded in the audit log."""
    training = _training(slug)
    assignment = _assignment(training, assignment_id)
    _valid_csrf()
    archive, _count = review_pages.build_zip(current_user, training, assignment, utcnow())
    db.session.commit()  # the audit event of the download
    response = send_file(archive, mimetype="application/zip", as_attachment=True,
                         download_name=review_pages.zip_name(training, assignment))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/trainings/<slug>/penilaian-tugas/berkas/<int:file_id>")
@role_required(*STAFF)
def file(slug: str, file_id: int) -> ResponseReturnValue:
    """A hand-in's image (inline) or PDF (download) for the training's reviewers; unknown or foreign: 404."""
    training = _training(slug)
    found = services.file_for(current_user, file_id)
    if found is None or found[0].submission.training_id != training.id:
        abort(404)
    return send_stored(*found)
