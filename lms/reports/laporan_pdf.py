"""The Laporan Pelaksanaan Kegiatan as an A4 PDF: pure ReportLab platypus over a document.Report.

A cover, the letterhead on the first page of the body, chapters that each start a page, tables
whose header repeats on every page, charts from lms.charts, the documentation photos, page
numbers "Halaman X dari Y" and the signature block.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from lms.accounts.identity import format_nip
from lms.dates import format_date
from lms.pdftext import fit_line, printable
from lms.reports import document as doc
from lms.reports.narrative import Block, Run

MARGIN_LEFT = 25 * mm  # the binding side of a printed report
MARGIN_RIGHT = 20 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_PAD = 6  # SimpleDocTemplate's frame padding inside the margins
CONTENT_WIDTH = A4[0] - MARGIN_LEFT - MARGIN_RIGHT - 2 * FRAME_PAD
FONT, BOLD, ITALIC, MONO = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Courier"
HEADER_FILL = colors.HexColor("#D9D9D9")
TOTAL_FILL = colors.HexColor("#F2F2F2")
PHOTO_HEIGHT = 62 * mm
HEADING_ROOM = 40 * mm


def _style(name: str, size: float, font: str = FONT, **extra: Any) -> ParagraphStyle:
    extra.setdefault("leading", size * 1.35)
    return ParagraphStyle(name, fontName=font, fontSize=size, **extra)


STYLES = {
    "kop_name": _style("kop_name", 14, BOLD, alignment=TA_CENTER, leading=17),
    "kop_address": _style("kop_address", 9, alignment=TA_CENTER, leading=11),
    "cover_title": _style("cover_title", 18, BOLD, alignment=TA_CENTER, leading=24),
    "cover_subject": _style("cover_subject", 15, BOLD, alignment=TA_CENTER, leading=20),
    "cover_line": _style("cover_line", 11.5, alignment=TA_CENTER),
    "cover_institution": _style("cover_institution", 13, BOLD, alignment=TA_CENTER, leading=17),
    "h1": _style("h1", 13, BOLD, alignment=TA_CENTER, leading=17, spaceAfter=10),
    "h2": _style("h2", 11.5, BOLD, spaceBefore=8, spaceAfter=4),
    "h3": _style("h3", 11, BOLD, spaceBefore=6, spaceAfter=3),
    "body": _style("body", 11, alignment=TA_JUSTIFY, spaceAfter=5),
    "note": _style("note", 10.5, ITALIC, spaceAfter=5, textColor=colors.HexColor("#333333")),
    "caption": _style("caption", 9.5, ITALIC, alignment=TA_CENTER, spaceBefore=2, spaceAfter=8),
    "li": _style("li", 11, spaceAfter=2),
    "quote": _style("quote", 10.5, ITALIC, leftIndent=8 * mm, spaceAfter=4),
    "pre": _style("pre", 9, MONO, spaceAfter=4, leading=11),
    "n_h": _style("n_h", 11, BOLD, spaceBefore=4, spaceAfter=2, keepWithNext=1),
    "head": _style("head", 9, BOLD, alignment=TA_CENTER, leading=11),
    "cell": _style("cell", 9, leading=11),
    "cell_small": _style("cell_small", 8, leading=9.6),
    "pair": _style("pair", 11),
    "sign": _style("sign", 11, leading=14),
}


def render_laporan(report: doc.Report) -> bytes:
    """Return the report as PDF bytes, identical for equal input (invariant)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=1, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=report.title,
        author=report.letterhead.name, subject=report.cover.subject, creator="LMS Bimtek")
    footer_title = fit_line(f"Laporan Pelaksanaan · {report.cover.subject}", ITALIC, 7.5, CONTENT_WIDTH * 0.7)

    def canvas_maker(*args: Any, **kwargs: Any) -> Canvas:
        return _NumberedCanvas(footer_title, *args, **kwargs)

    document.build(_story(report), canvasmaker=canvas_maker)
    return buffer.getvalue()


