"""Quiz definitions: the data model, JSON snapshots, and the loader for quiz files (pure Python).

A quiz is `quizzes/<slug>.toml` (settings plus `[[questions]]`, or settings plus
`questions_from = "<file>.gift"` naming a GIFT file beside it), or a bare `quizzes/<slug>.gift`
with default settings. Loading never raises on bad content: it returns every problem as a
line-numbered ContentError so an author can fix them all in one pass.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

from lms.contentfiles import SLUG, ContentError, parse_toml

__all__ = [
    "Answer", "ContentError", "Pair", "Question", "QuizDefinition", "QuizSettings", "ReviewPolicy",
    "load_quiz", "load_quizzes", "numeric_answer_text", "question_from_snapshot",
    "question_problems", "question_to_snapshot", "settings_to_snapshot", "weight_fraction",
]

QUESTION_TYPES = ("single", "multiple", "truefalse", "short", "numerical", "matching",
                  "missingword")
TEXT_FORMATS = ("markdown", "html", "plain")
KINDS = ("practice", "pretest", "posttest")
GRADINGS = ("highest", "last", "first", "average")
REVIEW_ITEMS = ("score", "correctness", "answers", "feedback")
BLANK = "{_}"
CATCH_ALL = "*"
# Question ids are stored with each saved response, in a column of this width.
MAX_ID_LENGTH = 120
# Moodle exports weights rounded to 7 digits (33.33333 for a third); within this distance of a
# fraction with a small denominator the weight is taken to mean that fraction, so thirds add up
# to exactly 100 %.
_SNAP_TOLERANCE = Fraction(1, 10**6)
_SNAP_DENOMINATOR = 20


@dataclass(frozen=True)
class Answer:
    """One answer option; `fraction` is the share of the points it earns (may be negative)."""

    id: str
    text: str
    fraction: Fraction
    feedback: str = ""
    value: Decimal | None = None
    tolerance: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class Pair:
    """One matching pair; an empty `left` makes `right` a distractor."""

    id: str
    left: str
    right: str


@dataclass(frozen=True)
class Question:
    """One gradable question, as read from TOML or GIFT."""

    id: str
    type: str
    text: str
    text_format: str = "markdown"
    points: Fraction = Fraction(1)
    answers: tuple[Answer, ...] = ()
    pairs: tuple[Pair, ...] = ()
    general_feedback: str = ""
    correct_bool: bool | None = None
    feedback_true: str = ""
    feedback_false: str = ""
    line: int = 0


@dataclass(frozen=True)
class ReviewPolicy:
    """What a participant may see of a finished attempt, after submitting and after closing."""

    after_submit: frozenset[str]
    after_close: frozenset[str]


DEFAULT_REVIEW = ReviewPolicy(after_submit=frozenset({"score", "correctness", "feedback"}),
                              after_close=frozenset(REVIEW_ITEMS))


@dataclass(frozen=True)
class QuizSettings:
    """Everything about a quiz except its questions."""

    title: str
    description: str = ""
    kind: str = "practice"
    course: str | None = None
    pass_mark: Fraction = Fraction(70)
    attempts: int = 0
    time_limit_minutes: int = 0
    grace_seconds: int = 60
    grading: str = "highest"
    shuffle_questions: bool = False
    shuffle_answers: bool = False
    draw: int = 0
    review: ReviewPolicy = DEFAULT_REVIEW
    open_at: datetime | None = None
    close_at: datetime | None = None
    pretest: str | None = None


@dataclass(frozen=True)
class QuizDefinition:
    """A loaded, valid quiz: its slug, settings, questions and the file it came from."""

    slug: str
    settings: QuizSettings
    questions: tuple[Question, ...]
    source: str

    @property
    def content_hash(self) -> str:
        """Return the sha256 hex of the canonical settings and questions (not of positions)."""
        questions = [question_to_snapshot(q) for q in self.questions]
        for snapshot in questions:
            del snapshot["line"]  # moving a question within its file does not change the quiz
        payload = {"settings": settings_to_snapshot(self.settings), "questions": questions}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --- snapshots ----------------------------------------------------------------------------------

def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _answer_to_snapshot(answer: Answer) -> dict[str, Any]:
    return {"id": answer.id, "text": answer.text, "fraction": _fraction_text(answer.fraction),
            "feedback": answer.feedback, "value": _decimal_text(answer.value),
            "tolerance": _decimal_text(answer.tolerance), "low": _decimal_text(answer.low),
            "high": _decimal_text(answer.high)}


def _answer_from_snapshot(data: dict[str, Any]) -> Answer:
    return Answer(id=data["id"], text=data["text"], fraction=Fraction(data["fraction"]),
                  feedback=data["feedback"], value=_decimal_or_none(data["value"]),
                  tolerance=_decimal_or_none(data["tolerance"]), low=_decimal_or_none(data["low"]),
                  high=_decimal_or_none(data["high"]))


def question_to_snapshot(q: Question) -> dict[str, Any]:
    """Return the question as JSON-safe data (fractions as "n/d", decimals as strings)."""
    return {"id": q.id, "type": q.type, "text": q.text, "text_format": q.text_format,
            "points": _fraction_text(q.points),
            "answers": [_answer_to_snapshot(a) for a in q.answers],
            "pairs": [{"id": p.id, "left": p.left, "right": p.right} for p in q.pairs],
            "general_feedback": q.general_feedback, "correct_bool": q.correct_bool,
            "feedback_true": q.feedback_true, "feedback_false": q.feedback_false, "line": q.line}


def question_from_snapshot(d: dict[str, Any]) -> Question:
    """Rebuild the exact question that question_to_snapshot wrote."""
    return Question(id=d["id"], type=d["type"], text=d["text"], text_format=d["text_format"],
                    points=Fraction(d["points"]),
                    answers=tuple(_answer_from_snapshot(a) for a in d["answers"]),
                    pairs=tuple(Pair(p["id"], p["left"], p["right"]) for p in d["pairs"]),
                    general_feedback=d["general_feedback"], correct_bool=d["correct_bool"],
                    feedback_true=d["feedback_true"], feedback_false=d["feedback_false"],
                    line=d["line"])


def settings_to_snapshot(settings: QuizSettings) -> dict[str, Any]:
    """Return the settings as JSON-safe data (fractions as "n/d", datetimes in ISO 8601)."""
    data: dict[str, Any] = {}
    for name, value in vars(settings).items():
        if isinstance(value, Fraction):
            value = _fraction_text(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, ReviewPolicy):
            value = {"after_submit": sorted(value.after_submit),
                     "after_close": sorted(value.after_close)}
        data[name] = value
    return data


# --- rules shared by TOML and GIFT --------------------------------------------------------------

def weight_fraction(percent: Decimal) -> Fraction:
    """Turn a percent weight into a fraction, reading Moodle's 33.33333 as exactly 1/3."""
    exact = Fraction(percent) / 100
    near = exact.limit_denominator(_SNAP_DENOMINATOR)
    return near if abs(exact - near) <= _SNAP_TOLERANCE else exact


