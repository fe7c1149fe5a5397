"""The "Data Saya" PDF: a person's data as simple tables with Indonesian headings; pure ReportLab."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.pdftext import fit_line

PAGE = landscape(A4)
MARGIN = 12 * mm
# SimpleDocTemplate's frame keeps ReportLab's default 6 pt padding inside the margins.
CONTENT_WIDTH = PAGE[0] - 2 * (MARGIN + 6)
FONT, BOLD = "Helvetica", "Helvetica-Bold"
FOOTER_FONT = "Helvetica-Oblique"
CELL_PAD = 2.5
EMPTY = "Tidak ada data."
SECTION_ROOM = 30 * mm


@dataclass(frozen=True)
class TableBlock:
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class DataDocument:
    institution_name: str
    person_name: str
    generated: str
    profile: tuple[tuple[str, str], ...]
    tables: tuple[TableBlock, ...]


def _style(name: str, size: float, font: str = FONT, **extra: object) -> ParagraphStyle:
    extra.setdefault("leading", size * 1.25)
    return ParagraphStyle(name, fontName=font, fontSize=size, **extra)  # type: ignore[arg-type]


STYLES = {
    "kop": _style("kop", 12, BOLD, alignment=TA_CENTER),
    "title": _style("title", 14, BOLD, alignment=TA_CENTER, spaceAfter=2),
    "meta": _style("meta", 9, alignment=TA_CENTER),
    "heading": _style("heading", 11, BOLD, spaceBefore=6, spaceAfter=3),
    "note": _style("note", 8, textColor=colors.HexColor("#404040"), spaceAfter=2),
    "head": _style("head", 7.5, BOLD),
    "cell": _style("cell", 7.5),
    "label": _style("label", 9, BOLD),
    "value": _style("value", 9),
}


def render_personal_data(document: DataDocument) -> bytes:
    """Return the PDF of one person's data, byte-identical for equal input."""
    # "Halaman X dari Y" needs the page count, known only after a first layout.
    _, pages = _build(document, total=0)
    pdf, _ = _build(document, total=pages)
    return pdf


def _build(document: DataDocument, total: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, invariant=1, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm,
                            title=f"Data Saya - {document.person_name}", author=document.institution_name,
                            creator="LMS Bimtek")
    pages = [0]

    def footer(canvas: Canvas, template: SimpleDocTemplate) -> None:
        pages[0] = template.page
        _draw_footer(canvas, document.person_name, template.page, total)

    doc.build(_story(document), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), pages[0]


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _story(document: DataDocument) -> list[Flowable]:
    story: list[Flowable] = []
    if document.institution_name:
        story.append(Paragraph(_text(document.institution_name.upper()), STYLES["kop"]))
    story += [Paragraph("DATA PRIBADI YANG DISIMPAN", STYLES["title"]),
              Paragraph(f"Dibuat {_text(document.generated)}", STYLES["meta"]), Spacer(1, 4 * mm),
              Paragraph("Profil", STYLES["heading"]), _profile_table(document.profile)]
    for block in document.tables:
        story += _table_block(block)
    return story


def _profile_table(pairs: tuple[tuple[str, str], ...]) -> Table:
    data = [[Paragraph(_text(label), STYLES["label"]), Paragraph(_text(value), STYLES["value"])]
            for label, value in pairs]
    table = Table(data, colWidths=(45 * mm, CONTENT_WIDTH - 45 * mm), hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _table_block(block: TableBlock) -> list[Flowable]:
    # A heading alone at the foot of a page, its table on the next, reads as an empty section.
    heading: list[Flowable] = [CondPageBreak(SECTION_ROOM), Paragraph(_text(block.title), STYLES["heading"])]
    if block.note:
        heading.append(Paragraph(_text(block.note), STYLES["note"]))
    if not block.rows:
        return heading + [Paragraph(EMPTY, STYLES["value"])]
    width = CONTENT_WIDTH / len(block.headings)
    head = [Paragraph(_text(h), STYLES["head"]) for h in block.headings]
    body = [[Paragraph(_text(cell), STYLES["cell"]) for cell in row] for row in block.rows]
    table = Table([head] + body, colWidths=[width] * len(block.headings), repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]))
    return heading + [table]


def _draw_footer(canvas: Canvas, name: str, page: int, total: int) -> None:
    canvas.saveState()
    y = MARGIN
    right = PAGE[0] - MARGIN - 6
    canvas.setLineWidth(0.4)
    canvas.setStrokeColor(colors.HexColor("#808080"))
    canvas.line(MARGIN + 6, y + 9, right, y + 9)
    canvas.setFont(FONT, 8)
    label = f"Halaman {page} dari {total}"
    canvas.drawRightString(right, y, label)
    canvas.setFont(FOOTER_FONT, 7)
    room = right - MARGIN - 6 - canvas.stringWidth(label, FONT, 8) - 8 * mm
    canvas.drawString(MARGIN + 6, y, fit_line(f"Data Saya - {name}", FOOTER_FONT, 7, room))
    canvas.restoreState()
