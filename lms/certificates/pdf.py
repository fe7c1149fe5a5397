"""Certificate PDFs: the certificate itself (page 1) and its transcript of topics (page 2).

Everything is drawn on a ReportLab canvas with the layout's fonts and colours. Every line is
measured before it is drawn: long text shrinks to a minimum size and then wraps, so nothing runs
past the frame whatever the data or the layout's wording. The same input always gives the same
bytes (invariant mode).
"""

from __future__ import annotations

import hashlib
import io
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import standardFonts, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from lms.accounts.identity import format_nip
from lms.certificates.layout import Layout
from lms.certificates.qr import QUIET_ZONE, draw_qr, qr_matrix
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


LEADING = 1.25  # line height as a multiple of the font size
MIN_SIZE = 9.0  # nothing a person must read is smaller, except the small print by the QR code
NAME_MIN_SIZE = 16.0  # a long name shrinks to this, then wraps
TABLE_SIZE = 9.0  # the smallest transcript font, and the one of a transcript over several pages
ONE_PAGE_TABLE_MIN = 7.5  # a one-page transcript may shrink to this before it continues
# Images are scaled down once to about 300 dpi at their printed size: sharp on paper, yet cheap
# to compress again into each of a thousand separate certificate PDFs.
LOGO_PIXELS = 240
SIGNATURE_PIXELS = 400
BACKGROUND_PIXELS = 2400
LOGO_BOX = (90.0, 58.0)  # the largest a logo is drawn: wide logos get no taller than square ones
SIGNATURE_BOX = (150.0, 44.0)  # the space above the signatory's name
QR_SIZE = 80.0  # with its quiet zone; the code itself is about 23 mm wide
_IMAGE_CACHE_SIZE = 16
_images: OrderedDict[tuple[str, int, bool], ImageReader] = OrderedDict()
_images_lock = threading.Lock()
_registered_fonts: set[str] = set()
# Letters outside the standard fonts' encoding that have no accent-stripping decomposition.
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
    first, count = None, 0
    for data in records:
        _check(data)
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


def _check(data: CertificateData) -> None:
    """Refuse records that would print a self-contradicting certificate."""
    if data.jp < 1:
        raise ValueError(f"JP sertifikat {data.number} harus lebih dari nol")
    if data.end_date < data.start_date:
        raise ValueError(f"tanggal selesai sertifikat {data.number} mendahului tanggal mulai")
    total = sum(row.jp for row in data.transcript)
    if data.transcript and total != data.jp:
        raise ValueError(f"jumlah JP transkrip ({total}) tidak sama dengan JP sertifikat "
                         f"{data.number} ({data.jp})")


def _draw_certificate(canvas: Canvas, data: CertificateData, layout: Layout, logo: bytes | None,
                      signature: bytes | None) -> None:
    # On a plain white page transparency can be flattened: one image instead of image + mask.
    flatten = layout.background is None
    logo_image = _image(logo, LOGO_PIXELS, "logo", flatten) if logo else None
    signature_image = (_image(signature, SIGNATURE_PIXELS, "tanda tangan", flatten)
                       if signature else None)
    _front_page(_Page(canvas, layout), data, logo_image, signature_image)
    canvas.showPage()
    if data.transcript:
        _transcript_pages(canvas, layout, data, signature_image)


# Text measuring and fitting -----------------------------------------------------------------------


