""""Data Saya": everything the app holds about one person, and their own correction of phone and e-mail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from lms.accounts.identity import IdentityError, normalize_email, normalize_phone
from lms.accounts.models import ROLE_LABELS, LoginSession, Role, User
from lms.accounts.mydata_pdf import DataDocument, TableBlock, render_personal_data
from lms.accounts.services import find_institution
from lms.attendance.models import STATUS_LABELS, AttendanceRecord, AttendanceSession
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.courses.models import Course, Lesson, LessonProgress
from lms.dates import DEFAULT_ZONE, format_date, format_datetime
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.numbers import decimal_text, percent_text
from lms.quizzes.models import Attempt, Quiz
from lms.trainings.models import Enrollment, Training

QUIZ_KINDS = {"practice": "Latihan", "pretest": "Pre-test", "posttest": "Post-test"}
METHODS = {"roster": "Dicatat panitia", "qr": "Pindai QR", "code": "Kode presensi"}
SOURCES = {"manual": "Didaftarkan panitia", "opd": "Per OPD", "import": "Impor daftar peserta",
           "walkin": "Pendaftaran di tempat"}
CERTIFICATE_STATUSES = {"valid": "Sah", "revoked": "Dicabut"}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str = "text"  # text | datetime | date | percent | number | bool


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    note: str = ""


@dataclass(frozen=True)
class PersonalData:
    generated_at: datetime
    zone: str
    institution_name: str
    profile: Section
    sections: list[Section]


PROFILE = (Column("full_name", "Nama lengkap"), Column("nip", "NIP"), Column("email", "Surel"),
           Column("phone", "No. HP/WA"), Column("pangkat_golongan", "Pangkat/Golongan"),
           Column("jabatan", "Jabatan"), Column("agency", "OPD"), Column("role", "Peran"),
           Column("active", "Akun aktif", "bool"), Column("created_at", "Terdaftar sejak", "datetime"),
           Column("last_login_at", "Terakhir masuk", "datetime"))


def collect(user: User, now: datetime) -> PersonalData:
    """Gather what the app holds about user, in a fixed number of queries."""
    institution = find_institution()
    zone = institution.time_zone if institution else DEFAULT_ZONE
    profile = Section("profil", "Profil", PROFILE, [_profile_row(user)])
    sections = [_enrolments(user), _attendance(user), _attempts(user), _certificates(user), _progress(user),
                _logins(user), _audit_events(user)]
    return PersonalData(now, zone, institution.name if institution else "", profile, sections)


def _profile_row(user: User) -> dict[str, Any]:
    return {"full_name": user.full_name, "nip": user.nip, "email": user.email, "phone": user.phone,
            "pangkat_golongan": user.pangkat_golongan, "jabatan": user.jabatan,
            "agency": user.agency.name if user.agency else None,
            "role": ROLE_LABELS.get(Role(user.role), user.role), "active": user.active,
            "created_at": user.created_at, "last_login_at": user.last_login_at}


def _enrolments(user: User) -> Section:
    rows = db.session.execute(
        select(Training.title, Training.start_date, Training.end_date, Training.venue, Training.city,
               Enrollment.source, Enrollment.enrolled_at)
        .join(Training, Training.id == Enrollment.training_id)
        .where(Enrollment.user_id == user.id).order_by(Training.start_date, Training.id)).mappings().all()
    columns = (Column("title", "Kegiatan"), Column("start_date", "Mulai", "date"),
               Column("end_date", "Selesai", "date"), Column("venue", "Tempat"), Column("city", "Kota"),
               Column("source", "Cara terdaftar"), Column("enrolled_at", "Terdaftar", "datetime"))
    labelled = [dict(r, source=SOURCES.get(r["source"], r["source"])) for r in rows]
    return Section("kegiatan", "Kegiatan yang Anda ikuti", columns, labelled)


def _attendance(user: User) -> Section:
    rows = db.session.execute(
        select(Training.title.label("training"), AttendanceSession.label.label("session"),
               AttendanceSession.day, AttendanceRecord.status, AttendanceRecord.method,
               AttendanceRecord.marked_at, AttendanceRecord.note, AttendanceRecord.client_address,
               AttendanceRecord.user_agent, AttendanceRecord.device_id)
        .join(AttendanceSession, AttendanceSession.id == AttendanceRecord.session_id)
        .join(Training, Training.id == AttendanceSession.training_id)
        .where(AttendanceRecord.user_id == user.id)
        .order_by(AttendanceSession.starts_at, AttendanceRecord.id)).mappings().all()
    labelled = [dict(r, status=STATUS_LABELS.get(r["status"], r["status"]),
                     method=METHODS.get(r["method"], r["method"])) for r in rows]
    columns = (Column("training", "Kegiatan"), Column("session", "Sesi"), Column("day", "Tanggal", "date"),
               Column("status", "Status"), Column("method", "Cara"), Column("marked_at", "Dicatat", "datetime"),
               Column("note", "Catatan"), Column("client_address", "Alamat IP"),
               Column("user_agent", "Peramban"), Column("device_id", "ID perangkat"))
    return Section("presensi", "Presensi", columns, labelled,
                   note="Alamat IP, peramban, dan ID perangkat presensi mandiri dihapus otomatis setelah masa simpan.")


def _attempts(user: User) -> Section:
    rows = db.session.execute(
        select(Quiz.title.label("quiz"), Quiz.kind, Training.title.label("training"), Attempt.number,
               Attempt.status, Attempt.started_at, Attempt.finished_at, Attempt.score, Attempt.maximum,
               Attempt.percent, Attempt.passed)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .outerjoin(Training, Training.id == Attempt.training_id)
        .where(Attempt.user_id == user.id).order_by(Attempt.started_at, Attempt.id)).mappings().all()
    labelled = [dict(r, kind=QUIZ_KINDS.get(r["kind"], r["kind"]),
                     status="Selesai" if r["status"] == "finished" else "Sedang dikerjakan",
                     score=_number(r["score"]), maximum=_number(r["maximum"]), percent=_number(r["percent"]),
                     # A pre-test measures the starting point: it is neither passed nor failed.
                     passed=None if r["kind"] == "pretest" else r["passed"])
                for r in rows]
    columns = (Column("quiz", "Kuis"), Column("kind", "Jenis"), Column("training", "Kegiatan"),
               Column("number", "Percobaan ke-"), Column("status", "Status"),
               Column("started_at", "Mulai", "datetime"), Column("finished_at", "Selesai", "datetime"),
               Column("score", "Skor", "number"), Column("maximum", "Skor maksimum", "number"),
               Column("percent", "Nilai", "percent"), Column("passed", "Lulus", "bool"))
    return Section("kuis", "Percobaan kuis", columns, labelled)


def _certificates(user: User) -> Section:
    rows = db.session.execute(
        select(Certificate.number, Training.title.label("training"), Certificate.issue_date, Certificate.jp,
               Certificate.status, Certificate.code, Certificate.revoked_at, Certificate.data)
        .join(Training, Training.id == Certificate.training_id)
        .where(Certificate.user_id == user.id).order_by(Certificate.issue_date, Certificate.id)).mappings().all()
    labelled = [{"number": r["number"], "training": r["training"], "issue_date": r["issue_date"], "jp": r["jp"],
                 "status": CERTIFICATE_STATUSES.get(r["status"], r["status"]), "code": r["code"],
                 "revoked_at": r["revoked_at"], "holder_name": r["data"].get("holder_name"),
                 "holder_nip": r["data"].get("nip") or None} for r in rows]
    columns = (Column("number", "Nomor"), Column("training", "Kegiatan"), Column("issue_date", "Terbit", "date"),
               Column("jp", "JP", "number"), Column("status", "Status"), Column("code", "Kode verifikasi"),
               Column("revoked_at", "Dicabut", "datetime"), Column("holder_name", "Nama tercetak"),
               Column("holder_nip", "NIP tercetak"))
    return Section("sertifikat", "Sertifikat", columns, labelled,
                   note="Sertifikat adalah dokumen resmi: data pemegang yang tercetak dibekukan saat terbit.")


def _progress(user: User) -> Section:
    rows = db.session.execute(
        select(Course.title.label("course"), Lesson.title.label("lesson"), LessonProgress.last_viewed_at,
               LessonProgress.completed_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Course, Course.id == Lesson.course_id)
        .where(LessonProgress.user_id == user.id)
        .order_by(Course.position, Course.id, Lesson.position, Lesson.id)).mappings().all()
    columns = (Column("course", "Modul"), Column("lesson", "Pelajaran"),
               Column("last_viewed_at", "Terakhir dibuka", "datetime"),
               Column("completed_at", "Selesai", "datetime"))
    return Section("kemajuan_modul", "Kemajuan modul", columns, [dict(r) for r in rows])


def _logins(user: User) -> Section:
    rows = db.session.execute(
        select(LoginSession.device, LoginSession.created_at, LoginSession.last_seen_at, LoginSession.revoked_at)
        .where(LoginSession.user_id == user.id)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())).mappings().all()
    columns = (Column("device", "Perangkat"), Column("created_at", "Masuk", "datetime"),
               Column("last_seen_at", "Terakhir aktif", "datetime"), Column("revoked_at", "Keluar", "datetime"))
    return Section("sesi_masuk", "Sesi masuk", columns, [dict(r) for r in rows],
                   note="Hanya jenis peramban dan sistem operasi yang disimpan, bukan alamat IP.")


def _audit_events(user: User) -> Section:
    actor = aliased(User)
    about = or_(and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)),
                AuditEvent.actor_id == user.id)
    rows = db.session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_id, actor.full_name.label("actor"),
               AuditEvent.object_type, AuditEvent.object_id, AuditEvent.details)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(about).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).mappings().all()
    labelled = [{"at": r["at"], "action": audit.ACTION_LABELS.get(r["action"], r["action"]),
                 "actor": "Anda" if r["actor_id"] == user.id else (r["actor"] or "Sistem"),
                 "object": f"{r['object_type']} #{r['object_id']}", "fields": ", ".join(r["details"].get("fields", []))}
                for r in rows]
    columns = (Column("at", "Waktu", "datetime"), Column("action", "Tindakan"), Column("actor", "Oleh"),
               Column("object", "Objek"), Column("fields", "Isian yang berubah"))
    return Section("log_audit", "Log audit tentang Anda", columns, labelled)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# ---------------------------------------------------------------- shapes: JSON and display text


def as_json(data: PersonalData) -> dict[str, Any]:
    """Return the data as JSON-ready values: ISO dates and times (UTC), plain numbers."""
    result: dict[str, Any] = {"dibuat": data.generated_at.isoformat(), "instansi": data.institution_name,
                              "profil": _json_row(data.profile.rows[0])}
    for section in data.sections:
        result[section.key] = [_json_row(row) for row in section.rows]
    return result


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, (date, datetime)) else value for key, value in row.items()}


def display(value: Any, kind: str, zone: str) -> str:
    """Return one value as the page and the PDF show it."""
    if value is None or value == "":
        return "—"
    if kind == "datetime":
        return format_datetime(value, zone)
    if kind == "date":
        return format_date(value)
    if kind == "bool":
        return "Ya" if value else "Tidak"
    if kind == "percent":
        return percent_text(value)
    if kind == "number":
        return decimal_text(value, 2)
    return str(value)


def display_rows(section: Section, zone: str) -> list[list[str]]:
    """Return a section's rows as text cells in column order."""
    return [[display(row.get(c.key), c.kind, zone) for c in section.columns] for row in section.rows]


