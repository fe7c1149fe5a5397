"""Daftar Hadir PDF: pagination, repeated header, wrapping and byte-stable output."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

from PIL import Image
from pypdf import PdfReader

from lms.attendance.sheet_pdf import AttendanceSheet, SheetRow, render_attendance_sheet
from tests.pdfstrings import drawn

TITLE = "Bimtek Tata Kelola SPBE Tahun 2026"


def make_rows(count: int) -> tuple[SheetRow, ...]:
    """Return participants whose names never contain one another."""
    return tuple(SheetRow(name=f"Peserta {index:03d} Lestari",
                          nip=f"19850115201001{1 + index % 2}{index:03d}",
                          jabatan="Pranata Komputer", agency="Dinas Komunikasi dan Informatika")
                 for index in range(1, count + 1))


def make_sheet(rows: tuple[SheetRow, ...], **extra: str) -> AttendanceSheet:
    """Return a sheet for Senin, 17 Agustus 2026 around the given rows."""
    return AttendanceSheet(
        institution_name="Dinas Komunikasi dan Informatika Kabupaten Contoh",
        institution_address="Jl. Sudirman No. 1, Kota Contoh", training_title=TITLE,
        session_label="Hari ke-1 · Sesi Pagi", date=date(2026, 8, 17),
        time_range="08.00–12.00 WIB", venue="Aula Kantor Bupati", rows=rows, **extra)


def page_texts(pdf: bytes) -> list[str]:
    """Return the extracted text of every page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def png_logo() -> bytes:
    """Return a small PNG logo."""
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def test_120_participants_span_pages_with_header_and_page_numbers() -> None:
    pdf = render_attendance_sheet(make_sheet(make_rows(120)), logo=png_logo())
    texts = page_texts(pdf)
    total = len(texts)
    assert total >= 3
    for text in texts:
        assert "Tanda Tangan" in text
        assert TITLE in text
    assert f"Halaman 1 dari {total}" in texts[0]
    assert f"Halaman {total} dari {total}" in texts[-1]
    assert "DAFTAR HADIR" in texts[0]
    assert "Senin, 17 Agustus 2026" in texts[0]


def test_every_participant_appears_exactly_once() -> None:
    rows = make_rows(120)
    text = "\n".join(page_texts(render_attendance_sheet(make_sheet(rows))))
    for row in rows:
        assert text.count(row.name) == 1, row.name


def test_nip_grouped_and_signature_numbers_printed() -> None:
    text = page_texts(render_attendance_sheet(make_sheet(make_rows(3))))[0]
    assert "19850115 201001 2 001" in text
    assert re.search(r"3\. \.{5,}", text)


def test_same_input_gives_same_bytes() -> None:
    sheet = make_sheet(make_rows(40), signatory_title="Kepala Dinas",
                       signatory_name="Drs. Hendra", signatory_nip="197001011995031001")
    assert render_attendance_sheet(sheet, png_logo()) == render_attendance_sheet(sheet, png_logo())


def test_long_name_and_agency_wrap() -> None:
    name = "Raden " + " ".join(["Mas Bambang Sutrisno Wicaksono"] * 3)[:84]
    agency = ("Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah " * 3)[:150]
    unbroken = "X" * 150  # one word longer than the column must still be cut to fit
    rows = (SheetRow(name, "", "Staf", agency), SheetRow("Budi", "", "Staf", unbroken))
    assert len(name) == 90 and len(agency) == 150
    text = " ".join(page_texts(render_attendance_sheet(make_sheet(rows))))
    words = " ".join(text.split())
    assert "Wicaksono" in words and "Pengembangan" in words


def test_empty_nip_shows_a_dash() -> None:
    rows = (SheetRow("Budi", "", "Honorer", "Setda"),)
    text = page_texts(render_attendance_sheet(make_sheet(rows)))[0]
    assert "—" in text


def test_signatory_block_after_last_row() -> None:
    sheet = make_sheet(make_rows(30), signatory_title="Kepala Dinas Komunikasi dan Informatika",
                       signatory_name="Drs. Hendra Gunawan, M.Si.",
                       signatory_nip="197001011995031001")
    last = page_texts(render_attendance_sheet(sheet))[-1]
    assert "Mengetahui," in last
    assert "Drs. Hendra Gunawan, M.Si." in last
    assert "NIP. 19700101 199503 1 001" in last
    assert last.index("Mengetahui,") > last.index("Peserta 030 Lestari")


def test_without_signatory_or_rows_still_renders() -> None:
    texts = page_texts(render_attendance_sheet(make_sheet(())))
    assert len(texts) == 1
    assert "Mengetahui" not in texts[0]
    assert "Halaman 1 dari 1" in texts[0]


def test_jpeg_logo_accepted() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 40, 40)).save(buffer, "JPEG")
    pdf = render_attendance_sheet(make_sheet(make_rows(2)), buffer.getvalue())
    assert pdf.startswith(b"%PDF")


def test_a_long_title_in_the_footer_ends_in_an_ellipsis_before_the_page_number() -> None:
    title = "Bimtek Tata Kelola Sistem Pemerintahan Berbasis Elektronik " * 6
    strings = drawn(render_attendance_sheet(replace(make_sheet(make_rows(2)), training_title=title)))
    page_number = next(s for s in strings if s.text.startswith("Halaman 1 dari"))
    footer = next(s for s in strings if s.baseline == page_number.baseline and s is not page_number)
    assert footer.text.endswith("…") and title.startswith(footer.text[:-1])
    assert footer.right < page_number.left
