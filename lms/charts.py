"""Charts drawn on the server with ReportLab graphics: one Drawing for a PDF story and inline SVG.

Pure (no Flask, no database). Each builder takes plain data and returns a `Chart` (a ReportLab
Drawing with a title): a PDF builder adds it to a story as a flowable, `to_svg` turns it into
inline SVG that scales to its container (a 360 px phone or a printed page).

The charts are 360 units wide, so on a phone one unit is about one pixel and an 11-unit label
reads like 10 px text; in a PDF they are 360 pt (12.7 cm) wide unless the caller scales them.
Labels are measured with Helvetica's metrics (the standard PDF font, which the certificates use
too); the SVG names Helvetica, then Arial and Liberation Sans, which have the same widths.
Labels of bars sit above their bar on the chart's full width, wrap to two lines and end in an
ellipsis beyond: the full text is in the table every chart has beside it.
Colours are the Okabe-Ito palette (distinguishable with colour-blindness); every number drawn
on a colour is black, which keeps at least 4.5:1 contrast on each of them.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isString
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms.numbers import decimal_text
from lms.pdftext import ellipsize, printable, wrap_text

FONT, BOLD = "Helvetica", "Helvetica-Bold"
WIDTH = 360.0
PAD = 4.0
LABEL_SIZE = 11.0
LABEL_LEADING = 13.0
SMALL_SIZE = 10.0
BAR_HEIGHT = 15.0
ROW_GAP = 9.0
LABEL_LINES = 2

BLUE = colors.HexColor("#0072B2")
SKY = colors.HexColor("#56B4E9")
GREEN = colors.HexColor("#009E73")
ORANGE = colors.HexColor("#E69F00")
VERMILLION = colors.HexColor("#D55E00")
PURPLE = colors.HexColor("#CC79A7")
GREY = colors.HexColor("#8C8C8C")
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
GRID = colors.HexColor("#D9DEE3")
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, GREY)

SVG_NS = "http://www.w3.org/2000/svg"
SVG_FONTS = "Helvetica, Arial, 'Liberation Sans', sans-serif"
BAR_CLASS = "bar"  # the class of every data mark in the SVG (a bar, a segment, a pair's post-test end)


class Chart(Drawing):
    """A Drawing that carries its title (the SVG <title> and aria-label; a PDF's caption)."""

    _attrMap = AttrMap(BASE=Drawing, title=AttrMapValue(isString, desc="what the chart shows"))

    def __init__(self, width: float, height: float, title: str) -> None:
        super().__init__(width, height)
        self.title = title


@dataclass(frozen=True)
class Series:
    """One named part of every stacked bar (e.g. "Hadir"), with one value per bar."""

    name: str
    values: Sequence[float]
    color: colors.Color | None = None


# ---------------------------------------------------------------- drawing helpers


def _text(x: float, y: float, text: str, size: float = LABEL_SIZE, font: str = FONT,
          color: colors.Color = INK, anchor: str = "start") -> String:
    return String(x, y, printable(text, font), fontName=font, fontSize=size, fillColor=color,
                  textAnchor=anchor)


def _mark(x: float, y: float, width: float, height: float, color: colors.Color) -> Rect:
    rect = Rect(x, y, width, height, fillColor=color, strokeColor=None)
    rect._svgAttrs = {"class": BAR_CLASS}
    return rect


def _label_lines(text: str, width: float) -> list[str]:
    lines = wrap_text(printable(text, FONT), FONT, LABEL_SIZE, width) or [""]
    if len(lines) <= LABEL_LINES:
        return lines
    rest = " ".join(lines[LABEL_LINES - 1:])
    return [*lines[:LABEL_LINES - 1], ellipsize(rest, FONT, LABEL_SIZE, width)]


def _nice_max(value: float) -> float:
    """Return a round axis end at or above value: 1, 2, 2.5, 5 or 10 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def _number(value: float, places: int, unit: str) -> str:
    return decimal_text(value, places) + unit


def _empty(title: str, message: str) -> Chart:
    chart = Chart(WIDTH, 40, title)
    chart.add(_text(PAD, 16, message, color=MUTED))
    return chart


def _stack(rows: list[tuple[float, Group]], title: str, top: float = 0.0) -> Chart:
    """Lay out rows (height, group drawn from its own top at y=0 downwards) from the top."""
    height = top + sum(row_height for row_height, _ in rows) + PAD
    chart = Chart(WIDTH, height, title)
    y = height - top
    for row_height, group in rows:
        group.translate(0, y)
        chart.add(group)
        y -= row_height
    return chart


# ---------------------------------------------------------------- horizontal bars


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, *,
              value_max: float | None = None, places: int = 1, unit: str = "",
              color: colors.Color = BLUE, empty: str = "Belum ada data.") -> Chart:
    """Return horizontal bars, one per label, each label wrapped above its bar.

    value_max is the scale's end (100 for percentages, 5 for a 1-5 scale); by default a round
    number at or above the largest value.
    """
    _check_lengths(labels, values)
    if not labels:
        return _empty(title, empty)
    scale = value_max if value_max is not None else _nice_max(max(values))
    texts = [_number(value, places, unit) for value in values]
    room = WIDTH - 2 * PAD - _widest(texts) - 6
    rows = [_bar_row(label, [(value, color)], scale, room, text)
            for label, value, text in zip(labels, values, texts, strict=True)]
    return _stack(rows, title, top=PAD)


def stacked_bar_chart(labels: Sequence[str], series: Sequence[Series], title: str, *,
                      places: int = 0, unit: str = "", empty: str = "Belum ada data.") -> Chart:
    """Return horizontal bars split into the series' parts, a legend on top, totals at the end."""
    for part in series:
        _check_lengths(labels, part.values)
    if not labels or not series:
        return _empty(title, empty)
    painted = [(part, part.color or PALETTE[index % len(PALETTE)])
               for index, part in enumerate(series)]
    totals = [sum(part.values[row] for part in series) for row in range(len(labels))]
    scale = max(totals) or 1.0
    texts = [_number(total, places, unit) for total in totals]
    room = WIDTH - 2 * PAD - _widest(texts) - 6
    legend_height, legend = _legend([(part.name, color) for part, color in painted])
    rows = [(legend_height, legend)]
    for row, label in enumerate(labels):
        parts = [(part.values[row], color) for part, color in painted]
        rows.append(_bar_row(label, parts, scale, room, texts[row], places))
    return _stack(rows, title, top=PAD)


def _check_lengths(labels: Sequence[str], values: Sequence[float]) -> None:
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} label untuk {len(values)} nilai")


