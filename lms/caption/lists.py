"""Read Cek Caption's word lists (courses/jargon.toml, courses/kamus.toml): pure, no Flask."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lms.contentfiles import ContentError, key_line, parse_toml

JARGON_FILE = "jargon.toml"
KAMUS_FILE = "kamus.toml"
# Each table of jargon.toml: the kind of finding it gives, and whether it is certain.
JARGON_TABLES = {"asing": "jargon", "dinas": "jargon", "tidak_baku": "ejaan", "singkatan_pesan": "singkatan",
                 "singkatan_dinas": "singkatan"}
WORD_LISTS = ("umum", "istilah", "opd", "gelar", "tempat", "glosarium")
KAMUS_KEYS = (*WORD_LISTS, "singkatan_umum")
_TERM = re.compile(r"^[a-z0-9][a-z0-9'’.-]*(?: [a-z0-9'’.-]+)*$")
_WORD = re.compile(r"^[a-z][a-z0-9'’]*(?:-[a-z0-9'’]+)*$")
_ABBREVIATION = re.compile(r"^[A-Z0-9]{2,}(?:-[A-Za-z0-9]+)?$")


@dataclass(frozen=True)
class Term:
    """One entry of jargon.toml: the term, what to write instead, and its table."""

    term: str
    replacement: str
    table: str


@dataclass
class WordLists:
    """Everything Cek Caption reads from courses/: terms to flag and words to accept."""

    terms: list[Term] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    abbreviations: set[str] = field(default_factory=set)


def load(root: Path) -> tuple[WordLists, list[ContentError]]:
    """Read both files under root (a missing file is an empty list); return the lists and every error."""
    lists = WordLists()
    errors = load_jargon(root / JARGON_FILE, lists) + load_kamus(root / KAMUS_FILE, lists)
    jargon = {t.term for t in lists.terms}
    path = root / KAMUS_FILE
    errors += [ContentError(str(path), _string_line(path, word), f"\"{word}\" juga tercantum di {JARGON_FILE}; "
                            "hapus dari salah satu") for word in sorted(lists.words & jargon)]
    return lists, errors


def _read(path: Path) -> tuple[str, dict[str, Any] | None, list[ContentError]]:
    if not path.is_file():
        return "", {}, []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "", None, [ContentError(str(path), 0, "berkas harus berenkode UTF-8")]
    data, errors = parse_toml(text, str(path))
    return text, data, errors


def load_jargon(path: Path, lists: WordLists) -> list[ContentError]:
    """Add the terms of jargon.toml to lists; return its errors with their lines."""
    text, data, errors = _read(path)
    if data is None:
        return errors
    seen: dict[str, str] = {}
    for table, entries in data.items():
        if table not in JARGON_TABLES or not isinstance(entries, dict):
            errors.append(ContentError(str(path), _table_line(text, table),
                                       f"tabel \"{table}\" tidak dikenal; yang dikenal: {', '.join(JARGON_TABLES)}"))
            continue
        start = _table_line(text, table)
        for term, replacement in entries.items():
            problem = _term_problem(term, replacement, seen)
            if problem:
                errors.append(ContentError(str(path), key_line(text, term, start), problem))
                continue
            seen[term] = table
            lists.terms.append(Term(term, replacement.strip(), table))
    return errors


def _term_problem(term: str, replacement: Any, seen: dict[str, str]) -> str | None:
    if not _TERM.match(term):
        return f"istilah \"{term}\" harus huruf kecil (huruf, angka, tanda hubung, apostrof, satu spasi antarkata)"
    if not isinstance(replacement, str) or not replacement.strip():
        return f"gantinya \"{term}\" harus teks yang tidak kosong"
    if replacement.strip().lower() == term:
        return f"gantinya \"{term}\" sama dengan istilahnya"
    if term in seen:
        return f"istilah \"{term}\" sudah tercantum di tabel [{seen[term]}]"
    return None


def load_kamus(path: Path, lists: WordLists) -> list[ContentError]:
    """Add the accepted words and abbreviations of kamus.toml to lists; return its errors."""
    text, data, errors = _read(path)
    if data is None:
        return errors
    for key, values in data.items():
        line = key_line(text, key)
        if key not in KAMUS_KEYS:
            errors.append(ContentError(str(path), line, f"kunci \"{key}\" tidak dikenal; yang dikenal: "
                                                        f"{', '.join(KAMUS_KEYS)}"))
        elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            errors.append(ContentError(str(path), line, f"\"{key}\" harus daftar teks, mis. [\"kata\", \"kata\"]"))
        elif key == "singkatan_umum":
            errors += _add(path, values, _ABBREVIATION, lists.abbreviations, set(),
                           "singkatan \"{}\" harus huruf besar (boleh angka dan satu tanda hubung)")
        else:
            errors += _add(path, values, _WORD, lists.words, lists.words,
                           "\"{}\" harus satu kata huruf kecil (tanda hubung boleh)")
    return errors


def _add(path: Path, values: list[str], pattern: re.Pattern[str], target: set[str], seen: set[str],
         problem: str) -> list[ContentError]:
    errors = []
    for value in values:
        if not pattern.match(value):
            errors.append(ContentError(str(path), _string_line(path, value), problem.format(value)))
        elif value in seen:
            errors.append(ContentError(str(path), _string_line(path, value, second=True),
                                       f"\"{value}\" sudah tercantum sebelumnya"))
        else:
            target.add(value)
    return errors


def _table_line(text: str, table: str) -> int:
    pattern = re.compile(rf"^\s*\[\s*\"?{re.escape(table)}\"?\s*\]")
    return next((n for n, line in enumerate(text.splitlines(), start=1) if pattern.match(line)), 1)


def _string_line(path: Path, value: str, second: bool = False) -> int:
    """Return the line of the first (or second) quoted occurrence of value: tomllib gives no lines."""
    needle = f'"{value}"'
    found = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for _ in range(line.count(needle))]
    return found[1] if second and len(found) > 1 else (found[0] if found else 0)


@lru_cache(maxsize=8)
def _cached(root: str, stamps: tuple[int, int]) -> WordLists:
    lists, _ = load(Path(root))
    return lists


def cached(root: Path) -> WordLists:
    """Return root's lists, read again only when either file changed (one stat per file per call)."""
    stamps = tuple(p.stat().st_mtime_ns if p.is_file() else 0 for p in (root / JARGON_FILE, root / KAMUS_FILE))
    return _cached(str(root), stamps)  # type: ignore[arg-type]
