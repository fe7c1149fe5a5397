"""Cek Caption: check an OPD's social-media caption offline, in Bahasa Indonesia (pure: no Flask).

    from lms.caption import check
    for finding in check(text, platform="instagram"):
        print(finding.as_line())

Each finding names its kind (unsur, ejaan, jargon, singkatan, angka, tagar, panjang), where it is
(line, column, and the span start:end in the normalised text), a one-line reason in Indonesian,
how sure it is ("salah" only where a listed word or a count decides; "perlu dicek" for every
heuristic), and the lesson section that teaches the rule.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from lms.caption import lists as word_lists
from lms.caption import numbers, post, speller, words
from lms.caption.model import KINDS, Finding, LessonRef, Raw, Text

__all__ = ["KINDS", "MAX_CHECKED", "PLATFORMS", "Finding", "LessonRef", "check", "clear_caches", "default_lists",
           "normalise"]

PLATFORMS = post.PLATFORMS
# Past this many characters only the length is checked: a longer text is no caption, and the
# word checks grow with it.
MAX_CHECKED = 10_000
DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "courses"


def normalise(text: str) -> str:
    """Return text as it is checked: line breaks as \\n, Unicode in composed form (NFC)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def default_lists() -> word_lists.WordLists:
    """Return the word lists of the repository's courses/ folder."""
    return word_lists.cached(DEFAULT_ROOT)


def clear_caches() -> None:
    """Forget every word looked up so far (the benchmark measures cold checks with it)."""
    speller.clear_caches()
    words.clear_caches()


def check(text: str, platform: str = "instagram", lists: word_lists.WordLists | None = None) -> list[Finding]:
    """Check a caption; return its findings in reading order. Spans refer to normalise(text)."""
    text = normalise(text)
    platform = platform if platform in PLATFORMS else "instagram"
    doc = Text(text[:MAX_CHECKED], lists if lists is not None else default_lists(), platform)
    loud_findings, loud = words.shouting_lines(doc)
    raw: list[Raw] = [*post.length(text, platform), *post.unsur(doc), *post.hashtags(doc),
                      *numbers.check(doc), *words.terms(doc), *loud_findings]
    for item in raw:
        if item.kind == "angka":  # "jam 8", "17/7": the spelling check leaves their words alone
            doc.take(item.start, item.end)
    raw += [*words.abbreviations(doc, loud), *words.spelling(doc, loud)]
    order = {kind: index for index, kind in enumerate(KINDS)}
    raw.sort(key=lambda r: (r.start, order[r.kind]))
    return [_finding(doc, text, item) for item in raw]


def _finding(doc: Text, text: str, item: Raw) -> Finding:
    line, column = doc.position(item.start) if item.start < len(doc.text) else _position(text, item.start)
    return Finding(kind=item.kind, line=line, column=column, start=item.start, end=item.end,
                   excerpt=text[item.start:item.end][:80], message=item.message, certainty=item.certainty,
                   lesson=item.lesson)


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
