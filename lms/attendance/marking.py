"""Changing many roster cells at once, and undoing the last such change exactly.

A bulk change writes one `attendance.mark` event per record it touched, then one
`attendance.bulk` event on the training holding, per record, what it was before (its id and
status, method, time and marker, or that there was no record). Undo puts those back (deleting
the records the change created) if it is the training's last bulk change, not undone yet, and
no record it touched has changed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.models import STATUS_LABELS, AttendanceRecord, AttendanceSession
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.trainings import scope as trainings
from lms.trainings.models import Training

MAX_BULK = 5000  # ids in one request: more than any bimtek enrolls
UNDO_OFFERED_FOR = timedelta(hours=2)  # the roster offers "Batalkan" this long after a bulk change
BULK, UNDO = "attendance.bulk", "attendance.bulk_undo"


@dataclass(frozen=True)
class BulkResult:
    event_id: int
    session: AttendanceSession
    status: str
    changed: int

    @property
    def message(self) -> str:
        return f"{self.changed} peserta ditandai {STATUS_LABELS[self.status]} pada sesi {self.session.label}."


def _check(training: Training, session: AttendanceSession, status: str) -> None:
    if session.training_id != training.id:
        raise ValidationFailed("Sesi ini milik kegiatan lain.")
    if status not in STATUS_LABELS:
        raise ValidationFailed("Status presensi tidak dikenal.", "status")


def set_many(training: Training, session: AttendanceSession, user_ids: Sequence[int], status: str,
             actor: User, now: datetime) -> BulkResult:
    """Give these participants one status in a session; notes are kept. Refuses ids not enrolled."""
    _check(training, session, status)
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        raise ValidationFailed("Pilih minimal satu peserta.", "user_ids")
    if len(wanted) > MAX_BULK:
        raise ValidationFailed(f"Paling banyak {MAX_BULK} peserta sekaligus.", "user_ids")
    enrolled = set(trainings.participant_ids(training))
    if not set(wanted) <= enrolled:
        raise ValidationFailed("Ada peserta yang tidak terdaftar di kegiatan ini.", "user_ids")
    return _apply(training, session, wanted, status, actor, now, "bulk")


def all_present(training: Training, session: AttendanceSession, actor: User, now: datetime) -> BulkResult:
    """Mark every participant without a record in this session as Hadir."""
    _check(training, session, "hadir")
    marked = set(db.session.scalars(select(AttendanceRecord.user_id)
                                    .where(AttendanceRecord.session_id == session.id)))
    missing = [uid for uid in trainings.participant_ids(training) if uid not in marked]
    return _apply(training, session, missing, "hadir", actor, now, "all_present")


def _apply(training: Training, session: AttendanceSession, user_ids: list[int], status: str, actor: User,
           now: datetime, kind: str) -> BulkResult:
    existing = {r.user_id: r for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id == session.id,
                                       AttendanceRecord.user_id.in_(user_ids)))} if user_ids else {}
    before: list[dict[str, Any]] = []
    for user_id in user_ids:
        record = existing.get(user_id)
        if record is not None and record.status == status:
            continue  # already so: nothing to change, nothing to undo
        before.append(_snapshot(user_id, record))
        saved = services.set_status(session, user_id, status, None, actor, now, "roster", record=record,
                                    details={"bulk": kind})
        before[-1]["record_id"] = saved.id
    event = audit.record(actor, BULK, "training", training.id,
                         {"session_id": session.id, "status": status, "kind": kind, "before": before}, now)
    db.session.flush()
    return BulkResult(event.id, session, status, len(before))


def _snapshot(user_id: int, record: AttendanceRecord | None) -> dict[str, Any]:
    if record is None:
        return {"user_id": user_id, "existed": False}
    return {"user_id": user_id, "existed": True, "status": record.status, "method": record.method,
            "marked_at": record.marked_at.isoformat(), "marked_by_id": record.marked_by_id}


@dataclass(frozen=True)
class LastBulk:
    event: AuditEvent
    session: AttendanceSession | None

    @property
    def count(self) -> int:
        return len(self.event.details.get("before", []))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.event.details.get("status", ""), "")


def last_bulk(training: Training, now: datetime) -> LastBulk | None:
    """Return the training's last bulk change if it may still be undone from the roster, in two queries."""
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "training", AuditEvent.object_id == str(training.id),
        or_(AuditEvent.action == BULK, AuditEvent.action == UNDO)).order_by(AuditEvent.id.desc()).limit(1)).first()
    if event is None or event.action != BULK or now - event.at > UNDO_OFFERED_FOR or not event.details.get("before"):
        return None
    return LastBulk(event, db.session.get(AttendanceSession, event.details.get("session_id", 0)))


