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

QUESTION_TYPES = ("single", "multiple", "truefalse", "short", "numerical", "matching", "missingword")
TEXT_FORMATS = ("markdown", "html", "plain")
KINDS = ("practice", "pretest", "posttest")
GRADINGS = ("highest", "last", "first", "average")
REVIEW_ITEMS = ("score", "correctness", "answers", "feedback")
BLANK = "{_}"
CATCH_ALL = "*"
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


DEFAULT_REVIEW = ReviewPolicy(frozenset({"score", "correctness", "feedback"}), frozenset(REVIEW_ITEMS))


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
            value = {"after_submit": sorted(value.after_submit), "after_close": sorted(value.after_close)}
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
        problems.append(f"jenis pertanyaan \"{q.type}\" tidak dikenal; pilihan: {', '.join(QUESTION_TYPES)}")
    if not q.text.strip():
        problems.append("teks pertanyaan kosong")
    if q.text_format not in TEXT_FORMATS:
        problems.append(f"format teks \"{q.text_format}\" tidak dikenal; pilihan: {', '.join(TEXT_FORMATS)}")
    if q.points <= 0:
        problems.append("poin pertanyaan harus lebih dari 0")
    if any(not -1 <= a.fraction <= 1 for a in q.answers):
        problems.append("bobot jawaban harus antara -100 dan 100")
    return problems


def _empty_answer_problems(q: Question) -> list[str]:
    return [f"teks jawaban ke-{n} kosong" for n, a in enumerate(q.answers, start=1) if not a.text.strip()]


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
        problems.append(f"teks pertanyaan isian harus memuat tepat satu penanda {BLANK}; ditemukan {blanks}")
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
        problems.append(f"pertanyaan menjodohkan memerlukan minimal dua pasangan (kiri tidak kosong); "
                        f"ditemukan {real}")
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
        return section.start

    def _stub(self, name: str) -> _Section:
        # Inline tables or arrays have no header: point at the key that holds them.
        line = self.key_line(self.top(), name.split(".")[-1])
        return _Section(name, line, line)


# --- reading a TOML quiz ------------------------------------------------------------------------

_REQUIRED: Any = object()
_TOP_KEYS = ("title", "description", "kind", "course", "pass_mark", "attempts", "time_limit_minutes",
             "grace_seconds", "grading", "shuffle_questions", "shuffle_answers", "draw", "pretest",
             "open_at", "close_at", "questions_from", "review", "questions")
