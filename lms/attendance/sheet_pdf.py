"""Printable attendance sheet ("Daftar Hadir") for a bimtek session: pure ReportLab."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.accounts.identity import format_nip
from lms.dates import format_date
from lms.pdftext import fit_line

MARGIN_X = 13 * mm
MARGIN_TOP = 12 * mm
# Leaves room for the footer drawn under the frame on every page.
MARGIN_BOTTOM = 18 * mm
# SimpleDocTemplate's frame keeps ReportLab's default 6 pt padding inside the margins.
FRAME_PAD = 6
CONTENT_LEFT = MARGIN_X + FRAME_PAD
CONTENT_WIDTH = A4[0] - 2 * CONTENT_LEFT
LOGO_HEIGHT = 22 * mm
# No | Nama | NIP | Jabatan | OPD | Tanda Tangan; the NIP column fits "19850101 201001 1 001".
_FIXED_WIDTHS = (9 * mm, 44 * mm, 36 * mm, 29 * mm, 31 * mm)
COLUMN_WIDTHS = _FIXED_WIDTHS + (CONTENT_WIDTH - sum(_FIXED_WIDTHS),)
HEADERS = ("No", "Nama", "NIP", "Jabatan", "OPD", "Tanda Tangan")
# Tall enough for a handwritten signature, as on the paper form.
SIGN_HEIGHT = 10 * mm
CELL_PAD = 3
FONT, BOLD = "Helvetica", "Helvetica-Bold"
FOOTER_FONT = "Helvetica-Oblique"
EMPTY_NIP = "—"


@dataclass(frozen=True)
class SheetRow:
    name: str
    nip: str
    jabatan: str
    agency: str


@dataclass(frozen=True)
class AttendanceSheet:
    institution_name: str
    institution_address: str
    training_title: str
    session_label: str
    date: date
    time_range: str
    venue: str
    rows: tuple[SheetRow, ...]
    signatory_title: str = ""
    signatory_name: str = ""
    signatory_nip: str = ""


def _style(name: str, size: float, font: str = FONT, **extra: Any) -> ParagraphStyle:
    extra.setdefault("leading", size * 1.2)
    return ParagraphStyle(name, fontName=font, fontSize=size, **extra)


STYLES = {
    "kop_name": _style("kop_name", 13, BOLD, alignment=TA_CENTER, leading=16),
    "kop_address": _style("kop_address", 8.5, alignment=TA_CENTER),
    "title": _style("title", 14, BOLD, alignment=TA_CENTER, spaceAfter=2),
    "subtitle": _style("subtitle", 11, BOLD, alignment=TA_CENTER, leading=14),
    "info": _style("info", 10),
    "head": _style("head", 9, BOLD, alignment=TA_CENTER),
    "cell": _style("cell", 8.5),
    "cell_center": _style("cell_center", 8.5, alignment=TA_CENTER),
    "sign": _style("sign", 10),
}


class _KopRule(Flowable):
    """The double line (thick over thin) that closes an official letterhead."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, 4

    def draw(self) -> None:
        self.canv.setLineWidth(2)
        self.canv.line(0, 3, self.width, 3)
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 0, self.width, 0)


