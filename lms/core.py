"""The home page (Beranda) for every role, and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select, text

from lms import storage
from lms.accounts.models import Agency, Role, User
from lms.accounts.permissions import ANY_ROLE, role_required
from lms.accounts.services import find_institution, get_institution
from lms.courses import services as course_services
from lms.extensions import db
from lms.trainings import scope as trainings

bp = Blueprint("core", __name__)


@bp.get("/")
@role_required(*ANY_ROLE)
def home() -> str:
    institution = get_institution()
    counts: dict[str, Any] = {}
    if current_user.has_role(Role.ADMIN):
        rows = db.session.execute(select(User.role, func.count()).where(User.active.is_(True))
                                  .group_by(User.role)).all()
        counts = {role: n for role, n in rows}
        counts["agencies"] = db.session.scalar(select(func.count(Agency.id)))
    if current_user.has_role(Role.PARTICIPANT):
        mine = trainings.participant_trainings(current_user)
        courses = course_services.courses_for(current_user, trainings.participant_course_ids(current_user))
    else:
        mine, courses = trainings.visible_trainings(current_user)[:5], []
    return render_template("home.html", institution=institution, counts=counts, courses=courses,
                           trainings=mine)


@bp.get("/healthz")
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the database is unreachable
        db.session.rollback()
        state = "disk_full" if storage.is_disk_full(exc) else "unreachable"
        return jsonify(status="error", database=state), 503
    if storage.disk_low(current_app):
        return jsonify(status="error", database="ok", disk="full",
                       free_mb=storage.free_megabytes(current_app.instance_path)), 503
    return jsonify(status="ok", database="ok", disk="ok")


@bp.get("/institution/logo")
def institution_logo() -> Response:
    institution = find_institution(with_logo=True)
    if institution is None or not institution.logo:
        abort(404)
    response = Response(institution.logo, mimetype=institution.logo_mime or "image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
