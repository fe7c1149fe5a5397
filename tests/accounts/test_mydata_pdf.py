"""The Data Saya PDF's footer: a long name is cut with an ellipsis before the page number."""

from __future__ import annotations

from lms.accounts.mydata_pdf import DataDocument, TableBlock, render_personal_data
from tests.pdfstrings import drawn


def document(name: str) -> DataDocument:
    return DataDocument("Dinas Kominfo", name, "22 November 2026", (("Nama", name),),
                        (TableBlock("Kehadiran", ("Sesi", "Status"), (("Hari ke-1", "Hadir"),)),))


def footer_strings(name: str) -> tuple[str, float, float]:
    """Return the footer's name text, its right edge and the page number's left edge."""
    strings = drawn(render_personal_data(document(name)))
    page_number = next(s for s in strings if s.text.startswith("Halaman 1 dari"))
    footer = next(s for s in strings if s.text.startswith("Data Saya - "))
    return footer.text, footer.right, page_number.left


def test_a_short_name_is_printed_whole() -> None:
    text, _, _ = footer_strings("Siti  Nurhaliza")
    assert text == "Data Saya - Siti Nurhaliza"


def test_a_long_name_ends_in_an_ellipsis_before_the_page_number() -> None:
    name = "Raden Ayu Siti Khadijah Kusumawardhani Setyaningrum Prawiranegara " * 4
    text, right, page_number_left = footer_strings(name)
    assert text.endswith("…") and f"Data Saya - {name}".startswith(text[:-1])
    assert right < page_number_left
