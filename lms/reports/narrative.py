"""Narrative Markdown as blocks of styled runs, for the PDF and the DOCX: through the one sanitiser.

The Markdown is rendered and sanitised by lms.markdown.render, the same as on the pages; the
blocks are read from that HTML, so nothing the sanitiser drops (a script, an event handler)
reaches a document. Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from lms.markdown import render


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    code: bool = False


@dataclass
class Block:
    """A paragraph, a heading (level 1-4), a list item (its marker and depth) or a table."""

    kind: str  # "p", "h", "li", "pre", "quote", "table"
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    marker: str = ""
    rows: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


_STYLE_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "code": "code",
               "kbd": "code"}
_BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "dt", "dd", "figcaption", "caption"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.styles: dict[str, int] = {"bold": 0, "italic": 0, "underline": 0, "code": 0}
        self.lists: list[list[int | None]] = []  # per open list: [next number] or [None] (bullets)
        self.quote = 0
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _STYLE_TAGS:
            self.styles[_STYLE_TAGS[tag]] += 1
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start") or "1"
            self.lists.append([int(start) if tag == "ol" and start.isdigit() else None])
        elif tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "br":
            self._text("\n")
        elif tag in _BLOCK_TAGS:
            self._open(tag)

    def _open(self, tag: str) -> None:
        if tag == "li":
            numbering = self.lists[-1] if self.lists else [None]
            marker = "•" if numbering[0] is None else f"{numbering[0]}."
            if numbering[0] is not None:
                numbering[0] += 1
            self.current = Block("li", level=len(self.lists), marker=marker)
        elif tag[0] == "h" and tag[1:].isdigit():
            self.current = Block("h", level=int(tag[1:]) - 1)
        elif tag == "pre":
            self.current = Block("pre")
        else:
            self.current = Block("quote" if self.quote else "p", level=self.quote)
        self.blocks.append(self.current)

    def handle_endtag(self, tag: str) -> None:
        if tag in _STYLE_TAGS:
            self.styles[_STYLE_TAGS[tag]] = max(0, self.styles[_STYLE_TAGS[tag]] - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.current = None
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            if self.table:
                self.table[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.blocks.append(Block("table", rows=[row for row in self.table if row]))
            self.table = None
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag in _BLOCK_TAGS:
            self.current = None

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.table is not None:
            return
        if self.current is None:
            if not data.strip():
                return
            # Loose text (inside a list item after a nested list, a bare div) becomes its own paragraph.
            self.current = Block("p")
            self.blocks.append(self.current)
        if self.current.kind != "pre":
            data = " ".join(data.split("\n")) if data != "\n" else data
        self.current.runs.append(Run(data, bold=self.styles["bold"] > 0, italic=self.styles["italic"] > 0,
                                     underline=self.styles["underline"] > 0, code=self.styles["code"] > 0))


def blocks(markdown_text: str) -> list[Block]:
    """Return the sanitised Markdown as blocks, empty ones dropped."""
    reader = _Reader()
    reader.feed(str(render(markdown_text)))
    reader.close()
    found = []
    for block in reader.blocks:
        if block.kind == "table" and block.rows:
            found.append(block)
        elif block.kind != "table" and block.text.strip():
            _trim(block)
            found.append(block)
    return found


def _trim(block: Block) -> None:
    if block.kind == "pre":
        return
    if block.runs:
        first, last = block.runs[0], block.runs[-1]
        block.runs[0] = Run(first.text.lstrip(), first.bold, first.italic, first.underline, first.code)
        last = block.runs[-1]
        block.runs[-1] = Run(last.text.rstrip(), last.bold, last.italic, last.underline, last.code)
