"""A report table as an XLSX workbook (the CSV twin is lms.csvsafe.write_csv)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from lms.csvsafe import cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # Excel's limit


def xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], title: str, sheet: str = "Data") -> bytes:
    """Return a one-sheet workbook: a title line, the header, the rows; text is never run as a formula."""
    book = Workbook()
    page = book.active
    page.title = "".join(c for c in sheet if c not in "[]:*?/\\")[:MAX_SHEET_TITLE] or "Data"
    page.append([cell(title)])
    page.append([cell(h) for h in header])
    for row in rows:
        # Identifiers (NIP, phone) stay text, so Excel shows all their digits.
        page.append([cell(v) if isinstance(v, str) else v for v in row])
    for number, name in enumerate(header, start=1):
        widest = max([len(str(name))] + [len(str(r[number - 1])) for r in rows[:200]])
        page.column_dimensions[get_column_letter(number)].width = min(max(widest + 2, 8), 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