@dataclass(frozen=True)
class Undone:
    session_id: int
    statuses: dict[int, str | None]  # per participant, the status put back (None: no record again)

    @property
    def message(self) -> str:
        return f"Dibatalkan: {len(self.statuses)} catatan presensi dikembalikan."


def undo(training: Training, event_id: int, actor: User, now: datetime) -> Undone:
    """Put back every record the bulk change `event_id` touched as it was before."""
    last = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "training", AuditEvent.object_id == str(training.id),
        or_(AuditEvent.action == BULK, AuditEvent.action == UNDO)).order_by(AuditEvent.id.desc()).limit(1)).first()
    if last is None or last.id != event_id or last.action != BULK:
        raise ValidationFailed("Hanya perubahan massal terakhir yang dapat dibatalkan, dan hanya sekali.")
    before = last.details.get("before", [])
    ids = [int(b["record_id"]) for b in before]
    if _changed_since(ids, last.id):
        raise ValidationFailed("Tidak dapat dibatalkan: sebagian catatan sudah diubah setelah perubahan massal itu.")
    session = db.get_or_404(AttendanceSession, last.details["session_id"])
    records = {r.id: r for r in db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.id.in_(ids)))}
    for item in before:
        record = records.get(int(item["record_id"]))
        if record is None:
            raise ValidationFailed("Tidak dapat dibatalkan: sebagian catatan sudah dihapus.")
        _restore(session, record, item, actor, now)
    audit.record(actor, UNDO, "training", training.id, {"bulk_event_id": last.id, "session_id": session.id}, now)
    db.session.flush()
    return Undone(session.id, {int(b["user_id"]): b.get("status") if b["existed"] else None for b in before})


def _changed_since(record_ids: list[int], event_id: int) -> bool:
    keys = [str(i) for i in record_ids]
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.object_type == "attendance_record", AuditEvent.object_id.in_(keys),
        AuditEvent.id > event_id).limit(1)) is not None


def _restore(session: AttendanceSession, record: AttendanceRecord, item: dict[str, Any], actor: User,
             now: datetime) -> None:
    old, details = record.status, {"session_id": session.id, "user_id": record.user_id, "method": "undo"}
    if not item["existed"]:
        # Kept findable by the cell: the record goes, its history stays with the cell's next record.
        audit.record(actor, "attendance.mark", "attendance_cell", cell_key(session.id, record.user_id),
                     {**details, "record_id": record.id, "old": old, "new": None}, now)
        db.session.delete(record)
        return
    record.status, record.method = item["status"], item["method"]
    record.marked_at = datetime.fromisoformat(item["marked_at"])
    record.marked_by_id = item["marked_by_id"]
    audit.record(actor, "attendance.mark", "attendance_record", record.id,
                 {**details, "old": old, "new": item["status"]}, now)


def cell_key(session_id: int, user_id: int) -> str:
    return f"{session_id}:{user_id}"


def cell_history(session_id: int, user_id: int, record: AttendanceRecord | None) -> list[AuditEvent]:
    """Return every change of a participant's cell in a session, newest first, across undone records."""
    cell_events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "attendance_cell", AuditEvent.object_id == cell_key(session_id, user_id))))
    ids = {str(e.details.get("record_id")) for e in cell_events} | ({str(record.id)} if record else set())
    record_events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "attendance_record", AuditEvent.object_id.in_(ids)))) if ids else []
    # SQLite may give a deleted record's id to a later one: keep only this cell's events.
    record_events = [e for e in record_events if e.details.get("session_id") == session_id
                     and e.details.get("user_id") == user_id]
    return sorted(cell_events + record_events, key=lambda e: (e.at, e.id), reverse=True)
