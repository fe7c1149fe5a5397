"""Use cases of trainings: setup, agenda and JP, enrollment and walk-ins.

Who may see or manage a training, and who is enrolled, is asked of `lms.trainings.scope`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from lms.accounts import imports
from lms.accounts import services as accounts
from lms.accounts.models import Agency, Role, User, UserImport
from lms.attendance.models import AttendanceSession
from lms.audit import services as audit
from lms.certificates import services as certificates
from lms.contentfiles import SLUG
from lms.courses.models import Course
from lms.dates import ZONE_LABELS, format_date, format_time
from lms.errors import NotAllowed, Problems, ValidationFailed
from lms.extensions import db
from lms.quizzes.models import Quiz
from lms.training_defaults import TRAINING
from lms.trainings.models import AgendaItem, Enrollment, Training
from lms.trainings.scope import get_training

# ---------------------------------------------------------------- what the forms offer


def selectable_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.retired_at.is_(None)).order_by(Course.position)))


def selectable_trainers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.TRAINER.value, User.active.is_(True))
                                   .order_by(User.full_name)))


def agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name_key)))


def quiz_by_slug(slug: str) -> Quiz | None:
    """Return the quiz a results page names, a retired one too: a training's old results stay readable."""
    return db.session.scalars(select(Quiz).where(Quiz.slug == slug)).first()


# ---------------------------------------------------------------- training setup


@dataclass
class TrainingData:
    title: str
    slug: str
    start_date: date
    end_date: date
    venue: str = ""
    city: str = ""
    description: str = ""
    time_zone: str = TRAINING.time_zone
    status: str = TRAINING.status
    quota: int | None = None
    minutes_per_jp: int = TRAINING.minutes_per_jp
    min_attendance_percent: int = TRAINING.min_attendance_percent
    require_posttest_pass: bool = TRAINING.require_posttest_pass
    require_courses_complete: bool = TRAINING.require_courses_complete
    evaluation_days: int = TRAINING.evaluation_days
    require_evaluation: bool = TRAINING.require_evaluation
    late_after_minutes: int = TRAINING.late_after_minutes
    present_statuses: list[str] = field(default_factory=TRAINING.present_list)
    venue_network: str = ""
    course_ids: list[int] = field(default_factory=list)
    trainer_ids: list[int] = field(default_factory=list)
    pretest_id: int | None = None
    posttest_id: int | None = None
    pretest_open_at: datetime | None = None
    pretest_close_at: datetime | None = None
    posttest_open_at: datetime | None = None
    posttest_close_at: datetime | None = None


def _check(data: TrainingData, training: Training | None) -> None:
    problems = Problems()
    if not data.title.strip():
        problems.add("Judul kegiatan wajib diisi.", "title")
    if not SLUG.match(data.slug):
        problems.add("Slug hanya boleh huruf kecil, angka, dan tanda hubung.", "slug")
    else:
        other = get_training(data.slug)
        if other is not None and (training is None or other.id != training.id):
            problems.add(f"Slug \"{data.slug}\" sudah dipakai kegiatan lain.", "slug")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        problems.add("Tanggal selesai tidak boleh sebelum tanggal mulai.", "end_date")
    elif data.start_date and data.end_date and (data.end_date - data.start_date).days > 30:
        problems.add("Kegiatan paling lama 31 hari.", "end_date")
    if data.time_zone not in ZONE_LABELS:
        problems.add("Zona waktu tidak dikenal.", "time_zone")
    if not 0 <= data.min_attendance_percent <= 100:
        problems.add("Persentase kehadiran minimal harus 0–100.", "min_attendance_percent")
    if data.minutes_per_jp <= 0:
        problems.add("Menit per JP harus lebih dari 0.", "minutes_per_jp")
    for start, end, name in ((data.pretest_open_at, data.pretest_close_at, "pretest_close_at"),
                             (data.posttest_open_at, data.posttest_close_at, "posttest_close_at")):
        if start and end and end <= start:
            problems.add("Waktu tutup harus setelah waktu buka.", name)
    if data.venue_network:
        with problems.collecting():
            _check_network(data.venue_network)
    if training is not None and data.start_date and data.end_date:
        with problems.collecting():
            _check_schedule_fits(data, training)
    problems.raise_any()


def check_training(data: TrainingData, training: Training | None) -> None:
    """Check a training's fields, reporting every problem at once; writes nothing."""
    _check(data, training)


