"""The home page (Beranda) for every role, and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from lms import storage
from lms.accounts.models import Role
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.accounts.services import active_counts, current_institution, find_institution
from lms.assignments import handin
from lms.courses import services as course_services
from lms.db_types import utcnow
from lms.evaluations import services as evaluation_services
from lms.extensions import db
from lms.trainings import scope as trainings

bp = Blueprint("core", __name__)


@bp.get("/")
@role_required(*ANY_ROLE)
def home() -> ResponseReturnValue:
    counts: dict[str, Any] = active_counts() if current_user.has_role(Role.ADMIN) else {}
    tests: list[trainings.OpenTest] = []
    evaluations: list[tuple[Any, int]] = []
    tasks: list[handin.TaskRow] = []
    if current_user.has_role(Role.PARTICIPANT):
        mine = trainings.participant_trainings(current_user)
        courses = course_services.courses_for(current_user, trainings.participant_course_ids(current_user))
        tests = trainings.open_tests(current_user, mine, utcnow())
        evaluations = evaluation_services.open_for_participant(current_user, mine, utcnow())
        tasks = handin.task_rows(current_user, utcnow(), mine)
    else:
        mine, courses = trainings.visible_trainings(current_user)[:5], []
    return render_template("home.html", institution=current_institution(), counts=counts, courses=courses,
                           trainings=mine, tests=tests, evaluations=evaluations,
                           tasks=tasks)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    problem = _database_problem()
    if problem:
        return jsonify(status="error", database=problem), 503
    if storage.disk_low(current_app):
        return jsonify(status="error", database="ok", disk="full",
                       free_mb=storage.free_megabytes(current_app.instance_path)), 503
    return jsonify(status="ok", database="ok", disk="ok")


def _database_problem() -> str:
    """Return why the database cannot answer ("disk_full", "unreachable"), or "" when it does."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the database is unreachable
        db.session.rollback()
        return "disk_full" if storage.is_disk_full(exc) else "unreachable"
    return ""


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers and crawlers ask for /favicon.ico on their own: send them to the fingerprinted icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=302)


@bp.get("/institution/logo")
def institution_logo() -> ResponseReturnValue:
    institution = find_institution(with_logo=True)
    if institution is None or not institution.logo:
        abort(404)
    response = Response(institution.logo, mimetype=institution.logo_mime or "image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
