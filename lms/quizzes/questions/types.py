"""The question-type registry: each type's checks, answer cleaning, scoring and form, in one place.

Adding a question type is one QuestionType entry in QUESTION_TYPES (and its tests); the TOML
reader, the attempt engine, grading and the pages all ask the registry.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Protocol

from lms.quizzes.errors import InvalidAnswer
from lms.quizzes.questions import checks, scoring
from lms.quizzes.questions.model import AttemptQuestion, Question

# The longest typed answer kept (short answer, numerical).
MAX_TYPED_ANSWER = 500
_NOT_AN_OPTION = "Jawaban tidak sesuai dengan pilihan pertanyaan ini."


class FormData(Protocol):
    """What a posted form offers (werkzeug's MultiDict)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


def _no_choices(q: Question, rng: random.Random) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class QuestionType:
    """One question type: everything the LMS does that depends on it."""

    name: str
    label: str
    problems: Callable[[Question], list[str]]
    # Return the saved form of a given (non-empty) response, or raise InvalidAnswer.
    clean: Callable[[AttemptQuestion, Any], Any]
    score: Callable[[Question, object], Fraction]
    best: Callable[[Question], Fraction]
    # Read the response from a page posted without JavaScript (fields named `name...`).
    form_value: Callable[[AttemptQuestion, str, FormData], Any]
    # Its markup: templates/quizzes/answer/<template>.html and review/<template>.html.
    template: str
    # TOML keys a question of this type may have besides the common ones, and its answers' keys.
    toml_keys: frozenset[str]
    answer_keys: frozenset[str] = frozenset()
    # Whether `shuffle_answers` reorders the answers, and the choices an attempt shows.
    shuffles_answers: bool = False
    choices: Callable[[Question, random.Random], tuple[str, ...]] = _no_choices


def _answer_ids(entry: AttemptQuestion) -> set[str]:
    return {a.id for a in entry.question.answers}


def _clean_choice(entry: AttemptQuestion, value: Any) -> str:
    if isinstance(value, str) and value in _answer_ids(entry):
        return value
    raise InvalidAnswer(_NOT_AN_OPTION)


def _clean_multiple(entry: AttemptQuestion, value: Any) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value) \
            and set(value) <= _answer_ids(entry):
        return sorted(set(value))
    raise InvalidAnswer(_NOT_AN_OPTION)


def _clean_truefalse(entry: AttemptQuestion, value: Any) -> str:
    if value in ("true", True):
        return "true"
    if value in ("false", False):
        return "false"
    raise InvalidAnswer(_NOT_AN_OPTION)


def _clean_typed(entry: AttemptQuestion, value: Any) -> str:
    if isinstance(value, str) and len(value) <= MAX_TYPED_ANSWER:
        return value.strip()
    raise InvalidAnswer(_NOT_AN_OPTION)


def _clean_matching(entry: AttemptQuestion, value: Any) -> dict[str, str]:
    pairs = {p.id for p in entry.question.pairs if p.left}
    choices = set(entry.choices)
    if not isinstance(value, dict) or not set(value) <= pairs \
            or not all(isinstance(v, str) and (v in choices or v == "") for v in value.values()):
        raise InvalidAnswer("Pasangan jawaban tidak sesuai dengan pertanyaan ini.")
    return {k: v for k, v in value.items() if v}


def _clean_ordering(entry: AttemptQuestion, value: Any) -> dict[str, int]:
    steps = {a.id for a in entry.question.answers}
    count = len(steps)
    if not isinstance(value, dict) or not set(value) <= steps:
        raise InvalidAnswer("Urutan jawaban tidak sesuai dengan pertanyaan ini.")
    cleaned = {}
    for step, position in value.items():
        if position in ("", None):
            continue
        number = _position(position)
        if number is None or not 1 <= number <= count:
            raise InvalidAnswer(f"Nomor urutan harus 1–{count}.")
        cleaned[step] = number
    return cleaned


