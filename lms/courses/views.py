"""Modul Saya, the course page, the lesson reader, and the staff progress report."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.security import safe_join

from lms.accounts.models import Role
from lms.accounts.permissions import ANY_ROLE, STAFF, role_required
from lms.assignments import services as assignments
from lms.courses import services
from lms.courses.content import Download, asset_type, downloads, plain_svg
from lms.courses.models import Course, Lesson
from lms.db_types import utcnow
from lms.forms import ActionForm, act
from lms.markdown import render
from lms.routing import bounded_int
from lms.trainings import scope as trainings

bp = Blueprint("courses", __name__, url_prefix="/courses")


def _allowed_course_ids() -> list[int] | None:
    """Participants read the courses of their trainings; staff read every course."""
    if current_user.has_role(Role.PARTICIPANT):
        return trainings.participant_course_ids(current_user)
    return None


def _course_or_404(slug: str) -> Course:
    course = services.get_course(slug)
    allowed = _allowed_course_ids()
    if course is None or (allowed is not None and course.id not in allowed):
        abort(404)
    return course


@bp.get("/")
@role_required(*ANY_ROLE)
def index() -> ResponseReturnValue:
    return render_template("courses/index.html", items=services.courses_for(current_user, _allowed_course_ids()))


@bp.get("/<slug>")
@role_required(*ANY_ROLE)
def course(slug: str) -> ResponseReturnValue:
    item = _course_or_404(slug)
    lessons = services.current_lessons(item)
    progress = services.progress_map(current_user, lessons)
    done = sum(1 for p in progress.values() if p.completed_at)
    return render_template("courses/course.html", course=item, lessons=lessons, progress=progress,
                           done=done, resume=services.resume_lesson(lessons, progress),
                           downloads=_downloads(lessons))


def _downloads(lessons: list[Lesson]) -> list[tuple[Download, Lesson]]:
    """Every file the course's lessons link for download, once, with the first lesson that teaches it."""
    seen: dict[str, tuple[Download, Lesson]] = {}
    for item in lessons:
        for download in downloads(item.body):
            seen.setdefault(download.filename, (download, item))
    return list(seen.values())


@bp.get("/<slug>/<lesson_slug>")
@role_required(*ANY_ROLE)
def lesson(slug: str, lesson_slug: str) -> ResponseReturnValue:
    item, lessons, index = _lesson_or_404(slug, lesson_slug)
    tasks = (assignments.tasks_for_lesson(current_user, slug, lesson_slug)
             if current_user.has_role(Role.PARTICIPANT) else [])
    return render_template("courses/lesson.html", course=item, lesson=lessons[index], lessons=lessons,
                           index=index, progress=services.progress_map(current_user, lessons),
                           body=render(lessons[index].body), form=ActionForm(), tasks=tasks)


@bp.post("/<slug>/<lesson_slug>/viewed")
@role_required(*ANY_ROLE)
def viewed(slug: str, lesson_slug: str) -> ResponseReturnValue:
    """Remember that the lesson was opened (for "Lanjutkan"): posted by lesson.js, as a GET writes nothing."""
    _, lessons, index = _lesson_or_404(slug, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: services.record_view(current_user, lessons[index], utcnow()))
    return "", 204


@bp.post("/<slug>/<lesson_slug>/complete")
@role_required(*ANY_ROLE)
def complete(slug: str, lesson_slug: str) -> ResponseReturnValue:
    item, lessons, index = _lesson_or_404(slug, lesson_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = request.form.get("done", "1") == "1"
    act(lambda: services.set_completed(current_user, lessons[index], done, utcnow()))
    if done and index + 1 < len(lessons):
        flash(f"\"{lessons[index].title}\" ditandai selesai.", "success")
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    if done:
        flash("Selamat, semua pelajaran modul ini sudah selesai." if _all_done(lessons) else
              "Pelajaran terakhir ditandai selesai.", "success")
    return redirect(url_for("courses.course", slug=slug) if done else
                    url_for("courses.lesson", slug=slug, lesson_slug=lesson_slug))


def _lesson_or_404(slug: str, lesson_slug: str) -> tuple[Course, list[Lesson], int]:
    """Return the course, its current lessons and the index of the one named, or answer 404."""
    item = _course_or_404(slug)
    lessons = services.current_lessons(item)
    index = next((i for i, lesson in enumerate(lessons) if lesson.slug == lesson_slug), None)
    if index is None:
        abort(404)
    return item, lessons, index


def _all_done(lessons: list[Lesson]) -> bool:
    progress = services.progress_map(current_user, lessons)
    return all(progress.get(item.id) and progress[item.id].completed_at for item in lessons)


@bp.get("/<slug>/assets/<path:filename>")
@role_required(*ANY_ROLE)
def asset(slug: str, filename: str) -> ResponseReturnValue:
    """Serve an allowlisted asset with its own type: images inline, everything else downloaded."""
    _course_or_404(slug)
    mimetype = asset_type(filename)
    if mimetype is None:
        abort(404)
    folder = current_app.config["COURSES_DIR"] / slug / "assets"
    path = safe_join(str(folder), filename)
    if path is None or (mimetype == "image/svg+xml" and not plain_svg(Path(path))):
        abort(404)
    # ?unduh=1: a lesson's link to an image (a template to take home) downloads it.
    download = not mimetype.startswith("image/") or request.args.get("unduh") == "1"
    response = send_from_directory(folder, filename, mimetype=mimetype, max_age=3600, as_attachment=download)
    response.cache_control.public = False  # for signed-in readers only: no shared cache keeps a copy
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, an asset gets no script, no plugin and no origin of ours.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    return response


@bp.get("/<slug>/progress")
@role_required(*STAFF)
def progress(slug: str) -> ResponseReturnValue:
    item = _course_or_404(slug)
    page = services.participants_page(_scope_user_ids(), request.args.get("page", 1, type=bounded_int),
                                      current_app.config["PAGE_SIZE"])
    lessons = services.current_lessons(item)
    return render_template("courses/progress.html", course=item, page=page, total=len(lessons),
                           progress=services.progress_by_user(item, page.items))


def _scope_user_ids() -> list[int] | None:
    """A trainer sees the participants of their own trainings; an admin sees everyone."""
    if current_user.has_role(Role.ADMIN):
        return None
    return sorted({uid for t in trainings.visible_trainings(current_user) for uid in trainings.participant_ids(t)})
