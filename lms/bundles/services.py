"""Use cases of training bundles: export one training, preview an import, apply it (all or nothing)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.bundles.archive import BundleReader, BundleRefused, ReadLimits, open_bundle
from lms.bundles.exporting import ExportResult, export_training
from lms.bundles.importing import ImportPlan, import_bundle
from lms.errors import LmsError
from lms.extensions import db
from lms.trainings.models import Training

__all__ = ["BundleRefused", "ExportResult", "ImportBlocked", "ImportPlan", "apply", "bundle_name", "export",
           "limits", "preview"]


class ImportBlocked(LmsError):
    """The bundle was read, but a conflict keeps it out; the plan lists every problem."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("Impor dibatalkan; tidak ada yang diubah. " + " ".join(p.text for p in plan.blocking))
        self.plan = plan


def limits() -> ReadLimits:
    return ReadLimits(max_bytes=int(current_app.config["BUNDLE_MAX_BYTES"]))


def bundle_name(training: Training, now: datetime) -> str:
    """Name a bundle file after the training and the moment (UTC): bundel-<slug>-20261203-1215.zip."""
    return f"bundel-{training.slug}-{now:%Y%m%d-%H%M}.zip"


def export(training: Training, output: Path, now: datetime, actor: User | None) -> ExportResult:
    """Write the training's bundle to output; the audit event is flushed with the caller's transaction."""
    return export_training(training, output, now, actor)


def preview(path: Path, now: datetime, actor: User | None, accept_institution: bool = False) -> ImportPlan:
    """Run the import inside a savepoint and undo it: the plan says exactly what applying would do."""
    reader = open_bundle(path, limits())
    try:
        with db.session.begin_nested() as savepoint:
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
        with db.session.begin_nested() as savepoint:
            plan = import_bundle(reader, accounts.ensure_institution(), now, actor, accept_institution)
            if plan.blocking:
                savepoint.rollback()
    finally:
        reader.close()
    db.session.expire_all()
    if plan.blocking:
        raise ImportBlocked(plan)
    return plan
