"""A report as a list of typed elements, laid out alike by the PDF and the DOCX writers: pure.

The content (which sections, which tables, which numbers) is decided once, when the element list
is built; each writer only lays the elements out, so the PDF and the DOCX never differ in what
they say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lms.reports.narrative import Block


@dataclass(frozen=True)
class Letterhead:
    """The kop surat: the institution's logo, name and address."""

    name: str
    address: str
    logo: bytes | None = None


@dataclass(frozen=True)
class Cover:
    title: str  # "LAPORAN PELAKSANAAN KEGIATAN"
    subject: str  # the training's title
    lines: tuple[str, ...]  # dates, venue
    institution: str
    year: int


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a chapter ("BAB I"), 2: a section ("A. Latar Belakang"), 3: a sub-heading


@dataclass(frozen=True)
class Text:
    text: str
    style: str = "body"  # "body", "note" (a section without data says so), "caption"


@dataclass(frozen=True)
class Narrative:
    """Markdown edited in the app, as sanitised blocks."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    align: str = ""  # one letter per column: l, c, r (default l)
    total: bool = False  # the last row is a total, set in bold
    caption: str = ""
    small: bool = False


@dataclass(frozen=True)
class Pairs:
    """Label-value lines ("Tempat : Hotel ...")."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Chart:
    """A ReportLab Drawing from lms.charts, with its caption; its numbers are in a Table beside it."""

    drawing: Any
    caption: str


@dataclass(frozen=True)
class Photo:
    data: bytes
    width: int
    height: int
    caption: str


@dataclass(frozen=True)
class Photos:
    photos: tuple[Photo, ...]


@dataclass(frozen=True)
class Signature:
    place: str
    day: date
    title: str
    name: str
    pangkat: str = ""
    nip: str = ""
    lead: str = ""  # "Kepala Dinas ...," above the title, e.g. "Mengetahui,"


@dataclass(frozen=True)
class PageBreak:
    pass


Element = Heading | Text | Narrative | Table | Pairs | Chart | Photos | Signature | PageBreak


@dataclass
class Report:
    letterhead: Letterhead
    cover: Cover
    title: str  # the document's metadata title
    elements: list[Element] = field(default_factory=list)

    def headings(self) -> list[str]:
        return [e.text for e in self.elements if isinstance(e, Heading)]
