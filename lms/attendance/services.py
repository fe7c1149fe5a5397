"""Use cases of attendance: sessions, roster marking, self check-in, reports."""

from __future__ import annotations

import ipaddress
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.attendance import states, tokens
from lms.attendance.models import STATUS_LABELS, AttendanceRecord, AttendanceSession
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.dates import format_day_month, local_to_utc
from lms.errors import LmsError, ValidationFailed
from lms.exports import Column, Table, columns
from lms.extensions import db
from lms.trainings import scope as trainings
from lms.trainings.models import Training

CHECKIN_OPENS_BEFORE = states.OPENS_BEFORE
NOON = time(12, 0)


class CheckInRefused(LmsError):
    """The scan or code cannot mark this person present."""


# ---------------------------------------------------------------- sessions


def sessions_of(training: Training) -> list[AttendanceSession]:
    return list(db.session.scalars(select(AttendanceSession).where(AttendanceSession.training_id == training.id)
                                   .order_by(AttendanceSession.starts_at)))


def add_session(training: Training, day: date, label: str, start: time, end: time, actor: User) -> AttendanceSession:
    """Add one attendance session on a day of the training."""
    if day not in training.days:
        raise ValidationFailed("Tanggal sesi harus di antara tanggal kegiatan.", "day")
    if end <= start:
        raise ValidationFailed("Jam selesai harus setelah jam mulai.", "end_time")
    if not label.strip():
        raise ValidationFailed("Nama sesi wajib diisi.", "label")
    session = AttendanceSession(training_id=training.id, day=day, label=label.strip(),
                                starts_at=local_to_utc(day, start, training.time_zone),
                                ends_at=local_to_utc(day, end, training.time_zone),
                                secret=secrets.token_hex(16))
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "attendance.session_create", "attendance_session", session.id,
                 {"training_id": training.id})
    return session


def generate_sessions(training: Training, actor: User) -> int:
    """Create a morning and an afternoon session per agenda day (or 08.00–16.00 without agenda)."""
    existing = {(s.day, s.label) for s in sessions_of(training)}
    created = 0
    for day in training.days:
        items = [i for i in training.agenda if i.day == day]
        halves = [("Pagi", [i for i in items if i.start_time < NOON]),
                  ("Siang", [i for i in items if i.start_time >= NOON])]
        if not items:
            halves = [("Hari penuh", [])]
        for label, part in halves:
            if (label == "Hari penuh" or part) and (day, label) not in existing:
                start = min((i.start_time for i in part), default=time(8, 0))
                end = max((i.end_time for i in part), default=time(16, 0))
                add_session(training, day, label, start, end, actor)
                created += 1
    return created


def delete_session(session: AttendanceSession, actor: User) -> None:
    if db.session.scalar(select(AttendanceRecord.id).where(AttendanceRecord.session_id == session.id).limit(1)):
        raise ValidationFailed("Sesi yang sudah memiliki catatan presensi tidak dapat dihapus.")
    audit.record(actor, "attendance.session_delete", "attendance_session", session.id,
                 {"training_id": session.training_id})
    db.session.delete(session)


def state_of(session: AttendanceSession, now: datetime) -> states.State:
    """Return whether this session takes check-ins at now."""
    return states.state_at(session.starts_at, session.ends_at, now)


def change_state(session: AttendanceSession, change: str, actor: User, now: datetime, minutes: int = 15) -> None:
    """Open the session now, close it now, or give it `minutes` more (audited with the old and new times)."""
    before = states.Times(session.starts_at, session.ends_at)
    if change == "open":
        action, after = "attendance.session_open", states.opened(before, now, minutes)
    elif change == "close":
        action, after = "attendance.session_close", states.closed(before, now)
    elif change == "extend" and minutes in states.EXTEND_CHOICES:
        action, after = "attendance.session_extend", states.extended(before, now, minutes)
    else:
        raise ValidationFailed("Perubahan sesi tidak dikenal.")
    if after == before:
        raise ValidationFailed(f"Sesi {session.label} sudah {states.STATE_LABELS[state_of(session, now)].lower()}.")
    session.starts_at, session.ends_at = after.starts_at, after.ends_at
    audit.record(actor, action, "attendance_session", session.id,
                 {"training_id": session.training_id, "minutes": minutes if change != "close" else None,
                  "old": [before.starts_at.isoformat(), before.ends_at.isoformat()],
                  "new": [after.starts_at.isoformat(), after.ends_at.isoformat()]}, now)
    db.session.flush()


