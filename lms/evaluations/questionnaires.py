"""Questionnaire files in quizzes/evaluasi/*.toml: Likert and free-text items in sections.

Read from the files on demand (they are small and reviewed like the quizzes); answers keep the
questionnaire's slug and the item's id, so editing one item never disturbs the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.contentfiles import SLUG, ContentError, key_line, parse_toml, unknown_keys

FOLDER = "evaluasi"
TARGETS = {"training": "sekali per kegiatan", "narasumber": "sekali per narasumber agenda"}
ITEM_TYPES = ("likert", "text")
SCALES = (4, 5)
TOP_KEYS = ("title", "description", "target", "scale", "labels", "sections")
SECTION_KEYS = ("title", "items")
ITEM_KEYS = ("id", "type", "text", "required")
_ITEM_ID = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    text: str
    required: bool


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Questionnaire:
    slug: str
    title: str
    description: str
    target: str
    scale: int
    labels: tuple[str, ...]
    sections: tuple[Section, ...]
    source: str = ""

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def likert_items(self) -> list[Item]:
        return [item for item in self.items if item.type == "likert"]

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass
class _Lines:
    """The line of each [[sections]] and [[sections.items]] header, in file order."""

    sections: list[int] = field(default_factory=list)
    items: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> _Lines:
        lines = cls()
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped == "[[sections]]":
                lines.sections.append(number)
            elif stripped == "[[sections.items]]":
                lines.items.append(number)
        return lines


def load_file(path: Path) -> tuple[Questionnaire | None, list[ContentError]]:
    """Parse and check one questionnaire file; errors carry file and line."""
    where = str(path)
    text = path.read_text(encoding="utf-8")
    data, errors = parse_toml(text, where)
    if data is None:
        return None, errors
    if not SLUG.match(path.stem):
        errors.append(ContentError(where, 1, f"nama berkas \"{path.stem}\" harus huruf kecil, angka dan tanda hubung"))
    errors += unknown_keys(data, TOP_KEYS, text, where)
    lines = _Lines.of(text)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(ContentError(where, 1, "judul (title) wajib diisi"))
    target = data.get("target")
    if target not in TARGETS:
        errors.append(ContentError(where, _line_of(text, "target"),
                                   f"target \"{target}\" tidak dikenal; pilih training atau narasumber"))
    scale = data.get("scale")
    if scale not in SCALES:
        errors.append(ContentError(where, _line_of(text, "scale"),
                                   f"skala Likert {scale!r} tidak didukung; gunakan 4 (1–4) atau 5 (1–5)"))
    labels = data.get("labels")
    if not isinstance(labels, list) or not all(isinstance(label, str) and label.strip() for label in labels):
        errors.append(ContentError(where, _line_of(text, "labels"),
                                   "label skala (labels) wajib diisi: satu teks untuk setiap nilai skala"))
        labels = []
    elif scale in SCALES and len(labels) != scale:
        errors.append(ContentError(where, _line_of(text, "labels"),
                                   f"skala {scale} membutuhkan {scale} label, tertulis {len(labels)}"))
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append(ContentError(where, 1, "kuesioner tanpa bagian: tambahkan [[sections]] "
                                             "dengan [[sections.items]]"))
        sections = []
    built: list[Section] = []
    seen: dict[str, int] = {}
    item_index = 0
    for s_index, section in enumerate(sections):
        s_line = lines.sections[s_index] if s_index < len(lines.sections) else 1
        if not isinstance(section, dict):
            errors.append(ContentError(where, s_line, "bagian harus berupa tabel [[sections]]"))
            continue
        errors += unknown_keys(section, SECTION_KEYS, text, where, start=s_line)
        s_title = section.get("title")
        if not isinstance(s_title, str) or not s_title.strip():
            errors.append(ContentError(where, s_line, "bagian tanpa judul (title)"))
            s_title = ""
        raw_items = section.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            errors.append(ContentError(where, s_line, f"bagian \"{s_title}\" tanpa butir ([[sections.items]])"))
            raw_items = []
        items: list[Item] = []
        for raw in raw_items:
            line = lines.items[item_index] if item_index < len(lines.items) else s_line
            item_index += 1
            item, found = _item(raw, where, text, line, seen)
            errors += found
            if item is not None:
                items.append(item)
        built.append(Section(s_title, tuple(items)))
    if errors:
        return None, errors
    return Questionnaire(slug=path.stem, title=str(title).strip(), description=str(data.get("description", "")),
                         target=str(target), scale=int(scale),  # type: ignore[arg-type]
                         labels=tuple(str(label) for label in labels), sections=tuple(built), source=where), []


def _item(raw: Any, where: str, text: str, line: int, seen: dict[str, int]) -> tuple[Item | None, list[ContentError]]:
    if not isinstance(raw, dict):
        return None, [ContentError(where, line, "butir harus berupa tabel [[sections.items]]")]
    errors = unknown_keys(raw, ITEM_KEYS, text, where, start=line)
    def at(key: str) -> int:  # the key's own line within this item, else the item's header
        return key_line(text, key, start=line) if key in raw else line

    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
        errors.append(ContentError(where, at("id"), f"id butir {item_id!r} wajib: huruf kecil, angka, garis bawah"))
    elif item_id in seen:
        errors.append(ContentError(where, at("id"),
                                   f"id \"{item_id}\" ganda (sudah dipakai di baris {seen[item_id]})"))
    else:
        seen[item_id] = at("id")
    kind = raw.get("type")
    if kind not in ITEM_TYPES:
        errors.append(ContentError(where, at("type"), f"jenis butir \"{kind}\" tidak dikenal; pilih likert atau text"))
    item_text = raw.get("text")
    if not isinstance(item_text, str) or not item_text.strip():
        errors.append(ContentError(where, at("text"), "teks butir (text) wajib diisi"))
    required = raw.get("required", kind == "likert")
    if not isinstance(required, bool):
        errors.append(ContentError(where, at("required"), "required harus true atau false"))
    if errors:
        return None, errors
    return Item(id=str(item_id), type=str(kind), text=str(item_text).strip(), required=bool(required)), []


def _line_of(text: str, key: str) -> int:
    return key_line(text, key)


def load_folder(root: Path) -> tuple[list[Questionnaire], list[ContentError]]:
    """Load quizzes/evaluasi/*.toml (a missing folder is no questionnaire, not an error)."""
    if not root.is_dir():
        return [], []
    found: list[Questionnaire] = []
    errors: list[ContentError] = []
    for path in sorted(root.glob("*.toml")):
        questionnaire, problems = load_file(path)
        errors += problems
        if questionnaire is not None:
            found.append(questionnaire)
    return found, errors


_CACHE: dict[str, tuple[float, list[Questionnaire]]] = {}


def available(quizzes_root: Path) -> list[Questionnaire]:
    """The valid questionnaires of the app, re-read when a file changes."""
    root = quizzes_root / FOLDER
    stamp = max((p.stat().st_mtime for p in root.glob("*.toml")), default=0.0) if root.is_dir() else 0.0
    cached = _CACHE.get(str(root))
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_folder(root)[0])
        _CACHE[str(root)] = cached
    return cached[1]
