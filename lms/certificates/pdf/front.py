"""Page 1, the certificate itself: letterhead, title, holder, training, signatory and QR code."""

from __future__ import annotations

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms.accounts.identity import format_nip
from lms.certificates.layout import Layout
from lms.certificates.pdf.data import CertificateData
from lms.certificates.pdf.images import draw_image
from lms.certificates.pdf.page import (
    Line,
    Page,
    double_rule,
    draw_fields,
    draw_lines,
    fields_block,
    fitted,
    spaced,
    total_height,
)
from lms.certificates.pdf.signatory import column_width, draw_signatory, signatory_block
from lms.certificates.qr import QUIET_ZONE, draw_qr, qr_matrix
from lms.certificates.words import jp_phrase
from lms.dates import format_range
from lms.pdftext import printable

NAME_MIN_SIZE = 16.0  # a long name shrinks to this, then wraps
LOGO_BOX = (90.0, 58.0)  # the largest a logo is drawn: wide logos get no taller than square ones
QR_SIZE = 80.0  # with its quiet zone; the code itself is about 23 mm wide


def _letterhead(page: Page, data: CertificateData, logo: ImageReader | None) -> float:
    """Draw logo, institution name and address over a double rule; return the rule's height."""
    logo_width = _draw_logo(page, logo) if logo else 0.0
    # The name stays centred on the page, so it keeps clear of the logo on both sides.
    width = page.width - 2 * (logo_width + 18) if logo else page.width
    colors, fonts = page.layout.colors, page.layout.fonts
    lines = fitted(data.institution_name.upper(), fonts.serif_bold, 15, colors.primary, width, 10)
    if data.institution_address.strip():
        lines += fitted(data.institution_address, fonts.serif, 9.5, colors.muted, width, 7.5)
    top = page.top - max(0.0, (LOGO_BOX[1] - total_height(lines)) / 2) if logo else page.top
    draw_lines(page, lines, top)
    rule = min(top - total_height(lines), page.top - LOGO_BOX[1] if logo else page.top) - 5
    double_rule(page, rule)
    return rule - 3


def _draw_logo(page: Page, logo: ImageReader) -> float:
    """Draw the logo in the top left corner, as large as LOGO_BOX allows; return its width."""
    pixel_width, pixel_height = logo.getSize()
    scale = min(LOGO_BOX[0] / pixel_width, LOGO_BOX[1] / pixel_height)
    width, height = pixel_width * scale, pixel_height * scale
    bottom = page.top - (LOGO_BOX[1] + height) / 2
    draw_image(page.canvas, logo, page.left + 4, bottom, width, height)
    return width + 4


def front_page(page: Page, data: CertificateData, logo: ImageReader | None,
                signature: ImageReader | None) -> None:
    flow_top = _letterhead(page, data, logo) - 6
    flow_bottom = _bottom_blocks(page, data, signature) + 10
    for scale in (1.0, 0.94, 0.88, 0.82, 0.76, 0.7):
        blocks = _front_blocks(page, data, scale)
        if sum(total_height(block) for block in blocks) <= flow_top - flow_bottom:
            break
    _draw_flow(page, blocks, flow_top, flow_bottom)


def _front_blocks(page: Page, data: CertificateData, scale: float) -> list[list[Line]]:
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    body = sizes.body * scale
    heading = [spaced(text.title, fonts.serif_bold, sizes.title * scale, colors.primary,
                       page.width, 0.16, leading=1.3)]
    heading += fitted(f"{text.number}: {data.number}", fonts.serif, body, colors.text, page.width)
    holder = fitted(text.given_to, fonts.serif_italic, body, colors.text, page.width)
    holder += fitted(data.holder_name, fonts.serif_bold, sizes.name * scale, colors.primary,
                      page.width * 0.92, NAME_MIN_SIZE, max_lines=1)
    fields = fields_block(page, [(text.nip, format_nip(data.nip)), (text.pangkat, data.pangkat),
                                  (text.jabatan, data.jabatan), (text.agency, data.agency)], body)
    return [heading, holder, fields, _training_block(page, data, scale)]


def _training_block(page: Page, data: CertificateData, scale: float) -> list[Line]:
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    body, width = sizes.body * scale, page.width * 0.86
    lines = fitted(text.attended, fonts.serif_italic, body, colors.text, width)
    lines += fitted(data.training_title, fonts.serif_bold, sizes.heading * scale, colors.primary,
                     page.width * 0.9, 12)
    lines += fitted(_held_sentence(data, layout), fonts.serif, body, colors.text, width)
    return lines + _duration_lines(page, data, body, width)