class _NumberedCanvas(Canvas):
    """Draws "Halaman X dari Y" once the page count is known: one layout pass instead of two."""

    def __init__(self, footer_title: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_title = footer_title
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:  # the cover carries no number
                self._footer(self._pageNumber - 1, total - 1)
            super().showPage()
        super().save()

    def _footer(self, page: int, total: int) -> None:
        self.saveState()
        left, right = MARGIN_LEFT + FRAME_PAD, A4[0] - MARGIN_RIGHT - FRAME_PAD
        y = MARGIN_BOTTOM - 11 * mm
        self.setLineWidth(0.4)
        self.setStrokeColor(colors.HexColor("#808080"))
        self.line(left, y + 10, right, y + 10)
        self.setFont(FONT, 8.5)
        self.drawRightString(right, y, f"Halaman {page} dari {total}")
        self.setFont(ITALIC, 7.5)
        self.drawString(left, y, self._footer_title)
        self.restoreState()


# ---------------------------------------------------------------- the story


def _story(report: doc.Report) -> list[Flowable]:
    story: list[Flowable] = _cover(report)
    story += [PageBreak(), *_letterhead(report.letterhead)]
    first_chapter = True
    elements = report.elements
    for index, element in enumerate(elements):
        if isinstance(element, doc.Heading) and element.level == 1:
            if not first_chapter:
                story.append(PageBreak())
            first_chapter = False
        elif isinstance(element, doc.Heading):
            # A section heading never ends a page: it moves to the next one with what follows it when
            # less room is left than a few lines, or than the chart right under it.
            following = elements[index + 1] if index + 1 < len(elements) else None
            room = HEADING_ROOM
            if isinstance(following, doc.Chart):
                room = max(room, _chart(following.drawing).height + 20 * mm)
            story.append(CondPageBreak(room))
        story += _flowables(element)
    return story


def _flowables(element: doc.Element) -> list[Flowable]:
    if isinstance(element, doc.Heading):
        return [Paragraph(_text(element.text), STYLES[f"h{min(element.level, 3)}"])]
    if isinstance(element, doc.Text):
        return [Paragraph(_text(element.text), STYLES[element.style])]
    if isinstance(element, doc.Narrative):
        return [flowable for block in element.blocks for flowable in _block(block)]
    if isinstance(element, doc.Table):
        return _table(element)
    if isinstance(element, doc.Pairs):
        return [_pairs(element)]
    if isinstance(element, doc.Chart):
        chart = _chart(element.drawing)
        return [CondPageBreak(chart.height + 12 * mm), chart, Paragraph(_text(element.caption), STYLES["caption"])]
    if isinstance(element, doc.Photos):
        return _photos(element)
    if isinstance(element, doc.Signature):
        return [Spacer(1, 8 * mm), _signature(element)]
    return [PageBreak()]


def _text(value: str) -> str:
    """Escape text for Paragraph markup; letters the standard fonts lack become their base letter."""
    return escape(_glyphs(value)).replace("\n", "<br/>")


def _glyphs(value: str) -> str:
    try:
        value.encode("cp1252")
        return value
    except UnicodeEncodeError:
        return "".join(c if c.isspace() else printable(c, FONT) for c in value)


# ---------------------------------------------------------------- cover and letterhead


def _cover(report: doc.Report) -> list[Flowable]:
    cover = report.cover
    story: list[Flowable] = [Spacer(1, 28 * mm), Paragraph(_text(cover.title), STYLES["cover_title"]),
                             Spacer(1, 6 * mm), Paragraph(_text(cover.subject), STYLES["cover_subject"]),
                             Spacer(1, 6 * mm)]
    story += [Paragraph(_text(line), STYLES["cover_line"]) for line in cover.lines]
    story.append(Spacer(1, 22 * mm))
    if report.letterhead.logo:
        story.append(_logo(report.letterhead.logo, 42 * mm, 42 * mm, "CENTER"))
    story.append(Spacer(1, 28 * mm))
    story += [Paragraph(_text(cover.institution.upper()), STYLES["cover_institution"]),
              Paragraph(str(cover.year), STYLES["cover_institution"])]
    return story


def _letterhead(letterhead: doc.Letterhead) -> list[Flowable]:
    lines: list[Flowable] = [Paragraph(_text(letterhead.name.upper()), STYLES["kop_name"])]
    if letterhead.address:
        lines.append(Paragraph(_text(letterhead.address), STYLES["kop_address"]))
    side = 24 * mm
    logo = _logo(letterhead.logo, 20 * mm, 22 * mm, "LEFT") if letterhead.logo else ""
    # An empty cell as wide as the logo's keeps the name centred on the page.
    table = Table([[logo, lines, ""]], colWidths=(side, CONTENT_WIDTH - 2 * side, side))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, Spacer(1, 1.5 * mm), _KopRule(), Spacer(1, 6 * mm)]


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


def _logo(data: bytes, max_width: float, max_height: float, align: str) -> Image:
    width, height = ImageReader(io.BytesIO(data)).getSize()
    scale = min(max_height / height, max_width / width)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale, hAlign=align)


# ---------------------------------------------------------------- narrative blocks


def _block(block: Block) -> list[Flowable]:
    if block.kind == "table":
        columns = max(len(row) for row in block.rows)
        rows = [row + [""] * (columns - len(row)) for row in block.rows]
        # An author's table may hold a cell taller than a page: its rows may split across pages.
        return _table(doc.Table(tuple(rows[0]), tuple(tuple(r) for r in rows[1:]), (1.0,) * columns),
                      split_rows=True)
    if block.kind == "pre":
        return [Paragraph(escape(_glyphs(block.text)).replace("\n", "<br/>").replace(" ", "&nbsp;"),
                          STYLES["pre"])]
    markup = _runs(block.runs)
    if block.kind == "h":
        return [Paragraph(markup, STYLES["n_h"])]
    if block.kind == "li":
        indent = 6 * mm * block.level
        style = ParagraphStyle(f"li{block.level}", parent=STYLES["li"], leftIndent=indent + 6 * mm,
                               bulletIndent=indent)
        return [Paragraph(markup, style, bulletText=_glyphs(block.marker))]
    if block.kind == "quote":
        return [Paragraph(markup, STYLES["quote"])]
    return [Paragraph(markup, STYLES["body"])]


