"""Attendance documents: the Daftar Hadir PDF."""

from __future__ import annotations

from lms.accounts.models import Institution
from lms.attendance.models import AttendanceSession
from lms.attendance.sheet_pdf import AttendanceSheet, SheetRow, render_attendance_sheet
from lms.dates import format_time_range
from lms.trainings import scope as trainings


def daftar_hadir(session: AttendanceSession, institution: Institution) -> bytes:
    """Render the sign-in sheet of one session for every enrolled participant."""
    training = session.training
    rows = tuple(SheetRow(u.full_name, u.nip or "", u.jabatan, u.agency.name if u.agency else "")
                 for u in trainings.participants(training))
    day_number = training.days.index(session.day) + 1 if session.day in training.days else 1
    sheet = AttendanceSheet(
        institution_name=institution.name, institution_address=institution.address,
        training_title=training.title, session_label=f"Hari ke-{day_number} · Sesi {session.label}",
        date=session.day, venue=", ".join(p for p in (training.venue, training.city) if p),
        time_range=format_time_range(session.starts_at, session.ends_at, training.time_zone),
        rows=rows, signatory_title=institution.head_title, signatory_name=institution.head_name,
        signatory_nip=institution.head_nip)
    return render_attendance_sheet(sheet, logo=_logo(institution))


def _logo(institution: Institution) -> bytes | None:
    return institution.logo if institution.logo_sha256 else None