def _held_sentence(data: CertificateData, layout: Layout) -> str:
    text = layout.text
    place = ", ".join(part.strip() for part in (data.venue, data.city) if part.strip())
    where = f" {text.held_at} {place}" if place else ""
    return f"{text.held_on} {format_range(data.start_date, data.end_date)}{where}"


def _duration_lines(page: Page, data: CertificateData, size: float, width: float) -> list[Line]:
    """Return 'selama 24 (dua puluh empat) Jam Pelajaran dengan predikat Baik', bold predikat."""
    layout = page.layout
    fonts, color = layout.fonts, layout.colors.text
    duration = printable(f"{layout.text.duration} {jp_phrase(data.jp)}", fonts.serif)
    if not data.predikat:
        return fitted(duration, fonts.serif, size, color, width)
    predikat = printable(data.predikat, fonts.serif_bold)
    parts = ((printable(f"{duration} {layout.text.predikat}", fonts.serif) + " ", fonts.serif),
             (predikat, fonts.serif_bold))
    if sum(stringWidth(text, font, size) for text, font in parts) <= width:
        return [Line(parts, size, color)]
    # Too long for one line: the predikat gets lines of its own rather than run past the frame.
    return (fitted(duration, fonts.serif, size, color, width)
            + fitted(layout.text.predikat, fonts.serif, size, color, width)
            + fitted(predikat, fonts.serif_bold, size, color, width))


def _draw_flow(page: Page, blocks: list[list[Line]], top: float, bottom: float) -> None:
    """Draw the blocks centred, sharing the spare height evenly between and around them."""
    blocks = [block for block in blocks if block]
    spare = top - bottom - sum(total_height(block) for block in blocks)
    gap = max(0.0, spare / (len(blocks) + 1))
    y = top - gap
    for block in blocks:
        if block[0].field_row:
            draw_fields(page, block, y)
        else:
            draw_lines(page, block, y)
        y -= total_height(block) + gap


def _bottom_blocks(page: Page, data: CertificateData, signature: ImageReader | None) -> float:
    """Draw the signatory (right) and the QR code (left) on the bottom edge; return their top."""
    column = column_width(page)
    block = signatory_block(page, data, column)
    draw_signatory(page, block, signature, page.right - column / 2, page.bottom)
    return max(page.bottom + block.height, _verification(page, data, column))


def _verification(page: Page, data: CertificateData, width: float) -> float:
    """Draw the QR code bottom left with the code and how to check it beside; return its top."""
    matrix = qr_matrix(data.verify_url)
    # The quiet zone may lie in the padding: align the dark modules with the content's edges.
    quiet = QUIET_ZONE * QR_SIZE / (len(matrix) + 2 * QUIET_ZONE)
    draw_qr(page.canvas, matrix, page.left - quiet, page.bottom - quiet, QR_SIZE)
    qr_top = page.bottom + QR_SIZE - 2 * quiet
    x = page.left + QR_SIZE - quiet + 6
    lines = _verification_lines(page, data, page.left + width - x)
    top = (page.bottom + qr_top + total_height(lines)) / 2  # centred on the QR code
    for line in lines:
        top -= line.height
        text, font = line.parts[0]
        page.text(x, top + line.size * 0.25, text, font, line.size, line.color)
    return max(qr_top, (page.bottom + qr_top + total_height(lines)) / 2)


def _verification_lines(page: Page, data: CertificateData, width: float) -> list[Line]:
    """Return the lines beside the QR code: the code, then how to check the certificate."""
    layout = page.layout
    sans, small, colors = layout.fonts.sans, layout.sizes.small, layout.colors
    lines = fitted(f"{layout.text.code_label}:", sans, small, colors.muted, width, small)
    lines += fitted(data.code, _bold_sans(sans), small + 2, colors.text, width, small)
    note = layout.text.verify_note.replace("{url}", data.verify_url)
    return lines + fitted(note, sans, small * 0.92, colors.muted, width, small * 0.92, 8)


def _bold_sans(font: str) -> str:
    return {"Helvetica": "Helvetica-Bold", "Courier": "Courier-Bold"}.get(font, font)
