"""A quiz version's settings as stored (JSON) and as used (typed): pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Optional

REVIEW_ITEMS = ("score", "correctness", "answers", "feedback")


@dataclass(frozen=True)
class Rules:
    title: str
    description: str
    kind: str
    course: Optional[str]
    pass_mark: Fraction
    attempts: int
    time_limit_minutes: int
    grace_seconds: int
    grading: str
    shuffle_questions: bool
    shuffle_answers: bool
    draw: int
    after_submit: frozenset[str]
    after_close: frozenset[str]
    open_at: Optional[datetime]
    close_at: Optional[datetime]
    pretest: Optional[str]

    def is_open(self, now: datetime) -> bool:
        return (self.open_at is None or now >= self.open_at) and (self.close_at is None or now < self.close_at)

    def closed(self, now: datetime) -> bool:
        return self.close_at is not None and now >= self.close_at

    def deadline(self, started: datetime) -> Optional[datetime]:
        """Return when an attempt started at `started` must end, or None."""
        limits = [started + timedelta(minutes=self.time_limit_minutes)] if self.time_limit_minutes else []
        if self.close_at is not None:
            limits.append(self.close_at)
        return min(limits) if limits else None

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)


@dataclass(frozen=True)
class QuizContext:
    """Where an attempt counts, and the open window that context imposes."""

    key: str = ""
    training_id: Optional[int] = None
    windowed: bool = False
    open_at: Optional[datetime] = None
    close_at: Optional[datetime] = None

    def apply(self, rules: Rules) -> Rules:
        """Return the rules with this context's window in place of the quiz's own."""
        if not self.windowed:
            return rules
        return replace(rules, open_at=self.open_at, close_at=self.close_at)


NO_CONTEXT = QuizContext()


def settings_to_json(settings: Any) -> dict[str, Any]:
    """Return a QuizSettings as JSON-safe values."""
    return {
        "title": settings.title, "description": settings.description, "kind": settings.kind,
        "course": settings.course, "pass_mark": str(settings.pass_mark), "attempts": settings.attempts,
        "time_limit_minutes": settings.time_limit_minutes, "grace_seconds": settings.grace_seconds,
        "grading": settings.grading, "shuffle_questions": settings.shuffle_questions,
        "shuffle_answers": settings.shuffle_answers, "draw": settings.draw,
        "after_submit": sorted(settings.review.after_submit), "after_close": sorted(settings.review.after_close),
        "open_at": settings.open_at.isoformat() if settings.open_at else None,
        "close_at": settings.close_at.isoformat() if settings.close_at else None,
        "pretest": settings.pretest,
    }


def rules_from_json(data: dict[str, Any]) -> Rules:
    """Return the typed rules of a stored settings dict."""
    def moment(value: Optional[str]) -> Optional[datetime]:
        return datetime.fromisoformat(value) if value else None

    return Rules(title=data["title"], description=data.get("description", ""), kind=data["kind"],
                 course=data.get("course"), pass_mark=Fraction(data["pass_mark"]),
                 attempts=int(data["attempts"]), time_limit_minutes=int(data["time_limit_minutes"]),
                 grace_seconds=int(data["grace_seconds"]), grading=data["grading"],
                 shuffle_questions=bool(data["shuffle_questions"]),
                 shuffle_answers=bool(data["shuffle_answers"]), draw=int(data["draw"]),
                 after_submit=frozenset(data["after_submit"]), after_close=frozenset(data["after_close"]),
                 open_at=moment(data.get("open_at")), close_at=moment(data.get("close_at")),
                 pretest=data.get("pretest"))


def final_percent(percents: list[Fraction], method: str) -> Optional[Fraction]:
    """Combine the percents of finished attempts (oldest first) by the grading method."""
    if not percents:
        return None
    if method == "highest":
        return max(percents)
    if method == "first":
        return percents[0]
    if method == "last":
        return percents[-1]
    return sum(percents, Fraction(0)) / len(percents)


def normalised_gain(pre: Fraction, post: Fraction) -> Optional[Fraction]:
    """Return (post − pre) / (100 − pre), or None when the pre-test was already 100 %."""
    if pre >= 100:
        return None
    return (post - pre) / (100 - pre)
