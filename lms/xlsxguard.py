"""Refuse XLSX files whose XML would exhaust memory when a library reads it: pure.

An XLSX is a ZIP of XML parts. Even in read-only mode openpyxl loads the whole style sheet
and shared-string table, and builds each sheet row in full before it can stop, so a 2 MB file
holding one row of millions of cells used over a gigabyte. This pass streams every part once
through expat, counting elements, before openpyxl opens anything.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from lms.zipguard import ZipLimits, ZipRefused, check_zip

_CHUNK = 64 * 1024
_WHAT = {"sheetData": "baris dalam satu lembar", "row": "sel dalam satu baris",
         "sst": "teks dalam tabel teks bersama", "cellXfs": "format sel"}


@dataclass(frozen=True)
class XlsxLimits:
    archive: ZipLimits = ZipLimits()
    # A list of 5,000 participants in 8 columns holds about 200,000 XML elements.
    max_elements: int = 500_000
    # Cells in a row, rows in a sheet, strings in the shared table, formats in the style sheet.
    max_children: int = 60_000


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Counter:
    """Count elements and each open element's children; refuse past the limits or on a DTD."""

    def __init__(self, limits: XlsxLimits, label: str) -> None:
        self.limits, self.label = limits, label
        self.elements = 0
        self.children: list[int] = []
        self.names: list[str] = []

    def start(self, name: str, attributes: object) -> None:
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise _Refused(f"{self.label} berisi lebih dari {self.limits.max_elements} unsur XML; "
                           "simpan ulang hanya tabelnya di berkas baru.")
        if self.children:
            self.children[-1] += 1
            if self.children[-1] > self.limits.max_children:
                parent = self.names[-1]
                what = _WHAT.get(parent, f"unsur di dalam <{parent}>")
                raise _Refused(f"{self.label} ditolak: berisi lebih dari {self.limits.max_children} "
                               f"{what}.")
        self.children.append(0)
        self.names.append(name.rsplit("}", 1)[-1])

    def end(self, name: str) -> None:
        self.children.pop()
        self.names.pop()

    def doctype(self, *args: object) -> None:
        raise _Refused(f"{self.label} ditolak: berisi deklarasi DTD, yang tidak pernah ada di "
                       "berkas Excel.")


def check_xlsx(data: bytes, limits: XlsxLimits = XlsxLimits(), label: str = "Berkas XLSX") -> None:
    """Raise ZipRefused unless data is a ZIP whose XML parts stay within limits."""
    check_zip(data, limits.archive, label)
    counter = _Counter(limits, label)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                with archive.open(member) as stream:
                    _scan(stream, counter)
    except _Refused as exc:
        raise ZipRefused(exc.message) from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a damaged stream: check_zip passed only headers
        raise ZipRefused(f"{label} rusak (arsip ZIP tidak dapat dibaca).") from exc


def _scan(stream: IO[bytes], counter: _Counter) -> None:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.StartDoctypeDeclHandler = counter.doctype
    parser.EntityDeclHandler = counter.doctype
    counter.children, counter.names = [], []
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return  # not XML (an image) or broken XML: no reader builds more of it than was counted
