"""The page a certificate is drawn on: its frame, lines of fitted text, rules and field rows.

Every line is measured before it is drawn (with lms.pdftext): long text shrinks to a minimum size
and then wraps, so nothing runs past the frame whatever the data or the layout's wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any, TypeVar

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.layout import Layout
from lms.certificates.pdf.images import BACKGROUND_PIXELS, draw_image, file_bytes, image_reader
from lms.pdftext import fit_lines, printable

LEADING = 1.25  # line height as a multiple of the font size
MIN_SIZE = 9.0  # nothing a person must read is smaller, except the small print by the QR code


@cache
def colour(hex_code: str) -> Color:
    """Return the ReportLab colour of a layout's #RRGGBB, made once (colours are never changed)."""
    return HexColor(hex_code)


@dataclass(frozen=True)
class Line:
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


def fitted(text: str, font: str, size: float, color: str, width: float,
            min_size: float = MIN_SIZE, max_lines: int = 2, **options: Any) -> list[Line]:
    """Return text as lines no wider than width, shrunk towards min_size first if need be."""
    size, lines = fit_lines(printable(text, font), font, size, min_size, width, max_lines)
    return [Line(((line, font),), size, color, **options) for line in lines]


def spaced(text: str, font: str, size: float, color: str, width: float, spacing: float,
            leading: float = LEADING) -> Line:
    """Return a letter-spaced heading, smaller if it would be wider than width."""
    text = printable(text, font)
    natural = stringWidth(text, font, size) + spacing * size * max(len(text) - 1, 0)
    size = size * min(1.0, width / natural) if natural else size
    return Line(((text, font),), size, color, char_space=spacing * size, leading=leading)


def total_height(lines: Iterable[Line]) -> float:
    return sum(line.height for line in lines)


# Drawn fragments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fragment:
    """What one drawing call added to a page: its operators, the fonts they name, the state after."""

    code: tuple[str, ...]
    fonts: tuple[tuple[str, str], ...]  # (font name, the document's name for it), in order of use
    state: tuple[tuple[str, Any], ...]  # the canvas's graphics state attributes after drawing
    result: Any  # what the drawing call returned


T = TypeVar("T")


# Every attribute a drawing call may leave changed, but the transparency state, an object of its
# canvas (a fragment that changes it is not kept).
_STATE = tuple(name for name in Canvas.STATE_ATTRIBUTES if name != "_extgstate")
_DRAWN: ContextVar[dict[tuple[object, ...], _Fragment] | None] = ContextVar("lms_drawn_fragments",
                                                                               default=None)


@contextmanager
def drawing_cache() -> Iterator[None]:
    """Within this block, draw() replays what an identical earlier call drew on another page.

    A bulk run draws the same letterhead, headings, signatory and transcript table on every
    certificate: the operators are the same, so they are made once and copied. Nested blocks
    share the outer cache.
    """
    if _DRAWN.get() is not None:
        yield
        return
    token = _DRAWN.set({})
    try:
        yield
    finally:
        _DRAWN.reset(token)


def drawn(page: Page, key: tuple[object, ...], draw: Callable[[], T]) -> T:
    """Call draw, or inside a drawing_cache() block copy what it drew (and returned) before.

    key together with the layout must be the whole input of draw. Only standard PDF fonts are
    copied: an embedded font records on its document which letters each page uses. The copy is
    byte for byte what draw would add, provided the document names the fonts as it did when the
    fragment was drawn; otherwise draw runs again.
    """
    cache, canvas = _DRAWN.get(), page.canvas
    if cache is None or page.layout.fonts.files:
        return draw()
    key = (page.layout, *key)
    fragment = cache.get(key)
    if fragment is not None and all(canvas._doc.getInternalFontName(font) == name
                                    for font, name in fragment.fonts):
        canvas._code.extend(fragment.code)
        canvas.__dict__.update(fragment.state)
        return fragment.result  # type: ignore[no-any-return]
    start, transparency = len(canvas._code), canvas._extgstate
    result = draw()
    if fragment is None and canvas._extgstate is transparency:
        code = tuple(canvas._code[start:])
        cache[key] = _Fragment(code, _fonts_named(canvas, code),
                               tuple((name, getattr(canvas, name)) for name in _STATE), result)
    return result


