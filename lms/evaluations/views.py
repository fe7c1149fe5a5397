"""Evaluation pages: a participant's list and forms, and the results for staff."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.models import Role
from lms.accounts.permissions import ANY_ROLE, STAFF, role_required
from lms.db_types import utcnow
from lms.evaluations import services
from lms.forms import ActionForm, act
from lms.trainings import scope
from lms.trainings.models import Training

bp = Blueprint("evaluations", __name__, url_prefix="/trainings")


def _training(slug: str) -> Training:
    training = scope.get_training(slug)
    if training is None:
        abort(404)
    if not scope.can_view(current_user, training):
        abort(403)
    return training


@bp.get("/<slug>/evaluasi")
@role_required(*ANY_ROLE)
def index(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    if scope.can_manage(current_user, training):
        return redirect(url_for("evaluations.results", slug=slug))
    return render_template("evaluations/index.html", training=training,
                           view=services.for_participant(current_user, training, utcnow()))


@bp.route("/<slug>/evaluasi/<questionnaire>/<path:key>", methods=["GET", "POST"])
@role_required(Role.PARTICIPANT)
def answer(slug: str, questionnaire: str, key: str) -> ResponseReturnValue:
    training = _training(slug)
    target = services.find_target(training, questionnaire, key)
    if target is None:
        abort(404)
    form = ActionForm()
    view = services.for_participant(current_user, training, utcnow())
    done = (questionnaire, key) in view.done
    if request.method == "POST":
        if not form.validate():
            flash("Sesi formulir kedaluwarsa. Jawaban Anda masih di bawah: kirim sekali lagi.", "danger")
        else:
            outcome = act(lambda: services.submit(current_user, training, questionnaire, key, request.form, utcnow()),
                          success="Terima kasih, evaluasi Anda tersimpan.")
            if outcome.ok:
                return redirect(url_for("evaluations.index", slug=slug))
            done = (questionnaire, key) in services.submitted_keys(current_user, training)
        status = 400
    else:
        status = 200
    return render_template("evaluations/form.html", training=training, target=target, form=form, view=view,
                           done=done, values=request.form if request.method == "POST" else {}), status


@bp.get("/<slug>/evaluasi/hasil")
@role_required(*STAFF)
def results(slug: str) -> ResponseReturnValue:
    training = scope.get_training(slug)
    if training is None:
        abort(404)
    if not scope.can_manage(current_user, training):
        abort(403)
    admin = current_user.has_role(Role.ADMIN)
    rows = services.results(current_user, training)
    pending = services.not_submitted(current_user, training) if admin else []
    return render_template("evaluations/results.html", training=training, results=rows, admin=admin,
                           pending=pending, threshold=services.BELOW_THRESHOLD, min_responses=services.MIN_RESPONSES)