def numeric_answer_text(value: Decimal | None, tolerance: Decimal | None,
                        low: Decimal | None, high: Decimal | None) -> str:
    """Describe a numerical answer for people: "17", "3 ± 0.05" or "1 .. 5"."""
    if low is not None and high is not None:
        return f"{low} .. {high}"
    if value is None:
        return CATCH_ALL
    return f"{value} ± {tolerance}" if tolerance else f"{value}"


def _percent_text(value: Fraction) -> str:
    percent = value * 100
    if percent.denominator == 1:
        return str(percent.numerator)
    return f"{float(percent):.4g}"


def _common_problems(q: Question) -> list[str]:
    problems = []
    if q.type not in QUESTION_TYPES:
        problems.append(f"jenis pertanyaan \"{q.type}\" tidak dikenal; "
                        f"pilihan: {', '.join(QUESTION_TYPES)}")
    if len(q.id) > MAX_ID_LENGTH:
        problems.append(f"id pertanyaan terlalu panjang ({len(q.id)} karakter, "
                        f"paling banyak {MAX_ID_LENGTH})")
    if not q.text.strip():
        problems.append("teks pertanyaan kosong")
    if q.text_format not in TEXT_FORMATS:
        problems.append(f"format teks \"{q.text_format}\" tidak dikenal; "
                        f"pilihan: {', '.join(TEXT_FORMATS)}")
    if q.points <= 0:
        problems.append("poin pertanyaan harus lebih dari 0")
    if any(not -1 <= a.fraction <= 1 for a in q.answers):
        problems.append("bobot jawaban harus antara -100 dan 100")
    return problems