# ---------------------------------------------------------------- roster


@dataclass
class Roster:
    sessions: list[AttendanceSession]
    people: list[User]
    records: dict[tuple[int, int], AttendanceRecord]

    def record(self, user: User, session: AttendanceSession) -> AttendanceRecord | None:
        return self.records.get((user.id, session.id))

    def shared_devices(self) -> dict[tuple[int, int], list[str]]:
        """Return, per (user id, session id), the others who checked in from the same device."""
        names = {u.id: u.full_name for u in self.people}
        return shared_devices(self.records.values(), names)


def shared_devices(records: Iterable[AttendanceRecord | Cell],
                   names: dict[int, str]) -> dict[tuple[int, int], list[str]]:
    """Return, per (user id, session id), the names of the others whose check-in in that session came
    from the same device (one phone, several accounts)."""
    devices: dict[tuple[int, str], list[int]] = defaultdict(list)
    for record in records:
        if record.device_id and record.status in ("hadir", "terlambat"):
            devices[(record.session_id, record.device_id)].append(record.user_id)
    flags: dict[tuple[int, int], list[str]] = {}
    for (session_id, _), user_ids in devices.items():
        if len(user_ids) > 1:
            for user_id in user_ids:
                flags[(user_id, session_id)] = sorted(names.get(o, str(o)) for o in user_ids if o != user_id)
    return flags


def roster(training: Training) -> Roster:
    """Return participants × sessions with their records, in three queries."""
    sessions = sessions_of(training)
    people = trainings.participants(training)
    ids = [s.id for s in sessions]
    records = {(r.user_id, r.session_id): r for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id.in_(ids)))}
    return Roster(sessions, people, records)


class Cell(NamedTuple):
    """What the roster grid shows of a record: read as plain columns, not as ORM objects."""

    user_id: int
    session_id: int
    status: str
    note: str
    device_id: str | None


class Person(NamedTuple):
    id: int
    full_name: str
    agency: str


def grid(training: Training) -> tuple[list[AttendanceSession], list[Person], dict[tuple[int, int], Cell]]:
    """Return sessions, participants and every record's cell by (user id, session id), in three queries."""
    sessions = sessions_of(training)
    people = [Person(r[0], r[1], r[2]) for r in db.session.execute(trainings.participant_rows(training))]
    columns = (AttendanceRecord.user_id, AttendanceRecord.session_id, AttendanceRecord.status,
               AttendanceRecord.note, AttendanceRecord.device_id)
    cells = {(row[0], row[1]): Cell(*row) for row in db.session.execute(
        select(*columns).where(AttendanceRecord.session_id.in_([s.id for s in sessions])))} if sessions else {}
    return sessions, people, cells


def roster_of(training: Training, user_id: int) -> tuple[User, list[AttendanceSession],
                                                        dict[int, AttendanceRecord]] | None:
    """Return one enrolled participant, the sessions and their records by session id (None if not enrolled)."""
    user = db.session.get(User, user_id)
    if user is None or not trainings.is_enrolled(user, training):
        return None
    sessions = sessions_of(training)
    records = {r.session_id: r for r in db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.user_id == user_id, AttendanceRecord.session_id.in_([s.id for s in sessions])))}
    return user, sessions, records


