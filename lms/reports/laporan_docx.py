"""The Laporan Pelaksanaan as a Word document (python-docx), for offices that finish reports in Word.

The same document.Report as the PDF: headings in Word's heading styles (so the navigation pane
and a table of contents work), tables with their header row repeated on every page, page numbers
as fields. Charts go in as PNG images when ReportLab's bitmap renderer (renderPM with its cairo
backend) is installed; without it each chart is left out with a line saying so, and its numbers
stay in the table beside it.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from lms.accounts.identity import format_nip
from lms.dates import format_date
from lms.reports import document as doc
from lms.reports.narrative import Block

FONT = "Arial"
BODY_SIZE = Pt(11)
CELL_SIZE = Pt(9)
SMALL_SIZE = Pt(8)
CONTENT_WIDTH = Mm(210 - 25 - 20)
ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
NO_CHART_IMAGE = ("Grafik tidak disertakan dalam berkas Word ini (pustaka gambar grafik tidak terpasang di "
                  "server); angkanya ada pada tabel, dan grafiknya pada laporan PDF.")


def render_docx(report: doc.Report) -> bytes:
    """Return the report as DOCX bytes."""
    document = Document()
    _setup(document, report)
    _cover(document, report)
    body = document.add_section(WD_SECTION.NEW_PAGE)
    body.different_first_page_header_footer = False
    _footer(body, report.cover.subject)
    _letterhead(document, report.letterhead)
    first_chapter = True
    for element in report.elements:
        if isinstance(element, doc.Heading) and element.level == 1:
            if not first_chapter:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            first_chapter = False
        _element(document, element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _setup(document: Any, report: doc.Report) -> None:
    properties = document.core_properties
    properties.title, properties.author, properties.subject = report.title, report.letterhead.name, report.cover.subject
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, BODY_SIZE
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    for level, size in ((1, 13), (2, 11.5), (3, 11)):
        style = document.styles[f"Heading {level}"]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(10 if level > 1 else 0)
        style.paragraph_format.space_after = Pt(6)
    document.styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _paragraph(document: Any, text: str = "", size: Pt | None = None, bold: bool = False, italic: bool = False,
               align: Any = None, space_after: Pt | None = None) -> Any:
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = size
    if align is not None:
        paragraph.alignment = align
    if space_after is not None:
        paragraph.paragraph_format.space_after = space_after
    return paragraph


def _cover(document: Any, report: doc.Report) -> None:
    cover = report.cover
    for _ in range(5):
        _paragraph(document)
    _paragraph(document, cover.title, Pt(18), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, cover.subject, Pt(15), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in cover.lines:
        _paragraph(document, line, Pt(11.5), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(0))
    for _ in range(4):
        _paragraph(document)
    if report.letterhead.logo:
        paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.add_run().add_picture(io.BytesIO(report.letterhead.logo), height=Mm(40))
    for _ in range(4):
        _paragraph(document)
    _paragraph(document, cover.institution.upper(), Pt(13), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
               space_after=Pt(0))
    _paragraph(document, str(cover.year), Pt(13), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _letterhead(document: Any, letterhead: doc.Letterhead) -> None:
    table = document.add_table(rows=1, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(24), CONTENT_WIDTH - Mm(48), Mm(24))
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width
    logo, middle, _ = table.rows[0].cells
    if letterhead.logo:
        logo.paragraphs[0].add_run().add_picture(io.BytesIO(letterhead.logo), height=Mm(20))
    name = middle.paragraphs[0]
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = name.add_run(letterhead.name.upper())
    run.bold, run.font.size = True, Pt(14)
    if letterhead.address:
        address = middle.add_paragraph()
        address.alignment = WD_ALIGN_PARAGRAPH.CENTER
        address.add_run(letterhead.address).font.size = Pt(9)
    rule = _paragraph(document, space_after=Pt(12))
    _bottom_border(rule)


def _bottom_border(paragraph: Any) -> None:
    """The double rule (thick over thin) under an official letterhead."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "thickThinSmallGap"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _footer(section: Any, subject: str) -> None:
    section.footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(f"Laporan Pelaksanaan · {subject}")
    run.italic, run.font.size = True, Pt(7.5)
    paragraph.add_run("\t\t")
    for piece in ("Halaman ", "PAGE", " dari ", "NUMPAGES"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(paragraph, piece)
        else:
            paragraph.add_run(piece).font.size = Pt(8.5)


def _field(paragraph: Any, name: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), name)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# ---------------------------------------------------------------- elements