def _widest(texts: Sequence[str]) -> float:
    return max(stringWidth(text, BOLD, LABEL_SIZE) for text in texts)


def _bar_row(label: str, parts: Sequence[tuple[float, colors.Color]], scale: float, room: float,
             total_text: str, places: int | None = None) -> tuple[float, Group]:
    group = Group()
    lines = _label_lines(label, WIDTH - 2 * PAD)
    y = 0.0
    for line in lines:
        y -= LABEL_LEADING
        group.add(_text(PAD, y + 2.5, line))
    y -= BAR_HEIGHT + 2
    group.add(Rect(PAD, y, room, BAR_HEIGHT, fillColor=colors.HexColor("#F1F3F5"), strokeColor=None))
    x = PAD
    for value, color in parts:
        width = room * max(0.0, min(value, scale)) / scale
        if value > 0:
            group.add(_mark(x, y, width, BAR_HEIGHT, color))
            if places is not None:
                _segment_number(group, value, places, x, y, width)
        x += width
    group.add(_text(x + 4, y + 3.5, total_text, font=BOLD))
    return -y + ROW_GAP, group


def _segment_number(group: Group, value: float, places: int, x: float, y: float, width: float) -> None:
    text = decimal_text(value, places)
    if stringWidth(text, FONT, SMALL_SIZE) + 4 <= width:
        group.add(_text(x + width / 2, y + 4, text, size=SMALL_SIZE, color=colors.black, anchor="middle"))


def _legend(items: Sequence[tuple[str, colors.Color]]) -> tuple[float, Group]:
    group = Group()
    x, y = PAD, -LABEL_LEADING
    for name, color in items:
        width = 14 + stringWidth(printable(name, FONT), FONT, SMALL_SIZE) + 10
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y - LABEL_LEADING
        group.add(Rect(x, y, 10, 10, fillColor=color, strokeColor=None))
        group.add(_text(x + 14, y + 1.5, name, size=SMALL_SIZE))
        x += width
    return -y + 8, group


# ---------------------------------------------------------------- distribution