def device_flags(user_id: int, records: Iterable[AttendanceRecord]) -> dict[int, list[str]]:
    """Return, per session id, who else checked in there from the device of this participant's record."""
    mine = [r for r in records if r.device_id and r.status in ("hadir", "terlambat")]
    if not mine:
        return {}
    others = list(db.session.scalars(select(AttendanceRecord).options(joinedload(AttendanceRecord.user)).where(
        AttendanceRecord.session_id.in_([r.session_id for r in mine]),
        AttendanceRecord.device_id.in_([r.device_id for r in mine]), AttendanceRecord.user_id != user_id,
        AttendanceRecord.status.in_(("hadir", "terlambat")))))
    names = {r.user_id: r.user.full_name for r in others}
    names[user_id] = ""
    flags = shared_devices([*mine, *others], names)
    return {session_id: who for (uid, session_id), who in flags.items() if uid == user_id}


def set_status(session: AttendanceSession, user_id: int, status: str, note: str | None, actor: User | None,
               now: datetime, method: str, client: dict[str, str] | None = None,
               record: AttendanceRecord | None = None, details: dict[str, Any] | None = None) -> AttendanceRecord:
    """Set a record's status (creating it), audited; a note of None keeps the one it has.

    `record` is the participant's record when the caller loaded it already (bulk changes).
    """
    if record is None:
        record = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == session.id,
                                                                   AttendanceRecord.user_id == user_id)).first()
    old = record.status if record else None
    if record is None:
        record = AttendanceRecord(session_id=session.id, user_id=user_id, note="")
        db.session.add(record)
    if note is not None:
        record.note = note.strip()[:300]
    record.status, record.method, record.marked_at = status, method, now
    record.marked_by_id = actor.id if actor else None
    if client:
        record.client_address = client.get("address", "")[:64]
        record.user_agent = client.get("user_agent", "")[:300]
        record.device_id = client.get("device", "")[:64]
    db.session.flush()
    if old != status or method == "roster":
        audit.record(actor, "attendance.mark", "attendance_record", record.id,
                     {"session_id": session.id, "user_id": user_id, "old": old, "new": status, "method": method,
                      **(details or {})}, now)
    return record


def mark(training: Training, session: AttendanceSession, user_id: int, status: str, note: str | None,
         actor: User, now: datetime) -> AttendanceRecord:
    """Set one participant's status in a session (trainer roster)."""
    if session.training_id != training.id:
        raise ValidationFailed("Sesi ini milik kegiatan lain.")
    if status not in STATUS_LABELS:
        raise ValidationFailed("Status presensi tidak dikenal.", "status")
    if user_id not in set(trainings.participant_ids(training)):
        raise ValidationFailed("Peserta tidak terdaftar di kegiatan ini.")
    return set_status(session, user_id, status, note, actor, now, "roster")


def record_of(session: AttendanceSession, user_id: int) -> AttendanceRecord | None:
    return db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == session.id,
                                                             AttendanceRecord.user_id == user_id)).first()


