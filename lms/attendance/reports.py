"""Attendance documents: the Daftar Hadir PDF and the XLSX export."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from lms.accounts.models import Institution
from lms.attendance.models import AttendanceSession
from lms.attendance.sheet_pdf import AttendanceSheet, SheetRow, render_attendance_sheet
from lms.csvsafe import cell
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


def xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], title: str) -> bytes:
    """Return a one-sheet workbook; text cells that look like formulas are kept as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Rekap Kehadiran"
    sheet.append([_safe(title)])
    sheet.append([_safe(h) for h in header])
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for column in ("B", "D"):
        sheet.column_dimensions[column].width = 36
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions[get_column_letter(len(header))].width = 48  # the shared-device note
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _safe(value: Any) -> Any:
    return cell(value) if isinstance(value, str) else value