_REVIEW_KEYS = ("after_submit", "after_close")
_QUESTION_KEYS = {"id", "type", "text", "points", "general_feedback", "text_format"}
_TYPE_KEYS = {
    "single": {"answers"}, "missingword": {"answers"}, "multiple": {"answers"}, "short": {"answers"},
    "numerical": {"answers"}, "matching": {"pairs"},
    "truefalse": {"answer", "feedback_true", "feedback_false"},
}
_ANSWER_KEYS = {
    "single": {"text", "correct", "feedback"}, "missingword": {"text", "correct", "feedback"},
    "multiple": {"text", "weight", "feedback"}, "short": {"text", "weight", "feedback"},
    "numerical": {"value", "tolerance", "min", "max", "weight", "feedback"},
}
_ALL_QUESTION_KEYS = _QUESTION_KEYS.union(*_TYPE_KEYS.values())
_ALL_ANSWER_KEYS = set().union(*_ANSWER_KEYS.values())
_PAIR_KEYS = {"left", "right"}
_DATETIME_EXAMPLE = "misalnya 2025-03-01T08:00:00+08:00"


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

    # typed values

    def value(self, table: dict[str, Any], section: _Section, key: str, kinds: tuple[type, ...],
              noun: str, default: Any) -> Any:
        if key not in table:
            if default is _REQUIRED:
                self.fail(section, key, f"kunci \"{key}\" wajib diisi")
                return None
            return default
        value = table[key]
        # bool is an int in Python, but `attempts = true` is a mistake all the same.
        if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
            self.fail(section, key, f"nilai \"{key}\" harus berupa {noun}")
            return None if default is _REQUIRED else default
        return value

    def string(self, table: dict[str, Any], section: _Section, key: str, default: Any = _REQUIRED,
               allow_empty: bool = False) -> str | None:
        value = self.value(table, section, key, (str,), "teks", default)
        if isinstance(value, str) and not value.strip() and not allow_empty and default is _REQUIRED:
            self.fail(section, key, f"nilai \"{key}\" tidak boleh kosong")
        return value.strip() if isinstance(value, str) else value

    def integer(self, table: dict[str, Any], section: _Section, key: str, default: int) -> int:
        value = self.value(table, section, key, (int,), "bilangan bulat", default)
        if value < 0:
            self.fail(section, key, f"nilai \"{key}\" tidak boleh negatif")
            return default
        return int(value)

    def flag(self, table: dict[str, Any], section: _Section, key: str, default: Any) -> Any:
        return self.value(table, section, key, (bool,), "true atau false", default)

    def number(self, table: dict[str, Any], section: _Section, key: str, default: Any) -> Any:
        value = self.value(table, section, key, (int, float), "angka", default)
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(section, key, f"nilai \"{key}\" harus berupa angka")
            return None if default is _REQUIRED else default
        # str() of a float is its shortest exact spelling: 0.05 stays 0.05, not 0.0500000000000000027.
        return Decimal(str(value)) if isinstance(value, (int, float)) else value

    def choice(self, table: dict[str, Any], section: _Section, key: str, options: tuple[str, ...],
               default: Any) -> Any:
        value = self.string(table, section, key, default)
        if value is not None and value not in options:
            self.fail(section, key, f"nilai \"{key}\" tidak dikenal: \"{value}\"; pilihan: {', '.join(options)}")
            return None if default is _REQUIRED else default
        return value

    def check_keys(self, table: dict[str, Any], section: _Section, known: set[str] | tuple[str, ...],
                   allowed: set[str] | tuple[str, ...], qtype: str = "") -> None:
        for key in table:
            if key not in known:
                self.fail(section, key, f"kunci \"{key}\" tidak dikenal (salah ketik?); yang dikenal: "
                                        f"{', '.join(sorted(allowed))}")
            elif key not in allowed:
                self.fail(section, key, f"kunci \"{key}\" tidak berlaku untuk pertanyaan jenis \"{qtype}\"")

    # settings

    def settings(self, data: dict[str, Any]) -> QuizSettings:
        top = self.source.top()
        self.check_keys(data, top, _TOP_KEYS, _TOP_KEYS)
        kind = self.choice(data, top, "kind", KINDS, "practice")
        return QuizSettings(
            title=self.string(data, top, "title") or "",
            description=self.string(data, top, "description", ""),
            kind=kind, course=self.slug(data, top, "course"), pass_mark=self.pass_mark(data, top),
            attempts=self.integer(data, top, "attempts", 0),
            time_limit_minutes=self.integer(data, top, "time_limit_minutes", 0),
            grace_seconds=self.integer(data, top, "grace_seconds", 60),
            grading=self.choice(data, top, "grading", GRADINGS, "highest"),
            shuffle_questions=self.flag(data, top, "shuffle_questions", False),
            shuffle_answers=self.flag(data, top, "shuffle_answers", False),
            draw=self.integer(data, top, "draw", 0), review=self.review(data),
            open_at=self.moment(data, top, "open_at"), close_at=self.moment(data, top, "close_at"),
            pretest=self.pretest(data, top, kind))

    def slug(self, data: dict[str, Any], top: _Section, key: str) -> str | None:
        value = self.string(data, top, key, None)
        if value is not None and not SLUG.match(value):
            self.fail(top, key, f"nilai \"{key}\" harus berupa slug: huruf kecil, angka, dan tanda hubung")
        return value

    def pass_mark(self, data: dict[str, Any], top: _Section) -> Fraction:
        value = self.number(data, top, "pass_mark", Decimal(70))
        if not 0 <= value <= 100:
            self.fail(top, "pass_mark", "nilai \"pass_mark\" harus antara 0 dan 100")
        return Fraction(value)

    def pretest(self, data: dict[str, Any], top: _Section, kind: str) -> str | None:
        value = self.slug(data, top, "pretest")
        if value is not None and kind != "posttest":
            self.fail(top, "pretest", "kunci \"pretest\" hanya berlaku untuk kuis dengan kind = \"posttest\"")
        return value

    def moment(self, data: dict[str, Any], top: _Section, key: str) -> datetime | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, datetime):
            self.fail(top, key, f"nilai \"{key}\" harus berupa tanggal dan waktu, {_DATETIME_EXAMPLE}")
            return None
        if value.tzinfo is None:
            self.fail(top, key, f"nilai \"{key}\" harus memuat zona waktu, {_DATETIME_EXAMPLE}")
            return None
        return value

    def review(self, data: dict[str, Any]) -> ReviewPolicy:
        table = data.get("review", {})
        section = self.source.table("review")
        if not isinstance(table, dict):
            self.fail(section, None, "\"review\" harus berupa tabel [review]")
            return DEFAULT_REVIEW
        self.check_keys(table, section, _REVIEW_KEYS, _REVIEW_KEYS)
        return ReviewPolicy(self.review_items(table, section, "after_submit", DEFAULT_REVIEW.after_submit),
                            self.review_items(table, section, "after_close", DEFAULT_REVIEW.after_close))

    def review_items(self, table: dict[str, Any], section: _Section, key: str,
                     default: frozenset[str]) -> frozenset[str]:
        items = self.value(table, section, key, (list,), "daftar teks", None)
        if items is None:
            return default
        for item in items:
            if item not in REVIEW_ITEMS:
                self.fail(section, key, f"isi \"{key}\" tidak dikenal: \"{item}\"; pilihan: {', '.join(REVIEW_ITEMS)}")
        return frozenset(item for item in items if item in REVIEW_ITEMS)

    def check_timing(self, settings: QuizSettings) -> None:
        top = self.source.top()
        if settings.draw > self.question_count:
            self.fail(top, "draw", f"nilai \"draw\" ({settings.draw}) melebihi jumlah pertanyaan "
                                   f"({self.question_count})")
        if settings.open_at and settings.close_at and settings.close_at <= settings.open_at:
            self.fail(top, "close_at", "\"close_at\" harus setelah \"open_at\"")

    # questions

    def questions(self, data: dict[str, Any]) -> tuple[Question, ...]:
        top = self.source.top()
        if "questions" in data and "questions_from" in data:
            self.fail(top, "questions_from", "gunakan salah satu: [[questions]] atau \"questions_from\", "
                                             "tidak keduanya")
            return ()
        if "questions_from" in data:
            return self.gift_questions(data, top)
        items = data.get("questions")
        if not items:
            self.fail(top, "questions", "kuis tidak memiliki pertanyaan: tambahkan [[questions]] atau "
                                        "\"questions_from\"")
            return ()
        if not isinstance(items, list):
            self.fail(top, "questions", "\"questions\" harus berupa daftar tabel [[questions]]")
            return ()
        seen: dict[str, int] = {}
        self.question_count = len(items)
        found = [self.question(index, item, seen) for index, item in enumerate(items)]
        return tuple(q for q in found if q is not None)

    def gift_questions(self, data: dict[str, Any], top: _Section) -> tuple[Question, ...]:
        name = self.string(data, top, "questions_from")
        if not name:
            return ()
        gift_path = self.path.parent / name
        if Path(name).name != name or not name.endswith(".gift"):
            self.fail(top, "questions_from", "\"questions_from\" harus nama berkas .gift di folder yang sama")
        elif not gift_path.is_file():
            self.fail(top, "questions_from", f"berkas \"{name}\" pada \"questions_from\" tidak ditemukan")
        else:
            questions, errors, skipped = _read_gift(gift_path)
            self.errors += errors
            self.skipped += skipped
            self.question_count = len(questions)
            return tuple(questions)
        return ()

    def question(self, index: int, table: Any, seen: dict[str, int]) -> Question | None:
        section = self.source.question(index)
        if not isinstance(table, dict):
            self.fail(section, None, "setiap pertanyaan harus berupa tabel [[questions]]")
            return None
        before = len(self.errors)
        qid = self.question_id(table, section, seen)
        qtype = self.choice(table, section, "type", QUESTION_TYPES, _REQUIRED)
        # Without a known type every question key is allowed: only typos are worth reporting.
        allowed = (_QUESTION_KEYS | _TYPE_KEYS[qtype]) if qtype else _ALL_QUESTION_KEYS
        self.check_keys(table, section, _ALL_QUESTION_KEYS, allowed, qtype or "")
        question = Question(
            id=qid or "", type=qtype or "", text=self.string(table, section, "text") or "",
            text_format=self.choice(table, section, "text_format", TEXT_FORMATS, "markdown"),
            points=self.points(table, section),
            general_feedback=self.string(table, section, "general_feedback", ""),
            line=section.start, **(self.type_parts(index, table, section, qtype) if qtype else {}))
        if len(self.errors) > before:
            return None  # problems that follow from errors already reported would only add noise
        for problem in question_problems(question):
            self.fail(section, "id", problem)
        return question if len(self.errors) == before else None

    def question_id(self, table: dict[str, Any], section: _Section, seen: dict[str, int]) -> str | None:
        qid = self.string(table, section, "id")
        if not qid:
            return None
        line = self.source.key_line(section, "id")
        if qid in seen:
            self.fail(section, "id", f"id pertanyaan \"{qid}\" sudah dipakai pada baris {seen[qid]}")
        seen.setdefault(qid, line)
        return qid

    def points(self, table: dict[str, Any], section: _Section) -> Fraction:
        value = self.number(table, section, "points", Decimal(1))
        if value <= 0:
            self.fail(section, "points", "nilai \"points\" harus lebih dari 0")
            return Fraction(1)
        return Fraction(value)

    def type_parts(self, index: int, table: dict[str, Any], section: _Section, qtype: str) -> dict[str, Any]:
        if qtype == "truefalse":
            return {"correct_bool": self.flag(table, section, "answer", _REQUIRED),
                    "feedback_true": self.string(table, section, "feedback_true", ""),
                    "feedback_false": self.string(table, section, "feedback_false", "")}
        if qtype == "matching":
            return {"pairs": self.pairs(index, table, section)}
        return {"answers": self.answers(index, table, section, qtype)}

    def tables(self, table: dict[str, Any], section: _Section, key: str) -> list[dict[str, Any]]:
        items = table.get(key)
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            self.fail(section, key, f"kunci \"{key}\" wajib diisi dengan tabel [[questions.{key}]]")
            return []
        return items

    def answers(self, index: int, table: dict[str, Any], section: _Section, qtype: str) -> tuple[Answer, ...]:
        items = self.tables(table, section, "answers")
        return tuple(self.answer(index, n, item, qtype) for n, item in enumerate(items))

    def answer(self, index: int, n: int, item: dict[str, Any], qtype: str) -> Answer:
        section = self.source.child(index, "questions.answers", n)
        self.check_keys(item, section, _ALL_ANSWER_KEYS, _ANSWER_KEYS[qtype], qtype)
        feedback = self.string(item, section, "feedback", "")
        if qtype == "numerical":
            return self.numerical_answer(item, section, f"a{n + 1}", feedback)
        if qtype in ("single", "missingword"):
            fraction = Fraction(1 if self.flag(item, section, "correct", False) else 0)
        else:
            fraction = self.weight(item, section, Decimal(100 if qtype == "short" else 0))
        return Answer(f"a{n + 1}", self.string(item, section, "text") or "", fraction, feedback)

    def weight(self, item: dict[str, Any], section: _Section, default: Decimal) -> Fraction:
        value = self.number(item, section, "weight", default)
        if not -100 <= value <= 100:
            self.fail(section, "weight", "bobot harus antara -100 dan 100")
            return Fraction(0)
        return weight_fraction(value)

    def numerical_answer(self, item: dict[str, Any], section: _Section, aid: str, feedback: str) -> Answer:
        fraction = self.weight(item, section, Decimal(100))
        if "value" in item:
            for key in ("min", "max"):
                if key in item:
                    self.fail(section, key, "gunakan \"value\" (dengan \"tolerance\") atau \"min\" dan "
                                            "\"max\", tidak keduanya")
            value = self.number(item, section, "value", Decimal(0))
            tolerance = self.number(item, section, "tolerance", Decimal(0))
            if tolerance < 0:
                self.fail(section, "tolerance", "nilai \"tolerance\" tidak boleh negatif")
            return Answer(aid, numeric_answer_text(value, tolerance, None, None), fraction, feedback,
                          value=value, tolerance=tolerance)
        return self.range_answer(item, section, aid, fraction, feedback)

    def range_answer(self, item: dict[str, Any], section: _Section, aid: str, fraction: Fraction,
                     feedback: str) -> Answer:
        if "min" not in item and "max" not in item:
            self.fail(section, None, "jawaban numerik memerlukan \"value\" (dengan \"tolerance\") atau "
                                     "\"min\" dan \"max\"")
            return Answer(aid, "", fraction, feedback)
        if "tolerance" in item:
            self.fail(section, "tolerance", "kunci \"tolerance\" hanya berlaku bersama \"value\"")
        low = self.number(item, section, "min", _REQUIRED)
        high = self.number(item, section, "max", _REQUIRED)
        if low is not None and high is not None and low > high:
            self.fail(section, "min", "nilai \"min\" tidak boleh lebih besar dari \"max\"")
        return Answer(aid, numeric_answer_text(None, None, low, high), fraction, feedback, low=low, high=high)

    def pairs(self, index: int, table: dict[str, Any], section: _Section) -> tuple[Pair, ...]:
        items = self.tables(table, section, "pairs")
        return tuple(self.pair(index, n, item) for n, item in enumerate(items))

    def pair(self, index: int, n: int, item: dict[str, Any]) -> Pair:
        section = self.source.child(index, "questions.pairs", n)
        self.check_keys(item, section, _PAIR_KEYS, _PAIR_KEYS, "matching")
        left = self.string(item, section, "left", allow_empty=True) or ""
        return Pair(f"p{n + 1}", left, self.string(item, section, "right") or "")


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
        errors.append(ContentError(str(path), 0, "berkas GIFT tidak memuat pertanyaan yang dapat dinilai"))
    return questions, errors, skipped


