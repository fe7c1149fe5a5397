"""Cek Caption pages: the checker anyone logged in can use, and its JSON endpoint for live checks."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.permissions import ANY_ROLE, role_required
from lms.caption import report
from lms.caption.forms import CaptionForm
from lms.extensions import limiter
from lms.ratelimits import private_key

bp = Blueprint("caption", __name__, url_prefix="/caption")
# Live checking sends one request about a second after typing stops: 40 a minute is ample for a
# person, and bounds what one account can make the server do. The page and the endpoint share it.
CHECK_LIMIT = "40 per minute"


def _limit_key() -> str:
    return private_key("caption", str(current_user.id))


@bp.route("/", methods=["GET", "POST"])
@role_required(*ANY_ROLE)
@limiter.shared_limit(CHECK_LIMIT, scope="caption-check", methods=["POST"], key_func=_limit_key)
def page() -> ResponseReturnValue:
    form = CaptionForm()
    result = None
    if form.validate_on_submit():
        result = report.build(form.text.data or "", form.platform.data, current_app.config["COURSES_DIR"])
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template("caption/page.html", form=form, report=result), status


@bp.post("/periksa.json")
@role_required(*ANY_ROLE)
@limiter.shared_limit(CHECK_LIMIT, scope="caption-check", key_func=_limit_key)
def check_json() -> ResponseReturnValue:
    """Check request.form's text and platform; answer the findings and their rendered panel."""
    form = CaptionForm()
    if not form.validate_on_submit():
        message = " ".join(f"{getattr(form, name).label.text}: {' '.join(errors)}"
                           for name, errors in form.errors.items())
        return jsonify(error="invalid", message=message), 422
    result = report.build(form.text.data or "", form.platform.data, current_app.config["COURSES_DIR"])
    html = render_template("caption/_result.html", report=result, prefix=_prefix())
    return jsonify(**result.as_dict(), html=html)


def _prefix() -> str:
    """Return the page's prefix for the findings' element ids (several panels may share a page)."""
    value = request.form.get("prefix", "")
    return value if re.fullmatch(r"[a-z][a-z0-9-]{0,30}", value) else "cc"
