"""Builders shared by the trainings and attendance tests: a three-day bimtek and bulk people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from lms.accounts.models import Agency, Role, User
from lms.accounts.services import ensure_institution
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.dates import local_to_utc
from lms.extensions import db
from lms.trainings import services
from lms.trainings.models import Enrollment, Training

JAKARTA = ZoneInfo("Asia/Jakarta")
START = date(2026, 8, 17)  # Senin
END = date(2026, 8, 19)
DAYS = (START, date(2026, 8, 18), END)
SLOTS = ((time(8, 0), time(9, 30)), (time(9, 45), time(11, 15)),
         (time(13, 0), time(14, 30)), (time(14, 45), time(16, 15)))


def wib(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Return the UTC moment of a Jakarta (WIB, UTC+7) wall-clock time."""
    return datetime.combine(day, time(hour, minute, second), JAKARTA).astimezone(UTC)


def training_data(**fields: Any) -> services.TrainingData:
    values: dict[str, Any] = {"title": "Bimtek Pengelolaan Media Sosial OPD", "slug": "bimtek-medsos",
                              "start_date": START, "end_date": END, "venue": "Aula Diskominfo",
                              "city": "Kabupaten Contoh", "status": "open"}
    values.update(fields)
    return services.TrainingData(**values)


def full_agenda(training: Training, actor: User, trainer: User | None = None) -> None:
    """Four 90-minute slots a day on every day: 2 JP each, 24 JP over three days."""
    for day in training.days:
        for number, (begin, finish) in enumerate(SLOTS, start=1):
            services.save_agenda_item(training, None, services.AgendaData(
                day=day, start_time=begin, end_time=finish, topic=f"Materi {day:%d}-{number}",
                trainer_id=trainer.id if trainer else None), actor)


def agency(name: str) -> Agency:
    item = Agency(institution_id=ensure_institution().id, name=name, name_key=name.lower())
    db.session.add(item)
    db.session.flush()
    return item


def bulk_participants(count: int, prefix: str = "Peserta", agency_id: int | None = None,
                      start: int = 1) -> list[int]:
    """Insert participants in one statement (no passwords) and return their ids in order."""
    institution = ensure_institution().id
    rows = [{"institution_id": institution, "full_name": f"{prefix} {n:04d}",
             "email": f"{prefix.lower().replace(' ', '')}{n:04d}@contoh.go.id", "role": Role.PARTICIPANT.value,
             "agency_id": agency_id, "jabatan": "Pranata Humas", "active": True, "session_version": 1,
             "must_change_password": False, "pangkat_golongan": "", "phone": ""}
            for n in range(start, start + count)]
    db.session.execute(insert(User), rows)
    emails = [r["email"] for r in rows]
    found = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    return [found[e] for e in emails]


def bulk_enroll(training: Training, user_ids: Sequence[int]) -> None:
    db.session.execute(insert(Enrollment), [{"training_id": training.id, "user_id": uid, "source": "import"}
                                            for uid in user_ids])


def bulk_sessions(training: Training, count: int) -> list[AttendanceSession]:
    """Add `count` sessions (two a day from START) without the audit trail."""
    made = []
    for n in range(count):
        day = training.days[n // 2 % len(training.days)]
        begin, finish = (time(8), time(12)) if n % 2 == 0 else (time(13), time(16))
        session = AttendanceSession(training_id=training.id, day=day, label="Pagi" if n % 2 == 0 else "Siang",
                                    starts_at=local_to_utc(day, begin, training.time_zone),
                                    ends_at=local_to_utc(day, finish, training.time_zone),
                                    secret=f"rahasia{n}")
        db.session.add(session)
        made.append(session)
    db.session.flush()
    return made


def bulk_records(sessions: Sequence[AttendanceSession], user_ids: Sequence[int], status: str = "hadir",
                 at: datetime | None = None) -> None:
    db.session.execute(insert(AttendanceRecord), [
        {"session_id": s.id, "user_id": uid, "status": status, "note": "", "method": "roster",
         "marked_at": at or s.starts_at, "client_address": "", "user_agent": "", "device_id": ""}
        for s in sessions for uid in user_ids])
