"""Page 2 on, the transcript: the topics with their JP, continued on more pages when needed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from lms.accounts.identity import format_nip
from lms.certificates.layout import Layout
from lms.certificates.pdf.data import CertificateData, TranscriptRow
from lms.certificates.pdf.page import (
    LEADING,
    Page,
    colour,
    draw_fields,
    draw_lines,
    drawing_cache,
    drawn,
    fields_block,
    fitted,
    ornamental_rule,
    spaced,
    total_height,
)
from lms.certificates.pdf.signatory import column_width, draw_signatory, signatory_block
from lms.dates import format_range
from lms.pdftext import fit_font_size, fitting_cache, printable, wrap_text

TABLE_SIZE = 9.0  # the smallest transcript font, and the one of a transcript over several pages
ONE_PAGE_TABLE_MIN = 7.5  # a one-page transcript may shrink to this before it continues


@dataclass(frozen=True)
class _Table:
    """How the transcript table is set: font size, column edges and how many rows fit."""

    size: float
    edges: tuple[float, ...]  # x of each column's left edge, then the table's right edge
    with_trainer: bool
    count: int

    @property
    def padding(self) -> float:
        return self.size * 0.32

    @property
    def width(self) -> float:
        return self.edges[-1] - self.edges[0]


def transcript_pages(canvas: Canvas, layout: Layout, data: CertificateData,
                      signature: ImageReader | None) -> None:
    """Draw the transcript, continuing on further pages only when the rows cannot fit on one."""
    rows, done, last = list(data.transcript), 0, False
    while not last:
        page = Page(canvas, layout)
        top = _transcript_heading(page, data, continued=done > 0)
        block = signatory_block(page, data, column_width(page))
        # The score line sits left of the signatory's first lines: it needs no height of its own.
        table = _plan_table(page, rows, done, top - page.bottom - block.height - 6, done == 0)
        last = done + table.count == len(rows)
        if not last:  # the signatory signs the last page only: use this one down to the bottom
            table = _plan_table(page, rows, done, top - page.bottom - 14, one_page=False)
            # Leave at least one row for the last page, so the signature never stands alone.
            table = replace(table, count=min(table.count, len(rows) - done - 1))
        bottom = _draw_table(page, rows[done:done + table.count], table, top, done + 1,
                             total=data.jp if last else None)
        _code_note(page, data)
        done += table.count
        if last:
            column = column_width(page)
            draw_signatory(page, block, signature, page.right - column / 2, page.bottom)
            _score_line(page, data, table, bottom)
        canvas.showPage()


def _transcript_heading(page: Page, data: CertificateData, continued: bool) -> float:
    """Draw the heading, training and holder lines; return where the table may start."""
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    title = text.transcript_title + (f" {text.continued}" if continued else "")
    heading = spaced(title, fonts.serif_bold, sizes.heading * 1.25, colors.primary, page.width,
                      0.12)
    draw_lines(page, [heading], page.top)
    ornamental_rule(page, page.top - heading.height - 2, 120)
    held = ", ".join(part.strip() for part in (format_range(data.start_date, data.end_date),
                                               data.venue, data.city) if part.strip())
    lines = fitted(data.training_title, fonts.serif_bold, sizes.heading * 0.85, colors.primary,
                    page.width * 0.9, 11)
    lines += fitted(held, fonts.serif_italic, sizes.body * 0.92, colors.text, page.width * 0.9)
    top = page.top - heading.height - 10
    draw_lines(page, lines, top)
    holder = fields_block(page, [(text.holder, data.holder_name), (text.nip, format_nip(data.nip)),
                                  (text.number, data.number)], sizes.body * 0.92)
    top -= total_height(lines) + 8
    if holder:
        draw_fields(page, holder, top)
    return top - total_height(holder) - 10


def _code_note(page: Page, data: CertificateData) -> None:
    """Print the verification code bottom left: it ties a loose transcript page to its front."""
    layout = page.layout
    note = printable(f"{layout.text.code_label}: {data.code}", layout.fonts.sans)
    width = page.width - column_width(page) - 20
    size = fit_font_size(note, layout.fonts.sans, layout.sizes.small, 5, width)
    page.text(page.left, page.bottom, note, layout.fonts.sans, size, layout.colors.muted)


# The tables fitted in the current transcript_cache() block, by everything the fit depends on.
_FITS: ContextVar[dict[tuple[object, ...], _Table] | None] = ContextVar("lms_transcript_fits", default=None)


@contextmanager
def transcript_cache() -> Iterator[None]:
    """Fit each distinct transcript table once within this block (a bulk issue, one merged PDF).

    The key is the whole input of the fit (layout, rows, where they start, the room left), so
    certificates of different content never share a table; nested blocks share the outer cache.
    """
    if _FITS.get() is not None:
        yield
        return
    token = _FITS.set({})
    try:
        # The cells, titles and names of the same run are wrapped once too, and what is drawn the
        # same on every certificate (letterhead, headings, signatory, this table) is drawn once.
        with fitting_cache(), drawing_cache():
            yield
    finally:
        _FITS.reset(token)


def _plan_table(page: Page, rows: list[TranscriptRow], done: int, height: float,
                one_page: bool) -> _Table:
    """Return the table for the rows after done in height, fitted once per transcript_cache() block."""
    fits = _FITS.get()
    if fits is None:
        return _fit_table(page, rows, done, height, one_page)
    key = (page.layout, tuple(rows), done, height, one_page)
    table = fits.get(key)
    if table is None:
        table = fits[key] = _fit_table(page, rows, done, height, one_page)
    return table


def _fit_table(page: Page, rows: list[TranscriptRow], done: int, height: float,
               one_page: bool) -> _Table:
    """Set the rows after done in height.

    For one page the font shrinks until every row fits; a table that runs over several pages
    has the same size, TABLE_SIZE, on all of them.
    """
    remaining = rows[done:]
    size = page.layout.sizes.body * 0.95 if one_page else TABLE_SIZE
    # A typical bimtek agenda (12-16 topics) should fit on the back page: shrink a little further
    # before continuing on another sheet of paper.
    smallest = ONE_PAGE_TABLE_MIN if one_page else TABLE_SIZE
    while True:
        table = _table_at(page, rows, size)
        heights = _row_heights(page, remaining, table, done + 1)
        fixed = 2 * (table.size * LEADING + 2 * table.padding)  # the header and JUMLAH rows
        if fixed + sum(heights) <= height or size <= smallest:
            break
        size -= 0.5
    count, used = 0, fixed
    while count < len(remaining) and used + heights[count] <= height:
        used += heights[count]
        count += 1
    return replace(table, count=max(count, 1))


def _table_at(page: Page, rows: list[TranscriptRow], size: float) -> _Table:
    """Return the columns for all of rows (so they match on every page) at size."""
    font, text = page.layout.fonts.serif_bold, page.layout.text
    width = min(page.width, 640.0)
    no_width = stringWidth(f"{max(len(rows), 10)}.", font, size) + size * 1.6
    jp_width = max(stringWidth(label, font, size) for label in (text.column_jp, "999")) + 2 * size
    with_trainer = any(row.trainer.strip() for row in rows)
    trainer_width = width * 0.32 if with_trainer else 0.0
    topic_width = width - no_width - jp_width - trainer_width
    widths = [no_width, topic_width, *([trainer_width] if with_trainer else []), jp_width]
    edges = [page.centre - width / 2]
    for column in widths:
        edges.append(edges[-1] + column)
    return _Table(size, tuple(edges), with_trainer, len(rows))


def _cells(row: TranscriptRow, number: int, table: _Table) -> list[str]:
    cells = [f"{number}.", row.topic]
    if table.with_trainer:
        cells.append(row.trainer)
    return [*cells, str(row.jp)]


def _cell_lines(text: str, table: _Table, column: int, font: str) -> list[str]:
    width = table.edges[column + 1] - table.edges[column] - 2 * table.padding
    return wrap_text(printable(text, font), font, table.size, width)


def _row_heights(page: Page, rows: list[TranscriptRow], table: _Table,
                 first: int) -> list[float]:
    font = page.layout.fonts.serif
    heights = []
    for number, row in enumerate(rows, start=first):
        lines = max(len(_cell_lines(cell, table, column, font))
                    for column, cell in enumerate(_cells(row, number, table)))
        heights.append(lines * table.size * LEADING + 2 * table.padding)
    return heights


def _draw_table(page: Page, rows: list[TranscriptRow], table: _Table, top: float, first: int,
                total: int | None) -> float:
    """Draw the header, the rows numbered from first and the JUMLAH row; return the bottom."""
    return drawn(page, ("table", tuple(rows), table, top, first, total),
                 lambda: _draw_table_rows(page, rows, table, top, first, total))


def _draw_table_rows(page: Page, rows: list[TranscriptRow], table: _Table, top: float, first: int,
                     total: int | None) -> float:
    text, fonts = page.layout.text, page.layout.fonts
    header = [text.column_no, text.column_topic, *([text.column_trainer] if table.with_trainer
                                                   else []), text.column_jp]
    y = _draw_row(page, table, header, top, fonts.serif_bold, header=True)
    for number, row in enumerate(rows, start=first):
        y = _draw_row(page, table, _cells(row, number, table), y, fonts.serif)
    if total is not None:  # only under the last rows, when the table runs over several pages
        y = _draw_total(page, table, str(total), y)
    return y


def _draw_row(page: Page, table: _Table, cells: list[str], top: float, font: str,
              header: bool = False) -> float:
    lines = [_cell_lines(cell, table, column, font) for column, cell in enumerate(cells)]
    height = max(len(cell) for cell in lines) * table.size * LEADING + 2 * table.padding
    _row_box(page, table, top, height, table.edges[1:-1], shaded=header)
    for column, cell_lines in enumerate(lines):
        # Topic and trainer read from the left; numbers, JP and the header are centred.
        centred = header or column in (0, len(cells) - 1)
        _cell_text(page, table, column, cell_lines, top, font, "centre" if centred else "left")
    return top - height


def _row_box(page: Page, table: _Table, top: float, height: float, dividers: Iterable[float],
             shaded: bool) -> None:
    """Draw a row's frame and column dividers, on a tinted background for header and total."""
    canvas, colors = page.canvas, page.layout.colors
    canvas.saveState()
    if shaded:
        canvas.setFillColor(colour(colors.table_header))
        canvas.rect(table.edges[0], top - height, table.width, height, stroke=0, fill=1)
    canvas.setStrokeColor(colour(colors.accent))
    canvas.setLineWidth(0.5)
    canvas.rect(table.edges[0], top - height, table.width, height, stroke=1, fill=0)
    for x in dividers:
        canvas.line(x, top, x, top - height)
    canvas.restoreState()