def histogram(edges: Sequence[float], counts: Sequence[int], title: str, *,
              threshold: float | None = None, threshold_label: str = "", unit: str = "%",
              empty: str = "Belum ada data.") -> Chart:
    """Return columns of counts per bin (edges[i] to edges[i+1]) and a dashed threshold line.

    Bins that start at or above the threshold are blue, those below it orange.
    """
    if len(edges) != len(counts) + 1:
        raise ValueError(f"{len(edges)} batas untuk {len(counts)} kelompok")
    if not counts or sum(counts) == 0:
        return _empty(title, empty)
    height = 200.0
    chart = Chart(WIDTH, height, title)
    left, right, bottom, top = 30.0, WIDTH - 12, 34.0, height - 26
    low, high = edges[0], edges[-1]
    count_max = _nice_max(max(counts))

    def x_of(value: float) -> float:
        return left + (right - left) * (value - low) / (high - low)

    def y_of(count: float) -> float:
        return bottom + (top - bottom) * count / count_max

    _count_axis(chart, left, right, count_max, y_of)
    for index, count in enumerate(counts):
        x0, x1 = x_of(edges[index]) + 0.5, x_of(edges[index + 1]) - 0.5
        below = threshold is not None and edges[index] < threshold
        if count > 0:
            chart.add(_mark(x0, bottom, x1 - x0, y_of(count) - bottom, ORANGE if below else BLUE))
            chart.add(_text((x0 + x1) / 2, y_of(count) + 2, str(count), size=SMALL_SIZE,
                            anchor="middle"))
    chart.add(Line(left, bottom, right, bottom, strokeColor=INK, strokeWidth=0.8))
    for edge in _edge_ticks(edges, x_of):
        chart.add(Line(x_of(edge), bottom, x_of(edge), bottom - 3, strokeColor=INK, strokeWidth=0.8))
        chart.add(_text(x_of(edge), bottom - 12, decimal_text(edge, 0), size=SMALL_SIZE,
                        anchor="middle"))
    chart.add(_text((left + right) / 2, 4, "Persentase kehadiran" if unit == "%" else "Nilai",
                    size=SMALL_SIZE, color=MUTED, anchor="middle"))
    if threshold is not None:
        _threshold(chart, x_of(threshold), bottom, top, threshold_label)
    return chart


def _count_axis(chart: Chart, left: float, right: float, count_max: float,
                y_of: Callable[[float], float]) -> None:
    steps = next(n for n in (4, 5, 2, 1) if (count_max / n).is_integer())
    for step in range(1, steps + 1):
        value = count_max * step / steps
        y = y_of(value)
        chart.add(Line(left, y, right, y, strokeColor=GRID, strokeWidth=0.6))
        chart.add(_text(left - 4, y - 3, decimal_text(value, 0), size=SMALL_SIZE, color=MUTED,
                        anchor="end"))
    chart.add(_text(left - 4, y_of(0) - 3, "0", size=SMALL_SIZE, color=MUTED, anchor="end"))


def _edge_ticks(edges: Sequence[float], x_of: Callable[[float], float]) -> list[float]:
    """Return the edges to label, skipping one closer than 18 units to the last labelled."""
    shown: list[float] = []
    for edge in edges:
        if not shown or x_of(edge) - x_of(shown[-1]) >= 18:
            shown.append(edge)
    if shown[-1] != edges[-1]:
        shown[-1] = edges[-1]
    return shown


def _threshold(chart: Chart, x: float, bottom: float, top: float, label: str) -> None:
    chart.add(Line(x, bottom, x, top + 4, strokeColor=VERMILLION, strokeWidth=1.5,
                   strokeDashArray=[4, 3]))
    if label:
        width = stringWidth(printable(label, BOLD), BOLD, SMALL_SIZE)
        anchor_x = min(max(x, PAD + width / 2), WIDTH - PAD - width / 2)
        chart.add(_text(anchor_x, top + 8, label, size=SMALL_SIZE, font=BOLD, color=VERMILLION,
                        anchor="middle"))


# ---------------------------------------------------------------- paired scores


