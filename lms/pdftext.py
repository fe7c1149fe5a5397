"""Text fitting for every PDF: measure, shrink, wrap, balance and clip text to a box.

Pure functions over ReportLab's font metrics. Certificates shrink and wrap (nothing is ever cut
off an official document); boxes of fixed size, like a password slip or a footer, shrink, wrap
up to a number of lines and end with an ellipsis when the text still does not fit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import standardFonts, stringWidth

ELLIPSIS = "…"
# Letters outside the standard fonts' encoding that have no accent-stripping decomposition.
_FALLBACK = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ø": "o", "Ø": "O",
                           "\u2010": "-", "\u2011": "-", "\u2212": "-"})


# Fitted lines by their whole input, and words' widths, while a fitting_cache() block is open.
_FITTED: ContextVar[dict[tuple[object, ...], tuple[float, tuple[str, ...]]] | None] = ContextVar(
    "lms_fitted_text", default=None)
_WIDTHS: ContextVar[dict[tuple[str, str, float], float] | None] = ContextVar("lms_word_widths",
                                                                            default=None)
# The widths of an overlong word's starts while one text is fitted (its lines are balanced by
# wrapping it at ten widths); dropped after it, as they are of no use to other texts.
_STARTS: ContextVar[dict[tuple[str, str, float], float] | None] = ContextVar("lms_word_starts",
                                                                            default=None)


@contextmanager
def fitting_cache() -> Iterator[None]:
    """Fit each distinct text once within this block: a bulk run repeats the same titles and cells.

    fit_lines and wrap_text are pure functions of their arguments, which are the whole key: texts
    that differ in any way are fitted apart. Nested blocks share the outer cache, which ends with
    the outermost block (a bulk run, one merged PDF).
    """
    if _FITTED.get() is not None:
        yield
        return
    token, widths = _FITTED.set({}), _WIDTHS.set({})
    try:
        yield
    finally:
        _FITTED.reset(token)
        _WIDTHS.reset(widths)


def fit_font_size(text: str, font: str, max_size: float, min_size: float, width: float) -> float:
    """Return the largest size (in half points) from max_size to min_size at which text fits."""
    natural = stringWidth(text, font, max_size)
    if natural <= width:
        return max_size
    return max(min_size, int(max_size * width / natural * 2) / 2)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Split text into lines no wider than width, breaking inside a word only when it must."""
    cache = _FITTED.get()
    if cache is None:
        return _wrap(text, font, size, width)
    key = ("wrap", text, font, size, width)
    if key not in cache:
        cache[key] = (size, tuple(_wrap(text, font, size, width)))
    return list(cache[key][1])


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for line in _split(text, font, size, width) or [""]:
        lines.extend(_break_word(line, font, size, width))
    return lines


def _split(text: str, font: str, size: float, width: float) -> list[str]:
    """Return ReportLab's simpleSplit(text, font, size, width), measuring each word only once.

    The same rule and the same sums of word widths, so the same lines: words are added to a line
    while it stays within width, a line holding at least one word.
    """
    if not width:
        return simpleSplit(text, font, size, width)
    lines: list[str] = []
    widths = _WIDTHS.get()
    space = _measure(" ", font, size, widths)
    for paragraph in text.split("\n"):
        words: list[str] = []
        used = -space
        for word in paragraph.split():
            measured = _measure(word, font, size, widths)
            if used + space + measured <= width or not words:
                words.append(word)
                used = used + space + measured
            else:
                lines.append(" ".join(words))
                words, used = [word], measured
        if words:
            lines.append(" ".join(words))
    return lines


def _measure(text: str, font: str, size: float, widths: dict[tuple[str, str, float], float] | None) -> float:
    """Return stringWidth(text, font, size), remembered in widths when there are any."""
    if widths is None:
        return stringWidth(text, font, size)
    key = (text, font, size)
    measured = widths.get(key)
    if measured is None:
        measured = widths[key] = stringWidth(text, font, size)
    return measured


def _break_word(line: str, font: str, size: float, width: float) -> list[str]:
    # simpleSplit leaves a word longer than the width (a URL, a name without spaces) whole.
    # Balancing breaks the same word at several widths: its starts are measured once.
    pieces: list[str] = []
    starts = _STARTS.get()
    while _measure(line, font, size, starts) > width and len(line) > 1:
        # The longest start that fits (at least one letter): widths grow with every letter, so a
        # binary search finds it with a few measurements instead of one per letter.
        cut, longest = 1, len(line) - 1
        while cut < longest:
            middle = (cut + longest + 1) // 2
            if _measure(line[:middle], font, size, starts) <= width:
                cut = middle
            else:
                longest = middle - 1
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
    cache = _FITTED.get()
    if cache is None:
        return _fit_lines(text, font, max_size, min_size, width, max_lines)
    key = ("lines", text, font, max_size, min_size, width, max_lines)
    if key not in cache:
        size, lines = _fit_lines(text, font, max_size, min_size, width, max_lines)
        cache[key] = (size, tuple(lines))
    size, fitted = cache[key]
    return size, list(fitted)


def _fit_lines(text: str, font: str, max_size: float, min_size: float, width: float,
               max_lines: int) -> tuple[float, list[str]]:
    size = fit_font_size(text, font, max_size, min_size, width) if max_lines == 1 else max_size
    token = _STARTS.set({})
    try:
        while True:
            lines = wrap_text(text, font, size, width)
            if len(lines) <= max_lines or size <= min_size:
                return size, _balance(text, font, size, width, lines)
            size = max(min_size, size - 0.5)
    finally:
        _STARTS.reset(token)


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


def ellipsize(text: str, font: str, size: float, width: float) -> str:
    """Return text, shortened with an ellipsis if need be, so it is no wider than width."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit_line(text: str, font: str, size: float, width: float) -> str:
    """Return text on one printable line of at most width, ending in an ellipsis if cut."""
    return ellipsize(printable(text, font), font, size, width)


def fit_box(text: str, font: str, max_size: float, min_size: float, width: float,
            max_lines: int = 1) -> tuple[float, list[str]]:
    """Return a size and at most max_lines lines of text no wider than width.

    The text shrinks towards min_size on one line, then wraps at min_size; what still does not
    fit in max_lines lines is cut, and the last line ends with an ellipsis.
    """
    text = printable(text, font)
    size = fit_font_size(text, font, max_size, min_size, width)
    if stringWidth(text, font, size) <= width:
        return size, [text]
    lines = wrap_text(text, font, min_size, width)
    if len(lines) <= max_lines:
        return min_size, _balance(text, font, min_size, width, lines)
    rest = " ".join(lines[max_lines - 1:])
    return min_size, [*lines[:max_lines - 1], ellipsize(rest, font, min_size, width)]


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
