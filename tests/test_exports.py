"""The one export writer: CSV in the `;` dialect with a BOM, its XLSX twin with typed cells."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from lms.csvsafe import cell
from lms.exports import Column, Table, csv_text, group_phone, sheet_name, write_csv, write_xlsx
from tests.exportread import read_csv, read_xlsx, xlsx_cells

NIP = "197001011990031001"
TABLE = Table("Contoh", (Column("Nama"), Column("NIP", "nip"), Column("No. HP", "phone"), Column("Jam", "integer"),
                         Column("Nilai", "decimal"), Column("Gain", "decimal", places=2, fixed=True),
                         Column("Tanggal", "date")),
              [("Ani; \"Dewi\"", NIP, "081234567890", 24, Fraction(175, 2), Fraction(-7, 4), date(2025, 8, 17)),
               ("=HYPERLINK(\"x\")", "", "", 0, None, Fraction(1, 5), None)])


@pytest.mark.parametrize(("value", "column", "expected"), [
    (NIP, Column("n", "nip"), "19700101 199003 1 001"),
    ("12345", Column("n", "nip"), "12345"),
    ("081234567890", Column("p", "phone"), "0812-3456-7890"),
    ("0812345678901", Column("p", "phone"), "0812-3456-7890-1"),
    ("6281333334444", Column("p", "phone"), "62 813-3333-4444"),
    ("628123456789", Column("p", "phone"), "62 812-3456-789"),
    (Fraction(-7, 4), Column("g", "decimal", places=2), "-1,75"),
    (Fraction(-1, 1000), Column("g", "decimal", places=2, fixed=True), "0,00"),
    (87.5, Column("s", "decimal"), "87,5"),
    (100, Column("s", "decimal"), "100"),
    (0.2, Column("g", "decimal", places=2, fixed=True), "0,20"),
    (24, Column("j", "integer"), "24"),
    (date(2025, 1, 5), Column("d", "date"), "05-01-2025"),
    ("2025-12-31", Column("d", "date"), "31-12-2025"),
    (None, Column("t"), ""),
    ("-abc", Column("t"), "'-abc"),
    ("-1,75", Column("t"), "-1,75"),
    ("@SUM(A1)", Column("t"), "'@SUM(A1)"),
])
def test_csv_cells_as_the_pages_show_them(value, column, expected):
    assert csv_text(value, column) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("-1,75", "-1,75"), ("+3", "+3"), ("-12.5", "-12.5"), ("-1,75+A1", "'-1,75+A1"), ("=1", "'=1"),
    ("-", "'-"), ("\t1", "'\t1"), ("Budi", "Budi"),
])
def test_the_formula_guard_lets_plain_numbers_through(text, expected):
    assert cell(text) == expected


def test_csv_reads_back_with_the_dialect_header_once():
    body = write_csv(TABLE)
    rows = read_csv(body)
    assert body.startswith(b"\xef\xbb\xbfNama;NIP;")
    assert rows == [["Nama", "NIP", "No. HP", "Jam", "Nilai", "Gain", "Tanggal"],
                    ["Ani; \"Dewi\"", "19700101 199003 1 001", "0812-3456-7890", "24", "87,5", "-1,75", "17-08-2025"],
                    ["'=HYPERLINK(\"x\")", "", "", "0", "", "0,20", ""]]


def test_xlsx_cells_are_typed():
    body = write_xlsx([TABLE, Table("Kedua", (Column("a"),), [("b",)])], title="Judul")
    sheets = read_xlsx(body)
    assert list(sheets) == ["Contoh", "Kedua"]
    assert sheets["Contoh"][1] == ["Ani; \"Dewi\"", NIP, "081234567890", 24, 87.5, -1.75, sheets["Contoh"][1][6]]
    assert sheets["Contoh"][1][6].date() == date(2025, 8, 17)
    first = xlsx_cells(body)[1]
    assert [(c.data_type, c.number_format) for c in first] == [
        ("s", "General"), ("s", "@"), ("s", "@"), ("n", "0"), ("n", "General"), ("n", "0.00"), ("d", "dd-mm-yyyy")]
    assert sheets["Contoh"][2][:2] == ["'=HYPERLINK(\"x\")", None]
    assert sum(1 for row in sheets["Contoh"] if row[0] == "Nama") == 1


@pytest.mark.parametrize(("name", "expected"), [
    ("Rekap Kehadiran", "Rekap Kehadiran"), ("a/b:c?", "a b c"), ("", "Data"), ("x" * 40, "x" * 31)])
def test_sheet_names_excel_accepts(name, expected):
    assert sheet_name(name) == expected


def test_group_phone_leaves_odd_values():
    assert group_phone("0812") == "0812" and group_phone("+62 812") == "+62 812"
