"""The organiser's reminder page of a training: who still owes a test, the evaluation or a task (staff)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.permissions import STAFF, role_required
from lms.accounts.services import current_institution
from lms.db_types import utcnow
from lms.exports import format_arg, send_export
from lms.trainings import reminders, scope
from lms.web import venue_base_url

bp = Blueprint("reminders", __name__, url_prefix="/trainings")
FOLD_AFTER = 10  # a list longer than this starts folded


@bp.get("/<slug>/pengingat")
@role_required(*STAFF)
def page(slug: str) -> ResponseReturnValue:
    training = scope.get_training(slug)
    if training is None:
        abort(404)
    if not scope.can_manage(current_user, training):
        abort(403)
    # The address participants open from the message: the one phones reach (the venue's, on a laptop).
    link = venue_base_url().rstrip("/") + url_for("trainings.show", slug=training.slug)
    data = reminders.reminders(current_user, training, scope.participants(training), utcnow(), link,
                               current_institution().name or "Diskominfo")
    if fmt := format_arg(request.args.get("format")):
        # Phone numbers: a download for the staff only, never kept by a cache.
        return send_export(reminders.export_table(data), fmt, f"pengingat-{training.slug}", training.title,
                           private=True)
    return render_template("trainings/reminders.html", training=training, data=data, fold=FOLD_AFTER)
