"""Laporan use cases: the saved narratives and the documentation photos of a training.

Services flush and never commit (the view or the command commits once) and take the actor and
`now` explicitly. Every change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from lms.accounts.models import Role, User
from lms.assignments.files import clean_image
from lms.audit import services as audit
from lms.errors import NotAllowed, Problems, ValidationFailed
from lms.extensions import db
from lms.reports.models import NARRATIVES, ReportPhoto, TrainingReport
from lms.trainings import scope
from lms.trainings.models import Training

# A report section of this many characters is some thirty pages of text: far past any real one.
MAX_NARRATIVE = 60_000
MAX_PHOTOS = 12
MAX_CAPTION = 300
DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024


def can_edit(user: User, training: Training) -> bool:
    """Admins write the report; the training's trainers may read it."""
    return user.has_role(Role.ADMIN) and scope.can_manage(user, training)


def require_editor(user: User, training: Training) -> None:
    if not can_edit(user, training):
        raise NotAllowed("Hanya admin penyelenggara yang dapat mengubah laporan kegiatan.")


def report_of(training: Training) -> TrainingReport | None:
    return db.session.scalars(select(TrainingReport).where(TrainingReport.training_id == training.id)).first()


def saved_narratives(training: Training) -> dict[str, str]:
    """Return each narrative's saved Markdown ("" where none is saved: the report prints its draft)."""
    report = report_of(training)
    return {key: (getattr(report, key) if report else "") or "" for key in NARRATIVES}


def check_narratives(values: Mapping[str, str]) -> None:
    """Refuse a narrative longer than MAX_NARRATIVE, naming its section."""
    problems = Problems()
    for key, label in NARRATIVES.items():
        length = len(values.get(key, "") or "")
        if length > MAX_NARRATIVE:
            problems.add(f"{label}: paling banyak {MAX_NARRATIVE:,} karakter (sekarang {length:,}).".replace(",", "."),
                         key)
    problems.raise_any()


def save_narratives(training: Training, values: Mapping[str, str], actor: User, now: datetime) -> TrainingReport:
    """Save the narratives (an empty one falls back to its generated draft) and audit which changed."""
    require_editor(actor, training)
    check_narratives(values)
    report = report_of(training)
    if report is None:
        report = TrainingReport(training_id=training.id, **{key: "" for key in NARRATIVES})
        db.session.add(report)
    changed = []
    for key in NARRATIVES:
        text = _normalise(values.get(key, "") or "")
        if text != (getattr(report, key) or ""):
            setattr(report, key, text)
            changed.append(key)
    if changed:
        report.updated_at, report.updated_by_id = now, actor.id
        audit.record(actor, "report.update", "training", training.id, {"fields": changed}, now=now)
    db.session.flush()
    return report


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()


# ---------------------------------------------------------------- photos


def max_photo_bytes() -> int:
    return int(current_app.config.get("REPORT_MAX_PHOTO_BYTES", DEFAULT_MAX_PHOTO_BYTES))


def photos(training: Training, with_data: bool = False) -> list[ReportPhoto]:
    """Return the training's documentation photos in their order (one query)."""
    query = select(ReportPhoto).where(ReportPhoto.training_id == training.id).order_by(ReportPhoto.position,
                                                                                        ReportPhoto.id)
    if with_data:
        query = query.options(undefer(ReportPhoto.data))
    return list(db.session.scalars(query))


def add_photo(training: Training, data: bytes, caption: str, actor: User, now: datetime) -> ReportPhoto:
    """Store a photo re-encoded without its metadata (EXIF, GPS), at most MAX_PHOTOS per training."""
    require_editor(actor, training)
    caption = " ".join(caption.split())
    problems = Problems()
    count = db.session.scalar(select(func.count(ReportPhoto.id)).where(ReportPhoto.training_id == training.id)) or 0
    if count >= MAX_PHOTOS:
        problems.add(f"Paling banyak {MAX_PHOTOS} foto dokumentasi per kegiatan; hapus satu lebih dulu.", "photo")
    if not caption:
        problems.add("Keterangan foto wajib diisi (mis. \"Pembukaan oleh Kepala Dinas\").", "caption")
    elif len(caption) > MAX_CAPTION:
        problems.add(f"Keterangan foto paling banyak {MAX_CAPTION} karakter.", "caption")
    clean = None
    try:
        clean = clean_image(data, max_photo_bytes(), "Foto dokumentasi")
    except ValidationFailed as exc:
        problems.add(exc.message, "photo")
    problems.raise_any()
    assert clean is not None and clean.width is not None and clean.height is not None
    position = (db.session.scalar(select(func.max(ReportPhoto.position))
                                  .where(ReportPhoto.training_id == training.id)) or 0) + 1
    photo = ReportPhoto(training_id=training.id, position=position, caption=caption, mime=clean.mime,
                        width=clean.width, height=clean.height, sha256=clean.sha256, data=clean.data,
                        created_at=now, created_by_id=actor.id)
    db.session.add(photo)
    db.session.flush()
    audit.record(actor, "report.photo_add", "training", training.id,
                 {"photo": photo.id, "sha256": clean.sha256}, now=now)
    return photo


def delete_photo(training: Training, photo: ReportPhoto, actor: User, now: datetime) -> None:
    require_editor(actor, training)
    audit.record(actor, "report.photo_delete", "training", training.id, {"photo": photo.id, "sha256": photo.sha256},
                 now=now)
    db.session.delete(photo)
    db.session.flush()


def find_photo(training: Training, photo_id: int) -> ReportPhoto | None:
    photo = db.session.get(ReportPhoto, photo_id)
    return photo if photo is not None and photo.training_id == training.id else None
