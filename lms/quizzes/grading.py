"""Grade quiz responses with exact arithmetic: Fraction for scores, Decimal for typed numbers.

Responses, as the web layer sends them (a missing key or None means unanswered and earns 0):
- single, missingword: the chosen answer id ("a2").
- multiple: a list of answer ids; the chosen fractions are summed, then kept within 0..1.
- truefalse: "true" or "false" (any case), or a bool.
- short: free text. Both the response and each accepted answer are normalised: Unicode NFKC,
  then casefold, then every character that is not a letter or digit (spaces, punctuation,
  symbols) is dropped, so "5W+1H", "5w 1h" and "5W1H" are one answer. A "*" in an accepted
  answer matches any run of characters, possibly none. A response that normalises to nothing
  is unanswered. The best matching answer counts.
- numerical: text with at most one decimal separator, comma or dot ("3,5" and "3.5" are both
  3.5; "1.822" is 1.822, never 1822); anything else earns 0. The best matching answer counts;
  tolerances and ranges include their edges.
- matching: {pair_id: chosen right-hand text}; each real pair is worth an equal share, and
  distractors never count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from lms.quizzes.questions.model import Question
from lms.quizzes.questions.scoring import ZERO, clamp
from lms.quizzes.questions.types import QUESTION_TYPES, question_type


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one attempt."""

    points: dict[str, Fraction]
    total: Fraction
    maximum: Fraction
    percent: Fraction
    passed: bool


def grade_question(q: Question, response: object) -> Fraction:
    """Return the points a response earns, from 0 up to the question's points."""
    kind = QUESTION_TYPES.get(q.type)
    if kind is None:
        raise ValueError(f"jenis pertanyaan tidak dikenal: {q.type}")
    if response is None:
        return ZERO
    return q.points * clamp(kind.score(q, response))


def best_fraction(q: Question) -> Fraction:
    """Return the largest share of the points any response can earn, from 0 to 1."""
    return question_type(q).best(q)


def max_points(q: Question) -> Fraction:
    """Return the points a question is worth (what the quiz maximum adds up)."""
    return q.points


def grade(questions: Sequence[Question], responses: Mapping[str, object],
          pass_mark: Fraction) -> GradeResult:
    """Grade every question of an attempt and decide whether it passes."""
    points = {q.id: grade_question(q, responses.get(q.id)) for q in questions}
    total = sum(points.values(), ZERO)
    maximum = sum((max_points(q) for q in questions), ZERO)
    percent = total / maximum * 100 if maximum else ZERO
    return GradeResult(points, total, maximum, percent, percent >= pass_mark)
