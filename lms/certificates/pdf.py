"""Certificate PDFs: the certificate itself (page 1) and its transcript of topics (page 2).

Everything is drawn on a ReportLab canvas with the layout's fonts and colours. Text is measured
before it is drawn: long names and agency names shrink to a minimum size and then wrap, so
nothing ever runs past the frame. The same input always gives the same bytes (invariant mode).
"""

from __future__ import annotations

import hashlib
import io
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import standardFonts, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lms.accounts.identity import format_nip
from lms.certificates.layout import FORBIDDEN_WORDING, Layout
from lms.certificates.qr import draw_qr, qr_matrix
from lms.certificates.words import jp_phrase
from lms.dates import format_date, format_range


@dataclass(frozen=True)
class TranscriptRow:
    topic: str
    jp: int
    trainer: str = ""


@dataclass(frozen=True)
class CertificateData:
    number: str
    code: str
    verify_url: str
    holder_name: str
    nip: str  # nip, pangkat and jabatan may be "": their lines are left out
    pangkat: str
    jabatan: str
    agency: str
    training_title: str
    start_date: date
    end_date: date
    venue: str
    city: str
    jp: int
    score: str | None  # preformatted, e.g. "87,5"
    predikat: str | None
    issue_city: str
    issue_date: date
    signatory_name: str
    signatory_pangkat: str
    signatory_nip: str
    signatory_title: str
    institution_name: str
    institution_address: str
    transcript: tuple[TranscriptRow, ...] = ()


LEADING = 1.28  # line height as a multiple of the font size
MIN_SIZE = 9.0  # nothing a person must read is printed smaller than this, except the small print
LOGO_PIXELS = 360  # ~150 dpi at the printed size: sharp on paper, cheap to compress 1000 times
SIGNATURE_PIXELS = 480
QR_SIZE = 80.0
SIGNATURE_BOX = (150.0, 46.0)  # width, height of the space above the signatory's name
_IMAGE_CACHE_SIZE = 16
_images: OrderedDict[tuple[str, int], ImageReader] = OrderedDict()
_images_lock = threading.Lock()
_registered_fonts: set[str] = set()
# Letters outside the standard fonts' encoding with no accent-stripping decomposition.
_FALLBACK = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ø": "o", "Ø": "O",
                           "\u2010": "-", "\u2011": "-", "\u2212": "-"})


def render_certificate(data: CertificateData, layout: Layout, logo: bytes | None = None,
                       signature: bytes | None = None) -> bytes:
    """Return the PDF of one certificate: the certificate page, then its transcript."""
    return render_many([data], layout, logo=logo, signature=signature)


def render_many(records: Iterable[CertificateData], layout: Layout, logo: bytes | None = None,
                signature: bytes | None = None) -> bytes:
    """Return one PDF with every record's pages, each certificate starting on an odd page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=layout.page_size, invariant=1)
    _register_fonts(layout)
    count = 0
    for data in records:
        _check(data)
        if count == 0:
            _describe(canvas, data)
        _draw_certificate(canvas, data, layout, logo, signature)
        count += 1
    if count == 0:
        raise ValueError("tidak ada sertifikat untuk dicetak")
    canvas.save()
    return buffer.getvalue()


def _describe(canvas: Canvas, data: CertificateData) -> None:
    canvas.setTitle(f"Sertifikat {data.number}")
    canvas.setAuthor(data.institution_name)
    canvas.setSubject(data.training_title)
    canvas.setCreator("LMS Bimtek")


def _check(data: CertificateData) -> None:
    """Refuse records that would print a self-contradicting certificate."""
    if data.jp < 1:
        raise ValueError(f"JP sertifikat {data.number} harus lebih dari nol")
    if data.end_date < data.start_date:
        raise ValueError(f"tanggal selesai sertifikat {data.number} mendahului tanggal mulai")
    total = sum(row.jp for row in data.transcript)
    if data.transcript and total != data.jp:
        raise ValueError(f"jumlah JP transkrip ({total}) tidak sama dengan JP sertifikat {data.number} "
                         f"({data.jp})")


def _draw_certificate(canvas: Canvas, data: CertificateData, layout: Layout, logo: bytes | None,
                      signature: bytes | None) -> None:
    logo_image = _image(logo, LOGO_PIXELS, "logo") if logo else None
    signature_image = _image(signature, SIGNATURE_PIXELS, "tanda tangan") if signature else None
    _front_page(_Page(canvas, layout), data, logo_image, signature_image)
    canvas.showPage()
    if data.transcript:
        _transcript_pages(canvas, layout, data, signature_image)
    # Keep duplex printing aligned: the next certificate must start on a front side.
    if canvas.getPageNumber() % 2 == 0:
        canvas.showPage()


# Text measuring and fitting -------------------------------------------------------------------


def fit_font_size(text: str, font: str, max_size: float, min_size: float, width: float) -> float:
    """Return the largest size (in half points) from max_size down to min_size at which text fits."""
    natural = stringWidth(text, font, max_size)
    if natural <= width:
        return max_size
    return max(min_size, int(max_size * width / natural * 2) / 2)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Split text into lines no wider than width, breaking inside a word only when it must."""
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) or [""]:
        lines.extend(_break_word(line, font, size, width))
    return lines


