"""Where a PDF's strings are drawn: read back with pypdf, measured with ReportLab's metrics."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth


@dataclass(frozen=True)
class Drawn:
    """One string as drawn: its text, left and right edge, baseline and font size."""

    text: str
    left: float
    right: float
    baseline: float
    size: float


def drawn(pdf: bytes, page: int = 0) -> list[Drawn]:
    """Return every string drawn on page, with its extent measured in its own font."""
    found: list[Drawn] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        text = text.strip()
        if text and font:
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            scaled = size * tm[0] * cm[0]
            width = stringWidth(text, str(font["/BaseFont"])[1:], scaled)
            found.append(Drawn(text, x, x + width, y, scaled))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found
