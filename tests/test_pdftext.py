"""The text fitting every PDF shares: shrink, wrap, clip with an ellipsis, keep to the font."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from lms.pdftext import ELLIPSIS, ellipsize, fit_box, fit_lines

OPD = ("Sekretariat Dewan Perwakilan Rakyat Daerah Kabupaten Contoh Bagian Hubungan Masyarakat, "
       "Protokol dan Dokumentasi Pimpinan serta Kerja Sama Antar Lembaga")[:150]


def test_ellipsize_keeps_short_text_and_cuts_long_text_to_the_width() -> None:
    assert ellipsize("Dinas Kominfo", "Helvetica", 8, 200) == "Dinas Kominfo"
    cut = ellipsize(OPD, "Helvetica", 8, 200)
    assert cut.endswith(ELLIPSIS) and OPD.startswith(cut[:-1].rstrip())
    assert stringWidth(cut, "Helvetica", 8) <= 200


@pytest.mark.parametrize(("max_lines", "width"), [(1, 150.0), (2, 235.0), (3, 120.0)])
def test_fit_box_never_exceeds_its_lines_or_width(max_lines: int, width: float) -> None:
    size, lines = fit_box(OPD, "Helvetica", 9, 7, width, max_lines)
    assert 7 <= size <= 9 and len(lines) == max_lines
    assert all(stringWidth(line, "Helvetica", size) <= width for line in lines)
    assert lines[-1].endswith(ELLIPSIS)
    assert " ".join(lines)[:-1].rstrip() in OPD


def test_fit_box_shrinks_then_wraps_then_cuts() -> None:
    assert fit_box("Siti Nurhaliza", "Helvetica-Bold", 11, 8, 235, 2) == (11, ["Siti Nurhaliza"])
    size, lines = fit_box(OPD[:60], "Helvetica", 9, 7, 235, 2)  # one line, a little smaller
    assert lines == [OPD[:60].strip()] and 7 <= size < 9
    size, lines = fit_box(OPD[:100], "Helvetica", 9, 7, 235, 2)  # two lines at the minimum
    assert size == 7 and len(lines) == 2 and " ".join(lines) == OPD[:100]
    size, lines = fit_box(OPD, "Helvetica", 9, 7, 235, 3)
    assert size == 7 and len(lines) == 3 and " ".join(lines) == OPD


def test_fit_box_prints_letters_the_standard_fonts_lack_as_their_base_letter() -> None:
    assert fit_box("Łukasz  Nowak\n", "Helvetica", 10, 8, 200) == (10, ["Lukasz Nowak"])


def test_fit_lines_never_cuts_text() -> None:
    size, lines = fit_lines(OPD, "Times-Roman", 12, 9, 100)
    assert size == 9 and " ".join(lines) == OPD


def test_lines_split_as_reportlab_splits_them_with_words_measured_once() -> None:
    import random

    from reportlab.lib.utils import simpleSplit

    from lms.pdftext import _split, fitting_cache

    rng = random.Random(5)
    words = ["a", "Bimbingan", "Teknis", "WWW", "iii", "https://lms.contoh.go.id/verifikasi/ABCD-EFGH", "é", "–", ""]
    cases = [(rng.choice([" ", "  ", "\n", " \t"]).join(rng.choice(words) for _ in range(rng.randint(0, 14))),
              rng.choice(["Helvetica", "Times-Roman", "Times-Bold"]), rng.choice([7.36, 9, 12.5]),
              rng.choice([0, 1, 30.5, 100, 250])) for _ in range(3000)]
    expected = [simpleSplit(*case) for case in cases]
    assert [_split(*case) for case in cases] == expected
    with fitting_cache():  # with the words' widths remembered
        assert [_split(*case) for case in cases] == expected


def test_an_overlong_word_breaks_the_same_with_its_starts_remembered() -> None:
    import random

    from lms.pdftext import _STARTS, _break_word

    rng = random.Random(7)
    cases = [("".join(rng.choice("iIlWMm./-abc") for _ in range(rng.randint(1, 80))),
              rng.choice(["Helvetica", "Times-Roman"]), rng.choice([5, 7.36, 12]), rng.uniform(0.5, 200))
             for _ in range(2000)]
    expected = [_break_word(*case) for case in cases]
    token = _STARTS.set({})  # as while one text is fitted
    try:
        remembered = [_break_word(*case) for case in cases]
        again = [_break_word(*case) for case in cases]  # now every start is known
    finally:
        _STARTS.reset(token)
    assert remembered == again == expected
    assert any(len(pieces) > 2 for pieces in expected)