def _break_word(line: str, font: str, size: float, width: float) -> list[str]:
    # simpleSplit leaves a word longer than the width (a URL, a name without spaces) whole.
    pieces: list[str] = []
    while stringWidth(line, font, size) > width and len(line) > 1:
        cut = len(line) - 1
        while cut > 1 and stringWidth(line[:cut], font, size) > width:
            cut -= 1
        # Break a URL after a slash or hyphen when one is near enough to the end of the line.
        soft = max(line.rfind("/", 0, cut), line.rfind("-", 0, cut)) + 1
        cut = soft if soft > cut * 0.6 else cut
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def fit_lines(text: str, font: str, max_size: float, min_size: float, width: float,
              max_lines: int = 1) -> tuple[float, list[str]]:
    """Return the largest size at which text fits in max_lines lines, and those lines.

    Below min_size the text wraps into as many lines as it needs instead of shrinking further.
    """
    size = fit_font_size(text, font, max_size, min_size, width) if max_lines == 1 else max_size
    while True:
        lines = wrap_text(text, font, size, width)
        if len(lines) <= max_lines or size <= min_size:
            return size, lines
        size = max(min_size, size - 0.5)


def printable(text: str, font: str) -> str:
    """Return text on one line, with letters the font cannot show replaced by their base letter."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if font not in standardFonts:
        return text
    # The standard PDF fonts are limited to the Windows-1252 characters; others print as boxes.
    return "".join(char if _in_standard_encoding(char) else _base_letter(char) for char in text)


def _in_standard_encoding(char: str) -> bool:
    try:
        char.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def _base_letter(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char.translate(_FALLBACK))
                   if _in_standard_encoding(c) and not unicodedata.combining(c))
    return base or "?"


# Images and fonts --------------------------------------------------------------------------------


def _image(data: bytes, max_pixels: int, what: str) -> ImageReader:
    """Return a reader for PNG/JPEG bytes, scaled down once and cached by the bytes' hash."""
    key = (hashlib.sha256(data).hexdigest(), max_pixels)
    with _images_lock:
        if key in _images:
            _images.move_to_end(key)
            return _images[key]
    reader = _load_image(data, max_pixels, what)
    with _images_lock:
        _images[key] = reader
        while len(_images) > _IMAGE_CACHE_SIZE:
            _images.popitem(last=False)
    return reader


def _load_image(data: bytes, max_pixels: int, what: str) -> ImageReader:
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ("PNG", "JPEG"):
                raise ValueError(f"gambar {what} harus PNG atau JPEG, bukan {opened.format}")
            image = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise ValueError(f"gambar {what} bukan PNG/JPEG yang sah") from None
    image.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    return ImageReader(image)


def _has_alpha(image: object) -> bool:
    mode = getattr(image, "mode", "")
    return mode in ("RGBA", "LA", "PA") or "transparency" in getattr(image, "info", {})


def _register_fonts(layout: Layout) -> None:
    for name, path in layout.fonts.files:
        key = f"{name}\0{path}"
        if key not in _registered_fonts:
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered_fonts.add(key)


# Page furniture -----------------------------------------------------------------------------------


@dataclass
class _Page:
    """A canvas with the layout, and the box inside the frame where content goes."""

    canvas: Canvas
    layout: Layout
    left: float = field(init=False)
    right: float = field(init=False)
    bottom: float = field(init=False)
    top: float = field(init=False)

    def __post_init__(self) -> None:
        width, height = self.layout.page_size
        inset = self.layout.margin + self.layout.border.gap_mm * 2.83465 + self.layout.padding
        self.left, self.right, self.bottom, self.top = inset, width - inset, inset, height - inset
        _draw_background(self)
        _draw_border(self)

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    def text(self, x: float, y: float, text: str, font: str, size: float, color: str,
             align: str = "left", char_space: float = 0) -> float:
        """Draw one line; return its width."""
        text = printable(text, font)
        width = stringWidth(text, font, size) + char_space * max(len(text) - 1, 0)
        start = {"left": x, "centre": x - width / 2, "right": x - width}[align]
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(HexColor(color))
        self.canvas.drawString(start, y, text, charSpace=char_space)
        return width


