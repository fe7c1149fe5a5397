"""Credential slips: one-time passwords printed to be cut and handed out (pure ReportLab).

Every value is fitted to its slip with lms.pdftext: it shrinks, wraps onto a few lines, and only
then is cut with an ellipsis, so a long name or OPD never runs past the cut line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from lms.pdftext import fit_box

COLUMNS, ROWS = 2, 5
MARGIN = 12 * mm
PAD = 5 * mm  # from the cut line to the text
LABEL_WIDTH = 62.0  # the values of "Alamat", "Masuk dengan" and "Kata sandi" start here
LINE_GAP = 1.15  # the line height of a wrapped value, as a multiple of its font size
GREY, BLACK = "#555555", "#000000"
NOTE = "Kata sandi ini sekali pakai: Anda diminta menggantinya saat pertama masuk."


@dataclass(frozen=True)
class Slip:
    name: str
    login: str
    agency: str
    password: str


@dataclass(frozen=True)
class _Box:
    """The part of one slip inside its padding: text is drawn only here."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left


def render_slips(slips: list[Slip], institution: str, address: str) -> bytes:
    """Return a PDF with ten cut-out slips per A4 page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle("Slip kata sandi sekali pakai")
    per_page = COLUMNS * ROWS
    for index, slip in enumerate(slips):
        if index and index % per_page == 0:
            canvas.showPage()
        box = _slip_box(canvas, index % per_page)
        _draw_slip(canvas, slip, box, institution, address)
    canvas.save()
    return buffer.getvalue()


def _slip_box(canvas: Canvas, position: int) -> _Box:
    """Draw the dashed cut line of the slip at position on the page; return its inner box."""
    width, height = A4
    slip_w, slip_h = (width - 2 * MARGIN) / COLUMNS, (height - 2 * MARGIN) / ROWS
    x = MARGIN + (position % COLUMNS) * slip_w
    y = height - MARGIN - (position // COLUMNS + 1) * slip_h
    canvas.setDash(3, 3)
    canvas.setStrokeColor(HexColor("#888888"))
    canvas.rect(x, y, slip_w, slip_h)
    canvas.setDash()
    return _Box(x + PAD, y + PAD, x + slip_w - PAD, y + slip_h - PAD)


def _text(canvas: Canvas, text: str, font: str, sizes: tuple[float, float], x: float,
          baseline: float, width: float, max_lines: int = 1, color: str = BLACK) -> float:
    """Draw text fitted to width from baseline down; return the baseline of its last line."""
    size, lines = fit_box(text, font, *sizes, width, max_lines)
    canvas.setFillColor(HexColor(color))
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawString(x, baseline, line)
        baseline -= size * LINE_GAP
    return baseline + size * LINE_GAP


def _draw_slip(canvas: Canvas, slip: Slip, box: _Box, institution: str, address: str) -> None:
    left, width = box.left, box.width
    y = _text(canvas, institution, "Helvetica", (7.5, 6), left, box.top - 7, width, color=GREY)
    y = _text(canvas, slip.name, "Helvetica-Bold", (11, 9), left, y - 15, width, 2)
    y = _text(canvas, slip.agency, "Helvetica", (8, 6.5), left, y - 11, width, 3)
    value_x, value_width = left + LABEL_WIDTH, width - LABEL_WIDTH
    for label, value, lines in (("Alamat", address, 1), ("Masuk dengan", slip.login, 2)):
        y -= 17 if label == "Alamat" else 13
        _text(canvas, label, "Helvetica", (8.5, 8.5), left, y, LABEL_WIDTH)
        y = _text(canvas, value, "Courier-Bold", (10, 7), value_x, y, value_width, lines)
    _text(canvas, "Kata sandi", "Helvetica", (8.5, 8.5), left, y - 13, LABEL_WIDTH)
    _text(canvas, slip.password, "Courier-Bold", (15, 10), value_x, y - 15, value_width)
    _text(canvas, NOTE, "Helvetica-Oblique", (7.5, 6), left, box.bottom, width)
