"""The roster grid's cells, written by attendance.pages (what roster.js reads and updates)."""

import pytest

from lms.attendance.pages import Row, cell_html
from lms.attendance.services import Person


@pytest.mark.parametrize(("cell", "html"), [
    (("", "", ""), "<td>—</td>"),
    (("hadir", "", ""), '<td data-v="hadir">Hadir</td>'),
    (("izin", "Surat <dinas>", ""), '<td data-v="izin" title="Surat &lt;dinas&gt;" class=" n">Izin</td>'),
    (("hadir", "", "Perangkat yang sama dengan: A & B"),
     '<td data-v="hadir" title="Perangkat yang sama dengan: A &amp; B" class="dev">Hadir</td>'),
    (("terlambat", "macet", "Perangkat yang sama dengan: C"),
     '<td data-v="terlambat" title="Perangkat yang sama dengan: C · macet" class="dev n">Terlambat</td>'),
    (("", "catatan tanpa status", ""), '<td title="catatan tanpa status" class=" n">—</td>'),
])
def test_a_cell_shows_the_status_its_note_and_the_device_warning_escaped(cell, html):
    assert cell_html(*cell) == html


def test_a_row_joins_its_cells_in_session_order():
    row = Row(Person(1, "Nama", "OPD"), [("hadir", "", ""), ("", "", ""), ("sakit", "", "")], 0)
    assert str(row.cells_html) == '<td data-v="hadir">Hadir</td><td>—</td><td data-v="sakit">Sakit</td>'