def fit_font_size(text: str, font: str, max_size: float, min_size: float, width: float) -> float:
    """Return the largest size (in half points) from max_size to min_size at which text fits."""
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
    Wrapped lines are balanced, so a centred title never ends in one orphaned word.
    """
    size = fit_font_size(text, font, max_size, min_size, width) if max_lines == 1 else max_size
    while True:
        lines = wrap_text(text, font, size, width)
        if len(lines) <= max_lines or size <= min_size:
            return size, _balance(text, font, size, width, lines)
        size = max(min_size, size - 0.5)


def _balance(text: str, font: str, size: float, width: float, lines: list[str]) -> list[str]:
    """Rewrap lines at the narrowest width that still needs no more lines."""
    if len(lines) < 2:
        return lines
    low, high = stringWidth(text, font, size) / len(lines), width
    for _ in range(10):
        middle = (low + high) / 2
        if len(wrap_text(text, font, size, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap_text(text, font, size, high)


def printable(text: str, font: str) -> str:
    """Return text on one line, with letters the font cannot show replaced by their base letter."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if font not in standardFonts or _in_standard_encoding(text):
        return text
    # The standard PDF fonts are limited to the Windows-1252 characters; others print as boxes.
    return "".join(char if _in_standard_encoding(char) else _base_letter(char) for char in text)


def _in_standard_encoding(text: str) -> bool:
    try:
        text.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


def _base_letter(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char.translate(_FALLBACK))
                   if _in_standard_encoding(c) and not unicodedata.combining(c))
    return base or "?"


# Images and fonts ---------------------------------------------------------------------------------


def _image(data: bytes, max_pixels: int, what: str, flatten: bool = False) -> ImageReader:
    """Return a reader for PNG/JPEG bytes, scaled down once and cached by the bytes' hash."""
    key = (hashlib.sha256(data).hexdigest(), max_pixels, flatten)
    with _images_lock:
        if key in _images:
            _images.move_to_end(key)
            return _images[key]
    reader = _load_image(data, max_pixels, what, flatten)
    with _images_lock:
        _images[key] = reader
        while len(_images) > _IMAGE_CACHE_SIZE:
            _images.popitem(last=False)
    return reader


def _load_image(data: bytes, max_pixels: int, what: str, flatten: bool) -> ImageReader:
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ("PNG", "JPEG"):
                raise ValueError(f"gambar {what} harus PNG atau JPEG, bukan {opened.format}")
            image = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        raise ValueError(f"gambar {what} bukan PNG/JPEG yang sah") from None
    image.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    if flatten and image.mode == "RGBA":
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image).convert("RGB")
    return ImageReader(image)


