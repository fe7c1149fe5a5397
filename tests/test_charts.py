"""The chart builders: valid, accessible SVG; one mark per datum; long labels stay inside; PDF draws."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Group, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms import charts

NS = {"svg": charts.SVG_NS}
LONG = ("Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Contoh Bagian Pengelolaan "
        "Informasi dan Dokumentasi Publik Daerah")[:120]


def sample() -> dict[str, tuple[charts.Chart, int]]:
    """Each builder with data, and the number of data marks it must draw."""
    return {
        "bar": (charts.bar_chart([LONG, "Bappeda", "Dinas Kesehatan"], [12, 3, 7.5], "Peserta per OPD"), 3),
        "stacked": (charts.stacked_bar_chart(["Sesi 1", "Sesi 2"], [
            charts.Series("Hadir", [25, 20]), charts.Series("Izin", [2, 0]), charts.Series("Alpa", [3, 10])],
            "Presensi per sesi"), 5),  # the zero is not drawn
        "histogram": (charts.histogram([0, 25, 50, 75, 80, 100], [1, 0, 2, 3, 9], "Sebaran", threshold=80,
                                       threshold_label="Minimal 80%"), 4),
        "paired": (charts.paired_chart([(40, 80), (60, 55), (70, 70)], "Pre dan post"), 3),
    }


def strings(node) -> list[String]:
    found = []
    for child in getattr(node, "contents", []):
        if isinstance(child, String):
            found.append(child)
        elif isinstance(child, Group):
            found.extend(strings(child))
    return found


def parsed(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(charts.to_svg(chart, described_by="tabel-x")))


@pytest.mark.parametrize("name", list(sample()))
def test_svg_is_valid_accessible_and_scales(name):
    chart, marks = sample()[name]
    root = parsed(chart)
    assert root.get("role") == "img" and root.get("aria-label") == chart.title
    assert root.find("svg:title", NS).text == chart.title
    assert root.get("aria-describedby") == "tabel-x" and root.get("width") == "100%"
    assert root.get("height") is None and root.get("viewBox") == f"0 0 360 {chart.height:g}".replace(".0 ", " ")
    text = str(charts.to_svg(chart))
    # Inline: no ids (several charts share a page), no external references, no inline styles (CSP).
    assert " id=" not in text and "http" not in text.replace(charts.SVG_NS, "") and "style=" not in text
    assert "<!DOCTYPE" not in text and "<?xml" not in text
    assert len(root.findall(".//*[@class='bar']")) == marks


@pytest.mark.parametrize("name", list(sample()))
def test_every_label_stays_inside_the_drawing(name):
    chart, _ = sample()[name]
    for item in strings(chart):
        width = stringWidth(item.text, item.fontName, item.fontSize)
        left = {"start": item.x, "middle": item.x - width / 2, "end": item.x - width}[item.textAnchor]
        assert left >= 0 and left + width <= charts.WIDTH + 0.01, (item.text, left, width)


def test_a_long_opd_name_wraps_to_two_lines_and_a_longer_one_ends_in_an_ellipsis():
    chart, _ = sample()["bar"]
    texts = [s.text for s in strings(chart)]
    assert len(LONG) == 120 and f"{texts[0]} {texts[1]}" == LONG  # whole, on two lines
    longer = charts.bar_chart([LONG + " " + LONG], [1], "x")
    lines = [s.text for s in strings(longer)]
    assert len(lines) == 3 and lines[1].endswith("…")  # two label lines and the value
    for text in texts + lines:
        assert stringWidth(text, charts.FONT, charts.LABEL_SIZE) <= charts.WIDTH - 2 * charts.PAD


def test_numbers_are_written_the_indonesian_way():
    chart = charts.bar_chart(["Butir"], [3.25], "Rata-rata", value_max=4, places=2)
    assert "3,25" in [s.text for s in strings(chart)]
    histogram, _ = sample()["histogram"]
    assert "Minimal 80%" in [s.text for s in strings(histogram)]


def test_mismatched_or_empty_data():
    with pytest.raises(ValueError):
        charts.bar_chart(["a", "b"], [1], "x")
    with pytest.raises(ValueError):
        charts.histogram([0, 50], [1, 2], "x")
    for empty in (charts.bar_chart([], [], "x"), charts.paired_chart([], "x"),
                  charts.histogram([0, 100], [0], "x"), charts.stacked_bar_chart([], [], "x")):
        root = parsed(empty)
        assert root.findall(".//*[@class='bar']") == [] and "Belum ada" in "".join(root.itertext())


def test_each_chart_draws_in_a_pdf(tmp_path):
    from reportlab.platypus import SimpleDocTemplate

    path = tmp_path / "grafik.pdf"
    SimpleDocTemplate(str(path)).build([chart for chart, _ in sample().values()])
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Minimal 80%" in text and "Bappeda" in text and "Pre-test" in text
    assert renderPDF.drawToString(sample()["paired"][0]).startswith(b"%PDF")


def test_paired_chart_colours_up_down_and_level_lines():
    root = parsed(charts.paired_chart([(40, 80), (60, 55), (70, 70)], "x"))
    fills = [mark.get("fill") for mark in root.findall(".//*[@class='bar']")]
    assert len(set(fills)) == 3
    assert re.search(r"naik \(1\).*turun \(1\).*tetap \(1\)", " ".join(root.itertext()), re.S)