def paired_chart(pairs: Sequence[tuple[float, float]], title: str, *,
                 labels: tuple[str, str] = ("Pre-test", "Post-test"), scale_max: float = 100.0,
                 empty: str = "Belum ada peserta dengan kedua nilai.") -> Chart:
    """Return a slope chart: one line per participant from the first score to the second.

    Lines that go up are blue, down orange, level grey; the thick black line joins the means.
    A slope chart keeps each participant's pair (grouped bars of means hide who got worse) at a
    fixed height for 5 or 300 participants (a dumbbell row per participant would not).
    """
    if not pairs:
        return _empty(title, empty)
    height = 230.0
    chart = Chart(WIDTH, height, title)
    bottom, top = 42.0, height - 24
    x_pre, x_post = 110.0, 250.0

    def y_of(value: float) -> float:
        return bottom + (top - bottom) * max(0.0, min(value, scale_max)) / scale_max

    for step in range(5):
        value = scale_max * step / 4
        chart.add(Line(x_pre - 40, y_of(value), x_post + 40, y_of(value), strokeColor=GRID,
                       strokeWidth=0.6))
        chart.add(_text(x_pre - 44, y_of(value) - 3, decimal_text(value, 0), size=SMALL_SIZE,
                        color=MUTED, anchor="end"))
    for x, label in ((x_pre, labels[0]), (x_post, labels[1])):
        chart.add(Line(x, bottom, x, top, strokeColor=INK, strokeWidth=0.8))
        chart.add(_text(x, top + 8, label, font=BOLD, anchor="middle"))
    alpha = 0.9 if len(pairs) <= 20 else max(0.25, 0.9 * 20 / len(pairs))
    ups = downs = levels = 0
    for pre, post in pairs:
        base = BLUE if post > pre else ORANGE if post < pre else GREY
        ups, downs, levels = ups + (post > pre), downs + (post < pre), levels + (post == pre)
        color = colors.Color(base.red, base.green, base.blue, alpha=alpha)
        chart.add(Line(x_pre, y_of(pre), x_post, y_of(post), strokeWidth=1.2, strokeColor=color))
        # The ends as small squares; the post-test's is the pair's mark (ReportLab gives lines no class).
        chart.add(Rect(x_pre - 1.5, y_of(pre) - 1.5, 3, 3, fillColor=color, strokeColor=None))
        chart.add(_mark(x_post - 1.5, y_of(post) - 1.5, 3, 3, color))
    mean_pre = sum(pre for pre, _ in pairs) / len(pairs)
    mean_post = sum(post for _, post in pairs) / len(pairs)
    chart.add(Line(x_pre, y_of(mean_pre), x_post, y_of(mean_post), strokeColor=INK, strokeWidth=3))
    chart.add(_text(x_pre - 6, y_of(mean_pre) + 6, decimal_text(mean_pre), font=BOLD, anchor="end"))
    chart.add(_text(x_post + 6, y_of(mean_post) + 6, decimal_text(mean_post), font=BOLD))
    _, legend = _legend([(f"naik ({ups})", BLUE), (f"turun ({downs})", ORANGE),
                         (f"tetap ({levels})", GREY), ("rata-rata", INK)])
    legend.translate(0, 22)
    chart.add(legend)
    return chart


# ---------------------------------------------------------------- SVG


def to_svg(chart: Chart, described_by: str | None = None) -> Markup:
    """Return the chart as inline SVG: width 100 %, role="img", a <title>, no ids or external refs.

    described_by names the id of the table with the chart's numbers (aria-describedby).
    """
    root = ET.fromstring(renderSVG.drawToString(chart))
    width, height = chart.width, chart.height
    title = getattr(chart, "title", "") or "Grafik"
    for name in ("width", "height", "version", "{http://www.w3.org/1999/xlink}href"):
        root.attrib.pop(name, None)
    root.set("viewBox", f"0 0 {_fmt(width)} {_fmt(height)}")
    root.set("width", "100%")
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("focusable", "false")
    if described_by:
        root.set("aria-describedby", described_by)
    _clean(root, title)
    ET.register_namespace("", SVG_NS)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return Markup(text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', ""))


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _clean(root: ET.Element, title: str) -> None:
    """Replace ReportLab's placeholder title, drop its clip path and ids (several charts share a page)."""
    tag = f"{{{SVG_NS}}}"
    for child in list(root):
        if child.tag in (tag + "title", tag + "desc", tag + "clipPath"):
            root.remove(child)
    title_element = ET.Element(tag + "title")
    title_element.text = title
    root.insert(0, title_element)
    for element in root.iter():
        element.attrib.pop("id", None)
        style = element.attrib.pop("style", None)
        if style:
            _presentation(element, style)


def _presentation(element: ET.Element, style: str) -> None:
    """Move a style attribute into SVG presentation attributes (the page's CSP forbids inline styles)."""
    for declaration in style.split(";"):
        name, _, value = (part.strip() for part in declaration.partition(":"))
        if not name or not value or name == "clip-path":
            continue
        if name == "font-family":
            if value == BOLD:
                element.set("font-weight", "bold")
            value = SVG_FONTS
        element.set(name, value)
