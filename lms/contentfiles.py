"""Helpers shared by the content parsers: errors with file and line, TOML with positions."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def parse_toml(text: str, path: str, line_offset: int = 0) -> tuple[dict[str, Any] | None, list[ContentError]]:
    """Parse TOML text, reporting a syntax error with its line."""
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_POSITION.search(str(exc))
        line = int(match.group(1)) + line_offset if match else line_offset
        message = _TOML_POSITION.sub("", str(exc)).strip()
        return None, [ContentError(path, line, f"TOML tidak valid: {message}")]


def key_line(text: str, key: str, start: int = 1, line_offset: int = 0) -> int:
    """Return the line where `key = ...` is written at or after line start (tomllib gives none)."""
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and pattern.match(line):
            return number + line_offset
    return start + line_offset if start > 1 else line_offset or 1


def unknown_keys(data: dict[str, Any], allowed: Iterable[str], text: str, path: str,
                 start: int = 1, line_offset: int = 0) -> list[ContentError]:
    """Report every key of data that is not allowed, with the line it stands on."""
    known = set(allowed)
    return [ContentError(path, key_line(text, key, start, line_offset),
                         f"kunci \"{key}\" tidak dikenal (salah ketik?); yang dikenal: "
                         f"{', '.join(sorted(known))}")
            for key in data if key not in known]


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class SyncReport:
    """What a catalog sync did, by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    def summary(self) -> str:
        return (f"{len(self.created)} baru, {len(self.updated)} diperbarui, {len(self.unchanged)} tetap, "
                f"{len(self.retired)} dipensiunkan")


def sync_rows(existing: dict[str, Any], definitions: Iterable[Any], create: Callable[[Any], Any],
              apply: Callable[[Any, Any], None], retire: Callable[[Any], None]) -> SyncReport:
    """Upsert catalog rows keyed by slug from definitions; retire rows whose files are gone.

    A row whose content hash is unchanged (and is not retired) is left alone, so a second sync
    changes nothing. Rows are never deleted: attempts, progress and certificates point to them.
    """
    report = SyncReport()
    remaining = dict(existing)
    for definition in definitions:
        row = remaining.pop(definition.slug, None)
        if row is None:
            row = create(definition)
            report.created.append(definition.slug)
        elif row.content_hash == definition.content_hash and row.retired_at is None:
            report.unchanged.append(definition.slug)
            continue
        else:
            report.updated.append(definition.slug)
        apply(row, definition)
    for row in remaining.values():
        if row.retired_at is None:
            retire(row)
            report.retired.append(row.slug)
    return report
