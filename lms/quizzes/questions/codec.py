"""The stored JSON of questions, settings and attempt snapshots, and its decoding (pure).

The format is the one stored in quiz_versions and attempts since the first release: fractions
as "n/d" text, decimals as text, datetimes in ISO 8601. An attempt stores a list of entries
`{"q": <question>, "choices": [...]}` ("choices" only where the type shows any).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lms.quizzes.questions.model import (
    DEFAULT_REVIEW,
    Answer,
    AttemptQuestion,
    Pair,
    Question,
    QuizSettings,
    ReviewPolicy,
)

Json = dict[str, Any]


def fraction_text(value: Fraction) -> str:
    """Write a fraction as "n/d" (1 is "1/1")."""
    return f"{value.numerator}/{value.denominator}"


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _answer_to_json(answer: Answer) -> Json:
    return {"id": answer.id, "text": answer.text, "fraction": fraction_text(answer.fraction),
            "feedback": answer.feedback, "value": _decimal_text(answer.value),
            "tolerance": _decimal_text(answer.tolerance), "low": _decimal_text(answer.low),
            "high": _decimal_text(answer.high)}


def _answer_from_json(data: Json) -> Answer:
    return Answer(id=data["id"], text=data["text"], fraction=Fraction(data["fraction"]),
                  feedback=data["feedback"], value=_decimal_or_none(data["value"]),
                  tolerance=_decimal_or_none(data["tolerance"]), low=_decimal_or_none(data["low"]),
                  high=_decimal_or_none(data["high"]))


def question_to_snapshot(q: Question) -> Json:
    """Return the question as JSON-safe data (fractions as "n/d", decimals as strings)."""
    return {"id": q.id, "type": q.type, "text": q.text, "text_format": q.text_format,
            "points": fraction_text(q.points),
            "answers": [_answer_to_json(a) for a in q.answers],
            "pairs": [{"id": p.id, "left": p.left, "right": p.right} for p in q.pairs],
            "general_feedback": q.general_feedback, "correct_bool": q.correct_bool,
            "feedback_true": q.feedback_true, "feedback_false": q.feedback_false, "line": q.line}


def question_from_snapshot(d: Json) -> Question:
    """Rebuild the exact question that question_to_snapshot wrote."""
    return Question(id=d["id"], type=d["type"], text=d["text"], text_format=d["text_format"],
                    points=Fraction(d["points"]),
                    answers=tuple(_answer_from_json(a) for a in d["answers"]),
                    pairs=tuple(Pair(p["id"], p["left"], p["right"]) for p in d["pairs"]),
                    general_feedback=d["general_feedback"], correct_bool=d["correct_bool"],
                    feedback_true=d["feedback_true"], feedback_false=d["feedback_false"],
                    line=d["line"])


def settings_to_json(settings: QuizSettings) -> Json:
    """Return the settings as stored with a quiz version (JSON-safe values)."""
    stored: Json = {
        "title": settings.title, "description": settings.description, "kind": settings.kind,
        "course": settings.course, "pass_mark": str(settings.pass_mark),
        "attempts": settings.attempts, "time_limit_minutes": settings.time_limit_minutes,
        "grace_seconds": settings.grace_seconds, "grading": settings.grading,
        "shuffle_questions": settings.shuffle_questions,
        "shuffle_answers": settings.shuffle_answers, "draw": settings.draw,
        "after_submit": sorted(settings.review.after_submit),
        "after_close": sorted(settings.review.after_close),
        "open_at": settings.open_at.isoformat() if settings.open_at else None,
        "close_at": settings.close_at.isoformat() if settings.close_at else None,
        "pretest": settings.pretest,
    }
    if settings.review.while_retry != DEFAULT_REVIEW.while_retry:
        # Only when set: the content hash of a quiz that keeps the default stays as it was.
        stored["while_retry"] = sorted(settings.review.while_retry)
    return stored


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _review_from_json(data: Json) -> ReviewPolicy:
    # Versions stored before "while_retry" existed get its default.
    retry = data.get("while_retry")
    policy = ReviewPolicy(frozenset(data["after_submit"]), frozenset(data["after_close"]))
    return policy if retry is None else replace(policy, while_retry=frozenset(retry))


def settings_from_json(data: Json) -> QuizSettings:
    """Rebuild the settings that settings_to_json wrote."""
    return QuizSettings(
        title=data["title"], description=data.get("description", ""), kind=data["kind"],
        course=data.get("course"), pass_mark=Fraction(data["pass_mark"]),
        attempts=int(data["attempts"]), time_limit_minutes=int(data["time_limit_minutes"]),
        grace_seconds=int(data["grace_seconds"]), grading=data["grading"],
        shuffle_questions=bool(data["shuffle_questions"]),
        shuffle_answers=bool(data["shuffle_answers"]), draw=int(data["draw"]),
        review=_review_from_json(data),
        open_at=_moment(data.get("open_at")), close_at=_moment(data.get("close_at")),
        pretest=data.get("pretest"))


def entries_to_json(entries: Iterable[AttemptQuestion]) -> list[Json]:
    """Return an attempt's questions as stored with it."""
    stored = []
    for entry in entries:
        item: Json = {"q": question_to_snapshot(entry.question)}
        if entry.choices:
            item["choices"] = list(entry.choices)
        stored.append(item)
    return stored


def entries_from_json(data: Iterable[Json]) -> list[AttemptQuestion]:
    """Decode an attempt's stored questions, once, into typed values."""
    return [AttemptQuestion(question_from_snapshot(item["q"]), tuple(item.get("choices", ())))
            for item in data]
