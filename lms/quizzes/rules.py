"""Where an attempt counts, and how scores combine: pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction

from lms.quizzes.questions.model import QuizSettings


@dataclass(frozen=True)
class QuizContext:
    """Where an attempt counts, and the open window that context imposes."""

    key: str = ""
    training_id: int | None = None
    windowed: bool = False
    open_at: datetime | None = None
    close_at: datetime | None = None

    def apply(self, settings: QuizSettings) -> QuizSettings:
        """Return the settings with this context's window in place of the quiz's own."""
        if not self.windowed:
            return settings
        return replace(settings, open_at=self.open_at, close_at=self.close_at)


NO_CONTEXT = QuizContext()


def final_percent(percents: list[Fraction], method: str) -> Fraction | None:
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


def normalised_gain(pre: Fraction, post: Fraction) -> Fraction | None:
    """Return (post − pre) / (100 − pre), or None when the pre-test was already 100 %."""
    if pre >= 100:
        return None
    return (post - pre) / (100 - pre)