def _empty_answer_problems(q: Question) -> list[str]:
    return [f"teks jawaban ke-{n} kosong"
            for n, a in enumerate(q.answers, start=1) if not a.text.strip()]


def _choice_problems(q: Question) -> list[str]:
    problems = _empty_answer_problems(q)
    if len(q.answers) < 2:
        problems.append("pertanyaan pilihan memerlukan minimal dua jawaban")
    correct = sum(1 for a in q.answers if a.fraction == 1)
    if correct == 0:
        problems.append("tidak ada jawaban benar (bobot 100)")
    elif correct > 1:
        problems.append(f"ada {correct} jawaban benar; pertanyaan ini hanya boleh memiliki satu "
                        "(gunakan jenis \"multiple\" untuk beberapa jawaban benar)")
    blanks = q.text.count(BLANK)
    if q.type == "missingword" and blanks != 1:
        problems.append(f"teks pertanyaan isian harus memuat tepat satu penanda {BLANK}; "
                        f"ditemukan {blanks}")
    return problems


def _multiple_problems(q: Question) -> list[str]:
    problems = _empty_answer_problems(q)
    if len(q.answers) < 2:
        problems.append("pertanyaan pilihan memerlukan minimal dua jawaban")
    positive = sum((a.fraction for a in q.answers if a.fraction > 0), Fraction(0))
    if positive != 1:
        problems.append("jumlah bobot positif harus tepat 100 agar nilai penuh dapat dicapai; "
                        f"saat ini {_percent_text(positive)}")
    return problems


def _full_credit_problems(q: Question) -> list[str]:
    if not q.answers:
        return ["pertanyaan tidak memiliki jawaban"]
    if not any(a.fraction == 1 for a in q.answers):
        return ["harus ada minimal satu jawaban dengan bobot 100"]
    return []


def _short_problems(q: Question) -> list[str]:
    return _empty_answer_problems(q) + _full_credit_problems(q)


def _numerical_problems(q: Question) -> list[str]:
    problems = _full_credit_problems(q)
    for n, answer in enumerate(q.answers, start=1):
        has_range = answer.low is not None and answer.high is not None
        if answer.value is None and not has_range and answer.text != CATCH_ALL:
            problems.append(f"jawaban numerik ke-{n} tidak memiliki nilai")
    return problems


def _matching_problems(q: Question) -> list[str]:
    real = sum(1 for p in q.pairs if p.left.strip())
    problems = [f"pasangan ke-{n} tidak memiliki jawaban kanan"
                for n, p in enumerate(q.pairs, start=1) if not p.right.strip()]
    if real < 2:
        problems.append("pertanyaan menjodohkan memerlukan minimal dua pasangan (kiri tidak "
                        f"kosong); ditemukan {real}")
    return problems


def _truefalse_problems(q: Question) -> list[str]:
    return ["jawaban benar/salah belum ditentukan"] if q.correct_bool is None else []


_TYPE_PROBLEMS: dict[str, Callable[[Question], list[str]]] = {
    "single": _choice_problems, "missingword": _choice_problems, "multiple": _multiple_problems,
    "short": _short_problems, "numerical": _numerical_problems, "matching": _matching_problems,
    "truefalse": _truefalse_problems,
}


def question_problems(q: Question) -> list[str]:
    """Return what keeps a question from being graded fairly, as messages for its author."""
    check = _TYPE_PROBLEMS.get(q.type)
    return _common_problems(q) + (check(q) if check else [])


# --- where things stand in a TOML file ----------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")


@dataclass(frozen=True)
class _Section:
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