def _runs(runs: list[Run]) -> str:
    parts = []
    for run in runs:
        text = _text(run.text)
        if run.code:
            text = f'<font face="{MONO}">{text}</font>'
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.underline:
            text = f"<u>{text}</u>"
        parts.append(text)
    return "".join(parts)


# ---------------------------------------------------------------- tables


def _table(table: doc.Table, split_rows: bool = False) -> list[Flowable]:
    total = sum(table.widths)
    widths = [CONTENT_WIDTH * w / total for w in table.widths]
    cell_style = STYLES["cell_small" if table.small else "cell"]
    aligns = table.align or "l" * len(table.header)
    head = [Paragraph(_text(label), STYLES["head"]) for label in table.header]
    body = [[_cell(value, cell_style, aligns[i] if i < len(aligns) else "l") for i, value in enumerate(row)]
            for row in table.rows]
    grid = Table([head, *body], colWidths=widths, repeatRows=1, splitInRow=int(split_rows),
                 hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 1), (-1, -1), cell_style.fontName, cell_style.fontSize, cell_style.leading),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for i, letter in enumerate(aligns):
        if letter in "cr":
            commands.append(("ALIGN", (i, 1), (i, -1), "CENTER" if letter == "c" else "RIGHT"))
    if table.total and table.rows:
        commands += [("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL),
                     ("FONT", (0, -1), (-1, -1), BOLD, cell_style.fontSize, cell_style.leading)]
    grid.setStyle(TableStyle(commands))
    flowables: list[Flowable] = [grid]
    if table.caption:
        flowables.append(Paragraph(_text(table.caption), STYLES["caption"]))
    else:
        flowables.append(Spacer(1, 4 * mm))
    return flowables


def _cell(value: str, style: ParagraphStyle, align: str) -> str | Paragraph:
    """A short cell is drawn as a string (fast for 300 rows); a longer one wraps in a Paragraph."""
    value = _glyphs(value)
    if len(value) <= 12 and "\n" not in value:
        return value
    if align in "cr":
        style = ParagraphStyle(f"{style.name}_{align}", parent=style,
                               alignment=TA_CENTER if align == "c" else 2)
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _pairs(pairs: doc.Pairs) -> Table:
    data = [[_glyphs(label), ":", Paragraph(_text(value), STYLES["pair"])] for label, value in pairs.items]
    table = Table(data, colWidths=(42 * mm, 4 * mm, CONTENT_WIDTH - 46 * mm), hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (1, -1), FONT, 11), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


# ---------------------------------------------------------------- charts, photos, signature


def _chart(drawing: Drawing) -> Drawing:
    """Return the drawing, scaled down to the text width when it is wider."""
    if drawing.width <= CONTENT_WIDTH:
        drawing.hAlign = "CENTER"
        return drawing
    scale = CONTENT_WIDTH / drawing.width
    group = Group(*drawing.contents, transform=(scale, 0, 0, scale, 0, 0))
    scaled = Drawing(drawing.width * scale, drawing.height * scale)
    scaled.add(group)
    scaled.hAlign = "CENTER"
    return scaled


def _photos(photos: doc.Photos) -> list[Flowable]:
    column = (CONTENT_WIDTH - 6 * mm) / 2
    cells: list[Any] = []
    for photo in photos.photos:
        scale = min(column / photo.width, PHOTO_HEIGHT / photo.height)
        image = Image(io.BytesIO(photo.data), width=photo.width * scale, height=photo.height * scale)
        cells.append([image, Paragraph(_text(photo.caption), STYLES["caption"])])
    rows = [cells[i:i + 2] + [""] * (2 - len(cells[i:i + 2])) for i in range(0, len(cells), 2)]
    flowables: list[Flowable] = []
    for row in rows:
        table = Table([row], colWidths=(column + 3 * mm, column + 3 * mm))
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        flowables.append(table)
    return flowables


def _signature(sign: doc.Signature) -> Flowable:
    lines: list[Flowable] = [Paragraph(_text(f"{sign.place}, {format_date(sign.day)}" if sign.place
                                             else format_date(sign.day)), STYLES["sign"])]
    if sign.lead:
        lines.append(Paragraph(_text(sign.lead), STYLES["sign"]))
    if sign.title:
        lines.append(Paragraph(_text(sign.title) + ",", STYLES["sign"]))
    lines.append(Spacer(1, 22 * mm))  # room for the signature and the stamp
    lines.append(Paragraph(f"<b><u>{_text(sign.name)}</u></b>", STYLES["sign"]))
    if sign.pangkat:
        lines.append(Paragraph(_text(sign.pangkat), STYLES["sign"]))
    if sign.nip:
        lines.append(Paragraph(f"NIP. {_text(format_nip(sign.nip))}", STYLES["sign"]))
    block = Table([[lines]], colWidths=(80 * mm,), hAlign="RIGHT")
    block.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([block])
