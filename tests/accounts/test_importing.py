"""The participant-file parser: pure, table-driven."""

import io

import pytest
from openpyxl import Workbook

from lms.accounts.importing import ImportFileError, parse_participants

HEADER = "nama,nip,pangkat_golongan,jabatan,opd,email,no_hp\n"
GOOD = "Budi Santoso,198503142010011001,Penata (III/c),Pranata Humas,Dinas Kesehatan,,081234567890\n"


def parse(text, encoding="utf-8", name="peserta.csv", max_rows=5000):
    return parse_participants(name, text.encode(encoding), max_rows)


def test_good_csv_row_is_normalised():
    parsed = parse(HEADER + GOOD)
    assert parsed.errors == []
    assert parsed.rows == [{"row": 2, "nama": "Budi Santoso", "nip": "198503142010011001",
                            "pangkat_golongan": "Penata (III/c)", "jabatan": "Pranata Humas",
                            "opd": "Dinas Kesehatan", "email": "", "no_hp": "081234567890"}]


def test_bom_semicolons_and_windows_1252():
    text = HEADER.replace(",", ";") + "José Ñañez;;;;Dinas Sosial;jose@contoh.go.id;\n"
    parsed = parse_participants("x.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert parsed.rows[0]["nama"] == "José Ñañez"
    parsed = parse(text, encoding="cp1252")
    assert parsed.rows[0]["nama"] == "José Ñañez"
    assert parsed.rows[0]["email"] == "jose@contoh.go.id"


@pytest.mark.parametrize("row, column, fragment", [
    ('Budi,"1,98501E+17",,,Dinkes,,', "nip", "angka ilmiah"),
    ("Budi,198503142010011000,,,Dinkes,,", "nip", "000"),
    ("Budi,198503142010011001,,,Dinkes,,81234567890", "no_hp", "kehilangan angka 0"),
    ("Budi,,,,Dinkes,,", "nip", "salah satu wajib"),
    (",198503142010011001,,,Dinkes,,", "nama", "Nama wajib"),
    ("Budi,198503142010011001,,,,,", "opd", "OPD wajib"),
    ("Budi,,,,Dinkes,budi@@contoh,", "email", "tidak sah"),
])
def test_bad_rows_name_row_column_and_reason(row, column, fragment):
    parsed = parse(HEADER + GOOD + row + "\n")
    assert len(parsed.rows) == 1
    errors = [e for e in parsed.errors if e.column == column]
    assert errors and errors[0].row == 3 and fragment in errors[0].message
    assert str(errors[0]).startswith(f"baris 3, kolom {column}:")


def test_duplicates_inside_the_file_are_reported():
    parsed = parse(HEADER + GOOD + GOOD.replace("Budi Santoso", "Budi S."))
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "nip")]
    assert "baris 2" in parsed.errors[0].message


@pytest.mark.parametrize("text, fragment", [
    ("nama,opd\nBudi,Dinkes\n", "nip atau email"),
    ("nip,email\n198503142010011001,\n", "nama, opd"),
    ("nama,nip,opd,kota\nBudi,198503142010011001,Dinkes,Contoh\n", "Kolom tidak dikenal: kota"),
    ("nama,nip,opd,nip\n", "lebih dari sekali: nip"),
    ("   \n", "kosong"),
    (HEADER, "tidak berisi baris data"),
])
def test_file_level_errors(text, fragment):
    with pytest.raises(ImportFileError, match=fragment):
        parse(text)


def test_header_aliases_and_row_number_column_are_accepted():
    parsed = parse("No,Nama Lengkap,NIP,Perangkat Daerah,Nomor HP\n1,Sari,198503142010012005,Dinsos,0811223344\n")
    assert parsed.rows[0]["opd"] == "Dinsos" and parsed.rows[0]["no_hp"] == "0811223344"


def test_undecodable_bytes_and_binary_files():
    with pytest.raises(ImportFileError, match="Pengodean"):
        parse_participants("x.csv", HEADER.encode() + b"Budi \x81\x8d,,,,Dinkes,a@b.id,\n")
    with pytest.raises(ImportFileError, match="byte nol"):
        parse_participants("x.csv", b"nama\x00\x00")


def test_row_limit():
    rows = "".join(f"P{i},,,,Dinkes,p{i}@contoh.go.id,\n" for i in range(11))
    assert len(parse(HEADER + rows, max_rows=11).rows) == 11
    with pytest.raises(ImportFileError, match="lebih dari 10 baris"):
        parse(HEADER + rows, max_rows=10)


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_excel_damage():
    data = xlsx([["nama", "nip", "opd", "no_hp", "email"],
                 ["Ani", "198503142010012005", "Dinkes", "081234567890", None],
                 ["Bayu", 1.98503142010011e17, "Dinkes", None, None],
                 ["Citra", 198503142010011000, "Dinkes", None, None],
                 ["Dodi", "198503142010011002", "Dinkes", 81234567890, None]])
    parsed = parse_participants("peserta.xlsx", data)
    assert [r["nama"] for r in parsed.rows] == ["Ani"]
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "nip"), (4, "nip"), (5, "no_hp")]
    assert "Teks" in parsed.errors[0].message


def test_damaged_xlsx():
    with pytest.raises(ImportFileError, match="rusak"):
        parse_participants("peserta.xlsx", b"PK\x03\x04 not really a zip")