class _SourceMap:
    """Find the line of a table or key, since tomllib reports positions only for syntax errors."""

    def __init__(self, raw: str) -> None:
        self.lines = raw.splitlines()
        headers = [(0, "")] + list(_header_lines(self.lines))
        ends = [start - 1 for start, _ in headers[1:]] + [len(self.lines)]
        self.sections = [_Section(name, start, end) for (start, name), end in zip(headers, ends)]

    def top(self) -> _Section:
        return self.sections[0]

    def named(self, name: str) -> list[_Section]:
        return [s for s in self.sections if s.name == name]

    def table(self, name: str) -> _Section:
        found = self.named(name)
        return found[0] if found else self._stub(name)

    def question(self, index: int) -> _Section:
        found = self.named("questions")
        return found[index] if index < len(found) else self._stub("questions")

    def child(self, index: int, name: str, position: int) -> _Section:
        parent = self.question(index)
        following = [s.start for s in self.named("questions") if s.start > parent.start]
        stop = following[0] if following else len(self.lines) + 1
        kids = [s for s in self.named(name) if parent.start < s.start < stop]
        return kids[position] if position < len(kids) else parent

    def key_line(self, section: _Section, key: str) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(max(section.start, 1), section.end + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return self._subtable_line(section, key)

    def _subtable_line(self, section: _Section, key: str) -> int:
        # A key can also be written as its own table: [[questions.pairs]] under a question.
        name = f"{section.name}.{key}" if section.name else key
        for candidate in self.sections:
            if candidate.start > section.start and candidate.name == section.name:
                break
            if candidate.start > section.start and candidate.name == name:
                return candidate.start
        return section.start

    def _stub(self, name: str) -> _Section:
        # Inline tables or arrays have no header: point at the key that holds them.
        line = self.key_line(self.top(), name.split(".")[-1])
        return _Section(name, line, line)


# --- reading a TOML quiz ------------------------------------------------------------------------

Table = dict[str, Any]
Loaded = tuple[QuizDefinition | None, list[ContentError], list[ContentError]]

_REQUIRED: Any = object()
_TOP_KEYS = frozenset({
    "title", "description", "kind", "course", "pass_mark", "attempts", "time_limit_minutes",
    "grace_seconds", "grading", "shuffle_questions", "shuffle_answers", "draw", "pretest",
    "open_at", "close_at", "questions_from", "review", "questions"})
_REVIEW_KEYS = frozenset({"after_submit", "after_close"})
_QUESTION_KEYS = frozenset({"id", "type", "text", "points", "general_feedback", "text_format"})
_TYPE_KEYS = {
    "single": {"answers"}, "missingword": {"answers"}, "multiple": {"answers"},
    "short": {"answers"}, "numerical": {"answers"}, "matching": {"pairs"},
    "truefalse": {"answer", "feedback_true", "feedback_false"},
}
_ANSWER_KEYS = {
    "single": {"text", "correct", "feedback"}, "missingword": {"text", "correct", "feedback"},
    "multiple": {"text", "weight", "feedback"}, "short": {"text", "weight", "feedback"},
    "numerical": {"value", "tolerance", "min", "max", "weight", "feedback"},
}
_ALL_QUESTION_KEYS = _QUESTION_KEYS.union(*_TYPE_KEYS.values())
_ALL_ANSWER_KEYS = frozenset().union(*_ANSWER_KEYS.values())
_PAIR_KEYS = frozenset({"left", "right"})
_DATETIME_EXAMPLE = "misalnya 2025-03-01T08:00:00+08:00"
_BOTH_NUMERIC_FORMS = "gunakan \"value\" (dengan \"tolerance\") atau \"min\" dan \"max\""


class _Scope:
    """One TOML table and its place in the file: typed reads that report line-numbered errors."""

    def __init__(self, table: Table, section: _Section, reader: _TomlReader) -> None:
        self.table = table
        self.section = section
        self.reader = reader

    def fail(self, key: str | None, message: str) -> None:
        self.reader.fail(self.section, key, message)

    def value(self, key: str, kinds: tuple[type, ...], noun: str, default: Any) -> Any:
        if key not in self.table:
            if default is _REQUIRED:
                self.fail(key, f"kunci \"{key}\" wajib diisi")
                return None
            return default
        value = self.table[key]
        # bool is an int in Python, but `attempts = true` is a mistake all the same.
        if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
            self.fail(key, f"nilai \"{key}\" harus berupa {noun}")
            return None if default is _REQUIRED else default
        return value

    def string(self, key: str, default: Any = _REQUIRED, allow_empty: bool = False) -> Any:
        value = self.value(key, (str,), "teks", default)
        blank = isinstance(value, str) and not value.strip()
        if blank and default is _REQUIRED and not allow_empty:
            self.fail(key, f"nilai \"{key}\" tidak boleh kosong")
        return value.strip() if isinstance(value, str) else value

    def integer(self, key: str, default: int) -> int:
        value = self.value(key, (int,), "bilangan bulat", default)
        if value < 0:
            self.fail(key, f"nilai \"{key}\" tidak boleh negatif")
            return default
        return int(value)

    def flag(self, key: str, default: Any) -> Any:
        return self.value(key, (bool,), "true atau false", default)

    def number(self, key: str, default: Any) -> Any:
        value = self.value(key, (int, float), "angka", default)
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(key, f"nilai \"{key}\" harus berupa angka")
            return None if default is _REQUIRED else default
        # str(float) is the shortest exact spelling: 0.05 stays 0.05, not 0.05000000000000000277.
        return Decimal(str(value)) if isinstance(value, (int, float)) else value

    def choice(self, key: str, options: tuple[str, ...], default: Any) -> Any:
        value = self.string(key, default)
        if value is not None and value not in options:
            self.fail(key, f"nilai \"{key}\" tidak dikenal: \"{value}\"; "
                           f"pilihan: {', '.join(options)}")
            return None if default is _REQUIRED else default
        return value

    def slug(self, key: str) -> str | None:
        value = self.string(key, None)
        if value is not None and not SLUG.match(value):
            self.fail(key, f"nilai \"{key}\" harus berupa slug: huruf kecil, angka, dan tanda "
                           "hubung")
        return value

    def check_keys(self, known: frozenset[str], allowed: frozenset[str], qtype: str = "") -> None:
        for key in self.table:
            if key not in known:
                self.fail(key, f"kunci \"{key}\" tidak dikenal (salah ketik?); "
                               f"yang dikenal: {', '.join(sorted(allowed))}")
            elif key not in allowed:
                self.fail(key, f"kunci \"{key}\" tidak berlaku untuk pertanyaan jenis \"{qtype}\"")

    def tables(self, key: str) -> list[Table]:
        items = self.table.get(key)
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            self.fail(key, f"kunci \"{key}\" wajib diisi dengan tabel [[questions.{key}]]")
            return []
        return items


class _TomlReader:
    """Read one quiz TOML file, collecting line-numbered errors instead of raising."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.source = _SourceMap(raw)
        self.errors: list[ContentError] = []
        self.skipped: list[ContentError] = []
        self.question_count = 0

    def fail(self, section: _Section, key: str | None, message: str) -> None:
        line = self.source.key_line(section, key) if key else section.start
        self.errors.append(ContentError(str(self.path), line, message))

    # settings

    def settings(self, data: Table) -> QuizSettings:
        top = _Scope(data, self.source.top(), self)
        top.check_keys(_TOP_KEYS, _TOP_KEYS)
        kind = top.choice("kind", KINDS, "practice")
        return QuizSettings(
            title=top.string("title") or "", description=top.string("description", ""),
            kind=kind, course=top.slug("course"), pass_mark=self.pass_mark(top),
            attempts=top.integer("attempts", 0),
            time_limit_minutes=top.integer("time_limit_minutes", 0),
            grace_seconds=top.integer("grace_seconds", 60),
            grading=top.choice("grading", GRADINGS, "highest"),
            shuffle_questions=top.flag("shuffle_questions", False),
            shuffle_answers=top.flag("shuffle_answers", False),
            draw=top.integer("draw", 0), review=self.review(data),
            open_at=self.moment(top, "open_at"), close_at=self.moment(top, "close_at"),
            pretest=self.pretest(top, kind))

    def pass_mark(self, top: _Scope) -> Fraction:
        value = top.number("pass_mark", Decimal(70))
        if not 0 <= value <= 100:
            top.fail("pass_mark", "nilai \"pass_mark\" harus antara 0 dan 100")
        return Fraction(value)

    def pretest(self, top: _Scope, kind: str) -> str | None:
        value = top.slug("pretest")
        if value is not None and kind != "posttest":
            top.fail("pretest", "kunci \"pretest\" hanya berlaku untuk kuis dengan "
                                "kind = \"posttest\"")
        return value

    def moment(self, top: _Scope, key: str) -> datetime | None:
        value = top.table.get(key)
        if value is None:
            return None
        if not isinstance(value, datetime):
            top.fail(key, f"nilai \"{key}\" harus berupa tanggal dan waktu, {_DATETIME_EXAMPLE}")
            return None
        if value.tzinfo is None:
            top.fail(key, f"nilai \"{key}\" harus memuat zona waktu, {_DATETIME_EXAMPLE}")
            return None
        return value

    def review(self, data: Table) -> ReviewPolicy:
        table = data.get("review", {})
        section = self.source.table("review")
        if not isinstance(table, dict):
            self.fail(section, None, "\"review\" harus berupa tabel [review]")
            return DEFAULT_REVIEW
        scope = _Scope(table, section, self)
        scope.check_keys(_REVIEW_KEYS, _REVIEW_KEYS)
        return ReviewPolicy(self.review_items(scope, "after_submit", DEFAULT_REVIEW.after_submit),
                            self.review_items(scope, "after_close", DEFAULT_REVIEW.after_close))

    def review_items(self, scope: _Scope, key: str, default: frozenset[str]) -> frozenset[str]:
        items = scope.value(key, (list,), "daftar teks", None)
        if items is None:
            return default
        for item in items:
            if item not in REVIEW_ITEMS:
                scope.fail(key, f"isi \"{key}\" tidak dikenal: \"{item}\"; "
                                f"pilihan: {', '.join(REVIEW_ITEMS)}")
        return frozenset(item for item in items if item in REVIEW_ITEMS)

    def check_timing(self, settings: QuizSettings) -> None:
        top = self.source.top()
        if settings.draw > self.question_count:
            self.fail(top, "draw", f"nilai \"draw\" ({settings.draw}) melebihi jumlah pertanyaan "
                                   f"({self.question_count})")
        if settings.open_at and settings.close_at and settings.close_at <= settings.open_at:
            self.fail(top, "close_at", "\"close_at\" harus setelah \"open_at\"")

    # questions

    def questions(self, data: Table) -> tuple[Question, ...]:
        top = _Scope(data, self.source.top(), self)
        if "questions" in data and "questions_from" in data:
            top.fail("questions_from", "gunakan salah satu: [[questions]] atau \"questions_from\", "
                                       "tidak keduanya")
            return ()
        if "questions_from" in data:
            return self.gift_questions(top)
        items = data.get("questions")
        if not items or not isinstance(items, list):
            top.fail("questions", "kuis tidak memiliki pertanyaan: tambahkan [[questions]] atau "
                                  "\"questions_from\"")
            return ()
        self.question_count = len(items)
        seen: dict[str, int] = {}
        found = [self.question(index, item, seen) for index, item in enumerate(items)]
        return tuple(q for q in found if q is not None)

    def gift_questions(self, top: _Scope) -> tuple[Question, ...]:
        name = top.string("questions_from")
        if not name:
            return ()
        if Path(name).name != name or not name.endswith(".gift"):
            top.fail("questions_from", "\"questions_from\" harus nama berkas .gift di folder yang "
                                       "sama")
            return ()
        if not (self.path.parent / name).is_file():
            top.fail("questions_from", f"berkas \"{name}\" pada \"questions_from\" tidak ditemukan")
            return ()
        questions, errors, skipped = _read_gift(self.path.parent / name)
        self.errors += errors
        self.skipped += skipped
        self.question_count = len(questions)
        return tuple(questions)

    def question(self, index: int, table: Any, seen: dict[str, int]) -> Question | None:
        section = self.source.question(index)
        if not isinstance(table, dict):
            self.fail(section, None, "setiap pertanyaan harus berupa tabel [[questions]]")
            return None
        before = len(self.errors)
        scope = _Scope(table, section, self)
        qid = self.question_id(scope, seen)
        qtype = scope.choice("type", QUESTION_TYPES, _REQUIRED)
        # Without a known type every question key is allowed: only typos are worth reporting.
        allowed = (_QUESTION_KEYS | _TYPE_KEYS[qtype]) if qtype else _ALL_QUESTION_KEYS
        scope.check_keys(_ALL_QUESTION_KEYS, allowed, qtype or "")
        question = Question(
            id=qid or "", type=qtype or "", text=scope.string("text") or "",
            text_format=scope.choice("text_format", TEXT_FORMATS, "markdown"),
            points=self.points(scope), general_feedback=scope.string("general_feedback", ""),
            line=section.start, **(self.type_parts(index, scope, qtype) if qtype else {}))
        if len(self.errors) > before:
            return None  # problems that follow from errors already reported would only add noise
        for problem in question_problems(question):
            scope.fail("id", problem)
        return question if len(self.errors) == before else None

    def question_id(self, scope: _Scope, seen: dict[str, int]) -> str | None:
        qid = scope.string("id")
        if not qid:
            return None
        if qid in seen:
            scope.fail("id", f"id pertanyaan \"{qid}\" sudah dipakai pada baris {seen[qid]}")
        seen.setdefault(qid, self.source.key_line(scope.section, "id"))
        return str(qid)

    def points(self, scope: _Scope) -> Fraction:
        value = scope.number("points", Decimal(1))
        if value <= 0:
            scope.fail("points", "nilai \"points\" harus lebih dari 0")
            return Fraction(1)
        return Fraction(value)

    def type_parts(self, index: int, scope: _Scope, qtype: str) -> dict[str, Any]:
        if qtype == "truefalse":
            return {"correct_bool": scope.flag("answer", _REQUIRED),
                    "feedback_true": scope.string("feedback_true", ""),
                    "feedback_false": scope.string("feedback_false", "")}
        if qtype == "matching":
            pairs = scope.tables("pairs")
            return {"pairs": tuple(self.pair(index, n, item) for n, item in enumerate(pairs))}
        answers = scope.tables("answers")
        return {"answers": tuple(self.answer(index, n, item, qtype)
                                 for n, item in enumerate(answers))}

    def answer(self, index: int, n: int, item: Table, qtype: str) -> Answer:
        scope = _Scope(item, self.source.child(index, "questions.answers", n), self)
        scope.check_keys(_ALL_ANSWER_KEYS, frozenset(_ANSWER_KEYS[qtype]), qtype)
        feedback = scope.string("feedback", "")
        if qtype == "numerical":
            return self.numerical_answer(scope, f"a{n + 1}", feedback)
        if qtype in ("single", "missingword"):
            fraction = Fraction(1 if scope.flag("correct", False) else 0)
        else:
            fraction = self.weight(scope, Decimal(100 if qtype == "short" else 0))
        return Answer(f"a{n + 1}", scope.string("text") or "", fraction, feedback)

    def weight(self, scope: _Scope, default: Decimal) -> Fraction:
        value = scope.number("weight", default)
        if not -100 <= value <= 100:
            scope.fail("weight", "bobot harus antara -100 dan 100")
            return Fraction(0)
        return weight_fraction(value)

    def numerical_answer(self, scope: _Scope, aid: str, feedback: str) -> Answer:
        fraction = self.weight(scope, Decimal(100))
        if "value" not in scope.table:
            return self.range_answer(scope, aid, fraction, feedback)
        for key in ("min", "max"):
            if key in scope.table:
                scope.fail(key, f"{_BOTH_NUMERIC_FORMS}, tidak keduanya")
        value = scope.number("value", Decimal(0))
        tolerance = scope.number("tolerance", Decimal(0))
        if tolerance < 0:
            scope.fail("tolerance", "nilai \"tolerance\" tidak boleh negatif")
        return Answer(aid, numeric_answer_text(value, tolerance, None, None), fraction, feedback,
                      value=value, tolerance=tolerance)

    def range_answer(self, scope: _Scope, aid: str, fraction: Fraction, feedback: str) -> Answer:
        if "min" not in scope.table and "max" not in scope.table:
            scope.fail(None, f"jawaban numerik memerlukan nilai: {_BOTH_NUMERIC_FORMS}")
            return Answer(aid, "", fraction, feedback)
        if "tolerance" in scope.table:
            scope.fail("tolerance", "kunci \"tolerance\" hanya berlaku bersama \"value\"")
        low, high = scope.number("min", _REQUIRED), scope.number("max", _REQUIRED)
        if low is not None and high is not None and low > high:
            scope.fail("min", "nilai \"min\" tidak boleh lebih besar dari \"max\"")
        return Answer(aid, numeric_answer_text(None, None, low, high), fraction, feedback,
                      low=low, high=high)

    def pair(self, index: int, n: int, item: Table) -> Pair:
        scope = _Scope(item, self.source.child(index, "questions.pairs", n), self)
        scope.check_keys(_PAIR_KEYS, _PAIR_KEYS, "matching")
        left = scope.string("left", allow_empty=True) or ""
        return Pair(f"p{n + 1}", left, scope.string("right") or "")


# --- files and folders --------------------------------------------------------------------------

def _read_text(path: Path) -> tuple[str | None, list[ContentError]]:
    try:
        return path.read_text(encoding="utf-8").lstrip("\ufeff"), []
    except UnicodeDecodeError:
        return None, [ContentError(str(path), 0, "berkas bukan teks UTF-8")]
    except OSError as exc:
        return None, [ContentError(str(path), 0, f"berkas tidak dapat dibaca: {exc.strerror}")]


def _read_gift(path: Path) -> tuple[list[Question], list[ContentError], list[ContentError]]:
    # Imported here because gift.py builds on this module's data model.
    from lms.quizzes.gift import parse_gift

    raw, errors = _read_text(path)
    if raw is None:
        return [], errors, []
    questions, errors, skipped = parse_gift(raw, str(path))
    if not questions and not errors:
        errors.append(ContentError(str(path), 0, "berkas GIFT tidak memuat pertanyaan yang dapat "
                                                 "dinilai"))
    return questions, errors, skipped


def _slug_errors(path: Path) -> list[ContentError]:
    if SLUG.match(path.stem):
        return []
    return [ContentError(str(path), 0, f"nama berkas \"{path.name}\" tidak dapat menjadi slug: "
                                       "gunakan huruf kecil, angka, dan tanda hubung")]


def _humanise(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _load_toml_quiz(path: Path) -> Loaded:
    raw, errors = _read_text(path)
    if raw is None:
        return None, errors, []
    data, errors = parse_toml(raw, str(path))
    if data is None:
        return None, errors, []
    reader = _TomlReader(path, raw)
    settings = reader.settings(data)
    questions = reader.questions(data)
    reader.check_timing(settings)
    # In file order, so an author can work from the top; the GIFT file's errors come after.
    errors = _slug_errors(path) + sorted(reader.errors,
                                         key=lambda e: (e.path != str(path), e.line))
    if errors:
        return None, errors, reader.skipped
    return QuizDefinition(path.stem, settings, questions, str(path)), [], reader.skipped


def _load_bare_gift(path: Path) -> Loaded:
    questions, errors, skipped = _read_gift(path)
    errors = _slug_errors(path) + errors
    if errors:
        return None, errors, skipped
    settings = QuizSettings(title=_humanise(path.stem))
    return QuizDefinition(path.stem, settings, tuple(questions), str(path)), [], skipped


def load_quiz(path: Path) -> Loaded:
    """Load one quiz file (.toml or bare .gift); return it or None, the errors and skipped notes."""
    if path.suffix == ".gift":
        return _load_bare_gift(path)
    return _load_toml_quiz(path)


def _claimed_gifts(toml_path: Path) -> set[str]:
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8").lstrip("\ufeff"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()  # the file's own load reports why
    name = data.get("questions_from")
    return {name} if isinstance(name, str) else set()


def _quiz_files(root: Path) -> list[Path]:
    tomls = sorted(root.glob("*.toml"))
    claimed = {p.stem for p in tomls}
    named = set().union(*(_claimed_gifts(p) for p in tomls))
    gifts = [p for p in sorted(root.glob("*.gift"))
             if p.stem not in claimed and p.name not in named]
    return sorted(tomls + gifts, key=lambda p: p.stem)


def _pretest_errors(quiz: QuizDefinition,
                    by_slug: dict[str, QuizDefinition]) -> list[ContentError]:
    slug = quiz.settings.pretest
    if slug is None:
        return []
    target = by_slug.get(slug)
    if target is not None and target.settings.kind == "pretest":
        return []
    raw, _ = _read_text(Path(quiz.source))
    source = _SourceMap(raw or "")
    line = source.key_line(source.top(), "pretest")
    reason = (f"kuis pretest \"{slug}\" tidak ditemukan" if target is None
              else f"kuis \"{slug}\" bukan pretest (kind = \"{target.settings.kind}\")")
    return [ContentError(quiz.source, line, reason)]


def load_quizzes(
        root: Path) -> tuple[list[QuizDefinition], list[ContentError], list[ContentError]]:
    """Load every quiz in a folder: each TOML file and each GIFT file that no TOML file claims."""
    if not root.is_dir():
        return [], [ContentError(str(root), 0, "folder kuis tidak ada")], []
    quizzes: list[QuizDefinition] = []
    errors: list[ContentError] = []
    skipped: list[ContentError] = []
    for path in _quiz_files(root):
        quiz, found, notes = load_quiz(path)
        errors += found
        skipped += notes
        if quiz is not None:
            quizzes.append(quiz)
    by_slug = {q.slug: q for q in quizzes}
    linked = [(q, _pretest_errors(q, by_slug)) for q in quizzes]
    errors += [e for _, found in linked for e in found]
    return [q for q, found in linked if not found], errors, skipped
