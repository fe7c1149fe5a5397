"""The ordering question type: TOML, checks, partial credit by pairs in order, answers, GIFT."""

from __future__ import annotations

import json
import random
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from lms.quizzes.definitions import load_quiz
from lms.quizzes.errors import InvalidAnswer
from lms.quizzes.gift import ORDERING_IN_GIFT, parse_gift
from lms.quizzes.grading import best_fraction, grade_question
from lms.quizzes.questions.codec import entries_from_json, entries_to_json
from lms.quizzes.questions.model import Answer, AttemptQuestion, Question
from lms.quizzes.questions.types import (
    QUESTION_TYPES,
    clean_answer,
    form_answer,
    question_problems,
    show_in_attempt,
)

F = Fraction
ONE = Fraction(1)  # a default argument: Fractions are immutable
TEMPLATES = Path(__file__).resolve().parents[2] / "lms" / "templates" / "quizzes"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ordering" / "uji-urutan.toml"
STEPS = ("Draf", "Telaah kepala seksi", "Persetujuan Kepala Dinas", "Publikasi")


def ordering(*texts: str, points: Fraction = ONE) -> Question:
    answers = tuple(Answer(f"a{n}", text, F(0)) for n, text in enumerate(texts, start=1))
    return Question("alur", "ordering", "Urutkan langkahnya.", points=points, answers=answers)


FLOW = ordering(*STEPS)


def test_toml_reads_the_steps_in_their_right_order() -> None:
    quiz, errors, _ = load_quiz(FIXTURE)
    assert errors == [] and quiz is not None
    question = quiz.questions[0]
    assert question.type == "ordering"
    assert [a.text for a in question.answers] == [
        "Penyusunan draf konten",
        "Telaah oleh kepala seksi",
        "Persetujuan Kepala Dinas",
        "Publikasi di akun resmi OPD",
    ]
    assert [a.id for a in question.answers] == ["a1", "a2", "a3", "a4"]
    assert best_fraction(question) == 1


@pytest.mark.parametrize(
    "steps, expected",
    [
        (
            '[[questions.answers]]\ntext = "Satu-satunya"\n',
            [(4, "pertanyaan urutan memerlukan minimal dua langkah; ditemukan 1")],
        ),
        (
            '[[questions.answers]]\ntext = "Draf"\n\n[[questions.answers]]\ntext = "Draf"\n',
            [
                (
                    4,
                    "langkah ke-2 sama dengan langkah ke-1; setiap langkah harus berbeda agar "
                    "urutannya dapat dinilai",
                )
            ],
        ),
        (
            '[[questions.answers]]\ntext = "Draf"\ncorrect = true\n\n'
            '[[questions.answers]]\ntext = "Terbit"\n',
            [(10, 'kunci "correct" tidak berlaku untuk pertanyaan jenis "ordering"')],
        ),
    ],
    ids=["one-step", "same-step-twice", "answer-key-of-another-type"],
)
def test_toml_problems_have_lines(
    tmp_path: Path, steps: str, expected: list[tuple[int, str]]
) -> None:
    path = tmp_path / "urutan.toml"
    path.write_text(
        textwrap.dedent("""\
        title = "Urutan"

        [[questions]]
        id = "alur"
        type = "ordering"
        text = "Urutkan."

        """)
        + steps,
        encoding="utf-8",
    )
    _, errors, _ = load_quiz(path)
    assert [(e.line, e.message) for e in errors] == expected


@pytest.mark.parametrize(
    "positions, share",
    [
        ({"a1": 1, "a2": 2, "a3": 3, "a4": 4}, F(1)),
        ({"a1": 2, "a2": 1, "a3": 3, "a4": 4}, F(5, 6)),  # one swap breaks one pair of six
        ({"a1": 4, "a2": 1, "a3": 2, "a4": 3}, F(1, 2)),  # the first step put last breaks three
        ({"a1": 4, "a2": 3, "a3": 2, "a4": 1}, F(0)),  # reversed
        ({"a1": 1, "a2": 1, "a3": 3, "a4": 4}, F(5, 6)),  # a tie is not an order
        ({"a1": 1, "a2": 2}, F(1, 6)),  # steps left out break their pairs
        ({"a1": 1, "a2": True, "a3": 3, "a4": 4}, F(3, 6)),  # true is not a position
        ({}, F(0)),
        (["a1", "a2", "a3", "a4"], F(0)),  # not the shape the engine saves
    ],
)
def test_partial_credit_is_the_share_of_pairs_in_the_right_order(
    positions: object, share: Fraction
) -> None:
    assert grade_question(FLOW, positions) == share
    assert grade_question(ordering(*STEPS, points=F(3)), positions) == 3 * share


