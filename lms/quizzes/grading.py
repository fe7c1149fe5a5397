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

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable

from lms.quizzes.definitions import CATCH_ALL, Answer, Question

ZERO = Fraction(0)
ONE = Fraction(1)
_TYPED_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_TRUTH = {"true": True, "false": False}


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one attempt."""

    points: dict[str, Fraction]
    total: Fraction
    maximum: Fraction
    percent: Fraction
    passed: bool


def _clamp(value: Fraction) -> Fraction:
    return min(max(value, ZERO), ONE)


def normalise_short_answer(text: str) -> str:
    """Reduce text to its case-folded letters and digits (NFKC first), dropping all else."""
    # Spaces and punctuation carry no meaning in these answers: "5W+1H" and "5w 1h" are one answer.
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def _short_matches(accepted: str, given: str) -> bool:
    parts = (re.escape(normalise_short_answer(part)) for part in accepted.split("*"))
    return re.fullmatch(".*".join(parts), given, flags=re.DOTALL) is not None


def parse_number(response: object) -> Decimal | None:
    """Read a typed number with at most one decimal comma or dot; return None when it is not one."""
    if isinstance(response, bool):
        return None
    if isinstance(response, int):
        return Decimal(response)
    if isinstance(response, Decimal):
        return response if response.is_finite() else None
    if isinstance(response, str):
        # "3%" answers a question asked in percent: the sign is a unit, not part of the number.
        text = response.strip().removesuffix("%").strip()
        if _TYPED_NUMBER.fullmatch(text):
            return Decimal(text.replace(",", "."))
    return None


def _number_matches(answer: Answer, number: Decimal) -> bool:
    exact = Fraction(number)
    if answer.value is not None:
        return abs(exact - Fraction(answer.value)) <= Fraction(answer.tolerance or 0)
    if answer.low is not None and answer.high is not None:
        return Fraction(answer.low) <= exact <= Fraction(answer.high)
    return answer.text == CATCH_ALL


def _score_choice(q: Question, response: object) -> Fraction:
    return next((a.fraction for a in q.answers if a.id == response), ZERO)


def _chosen_ids(response: object) -> frozenset[str]:
    if isinstance(response, str):
        return frozenset({response})
    if isinstance(response, (list, tuple, set, frozenset)):
        return frozenset(item for item in response if isinstance(item, str))
    return frozenset()


def _score_multiple(q: Question, response: object) -> Fraction:
    chosen = _chosen_ids(response)
    return sum((a.fraction for a in q.answers if a.id in chosen), ZERO)


def _score_truefalse(q: Question, response: object) -> Fraction:
    answer = response if isinstance(response, bool) else None
    if isinstance(response, str):
        answer = _TRUTH.get(response.strip().casefold())
    return ONE if answer is not None and answer == q.correct_bool else ZERO


def _score_short(q: Question, response: object) -> Fraction:
    given = normalise_short_answer(response) if isinstance(response, str) else ""
    if not given:
        return ZERO
    return max((a.fraction for a in q.answers if _short_matches(a.text, given)), default=ZERO)


def _score_numerical(q: Question, response: object) -> Fraction:
    number = parse_number(response)
    if number is None:
        return ZERO
    return max((a.fraction for a in q.answers if _number_matches(a, number)), default=ZERO)


def _same_text(chosen: object, right: str) -> bool:
    return isinstance(chosen, str) and chosen.strip() == right.strip()


def _score_matching(q: Question, response: object) -> Fraction:
    real = [p for p in q.pairs if p.left]
    if not real or not isinstance(response, Mapping):
        return ZERO
    right = sum(1 for p in real if _same_text(response.get(p.id), p.right))
    return Fraction(right, len(real))


_SCORERS: dict[str, Callable[[Question, object], Fraction]] = {
    "single": _score_choice, "missingword": _score_choice, "multiple": _score_multiple,
    "truefalse": _score_truefalse, "short": _score_short, "numerical": _score_numerical,
    "matching": _score_matching,
}


def grade_question(q: Question, response: object) -> Fraction:
    """Return the points a response earns, from 0 up to the question's points."""
    scorer = _SCORERS.get(q.type)
    if scorer is None:
        raise ValueError(f"jenis pertanyaan tidak dikenal: {q.type}")
    if response is None:
        return ZERO
    return q.points * _clamp(scorer(q, response))


def best_fraction(q: Question) -> Fraction:
    """Return the largest share of the points any response can earn, from 0 to 1."""
    if q.type == "multiple":
        return _clamp(sum((a.fraction for a in q.answers if a.fraction > 0), ZERO))
    if q.type == "truefalse":
        return ONE if q.correct_bool is not None else ZERO
    if q.type == "matching":
        return ONE if any(p.left for p in q.pairs) else ZERO
    return _clamp(max((a.fraction for a in q.answers), default=ZERO))


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