def _cell_text(page: Page, table: _Table, column: int, lines: list[str], top: float, font: str,
               align: str) -> None:
    left, right = table.edges[column], table.edges[column + 1]
    x = (left + right) / 2 if align == "centre" else left + table.padding
    y = top - table.padding - table.size * 0.95
    for line in lines:
        page.text(x, y, line, font, table.size, page.layout.colors.text, align)
        y -= table.size * LEADING


def _draw_total(page: Page, table: _Table, total: str, top: float) -> float:
    """Draw the JUMLAH row: the label spans every column but the last."""
    font, color = page.layout.fonts.serif_bold, page.layout.colors.text
    label = printable(page.layout.text.total, font)
    size = fit_font_size(label, font, table.size, 6, table.edges[-2] - table.edges[0])
    height = table.size * LEADING + 2 * table.padding
    _row_box(page, table, top, height, [table.edges[-2]], shaded=True)
    baseline = top - table.padding - table.size * 0.95
    page.text((table.edges[0] + table.edges[-2]) / 2, baseline, label, font, size, color, "centre")
    page.text((table.edges[-2] + table.edges[-1]) / 2, baseline, total, font, table.size, color,
              "centre")
    return top - height


def _score_line(page: Page, data: CertificateData, table: _Table, bottom: float) -> None:
    if data.score is None:
        return
    layout = page.layout
    fonts, color = layout.fonts, layout.colors.text
    label = printable(f"{layout.text.score}:", fonts.serif) + " "
    value = data.score + (f" ({data.predikat})" if data.predikat else "")
    value = printable(value, fonts.serif_bold)
    natural = stringWidth(label, fonts.serif, 10) + stringWidth(value, fonts.serif_bold, 10)
    # Left of the signatory's column, on the height of its first lines.
    room = page.right - column_width(page) - 12 - table.edges[0]
    size = max(6.0, min(layout.sizes.body * 0.95, 10 * room / natural))
    y = bottom - size * LEADING - 4
    width = stringWidth(label, fonts.serif, size)
    page.text(table.edges[0], y, label, fonts.serif, size, color)
    page.text(table.edges[0] + width, y, value, fonts.serif_bold, size, color)