def _check_schedule_fits(data: TrainingData, training: Training) -> None:
    """Refuse new dates that would leave agenda slots or attendance sessions outside the training."""
    days = {item.day for item in training.agenda} | set(db.session.scalars(
        select(AttendanceSession.day).where(AttendanceSession.training_id == training.id)))
    outside = sorted(d for d in days if not data.start_date <= d <= data.end_date)
    if outside:
        raise ValidationFailed(f"Agenda atau sesi presensi masih ada pada {format_date(outside[0])}; pindahkan "
                               "atau hapus dulu sebelum mengubah tanggal kegiatan.",
                               "start_date" if outside[0] < data.start_date else "end_date")


def _check_network(text: str) -> None:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValidationFailed("Jaringan lokasi harus berbentuk CIDR, mis. 192.168.1.0/24.", "venue_network") from None


def save_training(training: Training | None, data: TrainingData, actor: User) -> Training:
    """Create or update a training and its links; audit the fields that changed."""
    _check(data, training)
    creating = training is None
    if training is None:
        training = Training(institution_id=accounts.ensure_institution().id)
        db.session.add(training)
    changed = []
    for key in ("title", "slug", "start_date", "end_date", "venue", "city", "description", "time_zone",
                "status", "quota", "minutes_per_jp", "min_attendance_percent", "require_posttest_pass",
                "require_courses_complete", "evaluation_days", "require_evaluation",
                "late_after_minutes", "present_statuses", "venue_network",
                "pretest_id", "posttest_id", "pretest_open_at", "pretest_close_at", "posttest_open_at",
                "posttest_close_at"):
        value = getattr(data, key)
        if getattr(training, key, None) != value:
            setattr(training, key, value)
            changed.append(key)
    training.courses = list(db.session.scalars(select(Course).where(Course.id.in_(data.course_ids))))
    training.trainers = list(db.session.scalars(select(User).where(User.id.in_(data.trainer_ids),
                                                                   User.role == Role.TRAINER.value)))
    db.session.flush()
    if "minutes_per_jp" in changed and not creating:
        recompute_jp(training)
    audit.record(actor, "training.create" if creating else "training.update", "training", training.id,
                 {"fields": changed})
    return training



# ---------------------------------------------------------------- agenda and JP


@dataclass
class AgendaData:
    day: date
    start_time: time
    end_time: time
    topic: str
    trainer_id: int | None = None
    trainer_name: str = ""
    jp: int | None = None  # None: computed from the duration


