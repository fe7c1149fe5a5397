"""The bimtek itself: dates, venue, rules, agenda (the one source of JP), people and links."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import Course
from lms.db_types import UTCDateTime, row_version_column, utcnow, uuid_column
from lms.extensions import Model, db
from lms.quizzes.models import Quiz
from lms.training_defaults import TRAINING

STATUSES = {"draft": "Draf", "open": "Berjalan", "finished": "Selesai"}

training_courses = Table(
    "training_courses", db.metadata,
    Column("training_id", ForeignKey("trainings.id"), primary_key=True),
    Column("course_id", ForeignKey("courses.id"), primary_key=True),
)
training_trainers = Table(
    "training_trainers", db.metadata,
    Column("training_id", ForeignKey("trainings.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Training(Model):
    """A bimtek (Kegiatan): one to three days at a venue, with its rules for certificates."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(40), default=TRAINING.time_zone)
    status: Mapped[str] = mapped_column(String(20), default=TRAINING.status)
    quota: Mapped[int | None] = mapped_column(Integer)
    minutes_per_jp: Mapped[int] = mapped_column(Integer, default=TRAINING.minutes_per_jp)
    # Certificate rules ([5/5] applies them).
    min_attendance_percent: Mapped[int] = mapped_column(Integer, default=TRAINING.min_attendance_percent)
    require_posttest_pass: Mapped[bool] = mapped_column(Boolean, default=TRAINING.require_posttest_pass)
    require_courses_complete: Mapped[bool] = mapped_column(Boolean, default=TRAINING.require_courses_complete)
    # Evaluation: open from the last day until this many days after; required before the download.
    evaluation_days: Mapped[int] = mapped_column(Integer, default=TRAINING.evaluation_days)
    require_evaluation: Mapped[bool] = mapped_column(Boolean, default=TRAINING.require_evaluation)
    # Attendance rules.
    late_after_minutes: Mapped[int] = mapped_column(Integer, default=TRAINING.late_after_minutes)
    present_statuses: Mapped[list[str]] = mapped_column(JSON, default=TRAINING.present_list)
    venue_network: Mapped[str] = mapped_column(String(100), default="")
    # Quizzes and their windows (UTC).
    pretest_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"))
    posttest_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"))
    pretest_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pretest_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posttest_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posttest_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Certificates: the signatory (default: the institution's head) and predikat bands.
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_pangkat: Mapped[str] = mapped_column(String(100), default="")
    signatory_nip: Mapped[str] = mapped_column(String(18), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    signature: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    predikat_bands: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courses: Mapped[list[Course]] = relationship(secondary=training_courses, order_by=Course.position)
    trainers: Mapped[list[User]] = relationship(secondary=training_trainers, order_by=User.full_name)
    pretest: Mapped[Quiz | None] = relationship(foreign_keys=[pretest_id])
    posttest: Mapped[Quiz | None] = relationship(foreign_keys=[posttest_id])
    agenda: Mapped[list[AgendaItem]] = relationship(back_populates="training",
                                                      order_by="(AgendaItem.day, AgendaItem.start_time)")

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint("status IN ('draft', 'open', 'finished')", name="status"),
    )

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def days(self) -> list[date]:
        from datetime import timedelta

        return [self.start_date + timedelta(days=n) for n in range((self.end_date - self.start_date).days + 1)]

    @property
    def total_jp(self) -> int:
        return sum(item.jp for item in self.agenda)


class AgendaItem(Model):
    """One slot of the agenda: a topic (materi), its trainer and its JP."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    topic: Mapped[str] = mapped_column(String(300))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    trainer_name: Mapped[str] = mapped_column(String(200), default="")
    jp: Mapped[int] = mapped_column(Integer, default=0)
    jp_manual: Mapped[bool] = mapped_column(Boolean, default=False)

    training: Mapped[Training] = relationship(back_populates="agenda")
    trainer: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("end_time > start_time", name="times"),)

    @property
    def trainer_label(self) -> str:
        return self.trainer.full_name if self.trainer else self.trainer_name

    @property
    def minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (self.start_time.hour * 60 + self.start_time.minute)


class Enrollment(Model):
    """A participant taking part in a training."""

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = uuid_column()
    row_version: Mapped[int] = row_version_column()
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    training: Mapped[Training] = relationship()

    __table_args__ = (UniqueConstraint("training_id", "user_id"),)