def test_unanswered_earns_nothing() -> None:
    assert grade_question(FLOW, None) == 0


def entry(question: Question = FLOW) -> AttemptQuestion:
    return show_in_attempt(question, False, random.Random(7))


def test_an_attempt_shows_every_step_never_in_the_right_order() -> None:
    for seed in range(40):
        shown = show_in_attempt(FLOW, False, random.Random(seed))
        assert sorted(shown.choices) == ["a1", "a2", "a3", "a4"]
        assert list(shown.choices) != ["a1", "a2", "a3", "a4"]
    two = show_in_attempt(ordering("Pertama", "Kedua"), False, random.Random(0))
    assert two.choices == ("a2", "a1")


def test_the_snapshot_keeps_the_shown_order() -> None:
    shown = entry()
    stored = json.loads(json.dumps(entries_to_json([shown])))
    assert stored[0]["choices"] == list(shown.choices)
    assert entries_from_json(stored) == [shown]


@pytest.mark.parametrize(
    "given, saved",
    [
        ({"a1": "1", "a2": "2", "a3": "", "a4": 4}, {"a1": 1, "a2": 2, "a4": 4}),
        ({"a1": 2, "a2": 2}, {"a1": 2, "a2": 2}),
        ({"a1": ""}, {}),
    ],
)
def test_answers_are_cleaned_to_positions(given: dict[str, object], saved: dict[str, int]) -> None:
    assert clean_answer(entry(), given) == saved


@pytest.mark.parametrize(
    "given",
    [
        {"a9": 1},
        {"a1": 5},
        {"a1": 0},
        {"a1": "satu"},
        {"a1": True},
        {"a1": 1.5},
        ["a1", "a2"],
        "a1",
    ],
)
def test_answers_outside_the_steps_or_positions_are_refused(given: object) -> None:
    with pytest.raises(InvalidAnswer):
        clean_answer(entry(), given)


def test_a_page_without_javascript_posts_one_select_per_step() -> None:
    form = MultiDict({"q-2-a1": "3", "q-2-a2": "", "q-2-a4": "1", "q-1-a1": "4"})
    assert form_answer(entry(), "q-2", form) == {"a1": "3", "a2": "", "a3": "", "a4": "1"}
    assert clean_answer(entry(), form_answer(entry(), "q-2", form)) == {"a1": 3, "a4": 1}


def test_gift_says_ordering_is_written_in_toml() -> None:
    text = ("::alur:: Urutkan alur persetujuan konten. "
            "{>4 ALL VERTICAL\nDraf\nTelaah\nPersetujuan\nPublikasi\n}")
    questions, errors, skipped = parse_gift(text, "urutan.gift")
    assert questions == [] and skipped == []
    assert [(e.line, e.message) for e in errors] == [(1, ORDERING_IN_GIFT)]
    assert "TOML" in ORDERING_IN_GIFT and 'type = "ordering"' in ORDERING_IN_GIFT


def test_every_type_is_complete_in_the_registry() -> None:
    assert list(QUESTION_TYPES) == [
        "single",
        "multiple",
        "truefalse",
        "short",
        "numerical",
        "matching",
        "missingword",
        "ordering",
    ]
    for name, kind in QUESTION_TYPES.items():
        assert kind.name == name and kind.label and kind.toml_keys
        assert all(
            callable(f)
            for f in (
                kind.problems,
                kind.clean,
                kind.score,
                kind.best,
                kind.form_value,
                kind.choices,
            )
        )
        for page in ("answer", "review"):
            assert (TEMPLATES / page / f"{kind.template}.html").is_file(), (name, page)
    assert QUESTION_TYPES["ordering"].label == "Mengurutkan"


def test_a_good_ordering_question_has_no_problems() -> None:
    assert question_problems(FLOW) == []
