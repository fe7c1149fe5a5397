"""The bundled pre-test and post-test measure learning: parallel forms, their own item bank,
mixed true/false keys, equal chance scores, and a pre-test that only ever shows the score."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import pytest

from lms.quizzes.definitions import QuizDefinition, load_quizzes
from lms.quizzes.grading import grade_question
from lms.quizzes.questions.model import Question

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundled() -> dict[str, QuizDefinition]:
    quizzes, errors, _ = load_quizzes(REPO / "quizzes")
    assert errors == []
    return {q.slug: q for q in quizzes}


def chance(question: Question) -> Fraction:
    """The expected share of the points of a guesser who answers every question.

    single and missingword: each answer equally likely; truefalse: true or false; multiple:
    every non-empty choice of answers equally likely, graded as the app grades it; matching:
    each left side given one of the right-hand texts at random; ordering: a random order
    (half of the pairs of steps in the right order, on average); typed answers: nothing.
    """
    if question.type in {"single", "missingword"}:
        scores = [grade_question(question, a.id) for a in question.answers]
    elif question.type == "truefalse":
        scores = [grade_question(question, value) for value in ("true", "false")]
    elif question.type == "multiple":
        ids = [a.id for a in question.answers]
        scores = [grade_question(question, list(chosen))
                  for size in range(1, len(ids) + 1) for chosen in combinations(ids, size)]
    elif question.type == "matching":
        return Fraction(1, len({p.right for p in question.pairs})) * question.points
    elif question.type == "ordering":
        return Fraction(1, 2) * question.points
    else:
        return Fraction(0)
    return sum(scores, Fraction(0)) / len(scores)


def chance_percent(quiz: QuizDefinition) -> Fraction:
    return sum((chance(q) for q in quiz.questions), Fraction(0)) * 100 / sum(q.points for q in quiz.questions)


def module_of(quiz: QuizDefinition, question: Question) -> str:
    entry = next(s for s in quiz.sections if s.question_id == question.id)
    courses = {target.split("/", 1)[0] for target in entry.targets}
    assert len(courses) == 1, question.id
    return courses.pop()


def shape(question: Question) -> tuple[object, ...]:
    """What a parallel item must share: type, points, and its answers' weights (in order)."""
    weights = tuple(sorted(a.fraction for a in question.answers))
    return question.type, question.points, weights, len(question.pairs)


def test_the_forms_are_parallel_item_for_item(bundled):
    pre, post = bundled["pretest-bimtek-medsos"], bundled["posttest-bimtek-medsos"]
    assert [q.id for q in pre.questions] == [q.id for q in post.questions]
    for before, after in zip(pre.questions, post.questions):
        assert shape(before) == shape(after), before.id
        assert module_of(pre, before) == module_of(post, after), before.id
        assert chance(before) == chance(after), before.id
        assert before.text != after.text, before.id
    per_module_type = [Counter((module_of(quiz, q), q.type) for q in quiz.questions) for quiz in (pre, post)]
    assert per_module_type[0] == per_module_type[1]
    # Every module that has a practice quiz is in both forms.
    modules = {module for module, _ in per_module_type[0]}
    assert modules == {q.settings.course for q in bundled.values() if q.settings.kind == "practice"}


def test_the_chance_scores_are_within_two_points(bundled):
    pre, post = bundled["pretest-bimtek-medsos"], bundled["posttest-bimtek-medsos"]
    assert abs(chance_percent(pre) - chance_percent(post)) <= 2
    # The figure itself, so a change to the forms shows up here: 15 single (1/4), 5 multiple
    # (three right of 1/3, two wrong of -1/2, over the 31 non-empty choices), 6 true/false.
    multiple = next(q for q in pre.questions if q.type == "multiple")
    assert chance(multiple) == Fraction(6, 31)
    assert chance_percent(pre) == (15 * Fraction(1, 4) + 5 * Fraction(6, 31) + 6 * Fraction(1, 2)) * 100 / 26


def _lesson_of(target: str) -> str:
    """The lesson slug of a "course/lesson#heading" target (file-name form accepted)."""
    lesson = target.split("/", 1)[1].split("#", 1)[0]
    return re.sub(r"^\d+-", "", lesson.removesuffix(".md"))


def test_both_forms_cover_every_lesson_of_the_fifth_module(bundled):
    # Issue 16 item 7: the fifth module is tested lesson by lesson, its law of content including
    # what PPID may publish under UU 14/2008 and its last lesson (WhatsApp, saved replies).
    course = "komunikasi-krisis-hoaks-hukum"
    lessons = {re.sub(r"^\d+-", "", path.stem) for path in (REPO / "courses" / course).glob("[0-9][0-9]-*.md")}
    assert len(lessons) == 6
    ppid = f"{course}/05-data-pribadi-dan-keterbukaan-informasi#yang-boleh-dan-tidak-boleh-diumumkan-ppid"
    for slug in ("pretest-bimtek-medsos", "posttest-bimtek-medsos"):
        targets = [t for entry in bundled[slug].sections for t in entry.targets if t.startswith(course + "/")]
        assert {_lesson_of(t) for t in targets} == lessons, slug
        assert ppid in targets, slug


def test_true_false_keys_are_mixed_in_each_form(bundled):
    for slug in ("pretest-bimtek-medsos", "posttest-bimtek-medsos"):
        keys = Counter(q.correct_bool for q in bundled[slug].questions if q.type == "truefalse")
        assert keys[True] >= 1 and keys[False] >= 1 and abs(keys[True] - keys[False]) <= 1, slug


def _plain(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def test_no_pre_or_post_question_repeats_a_practice_question(bundled):
    practice = [q for quiz in bundled.values() if quiz.settings.kind == "practice" for q in quiz.questions]
    texts = {_plain(q.text) for q in practice}
    answers = {_plain(a.text) for q in practice for a in q.answers if len(a.text) > 40}
    for slug in ("pretest-bimtek-medsos", "posttest-bimtek-medsos"):
        for question in bundled[slug].questions:
            assert _plain(question.text) not in texts, (slug, question.id)
            assert all(_plain(a.text) not in answers for a in question.answers), (slug, question.id)


def test_the_pretest_never_shows_more_than_the_score(bundled):
    review = bundled["pretest-bimtek-medsos"].settings.review
    assert review.after_submit == review.after_close == review.while_retry == frozenset({"score"})
    assert bundled["posttest-bimtek-medsos"].settings.pretest == "pretest-bimtek-medsos"


def test_chance_of_other_types():
    from lms.quizzes.questions.model import Answer, Pair

    matching = Question(id="m", type="matching", text="?", pairs=(
        Pair("p1", "a", "x"), Pair("p2", "b", "y"), Pair("p3", "", "z")))
    ordering = Question(id="o", type="ordering", text="?", answers=(Answer("a1", "1", Fraction(0)),
                                                                     Answer("a2", "2", Fraction(0))))
    assert (chance(matching), chance(ordering)) == (Fraction(1, 3), Fraction(1, 2))
