"""Read a participant list from CSV or XLSX and check every row: pure, no Flask, no database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lms.accounts.identity import IdentityError, clean_name, normalize_email, normalize_nip, normalize_phone
from lms.xlsxguard import XlsxLimits, check_xlsx
from lms.zipguard import ZipLimits, ZipRefused

COLUMNS = ("nama", "nip", "pangkat_golongan", "jabatan", "opd", "email", "no_hp")
_ALIASES = {
    "nama_lengkap": "nama", "name": "nama",
    "pangkat": "pangkat_golongan", "golongan": "pangkat_golongan", "pangkat_gol": "pangkat_golongan",
    "perangkat_daerah": "opd", "instansi": "opd", "unit_kerja": "opd",
    "surel": "email", "e_mail": "email", "pos_el": "email",
    "nomor_hp": "no_hp", "hp": "no_hp", "no_wa": "no_hp", "no_hp_wa": "no_hp", "telepon": "no_hp",
}
_IGNORED = {"no", "nomor", "no_urut"}
_MAX_LENGTH = {"nama": 200, "pangkat_golongan": 100, "jabatan": 200, "opd": 200}
XLSX_MAGIC = b"PK\x03\x04"
XLSX_MAX_COLUMNS = 50
# A list of 5,000 participants is about 3 MB of XML; these limits leave a wide margin.
XLSX_LIMITS = XlsxLimits(ZipLimits(max_members=200, max_total_bytes=50 * 1024 * 1024, max_ratio=100))


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"baris {self.row}" if self.row else "berkas"
        return f"{where}, kolom {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ParsedFile:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class ImportFileError(ValueError):
    """The file as a whole cannot be read."""


def parse_participants(filename: str, data: bytes, max_rows: int = 5000) -> ParsedFile:
    """Read and check a participant list; raise ImportFileError when the file is unreadable."""
    if not data.strip():
        raise ImportFileError("Berkas kosong.")
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        table = _read_xlsx(data, max_rows + 1)
    else:
        table = _read_csv(data)
    header, records = _header_and_records(table)
    columns = _map_header(header)
    parsed = ParsedFile()
    seen: dict[tuple[str, str], int] = {}
    for number, record in records:
        if len(parsed.rows) + len(parsed.errors) >= max_rows and _is_row(record):
            raise ImportFileError(f"Berkas berisi lebih dari {max_rows} baris data; bagi menjadi "
                                  "beberapa berkas.")
        if _is_row(record):
            _check_row(number, dict(zip(columns, record)), parsed, seen)
    if not parsed.rows and not parsed.errors:
        raise ImportFileError("Berkas tidak berisi baris data di bawah judul kolom.")
    return parsed


def _is_row(record: list[str]) -> bool:
    return any(cell.strip() for cell in record)


def _read_csv(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise ImportFileError("Berkas bukan CSV teks (berisi byte nol). Unggah CSV atau XLSX.")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(f"CSV tidak dapat dibaca: {exc}") from exc


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Pengodean karakter tidak dikenali (byte ke-{exc.start + 1}). Simpan ulang dari Excel "
            "sebagai \"CSV UTF-8 (Comma delimited)\".") from exc


def _read_xlsx(data: bytes, max_rows: int) -> list[list[str]]:
    """Read the first sheet streaming, refusing archives and sheets beyond the limits first."""
    from openpyxl import load_workbook  # imported here: only XLSX uploads need it

    try:
        check_xlsx(data, XLSX_LIMITS, "Berkas XLSX")
    except ZipRefused as exc:
        raise ImportFileError(str(exc)) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError("Berkas XLSX rusak atau bukan berkas Excel.") from exc
    try:
        sheet = book.worksheets[0]
        _check_declared_size(sheet.max_row, sheet.max_column, max_rows)
        rows = sheet.iter_rows(max_row=max_rows + 1, max_col=XLSX_MAX_COLUMNS, values_only=True)
        table = [[_cell_text(v) for v in row] for row in rows]
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged sheet part surfaces only while it is read
        raise ImportFileError("Berkas XLSX rusak atau bukan berkas Excel.") from exc
    finally:
        book.close()
    if len(table) > max_rows:
        raise _too_large(max_rows)
    return table


def _check_declared_size(rows: int | None, columns: int | None, max_rows: int) -> None:
    # The <dimension> element is what openpyxl pads every row to; refuse absurd ones unread.
    if (rows or 0) > max_rows or (columns or 0) > XLSX_MAX_COLUMNS:
        raise _too_large(max_rows, rows, columns)


def _too_large(max_rows: int, rows: int | None = None, columns: int | None = None) -> ImportFileError:
    declared = f" (lembar menyatakan {rows} baris × {columns} kolom)" if rows and columns else ""
    return ImportFileError(
        f"Lembar kerja terlalu besar{declared}: paling banyak {max_rows} baris (judul kolom dan "
        f"{max_rows - 1} baris data) dan {XLSX_MAX_COLUMNS} kolom. Hapus baris dan kolom kosong di "
        "luar tabel, atau bagi menjadi beberapa berkas.")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A long number typed into a General cell: keep how Excel shows it, so checks catch it.
        return f"{value:.5E}" if value >= 1e15 else _plain_float(value)
    return str(value)


def _plain_float(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _header_and_records(table: list[list[str]]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    for index, row in enumerate(table):
        if _is_row(row):
            body = ((number, row) for number, row in enumerate(table[index + 1:], start=index + 2))
            return row, body
    raise ImportFileError("Berkas tidak berisi judul kolom.")


def _header_key(title: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", title.strip().lower()).strip("_")
    return _ALIASES.get(key, key)


def _map_header(header: list[str]) -> list[str]:
    keys = [_header_key(title) for title in header]
    unknown = [title for title, key in zip(header, keys)
               if key and key not in COLUMNS and key not in _IGNORED]
    if unknown:
        raise ImportFileError(
            f"Kolom tidak dikenal: {', '.join(unknown)}. Kolom yang dipakai: {', '.join(COLUMNS)}.")
    duplicated = sorted({k for k in keys if k in COLUMNS and keys.count(k) > 1})
    if duplicated:
        raise ImportFileError(f"Kolom muncul lebih dari sekali: {', '.join(duplicated)}.")
    missing = [c for c in ("nama", "opd") if c not in keys]
    if "nip" not in keys and "email" not in keys:
        missing.append("nip atau email")
    if missing:
        raise ImportFileError(f"Kolom wajib tidak ada: {', '.join(missing)}. "
                              f"Baris pertama harus berisi judul kolom: {', '.join(COLUMNS)}.")
    return keys


def _check_row(number: int, raw: dict[str, str], parsed: ParsedFile,
               seen: dict[tuple[str, str], int]) -> None:
    errors: list[RowError] = []
    row: dict[str, Any] = {"row": number}
    for column in COLUMNS:
        value = (raw.get(column) or "").strip()
        try:
            row[column] = _clean(column, value)
        except IdentityError as exc:
            errors.append(RowError(number, column, str(exc)))
            row[column] = ""
    for column, message in _required(row, raw):
        errors.append(RowError(number, column, message))
    for column in ("nip", "email"):
        value = row[column]
        if value and (column, value) in seen:
            errors.append(RowError(number, column, f"{value} sudah ada di baris {seen[(column, value)]}."))
        elif value:
            seen[(column, value)] = number
    if errors:
        parsed.errors.extend(errors)
    else:
        parsed.rows.append(row)


def _clean(column: str, value: str) -> str:
    if column == "nip":
        return normalize_nip(value) if value else ""
    if column == "email":
        return normalize_email(value)
    if column == "no_hp":
        return normalize_phone(value)
    text = clean_name(value)
    if len(text) > _MAX_LENGTH[column]:
        raise IdentityError(f"Terlalu panjang ({len(text)} karakter; paling banyak {_MAX_LENGTH[column]}).")
    return text


def _required(row: dict[str, Any], raw: dict[str, str]) -> Iterable[tuple[str, str]]:
    if not row["nama"]:
        yield "nama", "Nama wajib diisi."
    if not row["opd"]:
        yield "opd", "OPD wajib diisi."
    if not row["nip"] and not row["email"] and not (raw.get("nip") or raw.get("email") or "").strip():
        yield "nip", "Isi NIP atau email (salah satu wajib ada)."
