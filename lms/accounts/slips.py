"""Credential slips: one-time passwords printed to be cut and handed out (pure ReportLab)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

COLUMNS, ROWS = 2, 5
MARGIN = 12 * mm


@dataclass(frozen=True)
class Slip:
    name: str
    login: str
    agency: str
    password: str


def render_slips(slips: list[Slip], institution: str, address: str) -> bytes:
    """Return a PDF with ten cut-out slips per A4 page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle("Slip kata sandi sekali pakai")
    width, height = A4
    slip_w = (width - 2 * MARGIN) / COLUMNS
    slip_h = (height - 2 * MARGIN) / ROWS
    per_page = COLUMNS * ROWS
    for index, slip in enumerate(slips):
        if index and index % per_page == 0:
            canvas.showPage()
        position = index % per_page
        x = MARGIN + (position % COLUMNS) * slip_w
        y = height - MARGIN - (position // COLUMNS + 1) * slip_h
        _draw_slip(canvas, slip, x, y, slip_w, slip_h, institution, address)
    canvas.save()
    return buffer.getvalue()


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 6 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_slip(canvas: Canvas, slip: Slip, x: float, y: float, w: float, h: float,
               institution: str, address: str) -> None:
    canvas.setDash(3, 3)
    canvas.setStrokeColor(HexColor("#888888"))
    canvas.rect(x, y, w, h)
    canvas.setDash()
    pad = 5 * mm
    inner = w - 2 * pad
    top = y + h - pad
    canvas.setFillColor(HexColor("#555555"))
    canvas.setFont("Helvetica", 7.5)
    canvas.drawString(x + pad, top - 7, institution[:80])
    canvas.setFillColor(HexColor("#000000"))
    size = _fit(canvas, slip.name, "Helvetica-Bold", 11, inner)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x + pad, top - 22, slip.name)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(x + pad, top - 33, slip.agency[:70])
    rows = (("Alamat", address), ("Masuk dengan", slip.login))
    for offset, (label, value) in enumerate(rows):
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(x + pad, top - 50 - offset * 13, label)
        canvas.setFont("Courier-Bold", _fit(canvas, value, "Courier-Bold", 10, inner - 62))
        canvas.drawString(x + pad + 62, top - 50 - offset * 13, value)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(x + pad, top - 76, "Kata sandi")
    canvas.setFont("Courier-Bold", 15)
    canvas.drawString(x + pad + 62, top - 78, slip.password)
    canvas.setFont("Helvetica-Oblique", 7.5)
    canvas.drawString(x + pad, y + pad, "Kata sandi ini sekali pakai: Anda diminta menggantinya saat pertama masuk.")
