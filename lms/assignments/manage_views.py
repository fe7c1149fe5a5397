"""A training's "Tugas" tab: which assignments it gives, and the form of its own assignments.

For admins and the training's trainers (others: 403; anonymous: the login page).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup
from wtforms import BooleanField, HiddenField

from lms.accounts.permissions import STAFF, role_required
from lms.assignments import manage, manage_forms, services
from lms.assignments.manage_forms import AssignmentForm, Shown
from lms.assignments.models import Assignment
from lms.dates import zone_label
from lms.db_types import utcnow
from lms.forms import Form, act
from lms.markdown import render
from lms.trainings import scope as trainings
from lms.trainings.models import Training

bp = Blueprint("assignment_manage", __name__)


class ChoiceForm(Form):
    given = HiddenField()
    confirm = BooleanField("Saya mengerti: kiriman tetap tersimpan, tetapi tugas ini tidak lagi terlihat oleh "
                           "peserta dan tidak lagi menjadi syarat sertifikat.")


def _training(slug: str) -> Training:
    training = trainings.get_training(slug)
    if training is None:
        abort(404)
    if not trainings.can_manage(current_user, training):
        abort(403)
    return training


@bp.get("/trainings/<slug>/tugas")
@role_required(*STAFF)
def index(slug: str) -> ResponseReturnValue:
    """Every assignment the training can give, with its choice, due time and hand-ins."""
    training = _training(slug)
    return render_template("assignments_manage/index.html", training=training, rows=manage.choice_rows(training),
                           form=ChoiceForm(), zone=zone_label(training.time_zone))


@bp.post("/trainings/<slug>/tugas/<int:assignment_id>/pilihan")
@role_required(*STAFF)
def choose(slug: str, assignment_id: int) -> ResponseReturnValue:
    training = _training(slug)
    assignment = services.get_assignment(assignment_id)
    if assignment is None:
        abort(404)
    form = ChoiceForm()
    if not form.validate_on_submit() or form.given.data not in {"0", "1"}:
        abort(400)
    given = form.given.data == "1"
    done = "diberikan kepada peserta" if given else "tidak diberikan lagi"
    act(lambda: manage.choose(training, assignment, given, current_user, utcnow(), bool(form.confirm.data)),
        success=f"\"{assignment.title}\" {done}.", error_category="warning")
    return redirect(url_for(".index", slug=slug) + f"#tugas-{assignment.id}")


@bp.route("/trainings/<slug>/tugas/baru", methods=["GET", "POST"])
@role_required(*STAFF)
def new(slug: str) -> ResponseReturnValue:
    return _form_page(_training(slug), None)


@bp.route("/trainings/<slug>/tugas/<int:assignment_id>/ubah", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(slug: str, assignment_id: int) -> ResponseReturnValue:
    training = _training(slug)
    assignment = manage.own_assignment(training, assignment_id)
    if assignment is None:
        abort(404)
    return _form_page(training, assignment)


def _form_page(training: Training, assignment: Assignment | None) -> ResponseReturnValue:
    """Show the form; on a rubric or preview button show it again as typed; on "Simpan" check and save."""
    lessons = manage.lesson_choices(training)
    locked = manage.locked(assignment)
    if request.method == "GET":
        return _render(training, assignment, manage_forms.make_form(training, lessons, assignment,
                                                                     blank_rows=not locked), locked)
    form = manage_forms.make_form(training, lessons, assignment, formdata=request.form)
    action = request.form.get("do", "save")
    if action == "preview":
        return _render(training, assignment, form, locked, preview=render(form.instructions.data or ""))
    if action != "save":
        if not locked:
            manage_forms.edit_rows(form, action)
        return _render(training, assignment, form, locked)
    valid = form.validate_on_submit()
    own = manage_forms.own_errors(form)  # before the definition's problems join the fields
    slug = assignment.slug if assignment else manage.new_slug(training, form.title.data or "")
    definition, problems, where = manage_forms.definition_of(form, slug)
    shown = manage_forms.show_problems(form, problems, where)
    if not valid or definition is None:
        return _render(training, assignment, form, locked, own + shown.messages, shown, status=400)
    outcome = act(lambda: manage.save(training, assignment, definition, current_user, utcnow()),
                  error_category=None)
    if outcome.error is None and outcome.value is not None:
        flash(f"Tugas \"{outcome.value.title}\" disimpan.", "success")
        return redirect(url_for(".index", slug=training.slug) + f"#tugas-{outcome.value.id}")
    errors = outcome.error.errors if outcome.error else []
    shown.rubric += [message for name, message in errors if name == "criteria"]
    return _render(training, assignment, form, locked, [m for _, m in errors], shown, status=400)


def _render(training: Training, assignment: Assignment | None, form: AssignmentForm, locked: bool,
            errors: list[str] | None = None, shown: Shown | None = None, preview: Markup | None = None,
            status: int = 200) -> ResponseReturnValue:
    count = manage.handed_in_counts(training, [assignment.id]).get(assignment.id, 0) if assignment else 0
    return render_template("assignments_manage/form.html", training=training, assignment=assignment, form=form,
                           locked=locked, shown=shown or Shown(), errors=errors or [], preview=preview,
                           handed_in=count, zone=zone_label(training.time_zone),
                           maximum=manage_forms.maximum_of(manage_forms.rubric_rows(form)[0])), status
