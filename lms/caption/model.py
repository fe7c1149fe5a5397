"""What a caption check reports, the lessons it points to, and the text it works on."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from lms.caption.lists import WordLists

KINDS = ("unsur", "ejaan", "jargon", "singkatan", "angka", "tagar", "panjang")
KIND_LABELS = {"unsur": "Unsur wajib", "ejaan": "Ejaan", "jargon": "Jargon", "singkatan": "Singkatan",
               "angka": "Angka dan waktu", "tagar": "Tagar", "panjang": "Panjang"}
WRONG = "salah"          # a rule of the lesson is broken, beyond doubt (a listed word, a count)
CHECK = "perlu dicek"    # a heuristic: a person decides
COURSE = "caption-dan-interaksi-warganet"


@dataclass(frozen=True)
class LessonRef:
    """A section of a lesson: course slug, lesson slug, the heading's anchor and its title."""

    course: str
    lesson: str
    anchor: str
    title: str


def _ref(lesson: str, anchor: str, title: str) -> LessonRef:
    return LessonRef(COURSE, lesson, anchor, title)


UNSUR = _ref("unsur-wajib-unggahan-kegiatan", "lima-hal-yang-wajib-ada-di-unggahan-kegiatan",
             "Lima hal yang wajib ada di unggahan kegiatan")
JABATAN = _ref("unsur-wajib-unggahan-kegiatan", "menulis-nama-dan-jabatan-dengan-benar",
               "Menulis nama dan jabatan dengan benar")
EJAAN = _ref("bahasa-jelas-dan-ejaan", "ejaan-aturan-yang-paling-sering-dilanggar",
             "Ejaan: aturan yang paling sering dilanggar")
KATA_BAKU = _ref("bahasa-jelas-dan-ejaan", "kata-baku-yang-sering-tertukar", "Kata baku yang sering tertukar")
KAPITAL = _ref("bahasa-jelas-dan-ejaan", "huruf-kapital", "Huruf kapital")
KATA_DEPAN = _ref("bahasa-jelas-dan-ejaan", "kata-depan-di-dan-ke-versus-awalan-di-",
                  "Kata depan \"di\" dan \"ke\" versus awalan \"di-\"")
JARGON = _ref("bahasa-jelas-dan-ejaan", "jargon-dan-singkatan-dinas", "Jargon dan singkatan dinas")
ANGKA = _ref("bahasa-jelas-dan-ejaan", "angka-tanggal-dan-waktu", "Angka, tanggal, dan waktu")
TAGAR = _ref("anatomi-caption", "4-tagar-hashtag", "Tagar (hashtag)")
PLATFORM = _ref("anatomi-caption", "menyesuaikan-dengan-platform", "Menyesuaikan dengan platform")
LESSONS = (UNSUR, JABATAN, EJAAN, KATA_BAKU, KAPITAL, KATA_DEPAN, JARGON, ANGKA, TAGAR, PLATFORM)


@dataclass(frozen=True)
class Finding:
    """One thing to look at in a caption: where (line, column, span), why, and how sure."""

    kind: str
    line: int
    column: int
    start: int
    end: int
    excerpt: str
    message: str
    certainty: str
    lesson: LessonRef | None

    def as_line(self) -> str:
        """Return the command line's form: LINE:COLUMN: KIND: message (certainty)."""
        return f"{self.line}:{self.column}: {self.kind}: {self.message} ({self.certainty})"

    def as_dict(self) -> dict[str, object]:
        """Return the finding as JSON-ready data (the lesson as its slugs and anchor)."""
        lesson = None if self.lesson is None else {"course": self.lesson.course, "lesson": self.lesson.lesson,
                                                   "anchor": self.lesson.anchor, "title": self.lesson.title}
        return {"kind": self.kind, "line": self.line, "column": self.column, "start": self.start, "end": self.end,
                "excerpt": self.excerpt, "message": self.message, "certainty": self.certainty, "lesson": lesson}


@dataclass(frozen=True)
class Raw:
    """A finding before its line and column are known."""

    kind: str
    start: int
    end: int
    message: str
    certainty: str
    lesson: LessonRef | None


_URL = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w&])[@#][\w.]*\w")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass
class Text:
    """The caption being checked, with links, e-mail addresses, mentions and hashtags blanked out."""

    text: str
    lists: WordLists
    platform: str
    taken: list[tuple[int, int]] = field(default_factory=list)

    @cached_property
    def masked(self) -> str:
        return _URL.sub(lambda m: " " * len(m.group()), self.text)

    @cached_property
    def words(self) -> list[re.Match[str]]:
        return list(WORD.finditer(self.masked))

    @cached_property
    def line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of a character offset."""
        index = bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def take(self, start: int, end: int) -> None:
        """Claim a span, so the spelling check does not report it a second time."""
        self.taken.append((start, end))

    def is_taken(self, start: int, end: int) -> bool:
        return any(start < b and a < end for a, b in self.taken)

    def sentence_start(self, offset: int) -> bool:
        """Tell whether a word at offset opens a sentence (after . ! ?, a line break, or the start)."""
        index = offset - 1
        while index >= 0:
            char = self.masked[index]
            if char == "\n" or char in "!?":
                return True
            if char == ".":
                # 08.00 and S.E. hold dots that end nothing; "dr. Sari" and "Kab. Contoh" neither.
                inner = index + 1 < len(self.masked) and not self.masked[index + 1].isspace()
                return not inner and not (index > 0 and self.masked[index - 1].isalpha()
                                          and _abbreviation_dot(self.masked, index))
            if char.isalnum() or char in ",;:":
                return False
            index -= 1
        return True


def _abbreviation_dot(text: str, dot: int) -> bool:
    """Tell whether the dot at index ends a short abbreviation or title (dr. Sari, Kab. Contoh)."""
    start = dot
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:dot]
    return len(word) <= 3 and word[:1].isupper() or word.lower() in {"dr", "drg", "ir", "jl", "no", "kab", "kec"}
