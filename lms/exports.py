"""The one writer of every exported table: CSV that Indonesian Excel opens right, and its XLSX twin.

CSV: UTF-8 with a BOM (Excel then reads the accents), `;` between cells (the list separator of
Windows' Indonesian regional format, where `,` is the decimal comma: a comma-separated file opens
there in one column), decimals with a comma as the pages show them, NIPs grouped 8-6-1-3 and phone
numbers grouped by hyphens (text to Excel, so never 1,97E+17 or a lost leading zero; the app's own
importers read both forms back), dates as dd-mm-yyyy. No `sep=` line: Excel then ignores the BOM.

XLSX: the same table with typed cells: NIPs and phone numbers as text cells in text format,
numbers as numbers (Excel shows them in the reader's locale), dates as dates (or, "date_text",
as dd-mm-yyyy text where a form expects exactly that).

Every text cell passes the formula guard of lms.csvsafe; a real number is never turned into text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from werkzeug.wrappers import Response

from lms.accounts.identity import format_nip
from lms.csvsafe import cell as safe_text
from lms.dates import format_numeric_date
from lms.web import send_bytes

Kind = Literal["text", "nip", "phone", "integer", "decimal", "date", "date_text"]
Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
CSV_MIMETYPE = "text/csv"  # werkzeug adds "; charset=utf-8" once
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_WIDTH = 60
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


class Dialect(csv.Dialect):
    """The CSV dialect of every export (readers pass it to csv.reader too)."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


@dataclass(frozen=True)
class Column:
    """One column: its header, what its cells hold, and (decimals) how many places are shown."""

    title: str
    kind: Kind = "text"
    places: int = 1
    # Show every place (0,20) rather than dropping trailing zeros as the pages do (87,5; 100).
    fixed: bool = False


@dataclass(frozen=True)
class Table:
    """A sheet: its name (the XLSX sheet), columns and rows of plain Python values (None: empty)."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]

    @property
    def header(self) -> list[str]:
        return [c.title for c in self.columns]


def columns(*specs: str | Column) -> tuple[Column, ...]:
    """Return columns from titles (text) or Column values, in order."""
    return tuple(s if isinstance(s, Column) else Column(s) for s in specs)


# ---------------------------------------------------------------- values


def group_phone(phone: str) -> str:
    """Return 0812-3456-7890 for 081234567890 and 62 812-3456-7890 for 6281234567890 (text to any spreadsheet)."""
    digits = phone.strip()
    if not digits.isdigit() or len(digits) < 8:
        return digits
    if digits.startswith("62"):  # the WhatsApp form: country code, then the number without its 0
        rest = digits[2:]
        return "62 " + "-".join([rest[:3]] + [rest[i:i + 4] for i in range(3, len(rest), 4)])
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def _number(value: Any, column: Column) -> float | int:
    if column.kind == "integer":
        return int(value)
    if isinstance(value, (Fraction, Decimal, int, float)):
        return round(float(value), column.places)
    raise TypeError(f"kolom {column.title}: {value!r} bukan angka")


def _decimal_text(value: float | int, column: Column) -> str:
    if column.kind == "integer":
        return str(value)
    text = f"{value:.{column.places}f}"
    if not column.fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # -0,00 is 0
    return text.replace(".", ",")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def csv_text(value: Any, column: Column) -> str:
    """Return one CSV cell as the pages show it ("" for None)."""
    if value is None or value == "":
        return ""
    if column.kind == "nip":
        return safe_text(format_nip(str(value)))
    if column.kind == "phone":
        return safe_text(group_phone(str(value)))
    if column.kind in ("integer", "decimal"):
        return _decimal_text(_number(value, column), column)
    if column.kind in ("date", "date_text"):
        return format_numeric_date(_date(value))
    return safe_text(str(value))


# ---------------------------------------------------------------- writers


def write_csv(table: Table) -> bytes:
    """Return the table as UTF-8 CSV with a BOM, `;` between cells, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=Dialect)
    writer.writerow([safe_text(t) for t in table.header])
    for row in table.rows:
        writer.writerow([csv_text(v, c) for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_name(name: str) -> str:
    """Return a name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    cleaned = _SHEET_NAME_BAD.sub(" ", name).strip().strip("'") or "Data"
    return cleaned[:31]


def write_xlsx(tables: Table | Iterable[Table], title: str = "") -> bytes:
    """Return a workbook holding each table on its own sheet, header row frozen and filterable."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    book.properties.title = safe_text(title)[:255]
    for table in [tables] if isinstance(tables, Table) else tables:
        _sheet(book, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Any, table: Table) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(sheet_name(table.name))
    sheet.append([safe_text(t) for t in table.header])
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
    widths = [len(t) for t in table.header]
    for r, row in enumerate(table.rows, start=2):
        for c, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
            target = sheet.cell(row=r, column=c)
            _put(target, value, column)
            widths[c - 1] = max(widths[c - 1], len(csv_text(value, column)))
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(_MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    if table.columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(1, len(table.rows) + 1)}"


def _put(target: Any, value: Any, column: Column) -> None:
    """Write one typed cell: identifiers as text in text format, numbers and dates as themselves."""
    if value is None or value == "":
        return
    if column.kind in ("nip", "phone"):
        target.value = safe_text(str(value))
        target.number_format = "@"
    elif column.kind == "integer":
        target.value = _number(value, column)
        target.number_format = "0"
    elif column.kind == "decimal":
        target.value = _number(value, column)
        target.number_format = ("0." + "0" * column.places) if column.fixed and column.places else "General"
    elif column.kind == "date":
        target.value = _date(value)
        target.number_format = "dd-mm-yyyy"
    elif column.kind == "date_text":  # a form or importer that wants the literal dd-mm-yyyy text
        target.value = format_numeric_date(_date(value))
        target.number_format = "@"
    else:
        target.value = safe_text(str(value))


# ---------------------------------------------------------------- responses


def export_filename(basename: str, fmt: Format) -> str:
    """Return basename.csv / basename.xlsx."""
    return f"{basename}.{fmt}"


def export_body(tables: Table | Sequence[Table], fmt: Format, title: str = "") -> tuple[bytes, str]:
    """Return the bytes and mimetype of tables as fmt (a CSV holds the first table only)."""
    if fmt == "csv":
        first = tables if isinstance(tables, Table) else tables[0]
        return write_csv(first), CSV_MIMETYPE
    return write_xlsx(tables, title), XLSX_MIMETYPE


def send_export(tables: Table | Sequence[Table], fmt: Format, basename: str, title: str = "",
                private: bool = False) -> Response:
    """Answer with the tables as a CSV or XLSX download named basename.csv/.xlsx."""
    body, mimetype = export_body(tables, fmt, title)
    return send_bytes(body, mimetype, export_filename(basename, fmt), private=private)


def format_arg(value: str | None) -> Format | None:
    """Return value when it names an export format (csv, xlsx), else None."""
    if value == "csv":
        return "csv"
    return "xlsx" if value == "xlsx" else None
