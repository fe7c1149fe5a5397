"""Read exports back as a person's spreadsheet would: the CSV in the app's dialect, the XLSX with openpyxl."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from lms.exports import Dialect


def read_csv(body: bytes) -> list[list[str]]:
    """Return the rows of an exported CSV, checking the BOM and that nothing precedes the header."""
    assert body.startswith("\ufeff".encode()), "CSV without a UTF-8 BOM"
    text = body.decode("utf-8-sig")
    assert not text.lower().startswith("sep="), "a sep= line makes Excel ignore the BOM"
    return list(csv.reader(io.StringIO(text, newline=""), dialect=Dialect))


def read_xlsx(body: bytes) -> dict[str, list[list[Any]]]:
    """Return every sheet's rows of values, by sheet name."""
    book = load_workbook(io.BytesIO(body))
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def xlsx_cells(body: bytes, sheet: str | None = None) -> list[list[Cell]]:
    """Return the cells (value, data type, number format) of one sheet, the first by default."""
    book = load_workbook(io.BytesIO(body))
    target = book[sheet] if sheet else book.worksheets[0]
    return [list(r) for r in target.iter_rows()]