def _fonts_named(canvas: Canvas, code: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Return the fonts the operators select (setFont writes 'BT /F1 12 Tf 15 TL ET')."""
    by_name = {name: font for font, name in canvas._doc.fontMapping.items()}
    named: dict[str, str] = {}
    for operator in code:
        if operator.startswith("BT /") and operator.endswith(" TL ET"):
            name = operator.split()[1]
            named.setdefault(by_name[name], name)
    return tuple(named.items())


# Page furniture -----------------------------------------------------------------------------------


@dataclass
class Page:
    """A canvas with the layout, and the box inside the frame where content goes."""

    canvas: Canvas
    layout: Layout
    decorate: bool = True  # False: only measure (no background or border drawn)
    left: float = field(init=False)
    right: float = field(init=False)
    bottom: float = field(init=False)
    top: float = field(init=False)

    def __post_init__(self) -> None:
        width, height = self.layout.page_size
        inset = self.layout.margin + self.layout.border.gap_mm * mm + self.layout.padding
        self.left, self.right, self.bottom, self.top = inset, width - inset, inset, height - inset
        if not self.decorate:
            return
        _draw_background(self)
        drawn(self, ("border",), lambda: _draw_border(self))

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
        self.canvas.setFillColor(colour(color))
        self.canvas.drawString(start, y, text, charSpace=char_space)
        return width


def _draw_background(page: Page) -> None:
    if page.layout.background is None:
        return
    reader = image_reader(file_bytes(page.layout.background), BACKGROUND_PIXELS, "latar")
    width, height = page.layout.page_size
    draw_image(page.canvas, reader, 0, 0, width, height)


def _draw_border(page: Page) -> None:
    border, canvas = page.layout.border, page.canvas
    if border.style == "none":
        return
    width, height = page.layout.page_size
    outer = page.layout.margin
    inner = outer + border.gap_mm * mm
    canvas.saveState()
    canvas.setStrokeColor(colour(page.layout.colors.accent))
    canvas.setLineWidth(border.outer_width)
    canvas.rect(outer, outer, width - 2 * outer, height - 2 * outer, stroke=1, fill=0)
    if border.style == "double":
        canvas.setLineWidth(border.inner_width)
        canvas.rect(inner, inner, width - 2 * inner, height - 2 * inner, stroke=1, fill=0)
    if border.corner_ornaments:
        _draw_corners(page, inner + 5)
    canvas.restoreState()


def _draw_corners(page: Page, inset: float) -> None:
    """Draw an L-shaped double bracket with a small diamond in each corner of the frame."""
    width, height = page.layout.page_size
    canvas = page.canvas
    canvas.setFillColor(colour(page.layout.colors.accent))
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


def ornamental_rule(page: Page, y: float, half_width: float) -> None:
    """Draw a thin gold rule with a diamond in the middle, under a heading."""
    drawn(page, ("ornamental rule", y, half_width), lambda: _ornamental_rule(page, y, half_width))


def _ornamental_rule(page: Page, y: float, half_width: float) -> None:
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(colour(page.layout.colors.accent))
    canvas.setFillColor(colour(page.layout.colors.accent))
    canvas.setLineWidth(0.7)
    canvas.line(page.centre - half_width, y, page.centre - 7, y)
    canvas.line(page.centre + 7, y, page.centre + half_width, y)
    _diamond(canvas, page.centre, y, 3)
    canvas.restoreState()


def double_rule(page: Page, y: float) -> None:
    drawn(page, ("double rule", y), lambda: _double_rule(page, y))


def _double_rule(page: Page, y: float) -> None:
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(colour(page.layout.colors.accent))
    canvas.setLineWidth(1.6)
    canvas.line(page.left, y, page.right, y)
    canvas.setLineWidth(0.5)
    canvas.line(page.left, y - 3, page.right, y - 3)
    canvas.restoreState()


def draw_lines(page: Page, block: list[Line], top: float, centre: float | None = None) -> None:
    """Draw lines centred on centre (the page's by default), the first one's top at top."""
    centre = page.centre if centre is None else centre
    for line in block:
        baseline = top - line.size * 0.92
        # Line by line: a block often mixes what every certificate prints with a person's data.
        drawn(page, ("line", line, baseline, centre), partial(_draw_centred, page, line, baseline, centre))
        top -= line.height


def _draw_centred(page: Page, line: Line, baseline: float, centre: float) -> None:
    widths = [stringWidth(text, font, line.size) for text, font in line.parts]
    spacing = line.char_space * max(sum(len(text) for text, _ in line.parts) - 1, 0)
    left = centre - (sum(widths) + spacing) / 2
    x = left
    for (text, font), width in zip(line.parts, widths):
        page.text(x, baseline, text, font, line.size, line.color, char_space=line.char_space)
        x += width
    if line.underline:
        _underline(page, left, x, baseline - line.size * 0.14, line.color)


def _underline(page: Page, left: float, right: float, y: float, color: str) -> None:
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(colour(color))
    canvas.setLineWidth(0.6)
    canvas.line(left, y, right, y)
    canvas.restoreState()


def fields_block(page: Page, rows: list[tuple[str, str]], size: float) -> list[Line]:
    """Return 'label : value' rows, leaving out those without a value (no NIP for PPPK staff)."""
    font, color = page.layout.fonts.serif, page.layout.colors.text
    label_width = max(stringWidth(label, font, size) for label, _ in rows)
    value_width = max(page.width * 0.8 - label_width - 14, page.width * 0.4)
    lines: list[Line] = []
    for label, value in rows:
        if value.strip():
            value_lines = fitted(value, font, size, color, value_width, field_row=True)
            lines += [replace(line, label=label if index == 0 else "")
                      for index, line in enumerate(value_lines)]
    return lines


def draw_fields(page: Page, block: list[Line], top: float) -> None:
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
