"""Browse the audit log (admins)."""

from __future__ import annotations

import math
from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.accounts.services import current_institution, staff_members
from lms.audit import presenter, services
from lms.audit.services import ACTION_LABELS, AuditFilter
from lms.dates import zone_info
from lms.routing import bounded_int

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _date_arg(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    # Far years overflow when the day's bounds are moved to UTC; no event lies there anyway.
    return day if 1900 <= day.year <= 2999 else None


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    args = request.args
    criteria = AuditFilter(actor_id=args.get("actor", type=bounded_int), action=args.get("action", ""),
                           object_type=args.get("object_type", ""),
                           object_id=args.get("object_id", ""),
                           date_from=_date_arg("from"), date_to=_date_arg("to"))
    page = max(args.get("page", 1, type=bounded_int), 1)
    per_page = current_app.config["PAGE_SIZE"]
    zone = current_institution().time_zone
    events, total = services.search(criteria, page, per_page, zone_info(zone))
    return render_template("audit/index.html", lines=presenter.present(events), total=total, page=page,
                           pages=max(math.ceil(total / per_page), 1), criteria=criteria,
                           actions=services.actions_in_use(), labels=ACTION_LABELS,
                           object_labels=presenter.OBJECT_LABELS, staff=staff_members(),
                           zone=zone)
