"""Password slips: every value stays inside its slip, whatever its length."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from lms.accounts.slips import COLUMNS, MARGIN, PAD, ROWS, Slip, render_slips
from tests.pdfstrings import Drawn, drawn

OPD = ("Sekretariat Dewan Perwakilan Rakyat Daerah Kabupaten Contoh Bagian Hubungan Masyarakat, "
       "Protokol dan Dokumentasi Pimpinan serta Kerja Sama Antar Lembaga Daerah Kabupaten")[:150]
NAME = "Raden Ayu Siti Khadijah Kusumawardhani Setyaningrum Prawiranegara, S.H., M.Kn., M.Si."
INSTITUTION = "Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Contoh Raya Makmur"
ADDRESS = "https://lms.diskominfo.contohkab.go.id"
LOGIN = "raden.ayu.siti.khadijah.kusumawardhani@sekretariat-dprd.contohkab.go.id"


def slip_boxes() -> list[tuple[float, float, float, float]]:
    """Return (left, bottom, right, top) inside the padding of each slip on a page."""
    width, height = A4
    slip_w, slip_h = (width - 2 * MARGIN) / COLUMNS, (height - 2 * MARGIN) / ROWS
    boxes = []
    for position in range(COLUMNS * ROWS):
        x = MARGIN + (position % COLUMNS) * slip_w
        y = height - MARGIN - (position // COLUMNS + 1) * slip_h
        boxes.append((x + PAD, y + PAD, x + slip_w - PAD, y + slip_h - PAD))
    return boxes


def strings_of_slip(strings: list[Drawn], box: tuple[float, float, float, float]) -> list[Drawn]:
    left, bottom, right, top = box
    return [s for s in strings if left - 1 <= s.left <= right and bottom - 1 <= s.baseline <= top]


def assert_inside(strings: list[Drawn], box: tuple[float, float, float, float]) -> None:
    """Every string ends before the right padding, and no string is drawn over another."""
    left, bottom, right, top = box
    for string in strings:
        assert string.right <= right + 0.01, string
        assert string.baseline + string.size * 0.75 <= top, string
    for index, one in enumerate(strings):
        for other in strings[index + 1:]:
            side_by_side = one.right <= other.left or other.right <= one.left
            assert side_by_side or not overlap(ink(one), ink(other)), (one, other)


def ink(string: Drawn) -> tuple[float, float]:
    """Return the bottom and top of a string's letters: descenders to capitals."""
    return string.baseline - string.size * 0.22, string.baseline + string.size * 0.72


def overlap(one: tuple[float, float], other: tuple[float, float]) -> bool:
    return one[0] < other[1] and other[0] < one[1]


@pytest.mark.parametrize("slip", [
    Slip("Siti Nurhaliza", "198503142010012001", "Dinas Kominfo", "ab3k9mzq7r"),
    Slip(NAME, "198503142010012001", OPD, "ab3k9mzq7r"),
    Slip(NAME, LOGIN, OPD, "ab3k9mzq7r"),
    Slip("X" * 120, LOGIN * 3, "Y" * 300, "ab3k9mzq7r"),
])
def test_every_string_stays_inside_its_slip(slip: Slip) -> None:
    pdf = render_slips([slip] * 3, INSTITUTION, ADDRESS)
    strings, boxes = drawn(pdf), slip_boxes()
    for box in boxes[:3]:
        mine = strings_of_slip(strings, box)
        assert any(s.text == "ab3k9mzq7r" for s in mine)
        assert_inside(mine, box)
    assert len(strings) == sum(len(strings_of_slip(strings, box)) for box in boxes)


def test_a_150_character_opd_wraps_whole_inside_the_slip() -> None:
    assert len(OPD) == 150
    pdf = render_slips([Slip(NAME, LOGIN, OPD, "ab3k9mzq7r")], INSTITUTION, ADDRESS)
    mine = strings_of_slip(drawn(pdf), slip_boxes()[0])
    text = " ".join(s.text for s in mine)
    assert OPD in text and NAME in text and LOGIN in text.replace(" ", "")
    assert_inside(mine, slip_boxes()[0])


def test_the_frame_check_notices_a_string_past_the_cut_line() -> None:
    box = slip_boxes()[0]
    with pytest.raises(AssertionError):
        assert_inside([Drawn(OPD, box[0], box[0] + 400, box[3] - 30, 8)], box)
    with pytest.raises(AssertionError):
        assert_inside([Drawn("Budi", box[0], box[0] + 20, box[3] - 30, 8),
                       Drawn("Kominfo", box[0] + 10, box[0] + 40, box[3] - 34, 8)], box)


def test_letters_the_font_lacks_print_as_their_base_letter() -> None:
    pdf = render_slips([Slip("Łukasz Nguyễn", "x@y.id", "Dinas", "ab3k9mzq7r")], "Dinas", ADDRESS)
    assert "Lukasz Nguyen" in [s.text for s in drawn(pdf)]


def test_eleven_slips_take_two_pages() -> None:
    slips = [Slip(f"Peserta {n}", f"p{n}@contoh.go.id", "Dinas", "ab3k9mzq7r") for n in range(11)]
    reader = PdfReader(io.BytesIO(render_slips(slips, "Dinas", ADDRESS)))
    assert len(reader.pages) == 2 and "Peserta 10" in reader.pages[1].extract_text()
