"""Questions hash once per object (attempt pages key their rendered questions by them), and the
kept hash never travels with a copy or a pickle (string hashes differ between processes)."""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace
from fractions import Fraction

from lms.quizzes.questions.model import Answer, AttemptQuestion, Question


def _entry(text="Apa ibu kota?", answer="Jakarta"):
    answers = (Answer("a1", answer, Fraction(1)), Answer("a2", "Bandung", Fraction(0)))
    return AttemptQuestion(Question("q1", "single", text, answers=answers), ("x",))


def test_equal_questions_hash_alike_and_others_apart():
    first, same, other = _entry(), _entry(), _entry(answer="Surabaya")
    assert hash(first) == hash(same) and first == same
    assert hash(first) != hash(other) and first != other
    assert hash(first) == hash(first)  # from the kept value the second time
    changed = replace(first.question, text="Apa ibu kota provinsi?")
    assert hash(changed) != hash(first.question) and changed != first.question


def test_the_kept_hash_is_the_fields_hash():
    entry = _entry()
    hash(entry)
    assert entry.__dict__["_hash"] == hash((entry.question, entry.choices))


def test_copies_and_pickles_leave_the_kept_hash_behind():
    entry = _entry()
    hash(entry)
    for twin in (copy.copy(entry), copy.deepcopy(entry), pickle.loads(pickle.dumps(entry))):
        assert "_hash" not in twin.__dict__ and twin == entry and hash(twin) == hash(entry)