def profile_pairs(data: PersonalData) -> list[tuple[str, str]]:
    """Return the profile as (label, text) pairs."""
    row = data.profile.rows[0]
    return [(c.heading, display(row.get(c.key), c.kind, data.zone)) for c in data.profile.columns]


# ---------------------------------------------------------------- own correction of phone and e-mail


def update_contact(user: User, email: str, phone: str) -> list[str]:
    """Let a person correct their own e-mail and phone; return the names of the fields that changed."""
    values = {"email": _clean(normalize_email, email, "email") or None,
              "phone": _clean(normalize_phone, phone, "phone")}
    if values["email"] is None and not user.nip:
        raise ValidationFailed("Surel wajib diisi: akun Anda masuk dengan surel.", "email")
    if values["email"] is not None and values["email"] != user.email and _email_taken(values["email"], user.id):
        raise ValidationFailed("Surel ini sudah dipakai akun lain. Periksa kembali atau pakai surel lain.", "email")
    changed = [key for key, value in values.items() if getattr(user, key) != value]
    for key in changed:
        setattr(user, key, values[key])
    if changed:
        audit.record(user, "user.contact_update", "user", user.id, {"fields": changed})
    return changed


def _clean(normalize: Callable[[str], str], raw: str, field: str) -> str:
    try:
        return normalize(raw or "")
    except IdentityError as exc:
        raise ValidationFailed(str(exc), field) from None


def _email_taken(email: str, user_id: int) -> bool:
    other = db.session.scalar(select(func.count(User.id)).where(User.email == email, User.id != user_id))
    return bool(other)


def table_sections(data: PersonalData) -> Sequence[tuple[Section, list[list[str]]]]:
    """Return each section with its display rows, for the page and the PDF."""
    return [(section, display_rows(section, data.zone)) for section in data.sections]


def render_pdf(data: PersonalData) -> bytes:
    """Return the data as a PDF of simple tables."""
    blocks = tuple(TableBlock(section.title, tuple(c.heading for c in section.columns),
                              tuple(tuple(row) for row in rows), section.note)
                   for section, rows in table_sections(data))
    return render_personal_data(DataDocument(
        data.institution_name, str(data.profile.rows[0]["full_name"]),
        format_datetime(data.generated_at, data.zone), tuple(profile_pairs(data)), blocks))