def _has_alpha(image: Any) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _file_bytes(path: Path) -> bytes:
    """Return a file's bytes, read once per change rather than once per page."""
    return _read_file(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _read_file(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


def _register_fonts(layout: Layout) -> None:
    for name, path in layout.fonts.files:
        key = f"{name}\0{path}"
        if key not in _registered_fonts:
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered_fonts.add(key)


# Lines of text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    """One line of text to centre; a label makes it a 'label : value' row instead."""

    parts: tuple[tuple[str, str], ...]  # (text, font) drawn one after the other
    size: float
    color: str
    label: str = ""
    field_row: bool = False
    char_space: float = 0
    leading: float = LEADING
    underline: bool = False

    @property
    def height(self) -> float:
        return self.size * self.leading


def _fitted(text: str, font: str, size: float, color: str, width: float,
            min_size: float = MIN_SIZE, max_lines: int = 2, **options: Any) -> list[_Line]:
    """Return text as lines no wider than width, shrunk towards min_size first if need be."""
    size, lines = fit_lines(printable(text, font), font, size, min_size, width, max_lines)
    return [_Line(((line, font),), size, color, **options) for line in lines]


def _spaced(text: str, font: str, size: float, color: str, width: float, spacing: float,
            leading: float = LEADING) -> _Line:
    """Return a letter-spaced heading, smaller if it would be wider than width."""
    text = printable(text, font)
    natural = stringWidth(text, font, size) + spacing * size * max(len(text) - 1, 0)
    size = size * min(1.0, width / natural) if natural else size
    return _Line(((text, font),), size, color, char_space=spacing * size, leading=leading)


def _height(lines: Iterable[_Line]) -> float:
    return sum(line.height for line in lines)


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
        inset = self.layout.margin + self.layout.border.gap_mm * mm + self.layout.padding
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
    reader = _image(_file_bytes(page.layout.background), BACKGROUND_PIXELS, "latar")
    width, height = page.layout.page_size
    page.canvas.drawImage(reader, 0, 0, width, height, mask="auto")


def _draw_border(page: _Page) -> None:
    border, canvas = page.layout.border, page.canvas
    if border.style == "none":
        return
    width, height = page.layout.page_size
    outer = page.layout.margin
    inner = outer + border.gap_mm * mm
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


def _double_rule(page: _Page, y: float) -> None:
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(HexColor(page.layout.colors.accent))
    canvas.setLineWidth(1.6)
    canvas.line(page.left, y, page.right, y)
    canvas.setLineWidth(0.5)
    canvas.line(page.left, y - 3, page.right, y - 3)
    canvas.restoreState()


def _letterhead(page: _Page, data: CertificateData, logo: ImageReader | None) -> float:
    """Draw logo, institution name and address over a double rule; return the rule's height."""
    logo_width = _draw_logo(page, logo) if logo else 0.0
    # The name stays centred on the page, so it keeps clear of the logo on both sides.
    width = page.width - 2 * (logo_width + 18) if logo else page.width
    colors, fonts = page.layout.colors, page.layout.fonts
    lines = _fitted(data.institution_name.upper(), fonts.serif_bold, 15, colors.primary, width, 10)
    if data.institution_address.strip():
        lines += _fitted(data.institution_address, fonts.serif, 9.5, colors.muted, width, 7.5)
    top = page.top - max(0.0, (LOGO_BOX[1] - _height(lines)) / 2) if logo else page.top
    _draw_lines(page, lines, top)
    rule = min(top - _height(lines), page.top - LOGO_BOX[1] if logo else page.top) - 5
    _double_rule(page, rule)
    return rule - 3


def _draw_logo(page: _Page, logo: ImageReader) -> float:
    """Draw the logo in the top left corner, as large as LOGO_BOX allows; return its width."""
    pixel_width, pixel_height = logo.getSize()
    scale = min(LOGO_BOX[0] / pixel_width, LOGO_BOX[1] / pixel_height)
    width, height = pixel_width * scale, pixel_height * scale
    bottom = page.top - (LOGO_BOX[1] + height) / 2
    page.canvas.drawImage(logo, page.left + 4, bottom, width, height, mask="auto")
    return width + 4


def _draw_lines(page: _Page, block: list[_Line], top: float, centre: float | None = None) -> None:
    """Draw lines centred on centre (the page's by default), the first one's top at top."""
    for line in block:
        _draw_centred(page, line, top - line.size * 0.92, page.centre if centre is None else centre)
        top -= line.height


def _draw_centred(page: _Page, line: _Line, baseline: float, centre: float) -> None:
    widths = [stringWidth(text, font, line.size) for text, font in line.parts]
    spacing = line.char_space * max(sum(len(text) for text, _ in line.parts) - 1, 0)
    left = centre - (sum(widths) + spacing) / 2
    x = left
    for (text, font), width in zip(line.parts, widths):
        page.text(x, baseline, text, font, line.size, line.color, char_space=line.char_space)
        x += width
    if line.underline:
        _underline(page, left, x, baseline - line.size * 0.14, line.color)


def _underline(page: _Page, left: float, right: float, y: float, color: str) -> None:
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(HexColor(color))
    canvas.setLineWidth(0.6)
    canvas.line(left, y, right, y)
    canvas.restoreState()


def _fields_block(page: _Page, rows: list[tuple[str, str]], size: float) -> list[_Line]:
    """Return 'label : value' rows, leaving out those without a value (no NIP for PPPK staff)."""
    font, color = page.layout.fonts.serif, page.layout.colors.text
    label_width = max(stringWidth(label, font, size) for label, _ in rows)
    value_width = max(page.width * 0.8 - label_width - 14, page.width * 0.4)
    lines: list[_Line] = []
    for label, value in rows:
        if value.strip():
            fitted = _fitted(value, font, size, color, value_width, field_row=True)
            lines += [replace(line, label=label if index == 0 else "")
                      for index, line in enumerate(fitted)]
    return lines


def _draw_fields(page: _Page, block: list[_Line], top: float) -> None:
    """Draw 'label : value' rows as one block centred on the page, colons aligned."""
    font, muted = page.layout.fonts.serif, page.layout.colors.muted
    label_size = max(line.size for line in block)
    label_width = max(stringWidth(line.label, font, label_size) for line in block)
    value_width = max(stringWidth(line.parts[0][0], line.parts[0][1], line.size) for line in block)
    label_x = page.centre - (label_width + 14 + value_width) / 2
    for line in block:
        baseline = top - line.size * 0.92
        if line.label:
            page.text(label_x, baseline, line.label, font, label_size, muted)
            page.text(label_x + label_width + 4, baseline, ":", font, label_size, muted)
        text, value_font = line.parts[0]
        page.text(label_x + label_width + 14, baseline, text, value_font, line.size, line.color)
        top -= line.height


# The certificate page -----------------------------------------------------------------------------


def _front_page(page: _Page, data: CertificateData, logo: ImageReader | None,
                signature: ImageReader | None) -> None:
    flow_top = _letterhead(page, data, logo) - 6
    flow_bottom = _bottom_blocks(page, data, signature) + 10
    for scale in (1.0, 0.94, 0.88, 0.82, 0.76, 0.7):
        blocks = _front_blocks(page, data, scale)
        if sum(_height(block) for block in blocks) <= flow_top - flow_bottom:
            break
    _draw_flow(page, blocks, flow_top, flow_bottom)


def _front_blocks(page: _Page, data: CertificateData, scale: float) -> list[list[_Line]]:
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    body = sizes.body * scale
    heading = [_spaced(text.title, fonts.serif_bold, sizes.title * scale, colors.primary,
                       page.width, 0.16, leading=1.3)]
    heading += _fitted(f"{text.number}: {data.number}", fonts.serif, body, colors.text, page.width)
    holder = _fitted(text.given_to, fonts.serif_italic, body, colors.text, page.width)
    holder += _fitted(data.holder_name, fonts.serif_bold, sizes.name * scale, colors.primary,
                      page.width * 0.92, NAME_MIN_SIZE, max_lines=1)
    fields = _fields_block(page, [(text.nip, format_nip(data.nip)), (text.pangkat, data.pangkat),
                                  (text.jabatan, data.jabatan), (text.agency, data.agency)], body)
    return [heading, holder, fields, _training_block(page, data, scale)]


def _training_block(page: _Page, data: CertificateData, scale: float) -> list[_Line]:
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    body, width = sizes.body * scale, page.width * 0.86
    lines = _fitted(text.attended, fonts.serif_italic, body, colors.text, width)
    lines += _fitted(data.training_title, fonts.serif_bold, sizes.heading * scale, colors.primary,
                     page.width * 0.9, 12)
    lines += _fitted(_held_sentence(data, layout), fonts.serif, body, colors.text, width)
    return lines + _duration_lines(page, data, body, width)


def _held_sentence(data: CertificateData, layout: Layout) -> str:
    text = layout.text
    place = ", ".join(part.strip() for part in (data.venue, data.city) if part.strip())
    where = f" {text.held_at} {place}" if place else ""
    return f"{text.held_on} {format_range(data.start_date, data.end_date)}{where}"


def _duration_lines(page: _Page, data: CertificateData, size: float, width: float) -> list[_Line]:
    """Return 'selama 24 (dua puluh empat) Jam Pelajaran dengan predikat Baik', bold predikat."""
    layout = page.layout
    fonts, color = layout.fonts, layout.colors.text
    duration = printable(f"{layout.text.duration} {jp_phrase(data.jp)}", fonts.serif)
    if not data.predikat:
        return _fitted(duration, fonts.serif, size, color, width)
    predikat = printable(data.predikat, fonts.serif_bold)
    parts = ((printable(f"{duration} {layout.text.predikat}", fonts.serif) + " ", fonts.serif),
             (predikat, fonts.serif_bold))
    if sum(stringWidth(text, font, size) for text, font in parts) <= width:
        return [_Line(parts, size, color)]
    # Too long for one line: the predikat gets lines of its own rather than run past the frame.
    return (_fitted(duration, fonts.serif, size, color, width)
            + _fitted(layout.text.predikat, fonts.serif, size, color, width)
            + _fitted(predikat, fonts.serif_bold, size, color, width))


def _draw_flow(page: _Page, blocks: list[list[_Line]], top: float, bottom: float) -> None:
    """Draw the blocks centred, sharing the spare height evenly between and around them."""
    blocks = [block for block in blocks if block]
    gap = max(0.0, (top - bottom - sum(_height(block) for block in blocks)) / (len(blocks) + 1))
    y = top - gap
    for block in blocks:
        if block[0].field_row:
            _draw_fields(page, block, y)
        else:
            _draw_lines(page, block, y)
        y -= _height(block) + gap


def _bottom_blocks(page: _Page, data: CertificateData, signature: ImageReader | None) -> float:
    """Draw the signatory (right) and the QR code (left) on the bottom edge; return their top."""
    column = _column_width(page)
    block = _signatory_block(page, data, column)
    _draw_signatory(page, block, signature, page.right - column / 2, page.bottom)
    return max(page.bottom + block.height, _verification(page, data, column))


def _column_width(page: _Page) -> float:
    """Return the width of the signatory's column (and of the QR code's, opposite)."""
    return min(280.0, page.width * 0.36)


@dataclass(frozen=True)
class _Signatory:
    """The signatory block's lines: above the signature space, then below it."""

    above: tuple[_Line, ...]
    below: tuple[_Line, ...]

    @property
    def height(self) -> float:
        return _height(self.above) + SIGNATURE_BOX[1] + 6 + _height(self.below)


def _signatory_block(page: _Page, data: CertificateData, width: float) -> _Signatory:
    """Lay out place and date, office, name (underlined), pangkat and NIP of the signatory."""
    fonts, size, color = page.layout.fonts, page.layout.sizes.body, page.layout.colors.text
    issued = f"{data.issue_city}, {format_date(data.issue_date)}"
    above = _fitted(issued, fonts.serif, size, color, width)
    above += _fitted(data.signatory_title, fonts.serif, size, color, width, max_lines=3)
    below = _fitted(data.signatory_name, fonts.serif_bold, size, color, width, max_lines=1,
                    underline=True)
    for line in (data.signatory_pangkat, f"NIP. {format_nip(data.signatory_nip.strip())}"
                 if data.signatory_nip.strip() else ""):
        below += _fitted(line, fonts.serif, size, color, width) if line.strip() else []
    return _Signatory(tuple(above), tuple(below))


def _draw_signatory(page: _Page, block: _Signatory, signature: ImageReader | None,
                    centre: float, bottom: float) -> None:
    """Draw block centred on centre with its last line at bottom."""
    _draw_lines(page, list(block.above), bottom + block.height, centre)
    below_top = bottom + _height(block.below)
    if signature:
        _draw_signature(page, signature, centre, below_top + 2)
    _draw_lines(page, list(block.below), below_top, centre)


def _draw_signature(page: _Page, signature: ImageReader, centre: float, bottom: float) -> None:
    box_width, box_height = SIGNATURE_BOX
    pixel_width, pixel_height = signature.getSize()
    scale = min(box_width / pixel_width, box_height / pixel_height)
    width, height = pixel_width * scale, pixel_height * scale
    page.canvas.drawImage(signature, centre - width / 2, bottom, width, height, mask="auto")


def _verification(page: _Page, data: CertificateData, width: float) -> float:
    """Draw the QR code bottom left with the code and how to check it beside; return its top."""
    matrix = qr_matrix(data.verify_url)
    # The quiet zone may lie in the padding: align the dark modules with the content's edges.
    quiet = QUIET_ZONE * QR_SIZE / (len(matrix) + 2 * QUIET_ZONE)
    draw_qr(page.canvas, matrix, page.left - quiet, page.bottom - quiet, QR_SIZE)
    qr_top = page.bottom + QR_SIZE - 2 * quiet
    x = page.left + QR_SIZE - quiet + 6
    lines = _verification_lines(page, data, page.left + width - x)
    top = (page.bottom + qr_top + _height(lines)) / 2  # centred on the QR code
    for line in lines:
        top -= line.height
        text, font = line.parts[0]
        page.text(x, top + line.size * 0.25, text, font, line.size, line.color)
    return max(qr_top, (page.bottom + qr_top + _height(lines)) / 2)


def _verification_lines(page: _Page, data: CertificateData, width: float) -> list[_Line]:
    """Return the lines beside the QR code: the code, then how to check the certificate."""
    layout = page.layout
    sans, small, colors = layout.fonts.sans, layout.sizes.small, layout.colors
    lines = _fitted(f"{layout.text.code_label}:", sans, small, colors.muted, width, small)
    lines += _fitted(data.code, _bold_sans(sans), small + 2, colors.text, width, small)
    note = layout.text.verify_note.replace("{url}", data.verify_url)
    return lines + _fitted(note, sans, small * 0.92, colors.muted, width, small * 0.92, 8)


def _bold_sans(font: str) -> str:
    return {"Helvetica": "Helvetica-Bold", "Courier": "Courier-Bold"}.get(font, font)


# The transcript -----------------------------------------------------------------------------------


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


def _transcript_pages(canvas: Canvas, layout: Layout, data: CertificateData,
                      signature: ImageReader | None) -> None:
    """Draw the transcript, continuing on further pages only when the rows cannot fit on one."""
    rows, done, last = list(data.transcript), 0, False
    while not last:
        page = _Page(canvas, layout)
        top = _transcript_heading(page, data, continued=done > 0)
        block = _signatory_block(page, data, _column_width(page))
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
            column = _column_width(page)
            _draw_signatory(page, block, signature, page.right - column / 2, page.bottom)
            _score_line(page, data, table, bottom)
        canvas.showPage()


def _transcript_heading(page: _Page, data: CertificateData, continued: bool) -> float:
    """Draw the heading, training and holder lines; return where the table may start."""
    layout = page.layout
    text, fonts, sizes, colors = layout.text, layout.fonts, layout.sizes, layout.colors
    title = text.transcript_title + (f" {text.continued}" if continued else "")
    heading = _spaced(title, fonts.serif_bold, sizes.heading * 1.25, colors.primary, page.width,
                      0.12)
    _draw_lines(page, [heading], page.top)
    _ornamental_rule(page, page.top - heading.height - 2, 120)
    held = ", ".join(part.strip() for part in (format_range(data.start_date, data.end_date),
                                               data.venue, data.city) if part.strip())
    lines = _fitted(data.training_title, fonts.serif_bold, sizes.heading * 0.85, colors.primary,
                    page.width * 0.9, 11)
    lines += _fitted(held, fonts.serif_italic, sizes.body * 0.92, colors.text, page.width * 0.9)
    top = page.top - heading.height - 10
    _draw_lines(page, lines, top)
    holder = _fields_block(page, [(text.holder, data.holder_name), (text.nip, format_nip(data.nip)),
                                  (text.number, data.number)], sizes.body * 0.92)
    top -= _height(lines) + 8
    if holder:
        _draw_fields(page, holder, top)
    return top - _height(holder) - 10


def _code_note(page: _Page, data: CertificateData) -> None:
    """Print the verification code bottom left: it ties a loose transcript page to its front."""
    layout = page.layout
    note = printable(f"{layout.text.code_label}: {data.code}", layout.fonts.sans)
    width = page.width - _column_width(page) - 20
    size = fit_font_size(note, layout.fonts.sans, layout.sizes.small, 5, width)
    page.text(page.left, page.bottom, note, layout.fonts.sans, size, layout.colors.muted)


def _plan_table(page: _Page, rows: list[TranscriptRow], done: int, height: float,
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


def _table_at(page: _Page, rows: list[TranscriptRow], size: float) -> _Table:
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


def _row_heights(page: _Page, rows: list[TranscriptRow], table: _Table,
                 first: int) -> list[float]:
    font = page.layout.fonts.serif
    heights = []
    for number, row in enumerate(rows, start=first):
        lines = max(len(_cell_lines(cell, table, column, font))
                    for column, cell in enumerate(_cells(row, number, table)))
        heights.append(lines * table.size * LEADING + 2 * table.padding)
    return heights


def _draw_table(page: _Page, rows: list[TranscriptRow], table: _Table, top: float, first: int,
                total: int | None) -> float:
    """Draw the header, the rows numbered from first and the JUMLAH row; return the bottom."""
    text, fonts = page.layout.text, page.layout.fonts
    header = [text.column_no, text.column_topic, *([text.column_trainer] if table.with_trainer
                                                   else []), text.column_jp]
    y = _draw_row(page, table, header, top, fonts.serif_bold, header=True)
    for number, row in enumerate(rows, start=first):
        y = _draw_row(page, table, _cells(row, number, table), y, fonts.serif)
    if total is not None:  # only under the last rows, when the table runs over several pages
        y = _draw_total(page, table, str(total), y)
    return y


def _draw_row(page: _Page, table: _Table, cells: list[str], top: float, font: str,
              header: bool = False) -> float:
    lines = [_cell_lines(cell, table, column, font) for column, cell in enumerate(cells)]
    height = max(len(cell) for cell in lines) * table.size * LEADING + 2 * table.padding
    _row_box(page, table, top, height, table.edges[1:-1], shaded=header)
    for column, cell_lines in enumerate(lines):
        # Topic and trainer read from the left; numbers, JP and the header are centred.
        centred = header or column in (0, len(cells) - 1)
        _cell_text(page, table, column, cell_lines, top, font, "centre" if centred else "left")
    return top - height


def _row_box(page: _Page, table: _Table, top: float, height: float, dividers: Iterable[float],
             shaded: bool) -> None:
    """Draw a row's frame and column dividers, on a tinted background for header and total."""
    canvas, colors = page.canvas, page.layout.colors
    canvas.saveState()
    if shaded:
        canvas.setFillColor(HexColor(colors.table_header))
        canvas.rect(table.edges[0], top - height, table.width, height, stroke=0, fill=1)
    canvas.setStrokeColor(HexColor(colors.accent))
    canvas.setLineWidth(0.5)
    canvas.rect(table.edges[0], top - height, table.width, height, stroke=1, fill=0)
    for x in dividers:
        canvas.line(x, top, x, top - height)
    canvas.restoreState()


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


def _score_line(page: _Page, data: CertificateData, table: _Table, bottom: float) -> None:
    if data.score is None:
        return
    layout = page.layout
    fonts, color = layout.fonts, layout.colors.text
    label = printable(f"{layout.text.score}:", fonts.serif) + " "
    value = data.score + (f" ({data.predikat})" if data.predikat else "")
    value = printable(value, fonts.serif_bold)
    natural = stringWidth(label, fonts.serif, 10) + stringWidth(value, fonts.serif_bold, 10)
    # Left of the signatory's column, on the height of its first lines.
    room = page.right - _column_width(page) - 12 - table.edges[0]
    size = max(6.0, min(layout.sizes.body * 0.95, 10 * room / natural))
    y = bottom - size * LEADING - 4
    width = stringWidth(label, fonts.serif, size)
    page.text(table.edges[0], y, label, fonts.serif, size, color)
    page.text(table.edges[0] + width, y, value, fonts.serif_bold, size, color)
