"""Certificate PDFs: the certificate itself (page 1) and its transcript of topics (page 2).

Everything is drawn on a ReportLab canvas with the layout's fonts and colours: front.py draws
the certificate page, transcript.py the topics, on the page of page.py; the text fitting is
lms.pdftext, shared with every other PDF. The same input always gives the same bytes
(invariant mode).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.pdfgen.canvas import Canvas

from lms.certificates.layout import Layout
from lms.certificates.pdf.data import CertificateData, TranscriptRow, check_record
from lms.certificates.pdf.front import front_page
from lms.certificates.pdf.images import LOGO_PIXELS, SIGNATURE_PIXELS, image_reader, register_fonts
from lms.certificates.pdf.page import Page
from lms.certificates.pdf.transcript import transcript_cache, transcript_pages

__all__ = ["CertificateData", "TranscriptRow", "render_certificate", "render_many", "transcript_cache"]


def render_certificate(data: CertificateData, layout: Layout, logo: bytes | None = None,
                       signature: bytes | None = None) -> bytes:
    """Return the PDF of one certificate: the certificate page, then its transcript."""
    return render_many([data], layout, logo=logo, signature=signature)


def render_many(records: Iterable[CertificateData], layout: Layout, logo: bytes | None = None,
                signature: bytes | None = None) -> bytes:
    """Return one PDF with every record's pages, each certificate starting on an odd page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=layout.page_size, invariant=1)
    register_fonts(layout)
    first, count = None, 0
    with transcript_cache():  # a merged PDF of one training fits its transcript table once
        for data in records:
            check_record(data)
            if count and canvas.getPageNumber() % 2 == 0:
                canvas.showPage()  # a blank back keeps duplex printing aligned: fronts on odd pages
            _draw_certificate(canvas, data, layout, logo, signature)
            first, count = first or data, count + 1
    if first is None:
        raise ValueError("tidak ada sertifikat untuk dicetak")
    _describe(canvas, first, count)
    canvas.save()
    return buffer.getvalue()


def _describe(canvas: Canvas, first: CertificateData, count: int) -> None:
    canvas.setTitle(f"Sertifikat {first.number}" if count == 1 else f"{count} sertifikat")
    canvas.setAuthor(first.institution_name)
    canvas.setSubject(first.training_title)
    canvas.setCreator("LMS Bimtek")


def _draw_certificate(canvas: Canvas, data: CertificateData, layout: Layout, logo: bytes | None,
                      signature: bytes | None) -> None:
    # On a plain white page transparency can be flattened: one image instead of image + mask.
    flatten = layout.background is None
    logo_image = image_reader(logo, LOGO_PIXELS, "logo", flatten) if logo else None
    signature_image = (image_reader(signature, SIGNATURE_PIXELS, "tanda tangan", flatten)
                       if signature else None)
    front_page(Page(canvas, layout), data, logo_image, signature_image)
    canvas.showPage()
    if data.transcript:
        transcript_pages(canvas, layout, data, signature_image)
