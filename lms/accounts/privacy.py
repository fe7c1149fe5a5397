"""Privacy use cases (UU PDP 27/2022): anonymising an account, purging what is kept only for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from lms.accounts import sessions as login_sessions
from lms.accounts.models import Role, User, UserImport
from lms.attendance.models import AttendanceRecord
from lms.audit import services as audit
from lms.certificates.models import Certificate
from lms.db_types import affected_rows, writing
from lms.errors import NotAllowed
from lms.extensions import db

ANONYMOUS_NAME = "Peserta Dianonimkan #{id}"
# What anonymising removes; enrolments, attendance, attempts and certificates stay.
CLEARED_FIELDS = ("full_name", "nip", "email", "phone", "pangkat_golongan", "jabatan", "password_hash")


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    attendance_records: int
    import_previews: int


def anonymise_refusal(user: User, actor: User) -> str | None:
    """Return why actor may not anonymise user, or None when they may."""
    if user.id == actor.id:
        return "Anda tidak dapat menganonimkan akun Anda sendiri."
    if user.role != Role.PARTICIPANT.value:
        return "Akun Narasumber dan Penyelenggara tidak dapat dianonimkan; hanya akun Peserta."
    if user.anonymised_at is not None:
        return "Akun ini sudah dianonimkan."
    return None


def certificate_count(user: User) -> int:
    """Return how many certificates were issued to user (they keep their frozen holder data)."""
    return db.session.scalar(select(func.count(Certificate.id)).where(Certificate.user_id == user.id)) or 0


def anonymise_user(user: User, actor: User, now: datetime) -> None:
    """Replace a participant's name, remove their identifiers and password, end their sessions."""
    refusal = anonymise_refusal(user, actor)
    if refusal:
        raise NotAllowed(refusal)
    user.full_name = ANONYMOUS_NAME.format(id=user.id)
    user.nip = user.email = None
    user.phone = user.pangkat_golongan = user.jabatan = ""
    user.password_hash, user.must_change_password = None, False
    user.active, user.anonymised_at = False, now
    user.session_version += 1
    login_sessions.revoke_all(user, now)
    db.session.execute(update(AttendanceRecord).where(AttendanceRecord.user_id == user.id)
                       .values(client_address=None, user_agent=None, device_id=None))
    audit.record(actor, "user.anonymise", "user", user.id, {"fields": list(CLEARED_FIELDS)}, now=now)


def retention_cutoff(now: datetime, days: int | None = None) -> datetime:
    """Return the moment before which purgeable personal data is removed."""
    return now - timedelta(days=days or int(current_app.config["PERSONAL_DATA_RETENTION_DAYS"]))


def purge_personal_data(now: datetime, days: int | None = None) -> PurgeResult:
    """Empty check-in IP, user agent and device id, and delete import previews, older than the period."""
    cutoff = retention_cutoff(now, days)
    records = affected_rows(db.session.execute(
        update(AttendanceRecord)
        .where(AttendanceRecord.marked_at < cutoff,
               or_(AttendanceRecord.client_address.is_not(None), AttendanceRecord.user_agent.is_not(None),
                   AttendanceRecord.device_id.is_not(None)))
        .values(client_address=None, user_agent=None, device_id=None)
        .execution_options(synchronize_session=False)))
    previews = affected_rows(db.session.execute(
        delete(UserImport).where(UserImport.status != "applied", UserImport.created_at < cutoff)
        .execution_options(synchronize_session=False)))
    if records or previews:
        audit.record(None, "privacy.purge", "system", "personal_data",
                     {"attendance_records": records, "import_previews": previews,
                      "cutoff": cutoff.isoformat()}, now=now)
    return PurgeResult(cutoff, records, previews)


def run_purge(now: datetime) -> PurgeResult:
    """Purge and commit in one write transaction: the entry point of the CLI command and the daily job."""
    with writing():
        result = purge_personal_data(now)
        db.session.commit()
    return result
