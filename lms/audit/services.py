"""Write and read the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.db_types import utcnow
from lms.extensions import db

ACTION_LABELS = {
    "user.create": "Membuat pengguna",
    "user.update": "Mengubah pengguna",
    "user.deactivate": "Menonaktifkan pengguna",
    "user.activate": "Mengaktifkan pengguna",
    "user.one_time_password": "Membuat kata sandi sekali pakai",
    "user.password_change": "Mengganti kata sandi sendiri",
    "user.password_set": "Menetapkan kata sandi (CLI)",
    "user.login": "Masuk",
    "agency.create": "Menambah OPD",
    "agency.update": "Mengubah OPD",
    "institution.update": "Mengubah profil instansi",
    "institution.logo": "Mengganti logo instansi",
    "import.apply": "Mengimpor peserta",
    "user.contact_update": "Memperbaiki surel/No. HP sendiri",
    "user.anonymise": "Menganonimkan akun",
    "privacy.purge": "Menghapus data perangkat presensi dan pratinjau impor lama",
    "user.sessions_end_all": "Keluar dari semua perangkat",
    "training.create": "Membuat kegiatan",
    "training.update": "Mengubah kegiatan",
    "training.enroll": "Mendaftarkan peserta",
    "training.unenroll": "Mengeluarkan peserta",
    "training.signatory": "Mengubah penanda tangan sertifikat",
    "agenda.create": "Menambah acara agenda",
    "agenda.update": "Mengubah acara agenda",
    "agenda.delete": "Menghapus acara agenda",
    "attendance.session_create": "Membuat sesi presensi",
    "attendance.session_delete": "Menghapus sesi presensi",
    "attendance.mark": "Mencatat presensi",
    "attendance.bulk": "Mengubah presensi sekaligus",
    "attendance.bulk_undo": "Membatalkan perubahan massal presensi",
    "attendance.session_open": "Membuka sesi presensi",
    "attendance.session_close": "Menutup sesi presensi",
    "attendance.session_extend": "Memperpanjang sesi presensi",
    "certificate.issue": "Menerbitkan sertifikat",
    "certificate.early_issue": "Menerbitkan sebelum pelatihan selesai",
    "certificate.override": "Memberi pengecualian syarat sertifikat",
    "certificate.revoke": "Mencabut sertifikat",
    "certificate.sign": "Menandatangani sertifikat secara elektronik",
    "certificate.sign_failed": "Gagal menandatangani sertifikat",
    "quiz.regrade": "Menilai ulang kuis",
    "assignment.choose": "Memilih tugas kegiatan",
    "assignment.save": "Menyimpan tugas khusus kegiatan",
    "submission.submit": "Mengumpulkan tugas",
    "submission.resubmit": "Mengumpulkan revisi tugas",
    "submission.withdraw": "Menarik tugas",
    "submission.review": "Menilai tugas (rubrik dan komentar)",
    "submission.return": "Mengembalikan tugas untuk revisi",
    "submission.decide": "Memberi nilai akhir tugas",
    "submission.reopen": "Membuka kembali penilaian tugas",
    "assignment.snippet_add": "Menyimpan komentar siap pakai tugas",
    "assignment.snippet_delete": "Menghapus komentar siap pakai tugas",
    "assignment.download": "Mengunduh kiriman tugas (ZIP)",
    "report.update": "Mengubah narasi laporan kegiatan",
    "report.photo_add": "Menambah foto dokumentasi laporan",
    "report.photo_delete": "Menghapus foto dokumentasi laporan",
}


def record(actor: User | None, action: str, object_type: str, object_id: Any,
           details: dict[str, Any] | None = None, now: datetime | None = None) -> AuditEvent:
    """Append one event to the audit log (flushed with the caller's transaction)."""
    entry = AuditEvent(actor_id=actor.id if actor else None, action=action,
                       object_type=object_type, object_id=str(object_id),
                       details=details or {}, at=now or utcnow())
    db.session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("the audit log is append-only")


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search(criteria: AuditFilter, page: int, per_page: int, zone: Any) -> tuple[list[AuditEvent], int]:
    """Return one page of events, newest first, and the total count matching."""
    query = select(AuditEvent)
    if criteria.actor_id:
        query = query.where(AuditEvent.actor_id == criteria.actor_id)
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.object_type:
        query = query.where(AuditEvent.object_type == criteria.object_type)
    if criteria.object_id:
        query = query.where(AuditEvent.object_id == criteria.object_id)
    if criteria.date_from:
        start = datetime.combine(criteria.date_from, time.min, zone).astimezone(UTC)
        query = query.where(AuditEvent.at >= start)
    if criteria.date_to:
        end = datetime.combine(criteria.date_to + timedelta(days=1), time.min, zone)
        query = query.where(AuditEvent.at < end.astimezone(UTC))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def actions_in_use() -> list[str]:
    """Return the distinct actions recorded, for the filter menu."""
    return sorted(db.session.scalars(select(AuditEvent.action).distinct()).all())
