"""Where tables and keys stand in a TOML file (tomllib gives positions only for syntax errors)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")


@dataclass(frozen=True)
class Section:
    """A TOML table: its dotted name and its lines (start is the header; 0 for the top level)."""

    name: str
    start: int
    end: int


def _header_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    in_string = False
    for number, line in enumerate(lines, start=1):
        match = None if in_string else _HEADER.match(line)
        if match:
            yield number, re.sub(r"[\s\"']", "", match.group(1))
        # A header-like line inside a multi-line string is text, not a table.
        if (line.count('"""') + line.count("'''")) % 2:
            in_string = not in_string


class SourceMap:
    """Find the line of a table or key, since tomllib reports positions only for syntax errors."""

    def __init__(self, raw: str) -> None:
        self.lines = raw.splitlines()
        headers = [(0, "")] + list(_header_lines(self.lines))
        ends = [start - 1 for start, _ in headers[1:]] + [len(self.lines)]
        self.sections = [Section(name, start, end) for (start, name), end in zip(headers, ends)]

    def top(self) -> Section:
        return self.sections[0]

    def named(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    def table(self, name: str) -> Section:
        found = self.named(name)
        return found[0] if found else self._stub(name)

    def question(self, index: int) -> Section:
        found = self.named("questions")
        return found[index] if index < len(found) else self._stub("questions")

    def child(self, index: int, name: str, position: int) -> Section:
        parent = self.question(index)
        following = [s.start for s in self.named("questions") if s.start > parent.start]
        stop = following[0] if following else len(self.lines) + 1
        kids = [s for s in self.named(name) if parent.start < s.start < stop]
        return kids[position] if position < len(kids) else parent

    def key_line(self, section: Section, key: str) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(max(section.start, 1), section.end + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return self._subtable_line(section, key)

    def _subtable_line(self, section: Section, key: str) -> int:
        # A key can also be written as its own table: [[questions.pairs]] under a question.
        name = f"{section.name}.{key}" if section.name else key
        for candidate in self.sections:
            if candidate.start > section.start and candidate.name == section.name:
                break
            if candidate.start > section.start and candidate.name == name:
                return candidate.start
        return section.start

    def _stub(self, name: str) -> Section:
        # Inline tables or arrays have no header: point at the key that holds them.
        line = self.key_line(self.top(), name.split(".")[-1])
        return Section(name, line, line)
