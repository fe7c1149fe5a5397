"""The quiz model: questions, answers, settings and the review policy, as typed values (pure)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

TEXT_FORMATS = ("markdown", "html", "plain")
KINDS = ("practice", "pretest", "posttest")
GRADINGS = ("highest", "last", "first", "average")
REVIEW_ITEMS = ("score", "correctness", "answers", "feedback")
BLANK = "{_}"
CATCH_ALL = "*"
# Question ids are stored with each saved response, in a column of this width.
MAX_ID_LENGTH = 120


def _cached_hash(item: Any) -> int:
    """Return a frozen dataclass's hash of its fields, computed once per object.

    Attempt pages key their rendered questions by these values (300 attempts, 20 questions
    each): the default hash walks every field, down to each answer's Fraction, every time.
    """
    found = item.__dict__.get("_hash")
    if found is None:
        names = _FIELD_NAMES.get(type(item))
        if names is None:
            names = _FIELD_NAMES[type(item)] = tuple(f.name for f in fields(item))
        found = hash(tuple(getattr(item, name) for name in names))
        object.__setattr__(item, "_hash", found)
    return found


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _state_without_hash(item: Any) -> dict[str, Any]:
    """Return what a copy or pickle keeps: the fields, not a hash (strings hash per process)."""
    return {k: v for k, v in item.__dict__.items() if k != "_hash"}


@dataclass(frozen=True)
class Answer:
    """One answer option; `fraction` is the share of the points it earns (may be negative).

    An ordering question's answers are its steps, written in the right order.
    """

    id: str
    text: str
    fraction: Fraction
    feedback: str = ""
    value: Decimal | None = None
    tolerance: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    __hash__ = _cached_hash
    __getstate__ = _state_without_hash


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

    __hash__ = _cached_hash
    __getstate__ = _state_without_hash

    def answer(self, answer_id: str) -> Answer | None:
        """Return the answer with this id, or None."""
        return next((a for a in self.answers if a.id == answer_id), None)


@dataclass(frozen=True)
class QuestionSection:
    """The lesson sections a quiz file says one question tests, and the line that says so.

    `targets` are "<course-slug>/<lesson-slug>#<heading id>" (empty: the question names none).
    Kept beside the questions, not in them: it guides authors and `content check`, never grading,
    so setting it never makes a new quiz version.
    """

    question_id: str
    targets: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class AttemptQuestion:
    """A question as one attempt shows it: answers in their shown order, and its choices.

    `choices` are a matching question's right-hand texts, or an ordering question's step ids,
    in the order this attempt shows them.
    """

    question: Question
    choices: tuple[str, ...] = ()

    __hash__ = _cached_hash
    __getstate__ = _state_without_hash

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def type(self) -> str:
        return self.question.type


@dataclass(frozen=True)
class ReviewPolicy:
    """What a participant may see of a finished attempt: after submitting, after closing, and
    while they may still take the quiz again (then never more than after submitting)."""

    after_submit: frozenset[str]
    after_close: frozenset[str]
    # Correctness, keys or feedback seen while a retry is allowed would give the next attempt
    # its answers: by default only the score shows until no attempt is left or the quiz closes.
    while_retry: frozenset[str] = frozenset({"score"})

    def shown(self, finished: bool, closed: bool) -> frozenset[str]:
        """Return the review items visible now: none before the attempt is finished."""
        if not finished:
            return frozenset()
        return self.after_submit | self.after_close if closed else self.after_submit

    def while_retrying(self, shown: frozenset[str]) -> frozenset[str]:
        """Return what of `shown` stays visible while the participant may take the quiz again."""
        return shown & self.while_retry


DEFAULT_REVIEW = ReviewPolicy(after_submit=frozenset({"score", "correctness", "feedback"}),
                              after_close=frozenset(REVIEW_ITEMS))
EVERYTHING = frozenset(REVIEW_ITEMS)


@dataclass(frozen=True)
class QuizSettings:
    """Everything about a quiz except its questions, and the rules that follow from it."""

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

    def is_open(self, now: datetime) -> bool:
        """Tell whether an attempt may start now, by the open window alone."""
        return (self.open_at is None or now >= self.open_at) and not self.closed(now)

    def closed(self, now: datetime) -> bool:
        return self.close_at is not None and now >= self.close_at

    def deadline(self, started: datetime) -> datetime | None:
        """Return when an attempt started at `started` must end, or None."""
        limits = []
        if self.time_limit_minutes:
            limits.append(started + timedelta(minutes=self.time_limit_minutes))
        if self.close_at is not None:
            limits.append(self.close_at)
        return min(limits) if limits else None

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)
