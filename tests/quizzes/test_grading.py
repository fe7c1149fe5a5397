"""Grading: exact points for every question type, partial credit, clamping and pass marks."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest

from lms.quizzes.grading import GradeResult, best_fraction, grade, grade_question, max_points
from lms.quizzes.questions.model import Answer, Pair, Question
from lms.quizzes.questions.scoring import normalise_short_answer, parse_number

F = Fraction
ONE = Fraction(1)  # a default argument: Fractions are immutable


def choice(*fractions: Fraction, qtype: str = "single", points: Fraction = ONE) -> Question:
    """Build a choice question whose answers a1, a2, ... carry the given fractions."""
    answers = tuple(Answer(f"a{n}", f"jawaban {n}", f) for n, f in enumerate(fractions, start=1))
    text = "Porsi terbesar adalah konten {_}." if qtype == "missingword" else "Pilih jawaban."
    return Question("q", qtype, text, points=points, answers=answers)


def short(*accepted: tuple[str, Fraction]) -> Question:
    """Build a short-answer question from (accepted text, fraction) pairs."""
    answers = tuple(Answer(f"a{n}", text, f) for n, (text, f) in enumerate(accepted, start=1))
    return Question("q", "short", "Jawab singkat.", answers=answers)


def number(value: str, tolerance: str = "0", fraction: Fraction = ONE) -> Answer:
    """Build a numerical answer value ± tolerance."""
    return Answer("a", value, fraction, value=Decimal(value), tolerance=Decimal(tolerance))


def numeric_range(low: str, high: str, fraction: Fraction = ONE) -> Answer:
    """Build a numerical answer low..high."""
    return Answer("a", f"{low} .. {high}", fraction, low=Decimal(low), high=Decimal(high))


def numerical(*answers: Answer, points: Fraction = ONE) -> Question:
    """Build a numerical question from answers."""
    return Question("q", "numerical", "Berapa?", points=points, answers=answers)


# --- single and missingword ---------------------------------------------------------------------

SINGLE = choice(F(1), F(0), F(1, 2), F(-1, 2))


@pytest.mark.parametrize("response, expected", [
    ("a1", F(1)),
    ("a2", F(0)),
    ("a3", F(1, 2)),           # partial credit
    ("a4", F(0)),              # a negative weight never takes points below zero
    ("a9", F(0)),              # an id that does not exist
    (None, F(0)),
    (["a1"], F(0)),            # a list is not a single choice
    (1, F(0)),
])
def test_single_choice(response: object, expected: Fraction) -> None:
    assert grade_question(SINGLE, response) == expected


@pytest.mark.parametrize("response, expected", [("a1", F(3)), ("a3", F(3, 2)), ("a2", F(0))])
def test_single_choice_scales_by_points(response: str, expected: Fraction) -> None:
    assert grade_question(choice(F(1), F(0), F(1, 2), points=F(3)), response) == expected


@pytest.mark.parametrize("response, expected", [("a1", F(1)), ("a2", F(0)), (None, F(0))])
def test_missingword_grades_like_single(response: object, expected: Fraction) -> None:
    assert grade_question(choice(F(1), F(0), qtype="missingword"), response) == expected


# --- multiple -----------------------------------------------------------------------------------

MULTIPLE = choice(F(1, 2), F(1, 2), F(-1), F(0), qtype="multiple")


@pytest.mark.parametrize("response, expected", [
    (["a1"], F(1, 2)),
    (["a1", "a2"], F(1)),
    (["a1", "a2", "a4"], F(1)),       # a zero-weight option costs nothing
    (["a1", "a2", "a3"], F(0)),       # 1/2 + 1/2 - 1 = 0
    (["a1", "a3"], F(0)),             # 1/2 - 1 is clamped to 0
    (["a3"], F(0)),
    ([], F(0)),
    (("a2",), F(1, 2)),               # any sequence of ids
    ({"a1", "a2"}, F(1)),
    (["a1", "a1"], F(1, 2)),          # choosing an id twice counts once
    (["a1", "zz", 7], F(1, 2)),       # unknown ids and non-text entries are ignored
    ("a1", F(1, 2)),                  # a lone id, as a form with one ticked box sends it
    ({"a1": True}, F(0)),
    (None, F(0)),
])
def test_multiple_response(response: object, expected: Fraction) -> None:
    assert grade_question(MULTIPLE, response) == expected


def test_multiple_never_exceeds_full_credit() -> None:
    generous = choice(F(1), F(1, 2), qtype="multiple")
    assert grade_question(generous, ["a1", "a2"]) == F(1)


def test_three_thirds_sum_exactly_to_full_points() -> None:
    thirds = choice(F(1, 3), F(1, 3), F(1, 3), F(-1), qtype="multiple", points=F(3))
    assert grade_question(thirds, ["a1", "a2", "a3"]) == F(3)
    assert grade_question(thirds, ["a1", "a2"]) == F(2)
    assert grade_question(thirds, ["a1"]) == F(1)


# --- truefalse ----------------------------------------------------------------------------------

FALSE_STATEMENT = Question("q", "truefalse", "Kata sandi boleh dibagikan.", correct_bool=False)
TRUE_STATEMENT = Question("q", "truefalse", "Sentimen ada tiga kategori.", correct_bool=True)


@pytest.mark.parametrize("question, response, expected", [
    (FALSE_STATEMENT, "false", F(1)),
    (FALSE_STATEMENT, "FALSE", F(1)),
    (FALSE_STATEMENT, " False ", F(1)),
    (FALSE_STATEMENT, False, F(1)),
    (FALSE_STATEMENT, "true", F(0)),
    (FALSE_STATEMENT, True, F(0)),
    (FALSE_STATEMENT, 0, F(0)),           # 0 is not False here: only bools and the two words
    (FALSE_STATEMENT, "salah", F(0)),
    (FALSE_STATEMENT, None, F(0)),
    (TRUE_STATEMENT, "true", F(1)),
    (TRUE_STATEMENT, True, F(1)),
    (TRUE_STATEMENT, "false", F(0)),
    (TRUE_STATEMENT, "", F(0)),
])
def test_truefalse(question: Question, response: object, expected: Fraction) -> None:
    assert grade_question(question, response) == expected


# --- short --------------------------------------------------------------------------------------

RUMUS = short(("5W+1H", F(1)), ("5W", F(1, 2)), ("*H", F(1, 4)), ("salah*", F(-1, 2)))
ANIMAL = short(("Frog", F(1)), ("Cat", F(1, 2)), ("*", F(0)))


@pytest.mark.parametrize("question, response, expected", [
    (RUMUS, "5W+1H", F(1)),
    (RUMUS, "5w 1h", F(1)),            # case, spaces and punctuation do not matter
    (RUMUS, "5W1H", F(1)),
    (RUMUS, " 5 w - 1 h! ", F(1)),
    (RUMUS, "５Ｗ＋１Ｈ", F(1)),          # full-width characters fold to ASCII (NFKC)
    (RUMUS, "5W", F(1, 2)),            # partial credit
    (RUMUS, "5w.", F(1, 2)),
    (RUMUS, "5W+2H", F(1, 4)),         # only the wildcard answer matches
    (RUMUS, "2H", F(1, 4)),
    (RUMUS, "h", F(1, 4)),             # "*" may match nothing at all
    (RUMUS, "salah besar", F(0)),      # a negative weight is clamped to 0
    (RUMUS, "6W", F(0)),
    (RUMUS, "", F(0)),
    (RUMUS, "   ", F(0)),
    (RUMUS, "?!", F(0)),               # nothing left after normalising: unanswered
    (RUMUS, None, F(0)),
    (RUMUS, 51, F(0)),
    (ANIMAL, "frog", F(1)),
    (ANIMAL, "CAT", F(1, 2)),
    (ANIMAL, "dog", F(0)),             # the catch-all "*" answer is worth 0
])
def test_short_answer(question: Question, response: object, expected: Fraction) -> None:
    assert grade_question(question, response) == expected


def test_short_answer_takes_the_best_match() -> None:
    overlapping = short(("*", F(1, 4)), ("sentimen", F(1)), ("sen*", F(1, 2)))
    assert grade_question(overlapping, "Sentimen") == F(1)
    assert grade_question(overlapping, "sensor") == F(1, 2)


@pytest.mark.parametrize("text, expected", [
    ("5W+1H", "5w1h"),
    ("  Analisis   Sentimen ", "analisissentimen"),
    ("SP4N-LAPOR!", "sp4nlapor"),
    ("Straße", "strasse"),             # casefold, not lower
    ("ｅｄｕｋａｓｉ", "edukasi"),
    ("...", ""),
])
def test_normalise_short_answer(text: str, expected: str) -> None:
    assert normalise_short_answer(text) == expected


# --- numerical ----------------------------------------------------------------------------------

ENGAGEMENT = numerical(number("3", "0.05"), number("0.03", "0.001", F(0)),
                       numeric_range("10", "20", F(1, 2)))
GRANT = numerical(number("1822", "0"), number("1822", "2", F(1, 2)))


@pytest.mark.parametrize("question, response, expected", [
    (ENGAGEMENT, "3", F(1)),
    (ENGAGEMENT, "3,05", F(1)),            # tolerance edges are inclusive, comma accepted
    (ENGAGEMENT, "2.95", F(1)),
    (ENGAGEMENT, "3.051", F(0)),
    (ENGAGEMENT, "2,949", F(0)),
    (ENGAGEMENT, "3.", F(1)),
    (ENGAGEMENT, " +3 ", F(1)),
    (ENGAGEMENT, ".03", F(0)),             # a known wrong answer, worth 0
    (ENGAGEMENT, "10", F(1, 2)),           # range edges are inclusive
    (ENGAGEMENT, "20", F(1, 2)),
    (ENGAGEMENT, "15,5", F(1, 2)),
    (ENGAGEMENT, "20.0001", F(0)),
    (ENGAGEMENT, "9.9999", F(0)),
    (ENGAGEMENT, "3 %", F(1)),             # a percent sign is a unit, not garbage
    (ENGAGEMENT, "3%%", F(0)),             # garbage earns nothing
    (ENGAGEMENT, "3,0,0", F(0)),
    (ENGAGEMENT, "1e3", F(0)),
    (ENGAGEMENT, "tiga", F(0)),
    (ENGAGEMENT, "", F(0)),
    (ENGAGEMENT, Decimal("3.04"), F(1)),
    (ENGAGEMENT, 3, F(1)),
    (ENGAGEMENT, True, F(0)),
    (ENGAGEMENT, 3.0, F(0)),               # floats are never trusted
    (ENGAGEMENT, None, F(0)),
    (GRANT, "1822", F(1)),                 # the best of several matching answers
    (GRANT, "1823", F(1, 2)),
    (GRANT, "1820", F(1, 2)),
    (GRANT, "1825", F(0)),
    (GRANT, "1.822", F(0)),                # one separator is a decimal point, not thousands
    (GRANT, "1.822,0", F(0)),
])
def test_numerical(question: Question, response: object, expected: Fraction) -> None:
    assert grade_question(question, response) == expected


def test_numerical_comparison_is_exact() -> None:
    # In floats 0.4 - 0.3 > 0.1, which would wrongly reject an answer on the edge.
    assert grade_question(numerical(number("0.3", "0.1")), "0.4") == F(1)
    assert grade_question(numerical(number("0.3", "0.1")), "0.4000000000000000001") == F(0)


def test_numerical_negative_weight_is_clamped() -> None:
    assert grade_question(numerical(number("5", "0", F(-1)), number("7")), "5") == F(0)


def test_numerical_catch_all_matches_any_number() -> None:
    question = numerical(number("3", "2"), Answer("a2", "*", F(1, 10)))
    assert grade_question(question, "100") == F(1, 10)
    assert grade_question(question, "x") == F(0)


@pytest.mark.parametrize("response, expected", [
    ("3,5", Decimal("3.5")),
    ("3.5", Decimal("3.5")),
    ("-0,25", Decimal("-0.25")),
    (",5", Decimal("0.5")),
    ("17", Decimal("17")),
    (17, Decimal("17")),
    ("1.822", Decimal("1.822")),
    ("1.822.000", None),
    ("1 822", None),
    ("3 %", Decimal("3")),
    ("3%", Decimal("3")),
    ("%3", None),
    ("NaN", None),
    (Decimal("NaN"), None),
    ("", None),
    (None, None),
    (False, None),
])
def test_parse_number(response: object, expected: Decimal | None) -> None:
    assert parse_number(response) == expected


# --- matching -----------------------------------------------------------------------------------

MATCHING = Question("q", "matching", "Pasangkan.", pairs=(
    Pair("p1", "Aduan layanan", "SP4N-LAPOR!"), Pair("p2", "Permohonan dokumen", "PPID"),
    Pair("p3", "Pertanyaan jadwal", "Jawab langsung"), Pair("p4", "", "Hapus tanpa dibalas")))


@pytest.mark.parametrize("response, expected", [
    ({"p1": "SP4N-LAPOR!", "p2": "PPID", "p3": "Jawab langsung"}, F(1)),
    ({"p1": "SP4N-LAPOR!", "p2": "PPID", "p3": "Hapus tanpa dibalas"}, F(2, 3)),
    ({"p1": "SP4N-LAPOR!", "p2": "SP4N-LAPOR!"}, F(1, 3)),
    ({"p1": " SP4N-LAPOR! "}, F(1, 3)),
    ({"p4": "Hapus tanpa dibalas"}, F(0)),        # a distractor never counts
    ({"p1": "sp4n-lapor!"}, F(0)),                # the choice must be the offered text
    ({"p1": 5}, F(0)),
    ({}, F(0)),
    ("SP4N-LAPOR!", F(0)),
    (None, F(0)),
])
def test_matching(response: object, expected: Fraction) -> None:
    assert grade_question(MATCHING, response) == expected


def test_matching_pairs_share_points_equally() -> None:
    worth_three = Question("q", "matching", "Pasangkan.", points=F(3), pairs=MATCHING.pairs)
    assert grade_question(worth_three, {"p1": "SP4N-LAPOR!", "p3": "Jawab langsung"}) == F(2)


def test_matching_with_a_repeated_right_text() -> None:
    question = Question("q", "matching", "Pasangkan.", pairs=(
        Pair("p1", "Salinan anggaran", "PPID"), Pair("p2", "Daftar informasi publik", "PPID")))
    assert grade_question(question, {"p1": "PPID", "p2": "PPID"}) == F(1)


# --- whole attempts -----------------------------------------------------------------------------

ATTEMPT = [
    replace(choice(F(1), F(0), points=F(2)), id="tunggal"),
    Question("benar-salah", "truefalse", "?", correct_bool=True),
    replace(choice(F(1, 3), F(1, 3), F(1, 3), qtype="multiple"), id="banyak"),
]


@pytest.mark.parametrize("responses, pass_mark, expected", [
    ({"tunggal": "a1", "benar-salah": "true", "banyak": ["a1", "a2", "a3"]}, F(70),
     GradeResult({"tunggal": F(2), "benar-salah": F(1), "banyak": F(1)}, F(4), F(4), F(100), True)),
    ({"tunggal": "a1", "benar-salah": "false", "banyak": ["a1"]}, F(70),
     GradeResult({"tunggal": F(2), "benar-salah": F(0), "banyak": F(1, 3)}, F(7, 3), F(4),
                 F(175, 3), False)),
    ({"tunggal": "a1", "benar-salah": "true"}, F(75),                     # exactly on the pass mark
     GradeResult({"tunggal": F(2), "benar-salah": F(1), "banyak": F(0)}, F(3), F(4), F(75), True)),
    ({}, F(0),
     GradeResult({"tunggal": F(0), "benar-salah": F(0), "banyak": F(0)}, F(0), F(4), F(0), True)),
    ({"tunggal": None, "lain": "a1"}, F(1),
     GradeResult({"tunggal": F(0), "benar-salah": F(0), "banyak": F(0)}, F(0), F(4), F(0), False)),
])
def test_grade_attempt(responses: dict[str, object], pass_mark: Fraction,
                       expected: GradeResult) -> None:
    assert grade(ATTEMPT, responses, pass_mark) == expected


def test_grade_percent_is_exact() -> None:
    thirds = [Question(f"q{n}", "truefalse", "?", correct_bool=True) for n in range(3)]
    result = grade(thirds, {"q0": "true"}, F(70))
    assert result.percent == F(100, 3)
    assert isinstance(result.percent, Fraction)


def test_grade_with_no_questions() -> None:
    assert grade([], {}, F(70)) == GradeResult({}, F(0), F(0), F(0), False)


def test_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        grade_question(Question("q", "essay", "?"), "teks")


# --- best fraction and maximum ------------------------------------------------------------------

@pytest.mark.parametrize("question, best", [
    (SINGLE, F(1)),
    (MULTIPLE, F(1)),
    (choice(F(1, 2), F(1, 4), qtype="multiple"), F(3, 4)),
    (choice(F(1), F(1), qtype="multiple"), F(1)),
    (FALSE_STATEMENT, F(1)),
    (RUMUS, F(1)),
    (numerical(number("3", "0", F(1, 2))), F(1, 2)),
    (numerical(number("3", "0", F(-1))), F(0)),
    (MATCHING, F(1)),
    (Question("q", "matching", "?", pairs=(Pair("p1", "", "x"),)), F(0)),
])
def test_best_fraction(question: Question, best: Fraction) -> None:
    assert best_fraction(question) == best


def test_max_points_is_the_question_points() -> None:
    assert max_points(choice(F(1), F(0), points=F(5, 2))) == F(5, 2)
