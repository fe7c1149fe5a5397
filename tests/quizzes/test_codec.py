"""The stored JSON: what earlier releases wrote still decodes, and encodes back byte for byte."""

from __future__ import annotations

import ast
import json
from fractions import Fraction
from pathlib import Path

from lms.quizzes.definitions import load_quizzes
from lms.quizzes.grading import grade
from lms.quizzes.questions.codec import (
    entries_from_json,
    entries_to_json,
    question_from_snapshot,
    question_to_snapshot,
    settings_from_json,
    settings_to_json,
)
from lms.quizzes.questions.model import ReviewPolicy

REPO = Path(__file__).resolve().parents[2]
STORED = json.loads(
    (REPO / "tests" / "fixtures" / "snapshots" / "stored-before-the-typed-model.json").read_text(
        encoding="utf-8"
    )
)


def test_stored_settings_decode_and_encode_back_unchanged() -> None:
    settings = settings_from_json(STORED["version_settings"])
    assert (settings.title, settings.pass_mark, settings.time_limit_minutes) == (
        "Kuis Uji Mesin",
        60,
        10,
    )
    assert settings.review == ReviewPolicy(
        frozenset({"score", "correctness", "feedback"}),
        frozenset({"score", "correctness", "answers", "feedback"}),
    )
    assert settings_to_json(settings) == STORED["version_settings"]


def test_stored_attempt_questions_decode_once_into_typed_values() -> None:
    entries = entries_from_json(STORED["attempt_questions"])
    assert [e.type for e in entries] == ["single", "multiple", "truefalse", "short", "matching"]
    matching = entries[-1]
    assert sorted(matching.choices) == sorted({p.right for p in matching.question.pairs})
    assert entries[0].question.answers[0].fraction in (Fraction(0), Fraction(1))
    assert entries_to_json(entries) == STORED["attempt_questions"]


def test_stored_questions_grade_as_the_loaded_ones() -> None:
    loaded = next(
        q for q in load_quizzes(REPO / "tests" / "fixtures" / "engine")[0] if q.slug == "uji-mesin"
    )
    stored = [question_from_snapshot(q) for q in STORED["version_questions"]]
    assert stored == list(loaded.questions)
    assert [question_to_snapshot(q) for q in stored] == STORED["version_questions"]
    responses = {"benar-salah": "false", "isian": "5w 1h"}
    assert grade(stored, responses, Fraction(60)) == grade(
        loaded.questions, responses, Fraction(60)
    )


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }


def test_loaders_sit_above_the_model_and_do_not_import_each_other() -> None:
    quizzes = REPO / "lms" / "quizzes"
    assert "lms.quizzes.definitions" not in _imports(quizzes / "gift.py")
    assert "lms.quizzes.gift" not in _imports(quizzes / "definitions.py")
    for module in (quizzes / "questions").glob("*.py"):
        found = _imports(module)
        assert (
            not {"lms.quizzes.definitions", "lms.quizzes.gift", "lms.quizzes.toml_reader"} & found
        ), module