def default_jp(minutes: int, minutes_per_jp: int) -> int:
    """Return the JP of a slot: whole JP that fit its duration."""
    return max(minutes // minutes_per_jp, 0)


def save_agenda_item(training: Training, item: AgendaItem | None, data: AgendaData, actor: User) -> AgendaItem:
    """Add or change an agenda slot; refuse days outside the training and overlaps."""
    if not data.topic.strip():
        raise ValidationFailed("Materi wajib diisi.", "topic")
    if data.day not in training.days:
        raise ValidationFailed("Tanggal harus di antara tanggal mulai dan selesai kegiatan.", "day")
    if data.end_time <= data.start_time:
        raise ValidationFailed("Jam selesai harus setelah jam mulai.", "end_time")
    for other in training.agenda:
        if other is not item and other.day == data.day and \
                data.start_time < other.end_time and other.start_time < data.end_time:
            raise ValidationFailed(f"Bertabrakan dengan \"{other.topic}\" ({format_time(other.start_time)}–"
                                   f"{format_time(other.end_time)}).", "start_time")
    if data.jp is not None and data.jp < 0:
        raise ValidationFailed("JP tidak boleh negatif.", "jp")
    creating = item is None
    if item is None:
        item = AgendaItem(training=training)
        db.session.add(item)
    item.day, item.start_time, item.end_time = data.day, data.start_time, data.end_time
    item.topic, item.trainer_id, item.trainer_name = data.topic.strip(), data.trainer_id, data.trainer_name.strip()
    item.jp_manual = data.jp is not None
    item.jp = data.jp if data.jp is not None else default_jp(item.minutes, training.minutes_per_jp)
    db.session.flush()
    audit.record(actor, "agenda.create" if creating else "agenda.update", "agenda_item", item.id,
                 {"training_id": training.id, "jp": item.jp})
    return item


def delete_agenda_item(item: AgendaItem, actor: User) -> None:
    audit.record(actor, "agenda.delete", "agenda_item", item.id, {"training_id": item.training_id})
    db.session.delete(item)
    db.session.flush()


def recompute_jp(training: Training) -> None:
    """Recompute the JP of slots not set by hand (after minutes per JP changed)."""
    for item in training.agenda:
        if not item.jp_manual:
            item.jp = default_jp(item.minutes, training.minutes_per_jp)


# ---------------------------------------------------------------- enrollment




def enroll(training: Training, users: Iterable[User], source: str, actor: User) -> int:
    """Enroll users not yet enrolled (participants only); return how many were added."""
    existing = set(db.session.scalars(select(Enrollment.user_id).where(Enrollment.training_id == training.id)))
    fresh = [u for u in users if u.id not in existing and u.role == Role.PARTICIPANT.value and u.active]
    if training.quota is not None and len(existing) + len(fresh) > training.quota:
        raise ValidationFailed(f"Kuota kegiatan {training.quota} peserta akan terlampaui "
                               f"(sudah {len(existing)}, ditambah {len(fresh)}).")
    for user in fresh:
        db.session.add(Enrollment(training_id=training.id, user_id=user.id, source=source))
    db.session.flush()
    if fresh:
        audit.record(actor, "training.enroll", "training", training.id,
                     {"user_ids": [u.id for u in fresh], "source": source})
    return len(fresh)


def enroll_agency(training: Training, agency_id: int, actor: User) -> int:
    users = db.session.scalars(select(User).where(User.agency_id == agency_id, User.active.is_(True),
                                                  User.role == Role.PARTICIPANT.value)).all()
    return enroll(training, users, "opd", actor)


def unenroll(training: Training, user_id: int, actor: User) -> None:
    enrollment = db.session.scalars(select(Enrollment).where(Enrollment.training_id == training.id,
                                                             Enrollment.user_id == user_id)).first()
    if enrollment is None:
        raise ValidationFailed("Peserta tidak terdaftar di kegiatan ini.")
    # Refused rather than confirmed: the certificate page lists enrolled participants only, so a
    # removed holder's certificate would vanish from it while the public page still says "Sah".
    held = certificates.valid_certificate(training, user_id)
    if held is not None:
        raise NotAllowed(f"{enrollment.user.full_name} memegang sertifikat sah {held.number} dari kegiatan ini. "
                         "Cabut sertifikatnya terlebih dahulu (halaman Sertifikat), lalu keluarkan pesertanya.")
    db.session.delete(enrollment)
    audit.record(actor, "training.unenroll", "training", training.id, {"user_id": user_id})


@dataclass(frozen=True)
class WalkIn:
    """What a walk-in did: a new account comes with its one-time password, an existing one without."""

    user: User
    password: str | None
    newly_enrolled: bool

    @property
    def created(self) -> bool:
        return self.password is not None


def walk_in(training: Training, data: accounts.UserData, actor: User) -> WalkIn:
    """Register a person at the door: create an account with a one-time password, or only enroll theirs."""
    data = replace(data, role=Role.PARTICIPANT.value)
    existing = _walk_in_account(accounts.clean_user_data(data))
    if existing is not None:
        # Enroll only: the account's password, profile and sessions stay its owner's.
        return WalkIn(existing, None, enroll(training, [existing], "walkin", actor) == 1)
    user = accounts.create_user(data, actor)
    enroll(training, [user], "walkin", actor)
    (issued,) = accounts.issue_one_time_passwords([user], actor)
    return WalkIn(user, issued[1], True)


def _walk_in_account(values: dict[str, Any]) -> User | None:
    """Return the participant account a walk-in's NIP or e-mail names; refuse staff and conflicts."""
    found = [db.session.scalars(select(User).where(getattr(User, key) == values[key])).first()
             for key in ("nip", "email") if values[key]]
    matches = {u.id: u for u in found if u is not None}
    if any(u.role != Role.PARTICIPANT.value for u in matches.values()):
        raise ValidationFailed("NIP/surel ini milik akun narasumber atau penyelenggara; akun staf tidak dapat "
                               "didaftarkan sebagai peserta pengganti. Tidak ada yang diubah.", "nip")
    if len(matches) > 1:
        raise ValidationFailed("NIP dan surel ini milik dua akun peserta yang berbeda; periksa lagi isiannya.",
                               "email")
    user = next(iter(matches.values()), None)
    if user is not None and not user.active:
        raise ValidationFailed("Akun ini dinonaktifkan; aktifkan dulu dari halaman Pengguna.", "nip")
    return user


@dataclass(frozen=True)
class ImportEnrolment:
    """A confirmed participant import: what it did to accounts, and how many it enrolled."""

    summary: dict[str, Any]
    enrolled: int


def import_and_enroll(training: Training, pending: UserImport, actor: User, now: datetime) -> ImportEnrolment:
    """Apply a confirmed participant import and enroll in the training everyone it names."""
    summary = imports.apply(pending, actor, now)
    users = list(db.session.scalars(select(User).where(User.id.in_(summary["user_ids"]))))
    return ImportEnrolment(summary, enroll(training, users, "import", actor))