def _slug_errors(path: Path) -> list[ContentError]:
    if SLUG.match(path.stem):
        return []
    return [ContentError(str(path), 0, f"nama berkas \"{path.name}\" tidak dapat menjadi slug: gunakan "
                                       "huruf kecil, angka, dan tanda hubung")]


def _humanise(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _load_toml_quiz(path: Path) -> tuple[QuizDefinition | None, list[ContentError], list[ContentError]]:
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
    errors = _slug_errors(path) + reader.errors
    if errors:
        return None, errors, reader.skipped
    return QuizDefinition(path.stem, settings, questions, str(path)), [], reader.skipped


def _load_bare_gift(path: Path) -> tuple[QuizDefinition | None, list[ContentError], list[ContentError]]:
    questions, errors, skipped = _read_gift(path)
    errors = _slug_errors(path) + errors
    if errors:
        return None, errors, skipped
    settings = QuizSettings(title=_humanise(path.stem))
    return QuizDefinition(path.stem, settings, tuple(questions), str(path)), [], skipped


def load_quiz(path: Path) -> tuple[QuizDefinition | None, list[ContentError], list[ContentError]]:
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
    gifts = [p for p in sorted(root.glob("*.gift")) if p.stem not in claimed and p.name not in named]
    return sorted(tomls + gifts, key=lambda p: p.stem)


def _pretest_errors(quiz: QuizDefinition, by_slug: dict[str, QuizDefinition]) -> list[ContentError]:
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


def load_quizzes(root: Path) -> tuple[list[QuizDefinition], list[ContentError], list[ContentError]]:
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
