"""Attendance sessions of a training and each participant's record in them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db_types import UTCDateTime, row_version_column, utcnow, uuid_column
from lms.extensions import Model
from lms.trainings.models import Training

STATUS_LABELS = {"hadir": "Hadir", "terlambat": "Terlambat", "izin": "Izin", "sakit": "Sakit",
                 "tidak_hadir": "Tidak Hadir"}


class AttendanceSession(Model):
    """One attendance moment of a day (pagi, siang), with its own check-in secret."""

    __tablename__ = "attendance_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    secret: Mapped[str] = mapped_column(String(64))

    training: Mapped[Training] = relationship()

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times"),)


class AttendanceRecord(Model):
    """A participant's status in one session, and how it was set."""

    __tablename__ = "attendance_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    session_id: Mapped[int] = mapped_column(ForeignKey("attendance_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")
    method: Mapped[str] = mapped_column(String(20), default="roster")
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How a self check-in came in; NULL once purged after PERSONAL_DATA_RETENTION_DAYS.
    client_address: Mapped[str | None] = mapped_column(String(64), default="")
    user_agent: Mapped[str | None] = mapped_column(String(300), default="")
    device_id: Mapped[str | None] = mapped_column(String(64), default="", index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id])

    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("status IN ('hadir', 'terlambat', 'izin', 'sakit', 'tidak_hadir')", name="status"),
    )