def _element(document: Any, element: doc.Element) -> None:
    if isinstance(element, doc.Heading):
        document.add_heading(element.text.replace("\n", " — ") if element.level == 1 else element.text,
                             min(element.level, 3))
    elif isinstance(element, doc.Text):
        _paragraph(document, element.text, italic=element.style in ("note", "caption"),
                   align=WD_ALIGN_PARAGRAPH.CENTER if element.style == "caption" else None)
    elif isinstance(element, doc.Narrative):
        for block in element.blocks:
            _block(document, block)
    elif isinstance(element, doc.Table):
        _table(document, element)
    elif isinstance(element, doc.Pairs):
        _pairs(document, element)
    elif isinstance(element, doc.Chart):
        _chart(document, element)
    elif isinstance(element, doc.Photos):
        _photos(document, element)
    elif isinstance(element, doc.Signature):
        _signature(document, element)
    else:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _block(document: Any, block: Block) -> None:
    if block.kind == "table":
        columns = max(len(row) for row in block.rows)
        rows = [row + [""] * (columns - len(row)) for row in block.rows]
        _table(document, doc.Table(tuple(rows[0]), tuple(tuple(r) for r in rows[1:]), (1.0,) * columns))
        return
    paragraph = document.add_paragraph()
    if block.kind == "li":
        paragraph.paragraph_format.left_indent = Mm(6 * block.level + 6)
        paragraph.paragraph_format.first_line_indent = Mm(-6)
        paragraph.add_run(f"{block.marker}\t")
    elif block.kind == "quote":
        paragraph.paragraph_format.left_indent = Mm(8)
    elif block.kind == "p":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for piece in block.runs:
        run = paragraph.add_run(piece.text)
        run.bold = piece.bold or block.kind == "h" or None
        run.italic = piece.italic or block.kind == "quote" or None
        run.underline = piece.underline or None
        if piece.code or block.kind == "pre":
            run.font.name = "Courier New"


def _table(document: Any, table: doc.Table) -> None:
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    total = sum(table.widths)
    widths = [int(CONTENT_WIDTH * w / total) for w in table.widths]
    aligns = table.align or "l" * len(table.header)
    size = SMALL_SIZE if table.small else CELL_SIZE
    _repeat_header(grid.rows[0])
    for i, label in enumerate(table.header):
        _cell(grid.rows[0].cells[i], label, size, bold=True, align="c", width=widths[i], shade=True)
    for r, row in enumerate(table.rows, start=1):
        last = table.total and r == len(table.rows)
        cells = grid.rows[r].cells
        for i, value in enumerate(row):
            _cell(cells[i], value, size, bold=last, align=aligns[i] if i < len(aligns) else "l", width=widths[i])
    if table.caption:
        _paragraph(document, table.caption, Pt(9), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        _paragraph(document, space_after=Pt(2))


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell(cell: Any, text: str, size: Pt, bold: bool, align: str, width: int, shade: bool = False) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    paragraph.alignment = ALIGN.get(align, WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_after = Pt(0)
    for n, line in enumerate(text.split("\n")):
        if n:
            paragraph.add_run().add_break()
        run = paragraph.add_run(line)
        run.bold, run.font.size = bold or None, size
    if shade:
        fill = OxmlElement("w:shd")
        fill.set(qn("w:val"), "clear")
        fill.set(qn("w:fill"), "D9D9D9")
        cell._tc.get_or_add_tcPr().append(fill)


def _pairs(document: Any, pairs: doc.Pairs) -> None:
    table = document.add_table(rows=len(pairs.items), cols=3)
    for row, (label, value) in zip(table.rows, pairs.items, strict=True):
        for cell, text, width in zip(row.cells, (label, ":", value), (Mm(42), Mm(4), CONTENT_WIDTH - Mm(46)),
                                     strict=True):
            _cell(cell, text, BODY_SIZE, bold=False, align="l", width=width)
    _paragraph(document, space_after=Pt(2))


def chart_png(drawing: Any) -> bytes | None:
    """Return the drawing as a PNG, or None when ReportLab's bitmap renderer is not installed."""
    try:
        from reportlab.graphics import renderPM

        return bytes(renderPM.drawToString(drawing, fmt="PNG", dpi=150))
    except Exception:  # renderPM raises its own error, or ImportError, when its cairo backend is missing
        return None


def _chart(document: Any, chart: doc.Chart) -> None:
    png = chart_png(chart.drawing)
    if png is None:
        _paragraph(document, f"{chart.caption}. {NO_CHART_IMAGE}", Pt(9), italic=True)
        return
    paragraph = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER)
    width = min(CONTENT_WIDTH, Mm(chart.drawing.width * 25.4 / 72))
    paragraph.add_run().add_picture(io.BytesIO(png), width=width)
    _paragraph(document, chart.caption, Pt(9), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _photos(document: Any, photos: doc.Photos) -> None:
    column = (CONTENT_WIDTH - Mm(6)) // 2
    rows = [photos.photos[i:i + 2] for i in range(0, len(photos.photos), 2)]
    table = document.add_table(rows=len(rows), cols=2)
    for row, pair in zip(table.rows, rows, strict=True):
        for cell, photo in zip(row.cells, pair, strict=False):
            cell.width = column
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            scale = min(column / photo.width, Mm(62) / photo.height)
            paragraph.add_run().add_picture(io.BytesIO(photo.data), width=int(photo.width * scale))
            caption = cell.add_paragraph()
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = caption.add_run(photo.caption)
            run.italic, run.font.size = True, Pt(9)


def _signature(document: Any, sign: doc.Signature) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = CONTENT_WIDTH - Mm(80), Mm(80)
    lines = [f"{sign.place}, {format_date(sign.day)}" if sign.place else format_date(sign.day)]
    if sign.lead:
        lines.append(sign.lead)
    if sign.title:
        lines.append(sign.title + ",")
    paragraph = right.paragraphs[0]
    paragraph.add_run("\n".join(lines))
    for _ in range(4):
        paragraph.add_run().add_break()
    name = right.add_paragraph()
    run = name.add_run(sign.name)
    run.bold, run.underline = True, True
    if sign.pangkat:
        right.add_paragraph(sign.pangkat)
    if sign.nip:
        right.add_paragraph(f"NIP. {format_nip(sign.nip)}")
    for item in right.paragraphs:
        item.paragraph_format.space_after = Pt(0)