def _position(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    return None


def _one_value(entry: AttemptQuestion, name: str, form: FormData) -> Any:
    return form.get(name)


def _all_values(entry: AttemptQuestion, name: str, form: FormData) -> Any:
    return form.getlist(name)


def _pair_values(entry: AttemptQuestion, name: str, form: FormData) -> Any:
    return {p.id: form.get(f"{name}-{p.id}", "") for p in entry.question.pairs if p.left}


def _step_values(entry: AttemptQuestion, name: str, form: FormData) -> Any:
    return {a.id: form.get(f"{name}-{a.id}", "") for a in entry.question.answers}


def _shuffled_steps(q: Question, rng: random.Random) -> tuple[str, ...]:
    steps = [a.id for a in q.answers]
    shown = rng.sample(steps, len(steps))
    if shown == steps:  # shown in the right order, the question would answer itself
        shown = shown[1:] + shown[:1]
    return tuple(shown)


def _shuffled_rights(q: Question, rng: random.Random) -> tuple[str, ...]:
    rights = sorted({p.right for p in q.pairs})
    return tuple(rng.sample(rights, len(rights)))


_CHOICE_ANSWER_KEYS = frozenset({"text", "correct", "feedback"})
_ANSWERS = frozenset({"answers"})

QUESTION_TYPES: dict[str, QuestionType] = {t.name: t for t in (
    QuestionType(
        "single", "Pilihan ganda", problems=checks.choice_problems, clean=_clean_choice,
        score=scoring.score_choice, best=scoring.best_answer, form_value=_one_value,
        template="choice", toml_keys=_ANSWERS, answer_keys=_CHOICE_ANSWER_KEYS,
        shuffles_answers=True),
    QuestionType(
        "multiple", "Pilihan ganda (boleh lebih dari satu)", problems=checks.multiple_problems,
        clean=_clean_multiple, score=scoring.score_multiple, best=scoring.best_positive_sum,
        form_value=_all_values, template="multiple", toml_keys=_ANSWERS,
        answer_keys=frozenset({"text", "weight", "feedback"}), shuffles_answers=True),
    QuestionType(
        "truefalse", "Benar/Salah", problems=checks.truefalse_problems, clean=_clean_truefalse,
        score=scoring.score_truefalse, best=scoring.best_truefalse, form_value=_one_value,
        template="truefalse", toml_keys=frozenset({"answer", "feedback_true", "feedback_false"})),
    QuestionType(
        "short", "Isian singkat", problems=checks.short_problems, clean=_clean_typed,
        score=scoring.score_short, best=scoring.best_answer, form_value=_one_value,
        template="typed", toml_keys=_ANSWERS,
        answer_keys=frozenset({"text", "weight", "feedback"})),
    QuestionType(
        "numerical", "Isian angka", problems=checks.numerical_problems, clean=_clean_typed,
        score=scoring.score_numerical, best=scoring.best_answer, form_value=_one_value,
        template="typed", toml_keys=_ANSWERS,
        answer_keys=frozenset({"value", "tolerance", "min", "max", "weight", "feedback"})),
    QuestionType(
        "matching", "Menjodohkan", problems=checks.matching_problems, clean=_clean_matching,
        score=scoring.score_matching, best=scoring.best_matching, form_value=_pair_values,
        template="matching", toml_keys=frozenset({"pairs"}), choices=_shuffled_rights),
    QuestionType(
        "missingword", "Melengkapi kalimat", problems=checks.missingword_problems,
        clean=_clean_choice, score=scoring.score_choice, best=scoring.best_answer,
        form_value=_one_value, template="choice", toml_keys=_ANSWERS,
        answer_keys=_CHOICE_ANSWER_KEYS, shuffles_answers=True),
    # Steps are written in the right order; each attempt shows them shuffled (choices).
    QuestionType(
        "ordering", "Mengurutkan", problems=checks.ordering_problems, clean=_clean_ordering,
        score=scoring.score_ordering, best=scoring.best_ordering, form_value=_step_values,
        template="ordering", toml_keys=_ANSWERS, answer_keys=frozenset({"text"}),
        choices=_shuffled_steps),
)}
TYPE_NAMES = tuple(QUESTION_TYPES)


def question_type(q: Question | AttemptQuestion) -> QuestionType:
    """Return the registry entry of a question's type (KeyError for an unknown type)."""
    return QUESTION_TYPES[q.type]


def question_problems(q: Question) -> list[str]:
    """Return what keeps a question from being graded fairly, as messages for its author."""
    kind = QUESTION_TYPES.get(q.type)
    unknown = [] if kind else [f"jenis pertanyaan \"{q.type}\" tidak dikenal; "
                               f"pilihan: {', '.join(TYPE_NAMES)}"]
    return unknown + checks.common_problems(q) + (kind.problems(q) if kind else [])


def clean_answer(entry: AttemptQuestion, value: Any) -> Any:
    """Return a response in the shape its question type saves (None when unanswered)."""
    if value is None or value == "" or value == []:
        return None
    return question_type(entry).clean(entry, value)


def form_answer(entry: AttemptQuestion, name: str, form: FormData) -> Any:
    """Read a question's response from a page posted without JavaScript."""
    return question_type(entry).form_value(entry, name, form)


def show_in_attempt(q: Question, shuffle_answers: bool, rng: random.Random) -> AttemptQuestion:
    """Freeze a question as an attempt shows it: answers shuffled if asked, choices drawn."""
    kind = question_type(q)
    if shuffle_answers and kind.shuffles_answers:
        q = replace(q, answers=tuple(rng.sample(q.answers, len(q.answers))))
    return AttemptQuestion(q, kind.choices(q, rng))
