"""The copy of a revoked certificate that is handed out: DICABUT across every page, with date and reason.

The stored PDF stays byte for byte as issued (and signed), for the record; only the download is
stamped, so a printed or forwarded copy cannot pass for a valid certificate.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

from lms.pdftext import fit_lines, printable

RED = Color(0.75, 0.05, 0.05)
FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"


def stamp_revoked(pdf: bytes, revoked_on: str, reason: str) -> bytes:
    """Return pdf with a DICABUT overlay (and its date and reason) drawn over every page."""
    reader = PdfReader(io.BytesIO(pdf))
    title = reader.metadata.title if reader.metadata and reader.metadata.title else "sertifikat"
    writer = PdfWriter(clone_from=reader)
    stamps: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in stamps:
            stamps[size] = PdfReader(io.BytesIO(_overlay(size, revoked_on, reason))).pages[0]
        page.merge_page(stamps[size])
    if "/AcroForm" in writer.root_object:  # the signature no longer covers this copy: drop its field
        del writer.root_object["/AcroForm"]
        for page in writer.pages:
            if "/Annots" in page:
                annotations = page["/Annots"].get_object()
                assert isinstance(annotations, ArrayObject)
                kept = [a for a in annotations if a.get_object().get("/FT") != "/Sig"]
                page[NameObject("/Annots")] = ArrayObject(kept)
    writer.add_metadata({"/Title": f"DICABUT — {title}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _overlay(size: tuple[float, float], revoked_on: str, reason: str) -> bytes:
    width, height = size
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, invariant=1)
    canvas.saveState()
    canvas.setFillColor(RED, alpha=0.22)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(30 if width > height else 55)
    canvas.setFont(FONT_BOLD, min(width, height) * 0.24)
    canvas.drawCentredString(0, -min(width, height) * 0.08, "DICABUT")
    canvas.restoreState()
    # A band across the top with the date and reason, readable on screen and on paper.
    band = 46.0
    canvas.setFillColor(Color(1, 1, 1), alpha=0.9)
    canvas.rect(0, height - band - 12, width, band, stroke=0, fill=1)
    canvas.setFillColor(RED)
    canvas.setFont(FONT_BOLD, 13)
    canvas.drawCentredString(width / 2, height - 30, printable(f"SERTIFIKAT INI DICABUT pada {revoked_on}", FONT_BOLD))
    text_size, lines = fit_lines(printable(f"Alasan: {reason}", FONT), FONT, 10, 7, width - 60, 2)
    canvas.setFont(FONT, text_size)
    for n, line in enumerate(lines[:2]):
        canvas.drawCentredString(width / 2, height - 44 - n * (text_size + 1.5), line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