def history(record_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Return the audit trail of these records (who, when, old → new), newest first."""

    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "attendance_record",
                                                       AuditEvent.object_id.in_([str(i) for i in record_ids]))
                              .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    found: dict[int, list[Any]] = defaultdict(list)
    for event in rows:
        found[int(event.object_id)].append(event)
    return found


# ---------------------------------------------------------------- self check-in


def find_session(session_id: int) -> AttendanceSession | None:
    """Return the attendance session with this id, if any."""
    return db.session.get(AttendanceSession, session_id)


def session_key() -> bytes:

    return str(current_app.config["SECRET_KEY"]).encode()


def current_token(session: AttendanceSession, now: datetime) -> tuple[str, str, int]:
    """Return the QR token, the typed code and the seconds until they change."""
    step = tokens.step_at(now)
    key = session_key()
    remaining = tokens.PERIOD_SECONDS - int(now.timestamp()) % tokens.PERIOD_SECONDS
    return (tokens.make_token(key, session.secret, session.id, step),
            tokens.short_code(key, session.secret, session.id, step), remaining)


def check_window(session: AttendanceSession, now: datetime) -> None:
    """Refuse a check-in while the session is not open (not yet, or no longer)."""
    state = state_of(session, now)
    if state is states.State.NOT_OPEN:
        raise CheckInRefused("Presensi untuk sesi ini belum dibuka.")
    if state is states.State.CLOSED:
        raise CheckInRefused("Sesi ini sudah ditutup; presensi tidak dapat dicatat lagi. Hubungi narasumber.")


def verify_scan(session: AttendanceSession, token: str, now: datetime) -> None:
    """Refuse a forged or expired token, or a session outside its check-in window."""
    if not tokens.verify_token(session_key(), session.secret, session.id, token, now):
        raise CheckInRefused("Kode QR sudah kedaluwarsa atau tidak sah. Pindai kode yang sedang tampil di layar.")
    check_window(session, now)


def scan_refusal(session: AttendanceSession | None, token: str, now: datetime) -> str | None:
    """Return why a scanned address cannot check anyone in now (Indonesian), or None when it can."""
    if session is None:
        return "Sesi presensi tidak ditemukan."
    try:
        verify_scan(session, token, now)
    except CheckInRefused as exc:
        return exc.message
    return None


def session_for_code(training_list: Sequence[Training], code: str, now: datetime) -> AttendanceSession | None:
    """Return the open session, of any of these trainings, whose current typed code this is."""
    for training in training_list:
        try:
            return find_session_by_code(training, code, now)
        except CheckInRefused:
            continue
    return None


def find_session_by_code(training: Training, code: str, now: datetime) -> AttendanceSession:
    """Return the session of this training whose current typed code this is."""
    key = session_key()
    for session in sessions_of(training):
        if state_of(session, now) is states.State.OPEN and \
                tokens.verify_code(key, session.secret, session.id, code, now):
            return session
    raise CheckInRefused("Kode presensi salah atau sudah berganti. Ketik kode yang sedang tampil di layar.")


def check_in(user: User, session: AttendanceSession, now: datetime, client: dict[str, str],
             method: str = "qr") -> tuple[AttendanceRecord, bool]:
    """Mark a participant present by their own scan; checking in twice changes nothing."""
    training = session.training
    if not trainings.is_enrolled(user, training):
        raise CheckInRefused("Anda tidak terdaftar sebagai peserta kegiatan ini.")
    check_window(session, now)
    if training.venue_network and not _in_network(client.get("address", ""), training.venue_network):
        raise CheckInRefused("Presensi hanya dapat dilakukan dari jaringan Wi-Fi lokasi kegiatan.")
    existing = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == session.id,
                                                                 AttendanceRecord.user_id == user.id)).first()
    if existing is not None and existing.status in ("hadir", "terlambat"):
        return existing, False
    late = now > session.starts_at + timedelta(minutes=training.late_after_minutes)
    record = set_status(session, user.id, "terlambat" if late else "hadir", "", user, now, method, client)
    return record, True


def _in_network(address: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


@dataclass
class LiveStatus:
    present: list[AttendanceRecord]
    absent: list[User]


def live_status(session: AttendanceSession) -> LiveStatus:
    """Return who has and has not checked in (device flags are for the roster, not the projected screen)."""
    people = trainings.participants(session.training)
    records = list(db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == session.id)
                                      .order_by(AttendanceRecord.marked_at.desc())))
    present = [r for r in records if r.status in ("hadir", "terlambat")]
    seen = {r.user_id for r in present}
    return LiveStatus(present, [u for u in people if u.id not in seen])


# ---------------------------------------------------------------- reports


def percentages(training: Training, data: Roster | None = None) -> dict[int, Fraction]:
    """Return each participant's attendance % over ALL sessions of the training."""
    data = data or roster(training)
    return attendance_percent({u.id for u in data.people}, [s.id for s in data.sessions],
                              {k: r.status for k, r in data.records.items()}, set(training.present_statuses))


def percentages_of(training: Training, user_ids: Sequence[int]) -> dict[int, Fraction]:
    """Return these participants' attendance % over all sessions, counted by the database (two queries).

    The same figure as attendance_percent (present sessions ÷ all sessions × 100; one record per
    participant and session), without reading each record: the certificates page asks it for every
    participant on each load.
    """
    total = db.session.scalar(select(func.count(AttendanceSession.id))
                              .where(AttendanceSession.training_id == training.id)) or 0
    if not total:
        return {user_id: Fraction(0) for user_id in user_ids}
    present = dict(db.session.execute(
        select(AttendanceRecord.user_id, func.count(AttendanceRecord.id))
        .join(AttendanceSession, AttendanceSession.id == AttendanceRecord.session_id)
        .where(AttendanceSession.training_id == training.id,
               AttendanceRecord.status.in_(list(training.present_statuses)))
        .group_by(AttendanceRecord.user_id)).all())
    return {user_id: Fraction(100 * present.get(user_id, 0), total) for user_id in user_ids}


def percentages_for(training: Training, user_ids: Sequence[int]) -> dict[int, Fraction]:
    """Return the attendance % of these participants only (after a roster change), in two queries."""
    session_ids = [s.id for s in sessions_of(training)]
    statuses = {(r.user_id, r.session_id): r.status for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id.in_(session_ids),
                                       AttendanceRecord.user_id.in_(list(user_ids))))} if session_ids else {}
    return attendance_percent(set(user_ids), session_ids, statuses, set(training.present_statuses))


