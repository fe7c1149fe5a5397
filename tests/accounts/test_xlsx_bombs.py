"""XLSX memory bombs are refused before they are read, with a message and little memory."""

import io
import random
import tracemalloc
import zipfile

import pytest

from lms.accounts.importing import ImportFileError, parse_participants

MEMORY_BUDGET = 50 * 1024 * 1024
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument'
    '.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(dimension, rows):
    body = "".join(f'<row r="{number}">{"".join(_cell(ref, text) for ref, text in cells)}</row>'
                   for number, cells in rows)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>')


def build_xlsx(sheet):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def refused_with_peak(data):
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as caught:
            parse_participants("peserta.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(caught.value), peak


HEADER = [("A1", "nama"), ("B1", "nip"), ("C1", "opd")]


def test_declared_whole_sheet_dimension_is_refused_unread():
    data = build_xlsx(sheet_xml("A1:XFD1048576", [
        (1, HEADER), (2, [("A2", "Budi"), ("B2", "198503142010011001"), ("C2", "Dinkes")]),
        (1048576, [("XFD1048576", "ujung")])]))
    assert len(data) < 2048  # the 1.5 KB bomb of the audit
    message, peak = refused_with_peak(data)
    assert "paling banyak 5001 baris" in message and "50 kolom" in message
    assert "1048576 baris × 16384 kolom" in message
    assert peak < MEMORY_BUDGET


def test_far_apart_cells_without_a_dimension_stop_at_the_row_limit():
    # No <dimension>: openpyxl cannot know the size, so reading must stop at the limit itself.
    rows = [(1, HEADER), (2, [("A2", "Budi"), ("B2", "198503142010011001"), ("C2", "Dinkes")]),
            (1048576, [("XFD1048576", "ujung")])]
    sheet = sheet_xml("A1", rows).replace('<dimension ref="A1"/>', "")
    message, peak = refused_with_peak(build_xlsx(sheet))
    assert "Lembar kerja terlalu besar" in message and "paling banyak 5001 baris" in message
    assert peak < MEMORY_BUDGET


def test_far_column_is_not_padded_when_within_the_row_limit():
    sheet = sheet_xml("A1:C2", [(1, HEADER + [("XFD1", "")]),
                                (2, [("A2", "Budi"), ("B2", "198503142010011001"), ("C2", "Dinkes")])])
    tracemalloc.start()
    try:
        parsed = parse_participants("peserta.xlsx", build_xlsx(sheet))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [row["nama"] for row in parsed.rows] == ["Budi"]
    assert peak < MEMORY_BUDGET


def test_huge_compressed_run_is_refused_before_decompression():
    filler = "<row/>" * (20 * 1024 * 1024 // 6)  # 20 MB that deflates to a few KB
    sheet = sheet_xml("A1:C2", [(1, HEADER)]).replace("</sheetData>", filler + "</sheetData>")
    data = build_xlsx(sheet)
    assert len(data) < 64 * 1024
    message, peak = refused_with_peak(data)
    assert "memadat lebih dari 100 kali" in message and "bom ZIP" in message
    assert peak < MEMORY_BUDGET


def test_too_many_rows_in_a_real_sheet_names_the_limit():
    rows = [(1, HEADER)] + [(n, [(f"A{n}", "Budi"), (f"C{n}", "Dinkes")]) for n in range(2, 13)]
    data = build_xlsx(sheet_xml("A1:C12", rows))
    with pytest.raises(ImportFileError, match="paling banyak 11 baris"):
        parse_participants("peserta.xlsx", data, max_rows=10)


def test_one_giant_row_within_the_size_limits_is_refused_unread():
    # Digits vary, so this deflates only ~20 times and passes the ZIP checks; openpyxl would
    # still build the whole row (about 130 MB for these 300,000 cells) before it could stop.
    digits = random.Random(7).choices("0123456789", k=300_000)
    cells = "".join(f"<c><v>{digit}</v></c>" for digit in digits)
    sheet = sheet_xml("A1:C2", [(1, HEADER)]).replace("</sheetData>", f'<row r="2">{cells}</row></sheetData>')
    data = build_xlsx(sheet)
    message, peak = refused_with_peak(data)
    assert "lebih dari 60000 sel dalam satu baris" in message
    assert peak < MEMORY_BUDGET


def test_entity_expansion_is_refused():
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "ha"}">' for n in range(9))
    sheet = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{laughs}]>'
             + sheet_xml("A1:C2", [(1, HEADER)]).split("?>", 1)[1].replace("<t>nama</t>", "<t>&l8;</t>"))
    message, peak = refused_with_peak(build_xlsx(sheet))
    assert "deklarasi DTD" in message
    assert peak < MEMORY_BUDGET
