"""The signatory's block: place and date, office, signature image, name, pangkat and NIP."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from lms.accounts.identity import format_nip
from lms.certificates.layout import Layout
from lms.certificates.pdf.data import CertificateData
from lms.certificates.pdf.images import draw_image, register_fonts
from lms.certificates.pdf.page import Line, Page, draw_lines, fitted, total_height
from lms.dates import format_date

SIGNATURE_BOX = (150.0, 44.0)  # the space above the signatory's name


def column_width(page: Page) -> float:
    """Return the width of the signatory's column (and of the QR code's, opposite)."""
    return min(280.0, page.width * 0.36)


@dataclass(frozen=True)
class Signatory:
    """The signatory block's lines: above the signature space, then below it."""

    above: tuple[Line, ...]
    below: tuple[Line, ...]

    @property
    def height(self) -> float:
        return total_height(self.above) + SIGNATURE_BOX[1] + 6 + total_height(self.below)


def signatory_block(page: Page, data: CertificateData, width: float) -> Signatory:
    """Lay out place and date, office, name (underlined), pangkat and NIP of the signatory."""
    fonts, size, color = page.layout.fonts, page.layout.sizes.body, page.layout.colors.text
    issued = f"{data.issue_city}, {format_date(data.issue_date)}"
    above = fitted(issued, fonts.serif, size, color, width)
    above += fitted(data.signatory_title, fonts.serif, size, color, width, max_lines=3)
    below = fitted(data.signatory_name, fonts.serif_bold, size, color, width, max_lines=1,
                    underline=True)
    for line in (data.signatory_pangkat, f"NIP. {format_nip(data.signatory_nip.strip())}"
                 if data.signatory_nip.strip() else ""):
        below += fitted(line, fonts.serif, size, color, width) if line.strip() else []
    return Signatory(tuple(above), tuple(below))


def draw_signatory(page: Page, block: Signatory, signature: ImageReader | None,
                    centre: float, bottom: float) -> None:
    """Draw block centred on centre with its last line at bottom."""
    draw_lines(page, list(block.above), bottom + block.height, centre)
    below_top = bottom + total_height(block.below)
    if signature:
        _draw_signature(page, signature, centre, below_top + 2)
    draw_lines(page, list(block.below), below_top, centre)


def signature_area(layout: Layout, data: CertificateData) -> tuple[float, float, float, float]:
    """Return the signature space of the certificate page (x1, y1, x2, y2 in points), as front.py draws it.

    An electronic signature's field goes here: above the signatory's name, where the signature image is.
    """
    register_fonts(layout)
    page = Page(Canvas(io.BytesIO(), pagesize=layout.page_size), layout, decorate=False)
    column = column_width(page)
    block = signatory_block(page, data, column)
    centre, bottom = page.right - column / 2, page.bottom + total_height(block.below) + 2
    width, height = SIGNATURE_BOX
    return (round(centre - width / 2, 2), round(bottom, 2), round(centre + width / 2, 2), round(bottom + height, 2))


def _draw_signature(page: Page, signature: ImageReader, centre: float, bottom: float) -> None:
    box_width, box_height = SIGNATURE_BOX
    pixel_width, pixel_height = signature.getSize()
    scale = min(box_width / pixel_width, box_height / pixel_height)
    width, height = pixel_width * scale, pixel_height * scale
    draw_image(page.canvas, signature, centre - width / 2, bottom, width, height)