def attendance_percent(user_ids: set[int], session_ids: Sequence[int], statuses: dict[tuple[int, int], str],
                       present: set[str]) -> dict[int, Fraction]:
    """Return present sessions ÷ all sessions × 100 per user: pure."""
    total = len(session_ids)
    result = {}
    for user_id in user_ids:
        count = sum(1 for sid in session_ids if statuses.get((user_id, sid)) in present)
        result[user_id] = Fraction(100 * count, total) if total else Fraction(0)
    return result


def agency_summary(training: Training, data: Roster, percent: dict[int, Fraction]) -> list[dict[str, Any]]:
    """Return, per OPD, participants and average attendance."""
    groups: dict[str, list[Fraction]] = defaultdict(list)
    for user in data.people:
        groups[user.agency.name if user.agency else "Tanpa OPD"].append(percent[user.id])
    meets = Counter({name: sum(1 for p in values if p >= training.min_attendance_percent)
                     for name, values in groups.items()})
    return [{"agency": name, "participants": len(values), "average": sum(values, Fraction(0)) / len(values),
             "meets": meets[name]} for name, values in sorted(groups.items())]


def export_table(training: Training) -> Table:
    """Return the attendance report as an export table (CSV/XLSX): NIP as text, percent as a number."""
    data = roster(training)
    percent = percentages(training, data)
    days = [f"{format_day_month(s.day)} {s.label}" for s in data.sessions]
    cols = columns(Column("No", "integer"), "Nama", Column("NIP", "nip"), "OPD", *days,
                   Column("Kehadiran (%)", "decimal"), "Perangkat dipakai bersama")
    shared = shared_device_notes(data, {s.id: day for s, day in zip(data.sessions, days, strict=True)})
    rows = []
    for number, user in enumerate(data.people, start=1):
        cells = [STATUS_LABELS[r.status] if (r := data.record(user, s)) else "" for s in data.sessions]
        rows.append([number, user.full_name, user.nip or "", user.agency.name if user.agency else "", *cells,
                     percent[user.id], "; ".join(shared.get(user.id, []))])
    return Table("Rekap Kehadiran", cols, rows)


def shared_device_notes(data: Roster, labels: dict[int, str]) -> dict[int, list[str]]:
    """Return per participant, for each session (named by labels) where the phone they checked in with
    was also used by others, "label: names" (the report and the export; never the projected screen)."""
    found: dict[int, list[str]] = {}
    for (user_id, session_id), others in sorted(data.shared_devices().items()):
        found.setdefault(user_id, []).append(f"{labels[session_id]}: {', '.join(others)}")
    return found
