"""Use cases of training bundles: export one training, preview an import, apply it (all or nothing)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.bundles.archive import BundleReader, BundleRefused, ReadLimits, open_bundle
from lms.bundles.exporting import ExportResult, export_training
from lms.bundles.importing import ImportPlan, import_bundle
from lms.bundles.models import BundleUpload
from lms.dates import compact_stamp
from lms.errors import LmsError
from lms.extensions import db
from lms.trainings.models import Training

__all__ = ["BundleRefused", "ExportResult", "ImportBlocked", "ImportPlan", "apply", "apply_upload", "bundle_name",
           "discard_upload", "export", "limits", "preview", "preview_upload", "stage_upload", "upload_of"]


class ImportBlocked(LmsError):
    """The bundle was read, but a conflict keeps it out; the plan lists every problem."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("Impor dibatalkan; tidak ada yang diubah. " + " ".join(p.text for p in plan.blocking))
        self.plan = plan


def limits() -> ReadLimits:
    return ReadLimits(max_bytes=int(current_app.config["BUNDLE_MAX_BYTES"]))


def bundle_name(training: Training, now: datetime) -> str:
    """Name a bundle file after the training and the moment (UTC): bundel-<slug>-20261203-1215.zip."""
    return f"bundel-{training.slug}-{compact_stamp(now)}.zip"


def export(training: Training, output: Path, now: datetime, actor: User | None) -> ExportResult:
    """Write the training's bundle to output; the audit event is flushed with the caller's transaction."""
    return export_training(training, output, now, actor)


@contextmanager
def _database_refusal() -> Iterator[None]:
    """Turn a constraint the plan did not foresee into a refusal (the savepoint is already undone)."""
    try:
        yield
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None) or str(exc.orig)[:200]
        raise BundleRefused("Impor dibatalkan; tidak ada yang diubah: data bundel bertabrakan dengan data di sini "
                            f"({constraint}).") from exc


def preview(path: Path, now: datetime, actor: User | None, accept_institution: bool = False) -> ImportPlan:
    """Run the import inside a savepoint and undo it: the plan says exactly what applying would do."""
    reader = open_bundle(path, limits())
    try:
        with _database_refusal(), db.session.begin_nested() as savepoint:
            plan = import_bundle(reader, accounts.ensure_institution(), now, actor, accept_institution)
            savepoint.rollback()
    finally:
        reader.close()
    db.session.expire_all()
    return plan


def apply(path: Path, now: datetime, actor: User | None, accept_institution: bool = False) -> ImportPlan:
    """Import the bundle into the session's transaction, or raise ImportBlocked/BundleRefused, changing nothing."""
    reader: BundleReader = open_bundle(path, limits())
    try:
        with _database_refusal(), db.session.begin_nested() as savepoint:
            plan = import_bundle(reader, accounts.ensure_institution(), now, actor, accept_institution)
            if plan.blocking:
                savepoint.rollback()
    finally:
        reader.close()
    db.session.expire_all()
    if plan.blocking:
        raise ImportBlocked(plan)
    return plan


# ---------------------------------------------------------------- uploads through the admin page

UPLOAD_KEEP = timedelta(days=1)


def stage_upload(filename: str, data: bytes, accept_institution: bool, actor: User, now: datetime) -> BundleUpload:
    """Keep an uploaded bundle until its preview is confirmed (older unconfirmed uploads are dropped)."""
    if len(data) > limits().max_bytes:
        raise BundleRefused(f"Berkas {filename} melebihi batas unggah bundel.")
    db.session.execute(delete(BundleUpload).where(BundleUpload.created_at < now - UPLOAD_KEEP))
    upload = BundleUpload(created_by_id=actor.id, created_at=now, filename=filename[:255], size=len(data),
                          accept_institution=accept_institution, data=data)
    db.session.add(upload)
    db.session.flush()
    return upload


@contextmanager
def _as_file(upload: BundleUpload) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lms-bundle-") as folder:
        path = Path(folder) / "bundel.zip"
        path.write_bytes(upload.data)
        yield path


def preview_upload(upload: BundleUpload, now: datetime, actor: User) -> ImportPlan:
    with _as_file(upload) as path:
        return preview(path, now, actor, upload.accept_institution)


def apply_upload(upload: BundleUpload, now: datetime, actor: User) -> ImportPlan:
    """Apply an uploaded bundle and forget the upload, or raise having changed nothing."""
    with _as_file(upload) as path:
        plan = apply(path, now, actor, upload.accept_institution)
    db.session.delete(upload)
    return plan


def upload_of(upload_id: int, actor: User) -> BundleUpload | None:
    """Return an upload of this admin (another admin's stays theirs)."""
    upload = db.session.get(BundleUpload, upload_id)
    return upload if upload is not None and upload.created_by_id == actor.id else None


def discard_upload(upload: BundleUpload) -> None:
    db.session.delete(upload)
