"""Open Badges 3.0: the holder's credential download and the public issuer, key and status-list addresses."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.permissions import ANY_ROLE, role_required
from lms.certificates import badges
from lms.certificates.models import Certificate
from lms.certificates.views import VERIFY_LIMIT
from lms.db_types import utcnow
from lms.evaluations import services as evaluations
from lms.extensions import db, limiter
from lms.web import send_bytes

bp = Blueprint("badges", __name__)


@bp.get("/certificates/<int:certificate_id>/openbadge.jwt")
@role_required(*ANY_ROLE)
def download(certificate_id: int) -> ResponseReturnValue:
    """The holder's own certificate as a signed OB 3.0 credential (nobody else's: not an admin's either)."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.user_id != current_user.id:
        abort(403)
    reason = badges.refusal(certificate) or evaluations.certificate_block_reason(current_user, certificate.training)
    if reason:
        flash(reason, "warning")
        return redirect(url_for("certificates.mine"))
    signed = badges.download(certificate)
    return send_bytes(signed.token.encode(), badges.MEDIA_TYPE, signed.filename, private=True)


def _public_json(document: dict[str, object], mimetype: str = "application/json") -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in other sites' pages fetch these
    return response


@bp.get("/badges/issuer")
@limiter.limit(VERIFY_LIMIT)
def issuer() -> ResponseReturnValue:
    return _public_json(badges.issuer_profile(), "application/ld+json")


@bp.get("/badges/jwks.json")
@limiter.limit(VERIFY_LIMIT)
def jwks() -> ResponseReturnValue:
    return _public_json(badges.jwks(), "application/jwk-set+json")


@bp.get("/badges/status/<int:number>")
@limiter.limit(VERIFY_LIMIT)
def status_list(number: int) -> ResponseReturnValue:
    if number >= badges.list_count():
        abort(404)
    response = Response(badges.status_list_credential(number, utcnow()), mimetype=badges.MEDIA_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={badges.STATUS_TTL_SECONDS}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