def _draw_background(page: _Page) -> None:
    if page.layout.background is None:
        return
    reader = _image(page.layout.background.read_bytes(), 2400, "latar")
    width, height = page.layout.page_size
    page.canvas.drawImage(reader, 0, 0, width, height, mask="auto")


def _draw_border(page: _Page) -> None:
    border, canvas = page.layout.border, page.canvas
    if border.style == "none":
        return
    width, height = page.layout.page_size
    outer = page.layout.margin
    inner = outer + border.gap_mm * 2.83465
    canvas.saveState()
    canvas.setStrokeColor(HexColor(page.layout.colors.accent))
    canvas.setLineWidth(border.outer_width)
    canvas.rect(outer, outer, width - 2 * outer, height - 2 * outer, stroke=1, fill=0)
    if border.style == "double":
        canvas.setLineWidth(border.inner_width)
        canvas.rect(inner, inner, width - 2 * inner, height - 2 * inner, stroke=1, fill=0)
    if border.corner_ornaments:
        _draw_corners(page, inner + 5)
    canvas.restoreState()


def _draw_corners(page: _Page, inset: float) -> None:
    """Draw an L-shaped double bracket with a small diamond in each corner of the frame."""
    width, height = page.layout.page_size
    canvas = page.canvas
    canvas.setFillColor(HexColor(page.layout.colors.accent))
    for x, y, dx, dy in ((inset, inset, 1, 1), (width - inset, inset, -1, 1),
                         (inset, height - inset, 1, -1), (width - inset, height - inset, -1, -1)):
        canvas.setLineWidth(1.2)
        canvas.lines([(x, y, x + 42 * dx, y), (x, y, x, y + 42 * dy)])
        canvas.setLineWidth(0.5)
        canvas.lines([(x + 4 * dx, y + 4 * dy, x + 28 * dx, y + 4 * dy),
                      (x + 4 * dx, y + 4 * dy, x + 4 * dx, y + 28 * dy)])
        _diamond(canvas, x + 10 * dx, y + 10 * dy, 3.2)


