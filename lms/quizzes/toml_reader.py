"""Read one quiz TOML file into settings and questions, with line-numbered errors (pure Python)."""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from lms.contentfiles import SLUG, ContentError
from lms.quizzes.gift import parse_gift
from lms.quizzes.questions.checks import numeric_answer_text, weight_fraction
from lms.quizzes.questions.model import (
    DEFAULT_REVIEW,
    GRADINGS,
    KINDS,
    REVIEW_ITEMS,
    TEXT_FORMATS,
    Answer,
    Pair,
    Question,
    QuestionSection,
    QuizSettings,
    ReviewPolicy,
)
from lms.quizzes.questions.types import QUESTION_TYPES, TYPE_NAMES, question_problems
from lms.quizzes.sourcemap import Section, SourceMap

Table = dict[str, Any]

_REQUIRED: Any = object()
_TOP_KEYS = frozenset({
    "title", "description", "kind", "course", "pass_mark", "attempts", "time_limit_minutes",
    "grace_seconds", "grading", "shuffle_questions", "shuffle_answers", "draw", "pretest",
    "open_at", "close_at", "questions_from", "review", "questions"})
_REVIEW_KEYS = frozenset({"after_submit", "after_close", "while_retry"})
_QUESTION_KEYS = frozenset({"id", "type", "text", "points", "general_feedback", "text_format",
                            "section"})
_ALL_QUESTION_KEYS = _QUESTION_KEYS.union(*(t.toml_keys for t in QUESTION_TYPES.values()))
_ALL_ANSWER_KEYS = frozenset().union(*(t.answer_keys for t in QUESTION_TYPES.values()))
_PAIR_KEYS = frozenset({"left", "right"})
# "<course-slug>/<lesson-slug>#<heading id>": the lesson section a question tests.
SECTION_TARGET = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z0-9]+(?:-[a-z0-9]+)*)#([\w-]+)$")
_DATETIME_EXAMPLE = "misalnya 2025-03-01T08:00:00+08:00"
_BOTH_NUMERIC_FORMS = "gunakan \"value\" (dengan \"tolerance\") atau \"min\" dan \"max\""


class _Scope:
    """One TOML table and its place in the file: typed reads that report line-numbered errors."""

    def __init__(self, table: Table, section: Section, reader: TomlReader) -> None:
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


class TomlReader:
    """Read one quiz TOML file, collecting line-numbered errors instead of raising."""

    def __init__(self, path: Path, raw: str) -> None:
        self.path = path
        self.source = SourceMap(raw)
        self.errors: list[ContentError] = []
        self.skipped: list[ContentError] = []
        self.question_count = 0
        self.sections: list[QuestionSection] = []

    def fail(self, section: Section, key: str | None, message: str) -> None:
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
                            self.review_items(scope, "after_close", DEFAULT_REVIEW.after_close),
                            self.review_items(scope, "while_retry", DEFAULT_REVIEW.while_retry))

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
        questions, errors, skipped = read_gift(self.path.parent / name)
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
        qtype = scope.choice("type", TYPE_NAMES, _REQUIRED)
        # Without a known type every question key is allowed: only typos are worth reporting.
        allowed = ((_QUESTION_KEYS | QUESTION_TYPES[qtype].toml_keys) if qtype
                   else _ALL_QUESTION_KEYS)
        scope.check_keys(_ALL_QUESTION_KEYS, allowed, qtype or "")
        question = Question(
            id=qid or "", type=qtype or "", text=scope.string("text") or "",
            text_format=scope.choice("text_format", TEXT_FORMATS, "markdown"),
            points=self.points(scope), general_feedback=scope.string("general_feedback", ""),
            line=section.start, **(self.type_parts(index, scope, qtype) if qtype else {}))
        self.question_section(scope, question.id)
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

    def question_section(self, scope: _Scope, qid: str) -> None:
        """Read `section`: one target, or a list of them, each checked for its form only.

        Whether the lesson and heading exist is checked against the courses (a warning there).
        """
        if "section" not in scope.table:
            self.sections.append(QuestionSection(qid, (), scope.section.start))
            return
        value = scope.table["section"]
        targets = [value] if isinstance(value, str) else value
        line = self.source.key_line(scope.section, "section")
        if (not isinstance(targets, list) or not targets
                or not all(isinstance(t, str) for t in targets)):
            scope.fail("section", "nilai \"section\" harus berupa teks \"<kursus>/<pelajaran>#<judul>\" "
                                  "atau daftar teks seperti itu")
            return
        for target in targets:
            if not SECTION_TARGET.match(target.strip()):
                scope.fail("section", f"nilai \"section\" \"{target}\" tidak berbentuk "
                                      "\"<kursus>/<pelajaran>#<judul>\", misalnya "
                                      "\"caption-dan-interaksi-warganet/anatomi-caption#empat-bagian-caption\"")
                return
        self.sections.append(QuestionSection(qid, tuple(t.strip() for t in targets), line))

    def points(self, scope: _Scope) -> Fraction:
        value = scope.number("points", Decimal(1))
        if value <= 0:
            scope.fail("points", "nilai \"points\" harus lebih dari 0")
            return Fraction(1)
        return Fraction(value)

    def type_parts(self, index: int, scope: _Scope, qtype: str) -> dict[str, Any]:
        # The keys a type takes (from the registry) say which shape its parts have.
        keys = QUESTION_TYPES[qtype].toml_keys
        if "answer" in keys:
            return {"correct_bool": scope.flag("answer", _REQUIRED),
                    "feedback_true": scope.string("feedback_true", ""),
                    "feedback_false": scope.string("feedback_false", "")}
        if "pairs" in keys:
            pairs = scope.tables("pairs")
            return {"pairs": tuple(self.pair(index, n, item) for n, item in enumerate(pairs))}
        answers = scope.tables("answers")
        return {"answers": tuple(self.answer(index, n, item, qtype)
                                 for n, item in enumerate(answers))}

    def answer(self, index: int, n: int, item: Table, qtype: str) -> Answer:
        scope = _Scope(item, self.source.child(index, "questions.answers", n), self)
        keys = QUESTION_TYPES[qtype].answer_keys
        scope.check_keys(_ALL_ANSWER_KEYS, keys, qtype)
        feedback = scope.string("feedback", "")
        if "value" in keys:
            return self.numerical_answer(scope, f"a{n + 1}", feedback)
        if "correct" in keys:
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



def read_text(path: Path) -> tuple[str | None, list[ContentError]]:
    try:
        return path.read_text(encoding="utf-8").lstrip("\ufeff"), []
    except UnicodeDecodeError:
        return None, [ContentError(str(path), 0, "berkas bukan teks UTF-8")]
    except OSError as exc:
        return None, [ContentError(str(path), 0, f"berkas tidak dapat dibaca: {exc.strerror}")]


def read_gift(path: Path) -> tuple[list[Question], list[ContentError], list[ContentError]]:
    raw, errors = read_text(path)
    if raw is None:
        return [], errors, []
    questions, errors, skipped = parse_gift(raw, str(path))
    if not questions and not errors:
        errors.append(ContentError(str(path), 0, "berkas GIFT tidak memuat pertanyaan yang dapat "
                                                 "dinilai"))
    return questions, errors, skipped
