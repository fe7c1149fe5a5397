"""Admin pages: download a training's bundle, upload one with a preview, then apply it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.accounts.models import Role
from lms.accounts.permissions import role_required
from lms.bundles import services
from lms.bundles.forms import BundleUploadForm
from lms.bundles.importing import ImportPlan
from lms.bundles.models import BundleUpload
from lms.db_types import utcnow
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import ActionForm, act, show_error
from lms.trainings.scope import get_training

bp = Blueprint("bundles", __name__, url_prefix="/admin/bundles")


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Bundles carry photos and PDFs: their own limit, set before anything (the CSRF check) reads the form.
    if endpoint == "bundles.upload":
        request.max_content_length = int(current_app.config["BUNDLE_MAX_BYTES"])


@bp.post("/export/<slug>")
@role_required(Role.ADMIN)
def export(slug: str) -> ResponseReturnValue:
    """Send the training's bundle as a download (written to a temporary file, removed once sent)."""
    training = get_training(slug) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    now = utcnow()
    handle, name = tempfile.mkstemp(prefix="lms-bundle-", suffix=".zip")
    os.close(handle)
    path = Path(name)
    services.export(training, path, now, current_user)
    db.session.commit()
    return Response(_stream(path), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{services.bundle_name(training, now)}"',
        "Content-Length": str(path.stat().st_size), "Cache-Control": "no-store"})


def _stream(path: Path) -> Iterator[bytes]:
    """Send the file a chunk at a time (a bundle may be hundreds of MB), then remove it."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def upload() -> ResponseReturnValue:
    form = BundleUploadForm()
    if form.validate_on_submit():
        file = form.file.data
        data = file.read()
        file.close()  # a large upload is spooled to a temporary file: let it go now
        staged = act(lambda: services.stage_upload(file.filename or "bundel.zip", data,
                                                   bool(form.accept_institution.data), current_user, utcnow()), form)
        if staged.value is not None:
            return _preview(staged.value, form)
    return render_template("bundles/import.html", form=form, limit=_limit_text())


def _preview(staged: BundleUpload, form: BundleUploadForm) -> ResponseReturnValue:
    try:
        plan = services.preview_upload(staged, utcnow(), current_user)
    except LmsError as exc:
        db.session.rollback()
        services.discard_upload(staged)
        db.session.commit()
        show_error(form, exc)
        return render_template("bundles/import.html", form=form, limit=_limit_text())
    db.session.commit()
    return render_template("bundles/preview.html", plan=plan, upload=staged, confirm=ActionForm())


@bp.post("/import/<int:upload_id>/apply")
@role_required(Role.ADMIN)
def apply(upload_id: int) -> ResponseReturnValue:
    staged = services.upload_of(upload_id, current_user) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        plan = services.apply_upload(staged, utcnow(), current_user)
    except services.ImportBlocked as exc:
        db.session.rollback()
        flash("Impor dibatalkan; tidak ada yang diubah. Selesaikan masalah di bawah, lalu unggah lagi.", "danger")
        return render_template("bundles/preview.html", plan=exc.plan, upload=staged, confirm=None)
    except LmsError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("bundles.upload"))
    db.session.commit()
    flash(_done(plan), "success")
    return redirect(url_for("trainings.show", slug=(plan.manifest.get("training") or {}).get("slug", "")))


def _done(plan: ImportPlan) -> str:
    if not plan.changed:
        return "Impor selesai: tidak ada yang berubah; data di sini sudah sama dengan bundel."
    new = plan.accounts.get("new", 0)
    slips = (f" {new} akun baru belum memiliki kata sandi: cetak slip kata sandi sekali pakai di tab Peserta."
             if new else "")
    return f"Impor selesai: {plan.summary()}.{slips}"


@bp.post("/import/<int:upload_id>/cancel")
@role_required(Role.ADMIN)
def cancel(upload_id: int) -> ResponseReturnValue:
    staged = services.upload_of(upload_id, current_user) or abort(404)
    if ActionForm().validate_on_submit():
        act(lambda: services.discard_upload(staged), success="Bundel dibuang; tidak ada yang diimpor.")
    return redirect(url_for("bundles.upload"))


def _limit_text() -> str:
    return f"{int(current_app.config['BUNDLE_MAX_BYTES']) // (1024 * 1024)} MB"