def _diamond(canvas: Canvas, x: float, y: float, radius: float) -> None:
    path = canvas.beginPath()
    path.moveTo(x, y + radius)
    path.lineTo(x + radius, y)
    path.lineTo(x, y - radius)
    path.lineTo(x - radius, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _ornamental_rule(page: _Page, y: float, half_width: float) -> None:
    """Draw a thin gold rule with a diamond in the middle, under a heading."""
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(HexColor(page.layout.colors.accent))
    canvas.setFillColor(HexColor(page.layout.colors.accent))
    canvas.setLineWidth(0.7)
    canvas.line(page.centre - half_width, y, page.centre - 7, y)
    canvas.line(page.centre + 7, y, page.centre + half_width, y)
    _diamond(canvas, page.centre, y, 3)
    canvas.restoreState()


def _letterhead(page: _Page, data: CertificateData, logo: ImageReader | None) -> float:
    """Draw logo, institution name and address with a rule below; return the rule's height."""
    layout, fonts = page.layout, page.layout.fonts
    logo_height = 58.0
    # Keep the name centred on the page even with a logo: the text never runs under the logo.
    text_width = page.width - 2 * (logo_height + 24) if logo else page.width
    name = printable(data.institution_name.upper(), fonts.serif_bold)
    size, lines = fit_lines(name, fonts.serif_bold, 15, 10, text_width, max_lines=2)
    address = printable(data.institution_address, fonts.serif)
    small, address_lines = fit_lines(address, fonts.serif, 9.5, 7.5, text_width, max_lines=2)
    if not address:
        address_lines = []
    height = len(lines) * size * LEADING + len(address_lines) * small * LEADING
    block_top = page.top
    if logo:
        block_top = page.top - max(0.0, (logo_height - height) / 2)
        _draw_logo(page, logo, page.left + 6, page.top - logo_height, logo_height)
    y = block_top - size
    for line in lines:
        page.text(page.centre, y, line, fonts.serif_bold, size, layout.colors.primary, "centre")
        y -= size * LEADING
    y += size * LEADING - small * LEADING - 1
    for line in address_lines:
        page.text(page.centre, y, line, fonts.serif, small, layout.colors.muted, "centre")
        y -= small * LEADING
    rule = min(y + small * LEADING - small * 0.6, page.top - logo_height if logo else y) - 6
    _double_rule(page, rule)
    return rule


def _draw_logo(page: _Page, logo: ImageReader, x: float, y: float, height: float) -> None:
    pixel_width, pixel_height = logo.getSize()
    width = height * pixel_width / pixel_height
    page.canvas.drawImage(logo, x, y, width, height, mask="auto")


def _double_rule(page: _Page, y: float) -> None:
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(HexColor(page.layout.colors.accent))
    canvas.setLineWidth(1.6)
    canvas.line(page.left, y, page.right, y)
    canvas.setLineWidth(0.5)
    canvas.line(page.left, y - 3, page.right, y - 3)
    canvas.restoreState()


# The certificate page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One line of the centred text flow; a label makes it a 'label : value' row."""

    parts: tuple[tuple[str, str], ...]  # (text, font) drawn one after the other
    size: float
    color: str
    label: str = ""
    field_row: bool = False
    char_space: float = 0

    @property
    def height(self) -> float:
        return self.size * LEADING


def _front_page(page: _Page, data: CertificateData, logo: ImageReader | None,
                signature: ImageReader | None) -> None:
    flow_top = _letterhead(page, data, logo) - 6
    bottom_top = _bottom_blocks(page, data, signature)
    available = flow_top - bottom_top - 10
    for scale in (1.0, 0.94, 0.88, 0.82, 0.76, 0.7):
        blocks = _front_blocks(page, data, scale)
        if sum(line.height for block in blocks for line in block) <= available:
            break
    _draw_flow(page, blocks, flow_top, bottom_top + 10)


def _front_blocks(page: _Page, data: CertificateData, scale: float) -> list[list[_Line]]:
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    number = f"{text.number}: {data.number}"
    number_size, _ = fit_lines(number, fonts.serif, sizes.body * scale, MIN_SIZE, page.width)
    heading = [_Line(((text.title, fonts.serif_bold),), sizes.title * scale, colors.primary,
                     char_space=sizes.title * scale * 0.16),
               _Line(((number, fonts.serif),), number_size, colors.text)]
    return [heading, _holder_block(page, data, scale), _fields_block(page, data, scale),
            _training_block(page, data, scale)]


def _holder_block(page: _Page, data: CertificateData, scale: float) -> list[_Line]:
    layout = page.layout
    fonts, sizes = layout.fonts, layout.sizes
    name = printable(data.holder_name, fonts.serif_bold)
    size, lines = fit_lines(name, fonts.serif_bold, sizes.name * scale, 16, page.width * 0.92)
    intro = _Line(((layout.text.given_to, fonts.serif_italic),), sizes.body * scale, layout.colors.text)
    return [intro, *(_Line(((line, fonts.serif_bold),), size, layout.colors.primary) for line in lines)]


def _fields_block(page: _Page, data: CertificateData, scale: float) -> list[_Line]:
    text, fonts = page.layout.text, page.layout.fonts
    rows = [(text.nip, format_nip(data.nip)), (text.pangkat, data.pangkat),
            (text.jabatan, data.jabatan), (text.agency, data.agency)]
    size = page.layout.sizes.body * scale
    label_width = max(stringWidth(label, fonts.serif, size) for label, _ in rows)
    value_width = page.width * 0.8 - label_width - 14
    lines: list[_Line] = []
    for label, value in rows:
        value = printable(value, fonts.serif)
        if not value:
            continue  # e.g. no NIP for PPPK or honorer staff: leave the line out entirely
        value_size, wrapped = fit_lines(value, fonts.serif, size, MIN_SIZE, value_width, max_lines=2)
        for index, line in enumerate(wrapped):
            lines.append(_Line(((line, fonts.serif),), value_size, page.layout.colors.text,
                               label=label if index == 0 else "", field_row=True))
    return lines


def _training_block(page: _Page, data: CertificateData, scale: float) -> list[_Line]:
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    title = printable(data.training_title, fonts.serif_bold)
    title_size, title_lines = fit_lines(title, fonts.serif_bold, sizes.heading * scale, 12,
                                        page.width * 0.9, max_lines=2)
    paragraph = printable(_held_sentence(data, layout), fonts.serif)
    body_size, body_lines = fit_lines(paragraph, fonts.serif, sizes.body * scale, MIN_SIZE,
                                      page.width * 0.86, max_lines=2)
    lines = [_Line(((text.attended, fonts.serif_italic),), sizes.body * scale, colors.text)]
    lines += [_Line(((line, fonts.serif_bold),), title_size, colors.primary) for line in title_lines]
    lines += [_Line(((line, fonts.serif),), body_size, colors.text) for line in body_lines]
    if data.predikat:
        parts = ((f"{text.predikat} ", fonts.serif), (printable(data.predikat, fonts.serif_bold), fonts.serif_bold))
        lines.append(_Line(parts, sizes.body * scale * 1.1, colors.text))
    return lines


def _held_sentence(data: CertificateData, layout: Layout) -> str:
    text = layout.text
    place = ", ".join(part.strip() for part in (data.venue, data.city) if part.strip())
    where = f" {text.held_at} {place}" if place else ""
    dates = format_range(data.start_date, data.end_date)
    return f"{text.held_on} {dates}{where} {text.duration} {jp_phrase(data.jp)}"


def _draw_flow(page: _Page, blocks: list[list[_Line]], top: float, bottom: float) -> None:
    """Draw the blocks centred, sharing the spare height evenly between and around them."""
    blocks = [block for block in blocks if block]
    used = sum(line.height for block in blocks for line in block)
    gap = max(0.0, (top - bottom - used) / (len(blocks) + 1))
    y = top - gap
    for block in blocks:
        if block[0].field_row:
            _draw_fields(page, block, y)
        else:
            _draw_lines(page, block, y)
        y -= sum(line.height for line in block) + gap


def _draw_lines(page: _Page, block: list[_Line], top: float) -> None:
    for line in block:
        _draw_centred(page, line, top - line.size * 0.92)
        top -= line.height


def _draw_centred(page: _Page, line: _Line, baseline: float) -> None:
    widths = [stringWidth(text, font, line.size) for text, font in line.parts]
    total = sum(widths) + line.char_space * max(sum(len(text) for text, _ in line.parts) - 1, 0)
    x = page.centre - total / 2
    for (text, font), width in zip(line.parts, widths):
        page.text(x, baseline, text, font, line.size, line.color, char_space=line.char_space)
        x += width


def _draw_fields(page: _Page, block: list[_Line], top: float) -> None:
    """Draw 'label : value' rows as one block centred on the page, colons aligned."""
    font = page.layout.fonts.serif
    label_size = max(line.size for line in block)
    label_width = max(stringWidth(line.label, font, label_size) for line in block)
    value_width = max(stringWidth(line.parts[0][0], line.parts[0][1], line.size) for line in block)
    x = page.centre - (label_width + 14 + value_width) / 2
    y = top
    for line in block:
        baseline = y - line.size * 0.92
        if line.label:
            page.text(x, baseline, line.label, font, label_size, page.layout.colors.muted)
            page.text(x + label_width + 4, baseline, ":", font, label_size, page.layout.colors.muted)
        page.text(x + label_width + 14, baseline, line.parts[0][0], line.parts[0][1], line.size, line.color)
        y -= line.height


def _bottom_blocks(page: _Page, data: CertificateData, signature: ImageReader | None) -> float:
    """Draw the signatory (right) and the QR code (left) on the bottom edge; return their top."""
    column = min(280.0, page.width * 0.36)
    right_centre = page.right - column / 2
    sign_top = _signatory(page, data, signature, right_centre, column, page.bottom)
    qr_top = _verification(page, data, page.left + column / 2, column, page.bottom)
    return max(sign_top, qr_top)


def _signatory(page: _Page, data: CertificateData, signature: ImageReader | None, centre: float,
               width: float, bottom: float) -> float:
    """Draw the dated signatory block ending at bottom; return its top."""
    layout = page.layout
    fonts, size, colors = layout.fonts, layout.sizes.body, layout.colors
    head = [f"{data.issue_city}, {format_date(data.issue_date)}"]
    title_size, title_lines = fit_lines(printable(data.signatory_title, fonts.serif), fonts.serif, size,
                                        MIN_SIZE, width, max_lines=3)
    name_size, name_lines = fit_lines(printable(data.signatory_name, fonts.serif_bold), fonts.serif_bold,
                                      size, MIN_SIZE, width)
    tail = [line for line in (data.signatory_pangkat,
                              f"NIP. {format_nip(data.signatory_nip)}" if data.signatory_nip else "") if line]
    tail_lines = [printable(line, fonts.serif) for line in tail]
    y = bottom + len(tail_lines) * size * LEADING + len(name_lines) * name_size * LEADING
    signature_bottom = y + 2
    y += SIGNATURE_BOX[1] + 4
    y += len(title_lines) * title_size * LEADING + size * LEADING
    top = y
    for line in head:
        y -= size * LEADING
        page.text(centre, y + size * 0.3, line, fonts.serif, size, colors.text, "centre")
    for line in title_lines:
        y -= title_size * LEADING
        page.text(centre, y + title_size * 0.3, line, fonts.serif, title_size, colors.text, "centre")
    if signature:
        _draw_signature(page, signature, centre, signature_bottom)
    y = signature_bottom - 2
    for line in name_lines:
        y -= name_size * LEADING
        _underlined(page, centre, y + name_size * 0.3, line, fonts.serif_bold, name_size)
    for line in tail_lines:
        y -= size * LEADING
        page.text(centre, y + size * 0.3, line, fonts.serif, size, colors.text, "centre")
    return top


def _underlined(page: _Page, centre: float, baseline: float, text: str, font: str, size: float) -> None:
    width = page.text(centre, baseline, text, font, size, page.layout.colors.text, "centre")
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(HexColor(page.layout.colors.text))
    canvas.setLineWidth(0.6)
    canvas.line(centre - width / 2, baseline - size * 0.14, centre + width / 2, baseline - size * 0.14)
    canvas.restoreState()


def _draw_signature(page: _Page, signature: ImageReader, centre: float, bottom: float) -> None:
    box_width, box_height = SIGNATURE_BOX
    pixel_width, pixel_height = signature.getSize()
    scale = min(box_width / pixel_width, box_height / pixel_height)
    width, height = pixel_width * scale, pixel_height * scale
    page.canvas.drawImage(signature, centre - width / 2, bottom, width, height, mask="auto")


def _verification(page: _Page, data: CertificateData, centre: float, width: float,
                  bottom: float) -> float:
    """Draw the QR code, the code beneath it and how to check it; return the block's top."""
    layout = page.layout
    sans, small, colors = layout.fonts.sans, layout.sizes.small, layout.colors
    note = printable(layout.text.verify_note.replace("{url}", data.verify_url), sans)
    note_lines = wrap_text(note, sans, small, width)
    y = bottom + (len(note_lines) - 1) * small * LEADING
    for index, line in enumerate(note_lines):
        page.text(centre, y - index * small * LEADING, line, sans, small, colors.muted, "centre")
    code_baseline = y + small * LEADING + 3
    code = f"{layout.text.code_label}: {data.code}"
    code_size = fit_font_size(code, sans, small + 1.5, small, width)
    page.text(centre, code_baseline, code, sans, code_size, colors.text, "centre")
    qr_bottom = code_baseline + code_size + 1
    draw_qr(page.canvas, qr_matrix(data.verify_url), centre - QR_SIZE / 2, qr_bottom, QR_SIZE)
    return qr_bottom + QR_SIZE


# The transcript ---------------------------------------------------------------------------------


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


def _transcript_pages(canvas: Canvas, layout: Layout, data: CertificateData,
                      signature: ImageReader | None) -> None:
    """Draw the transcript, continuing on further pages only when the rows cannot fit on one."""
    rows = list(data.transcript)
    done = 0
    while True:
        page = _Page(canvas, layout)
        top = _transcript_heading(page, data, continued=done > 0)
        footer_top = _transcript_footer(page, data, signature)
        # The score line sits left of the signatory's first lines, so it needs no height of its own.
        table = _plan_table(page, rows[done:], top - footer_top - 6, first=done + 1)
        last = done + table.count == len(rows)
        bottom = _draw_table(page, rows[done:done + table.count], table, top, done + 1,
                             total=data.jp if last else None)
        done += table.count
        if last:
            _score_line(page, data, table, bottom)
            canvas.showPage()
            return
        canvas.showPage()


def _transcript_heading(page: _Page, data: CertificateData, continued: bool) -> float:
    """Draw the heading, training and holder lines; return where the table may start."""
    layout = page.layout
    fonts, sizes, colors = layout.fonts, layout.sizes, layout.colors
    title = layout.text.transcript_title + (" (lanjutan)" if continued else "")
    title_size = sizes.heading * 1.25
    y = page.top - title_size
    page.text(page.centre, y, title, fonts.serif_bold, title_size, colors.primary, "centre",
              char_space=title_size * 0.12)
    _ornamental_rule(page, y - 9, 120)
    size, lines = fit_lines(printable(data.training_title, fonts.serif_bold), fonts.serif_bold,
                            sizes.heading * 0.85, 11, page.width * 0.9, max_lines=2)
    y -= 16
    for line in lines:
        y -= size * LEADING
        page.text(page.centre, y + size * 0.25, line, fonts.serif_bold, size, colors.primary, "centre")
    held = ", ".join(part for part in (format_range(data.start_date, data.end_date), data.venue.strip(),
                                       data.city.strip()) if part)
    y -= sizes.body * LEADING
    page.text(page.centre, y + sizes.body * 0.25, held, fonts.serif_italic, sizes.body * 0.92, colors.text,
              "centre")
    holder = [_Line(((value, fonts.serif),), sizes.body * 0.92, colors.text, label=label, field_row=True)
              for label, value in _holder_rows(page, data) if value]
    y -= 10
    _draw_fields(page, holder, y)
    return y - sum(line.height for line in holder) - 10


def _holder_rows(page: _Page, data: CertificateData) -> list[tuple[str, str]]:
    text, font = page.layout.text, page.layout.fonts.serif
    rows = [(text.holder, data.holder_name), (text.nip, format_nip(data.nip)), (text.number, data.number)]
    # Holder lines of the transcript never wrap: cut a freakishly long value rather than overflow.
    return [(label, _clip(printable(value, font), font, page.layout.sizes.body * 0.92, page.width * 0.7))
            for label, value in rows]


def _clip(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _transcript_footer(page: _Page, data: CertificateData, signature: ImageReader | None) -> float:
    """Draw the signatory and, bottom left, the verification code; return the footer's top."""
    column = min(280.0, page.width * 0.36)
    top = _signatory(page, data, signature, page.right - column / 2, column, page.bottom)
    layout = page.layout
    note = f"{layout.text.number}: {data.number} · {layout.text.code_label}: {data.code}"
    size = fit_font_size(note, layout.fonts.sans, layout.sizes.small, 6, page.width - column - 20)
    page.text(page.left, page.bottom, note, layout.fonts.sans, size, layout.colors.muted)
    return top


def _plan_table(page: _Page, rows: list[TranscriptRow], height: float, first: int) -> _Table:
    """Choose the largest font size at which every row fits; at the smallest, fit what fits."""
    size = page.layout.sizes.body * 0.95
    while True:
        table = _table_at(page, rows, size, len(rows))
        heights = _row_heights(page, rows, table, first)
        total = table.size * LEADING + 2 * table.padding
        needed = sum(heights) + 2 * total  # header row and JUMLAH row
        if needed <= height or size <= 8:
            break
        size -= 0.5
    count, used = 0, 2 * total
    while count < len(rows) and used + heights[count] <= height:
        used += heights[count]
        count += 1
    return _table_at(page, rows, size, max(count, 1))


def _table_at(page: _Page, rows: list[TranscriptRow], size: float, count: int) -> _Table:
    font = page.layout.fonts.serif_bold
    text = page.layout.text
    width = min(page.width, 640.0)
    left = page.centre - width / 2
    no_width = stringWidth(f"{max(len(rows), 10)}.", font, size) + size * 1.6
    jp_width = max(stringWidth(text.column_jp, font, size), stringWidth("999", font, size)) + size * 2
    with_trainer = any(row.trainer.strip() for row in rows)
    trainer_width = width * 0.32 if with_trainer else 0.0
    topic_width = width - no_width - jp_width - trainer_width
    widths = [no_width, topic_width] + ([trainer_width] if with_trainer else []) + [jp_width]
    edges = [left]
    for column in widths:
        edges.append(edges[-1] + column)
    return _Table(size, tuple(edges), with_trainer, count)


def _cells(row: TranscriptRow, number: int, table: _Table) -> list[str]:
    cells = [f"{number}.", row.topic]
    if table.with_trainer:
        cells.append(row.trainer)
    return [*cells, str(row.jp)]


def _cell_lines(page: _Page, text: str, table: _Table, column: int, font: str) -> list[str]:
    width = table.edges[column + 1] - table.edges[column] - 2 * table.padding
    return wrap_text(printable(text, font), font, table.size, width)


def _row_heights(page: _Page, rows: list[TranscriptRow], table: _Table, first: int) -> list[float]:
    font = page.layout.fonts.serif
    heights = []
    for number, row in enumerate(rows, start=first):
        lines = max(len(_cell_lines(page, cell, table, column, font))
                    for column, cell in enumerate(_cells(row, number, table)))
        heights.append(lines * table.size * LEADING + 2 * table.padding)
    return heights


def _draw_table(page: _Page, rows: list[TranscriptRow], table: _Table, top: float, first: int,
                total: int | None) -> float:
    """Draw the header, the rows numbered from first and the JUMLAH row; return the bottom."""
    layout = page.layout
    text, fonts = layout.text, layout.fonts
    header = [text.column_no, text.column_topic] + ([text.column_trainer] if table.with_trainer else [])
    y = _draw_row(page, table, [*header, text.column_jp], top, fonts.serif_bold, header=True)
    for number, row in enumerate(rows, start=first):
        y = _draw_row(page, table, _cells(row, number, table), y, fonts.serif)
    if total is not None:  # only under the last rows, when the table runs over several pages
        y = _draw_total(page, table, str(total), y)
    return y


def _draw_row(page: _Page, table: _Table, cells: list[str], top: float, font: str,
              header: bool = False) -> float:
    layout = page.layout
    lines = [_cell_lines(page, cell, table, column, font) for column, cell in enumerate(cells)]
    height = max(len(cell) for cell in lines) * table.size * LEADING + 2 * table.padding
    canvas = page.canvas
    canvas.saveState()
    if header:
        canvas.setFillColor(HexColor(layout.colors.table_header))
        canvas.rect(table.edges[0], top - height, table.edges[-1] - table.edges[0], height, stroke=0, fill=1)
    _grid(page, table, top, height)
    canvas.restoreState()
    last = len(cells) - 1
    for column, cell_lines in enumerate(lines):
        align = "left" if 0 < column < last else "centre"
        if header:
            align = "centre"
        _cell_text(page, table, column, cell_lines, top, font, align)
    return top - height


def _grid(page: _Page, table: _Table, top: float, height: float) -> None:
    canvas = page.canvas
    canvas.setStrokeColor(HexColor(page.layout.colors.accent))
    canvas.setLineWidth(0.5)
    canvas.rect(table.edges[0], top - height, table.edges[-1] - table.edges[0], height, stroke=1, fill=0)
    for x in table.edges[1:-1]:
        canvas.line(x, top, x, top - height)


def _cell_text(page: _Page, table: _Table, column: int, lines: list[str], top: float, font: str,
               align: str) -> None:
    left, right = table.edges[column], table.edges[column + 1]
    x = (left + right) / 2 if align == "centre" else left + table.padding
    y = top - table.padding - table.size * 0.95
    for line in lines:
        page.text(x, y, line, font, table.size, page.layout.colors.text, align)
        y -= table.size * LEADING


def _draw_total(page: _Page, table: _Table, total: str, top: float) -> float:
    """Draw the JUMLAH row: the label spans every column but the last."""
    font = page.layout.fonts.serif_bold
    height = table.size * LEADING + 2 * table.padding
    canvas = page.canvas
    canvas.saveState()
    canvas.setFillColor(HexColor(page.layout.colors.table_header))
    canvas.rect(table.edges[0], top - height, table.edges[-1] - table.edges[0], height, stroke=0, fill=1)
    canvas.setStrokeColor(HexColor(page.layout.colors.accent))
    canvas.setLineWidth(0.5)
    canvas.rect(table.edges[0], top - height, table.edges[-1] - table.edges[0], height, stroke=1, fill=0)
    canvas.line(table.edges[-2], top, table.edges[-2], top - height)
    canvas.restoreState()
    baseline = top - table.padding - table.size * 0.95
    page.text((table.edges[0] + table.edges[-2]) / 2, baseline, page.layout.text.total, font, table.size,
              page.layout.colors.text, "centre")
    page.text((table.edges[-2] + table.edges[-1]) / 2, baseline, total, font, table.size,
              page.layout.colors.text, "centre")
    return top - height


def _score_line(page: _Page, data: CertificateData, table: _Table, bottom: float) -> None:
    if data.score is None:
        return
    layout = page.layout
    label = f"{layout.text.score}: "
    value = data.score + (f" ({data.predikat})" if data.predikat else "")
    size = layout.sizes.body * 0.95
    y = bottom - size * LEADING - 4
    width = page.text(table.edges[0], y, label, layout.fonts.serif, size, layout.colors.text)
    page.text(table.edges[0] + width, y, value, layout.fonts.serif_bold, size, layout.colors.text)
