"""The report page of a training: narratives, documentation photos, and the PDF/DOCX downloads.

Admins write the report; the training's trainers may read it and download it; participants and
the trainers of other trainings get 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.models import Role
from lms.accounts.permissions import STAFF, role_required
from lms.db_types import utcnow
from lms.forms import ActionForm, act, validate_all
from lms.reports import laporan, services
from lms.reports.forms import NarrativeForm, PhotoForm
from lms.reports.models import NARRATIVES
from lms.trainings import scope
from lms.trainings.models import Training
from lms.web import send_bytes

bp = Blueprint("laporan", __name__, url_prefix="/trainings")


def _training(slug: str, edit: bool = False) -> Training:
    training = scope.get_training(slug)
    if training is None:
        abort(404)
    allowed = services.can_edit(current_user, training) if edit else scope.can_manage(current_user, training)
    if not allowed:
        abort(403)
    return training


def _narratives(form: NarrativeForm) -> dict[str, str]:
    return {key: getattr(form, key).data or "" for key in NARRATIVES}


def _page(training: Training, form: NarrativeForm, preview: dict[str, str] | None = None,
          photo_form: PhotoForm | None = None, status: int = 200, opened: str = "") -> ResponseReturnValue:
    data = laporan.gather(training, utcnow(), current_user)
    texts = laporan.narratives(data, laporan.draft_facts(data))
    return render_template("reports/laporan.html", training=training, form=form, texts=texts,
                           preview=preview, photos=services.photos(training), photo_form=photo_form or PhotoForm(),
                           action_form=ActionForm(), editable=services.can_edit(current_user, training),
                           labels=NARRATIVES, opened=opened), status


@bp.get("/<slug>/laporan")
@role_required(*STAFF)
def page(slug: str) -> ResponseReturnValue:
    training = _training(slug)
    form = NarrativeForm(data=services.saved_narratives(training))
    draft = request.args.get("draf", "")
    if draft in NARRATIVES:  # fill one field with its generated draft, to edit from there (saves nothing)
        getattr(form, draft).data = laporan.drafts_of(laporan.gather(training, utcnow(), current_user))[draft]
    return _page(training, form, opened=draft)


@bp.post("/<slug>/laporan")
@role_required(Role.ADMIN)
def save(slug: str) -> ResponseReturnValue:
    training = _training(slug, edit=True)
    form = NarrativeForm()
    if not validate_all(form, lambda: services.check_narratives(_narratives(form))):
        return _page(training, form, status=400)
    if form.preview.data:
        return _page(training, form, preview=_narratives(form))
    if act(lambda: services.save_narratives(training, _narratives(form), current_user, utcnow()), form,
           "Narasi laporan disimpan.").ok:
        return redirect(url_for("laporan.page", slug=slug))
    return _page(training, form, status=400)


@bp.get("/<slug>/laporan.<kind>")
@role_required(*STAFF)
def download(slug: str, kind: str) -> ResponseReturnValue:
    training = _training(slug)
    if kind not in laporan.FORMATS:
        abort(404)
    body = laporan.render(training, utcnow(), kind, current_user)
    return send_bytes(body, laporan.FORMATS[kind], f"laporan-{training.slug}.{kind}", private=True)


@bp.post("/<slug>/laporan/foto")
@role_required(Role.ADMIN)
def photo_add(slug: str) -> ResponseReturnValue:
    training = _training(slug, edit=True)
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        if act(lambda: services.add_photo(training, upload.read(), form.caption.data or "", current_user, utcnow()),
               form, "Foto dokumentasi ditambahkan.").ok:
            return redirect(url_for("laporan.page", slug=slug) + "#dokumentasi")
    return _page(training, NarrativeForm(data=services.saved_narratives(training)), photo_form=form, status=400)


@bp.post("/<slug>/laporan/foto/<int:photo_id>/hapus")
@role_required(Role.ADMIN)
def photo_delete(slug: str, photo_id: int) -> ResponseReturnValue:
    training = _training(slug, edit=True)
    photo = services.find_photo(training, photo_id)
    if photo is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    act(lambda: services.delete_photo(training, photo, current_user, utcnow()), success="Foto dihapus.")
    return redirect(url_for("laporan.page", slug=slug) + "#dokumentasi")


@bp.get("/<slug>/laporan/foto/<int:photo_id>")
@role_required(*STAFF)
def photo(slug: str, photo_id: int) -> ResponseReturnValue:
    training = _training(slug)
    found = services.find_photo(training, photo_id)
    if found is None:
        abort(404)
    return send_bytes(found.data, found.mime, f"foto-{found.id}.{found.mime.rpartition('/')[2]}", attachment=False,
                      private=True)