class _SignSlot(Flowable):
    """A signature cell: number and dotted line, alternating left and middle."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        # The fixed height is what gives every row its signing room.
        return avail_width, SIGN_HEIGHT - 2 * CELL_PAD

    def draw(self) -> None:
        # Staggering keeps neighbours' signatures from colliding on the form.
        x = 0 if self.number % 2 else self.width * 0.45
        label = f"{self.number}. "
        dot = self.canv.stringWidth(".", FONT, 8)
        room = self.width * 0.55 - self.canv.stringWidth(label, FONT, 8)
        self.canv.setFont(FONT, 8)
        self.canv.drawString(x, 2, label + "." * int(room / dot))


def render_attendance_sheet(sheet: AttendanceSheet, logo: bytes | None = None) -> bytes:
    """Return the A4 "Daftar Hadir" PDF of one session, byte-identical for equal input."""
    # "Halaman X dari Y" needs the page count, known only after a first layout.
    _, pages = _build(sheet, logo, total=0)
    pdf, _ = _build(sheet, logo, total=pages)
    return pdf


def _build(sheet: AttendanceSheet, logo: bytes | None, total: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=1, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=f"Daftar Hadir - {sheet.training_title}", author=sheet.institution_name,
        subject=sheet.session_label, creator="LMS Bimtek")
    pages = [0]

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        pages[0] = document.page
        _draw_footer(canvas, sheet.training_title, document.page, total)

    doc.build(_story(sheet, logo), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), pages[0]


def _story(sheet: AttendanceSheet, logo: bytes | None) -> list[Flowable]:
    story: list[Flowable] = [_kop(sheet, logo), Spacer(1, 1.5 * mm), _KopRule(),
                             Spacer(1, 5 * mm)]
    story += [Paragraph("DAFTAR HADIR", STYLES["title"]),
              Paragraph(_text(sheet.training_title), STYLES["subtitle"]),
              Spacer(1, 4 * mm), _info_table(sheet), Spacer(1, 4 * mm),
              _participants_table(sheet.rows)]
    if sheet.signatory_name or sheet.signatory_title:
        story += [Spacer(1, 8 * mm), _signatory_block(sheet)]
    return story


def _text(value: str) -> str:
    """Escape user text for Paragraph markup, keeping line breaks."""
    return escape(value).replace("\n", "<br/>")


def _kop(sheet: AttendanceSheet, logo: bytes | None) -> Table:
    lines = [Paragraph(_text(sheet.institution_name.upper()), STYLES["kop_name"])]
    if sheet.institution_address:
        lines.append(Paragraph(_text(sheet.institution_address), STYLES["kop_address"]))
    side = 26 * mm
    # An empty cell of the logo's width on the right keeps the name centred on the page.
    table = Table([[_logo_image(logo) if logo else "", lines, ""]],
                  colWidths=(side, CONTENT_WIDTH - 2 * side, side))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (0, 0), "LEFT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _logo_image(logo: bytes) -> Image:
    width, height = ImageReader(io.BytesIO(logo)).getSize()
    # Logos come in any shape: fix the height, cap the width at the cell.
    scale = min(LOGO_HEIGHT / height, 24 * mm / width)
    return Image(io.BytesIO(logo), width=width * scale, height=height * scale)


def _info_table(sheet: AttendanceSheet) -> Table:
    pairs = (("Hari/Tanggal", format_date(sheet.date, with_day=True)),
             ("Waktu", sheet.time_range), ("Tempat", sheet.venue),
             ("Sesi", sheet.session_label))
    data = [[label, ":", Paragraph(_text(value), STYLES["info"])] for label, value in pairs]
    table = Table(data, colWidths=(28 * mm, 4 * mm, CONTENT_WIDTH - 32 * mm), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (1, -1), FONT, 10),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


def _participants_table(rows: tuple[SheetRow, ...]) -> Table:
    head = [Paragraph(label, STYLES["head"]) for label in HEADERS]
    body = [_participant_cells(number, row) for number, row in enumerate(rows, start=1)]
    table = Table([head] + body, colWidths=COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]))
    return table


def _participant_cells(number: int, row: SheetRow) -> list[Flowable]:
    nip = format_nip(row.nip) if row.nip.strip() else EMPTY_NIP
    return [Paragraph(f"{number}.", STYLES["cell_center"]),
            Paragraph(_text(row.name), STYLES["cell"]),
            Paragraph(_text(nip), STYLES["cell_center"]),
            Paragraph(_text(row.jabatan), STYLES["cell"]),
            Paragraph(_text(row.agency), STYLES["cell"]),
            _SignSlot(number)]


def _signatory_block(sheet: AttendanceSheet) -> Flowable:
    lines: list[Flowable] = [Paragraph("Mengetahui,", STYLES["sign"])]
    if sheet.signatory_title:
        lines.append(Paragraph(_text(sheet.signatory_title) + ",", STYLES["sign"]))
    lines.append(Spacer(1, 22 * mm))  # room for the signature and the stamp
    lines.append(Paragraph(f"<b><u>{_text(sheet.signatory_name)}</u></b>", STYLES["sign"]))
    if sheet.signatory_nip:
        lines.append(Paragraph(f"NIP. {_text(format_nip(sheet.signatory_nip))}", STYLES["sign"]))
    block = Table([[lines]], colWidths=(75 * mm,), hAlign="RIGHT")
    block.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    # A signature torn from its heading would not be accepted in the report.
    return KeepTogether([block])


def _draw_footer(canvas: Canvas, title: str, page: int, total: int) -> None:
    canvas.saveState()
    y = MARGIN_BOTTOM - 9 * mm
    canvas.setLineWidth(0.4)
    canvas.setStrokeColor(colors.HexColor("#808080"))
    right = A4[0] - CONTENT_LEFT
    canvas.line(CONTENT_LEFT, y + 9, right, y + 9)
    canvas.setFont(FONT, 8)
    label = f"Halaman {page} dari {total}"
    canvas.drawRightString(right, y, label)
    canvas.setFont(FOOTER_FONT, 7)
    room = CONTENT_WIDTH - canvas.stringWidth(label, FONT, 8) - 8 * mm
    canvas.drawString(CONTENT_LEFT, y, fit_line(title, FOOTER_FONT, 7, room))
    canvas.restoreState()
