"""The share of a question's points a response earns, per type, with exact arithmetic (pure).

A scorer returns a fraction that grading keeps within 0..1; see lms.quizzes.grading for the
shape of each type's response.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from lms.quizzes.questions.model import CATCH_ALL, Answer, Question

ZERO = Fraction(0)
ONE = Fraction(1)
_TYPED_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_TRUTH = {"true": True, "false": False}


def clamp(value: Fraction) -> Fraction:
    """Keep a share of points within 0..1."""
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


def score_choice(q: Question, response: object) -> Fraction:
    """Single choice: the chosen answer's fraction."""
    return next((a.fraction for a in q.answers if a.id == response), ZERO)


def _chosen_ids(response: object) -> frozenset[str]:
    if isinstance(response, str):
        return frozenset({response})
    if isinstance(response, (list, tuple, set, frozenset)):
        return frozenset(item for item in response if isinstance(item, str))
    return frozenset()


def score_multiple(q: Question, response: object) -> Fraction:
    """Multiple response: the chosen fractions, summed."""
    chosen = _chosen_ids(response)
    return sum((a.fraction for a in q.answers if a.id in chosen), ZERO)


def score_truefalse(q: Question, response: object) -> Fraction:
    """True/false: all or nothing."""
    answer = response if isinstance(response, bool) else None
    if isinstance(response, str):
        answer = _TRUTH.get(response.strip().casefold())
    return ONE if answer is not None and answer == q.correct_bool else ZERO


def score_short(q: Question, response: object) -> Fraction:
    """Short answer: the best accepted answer the normalised text matches."""
    given = normalise_short_answer(response) if isinstance(response, str) else ""
    if not given:
        return ZERO
    return max((a.fraction for a in q.answers if _short_matches(a.text, given)), default=ZERO)


def score_numerical(q: Question, response: object) -> Fraction:
    """Numerical: the best answer the typed number falls within."""
    number = parse_number(response)
    if number is None:
        return ZERO
    return max((a.fraction for a in q.answers if _number_matches(a, number)), default=ZERO)


def _same_text(chosen: object, right: str) -> bool:
    return isinstance(chosen, str) and chosen.strip() == right.strip()


def score_matching(q: Question, response: object) -> Fraction:
    """Matching: an equal share for each real pair matched; distractors never count."""
    real = [p for p in q.pairs if p.left]
    if not real or not isinstance(response, Mapping):
        return ZERO
    right = sum(1 for p in real if _same_text(response.get(p.id), p.right))
    return Fraction(right, len(real))


def best_positive_sum(q: Question) -> Fraction:
    """Multiple response: all the positive answers together."""
    return clamp(sum((a.fraction for a in q.answers if a.fraction > 0), ZERO))


def best_answer(q: Question) -> Fraction:
    """Choice, short and numerical: the best single answer."""
    return clamp(max((a.fraction for a in q.answers), default=ZERO))


def best_truefalse(q: Question) -> Fraction:
    return ONE if q.correct_bool is not None else ZERO


def best_matching(q: Question) -> Fraction:
    return ONE if any(p.left for p in q.pairs) else ZERO


def score_ordering(q: Question, response: object) -> Fraction:
    """Ordering: the share of pairs of steps the response puts in the right relative order.

    The response gives each step a position ({step_id: 1..n}); a pair counts when both steps
    have a position and the earlier step's is smaller, so a tie or a step left out never counts.
    This is Moodle's "relative to all the previous and next items": one step in the wrong place
    costs only the pairs it breaks.
    """
    if not isinstance(response, Mapping) or len(q.answers) < 2:
        return ZERO
    positions = [_position(response.get(a.id)) for a in q.answers]
    pairs = [(positions[i], positions[j])
             for i in range(len(positions)) for j in range(i + 1, len(positions))]
    right = sum(1 for before, after in pairs
                if before is not None and after is not None and before < after)
    return Fraction(right, len(pairs))


def _position(value: object) -> int | None:
    # A step without a whole-number position (left out, or true/false) breaks each of its pairs.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def best_ordering(q: Question) -> Fraction:
    return ONE if len(q.answers) >= 2 else ZERO
