"""Module 5 (crisis, hoaxes, law of content): its lessons and the practice quiz that tests every section."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

from lms.courses.content import load_course
from lms.markdown import render
from lms.quizzes.definitions import load_quiz

REPO = Path(__file__).resolve().parents[2]
SLUG = "komunikasi-krisis-hoaks-hukum"
COURSE = REPO / "courses" / SLUG
QUIZ = REPO / "quizzes" / f"kuis-{SLUG}.toml"
H2 = re.compile(r'<h2 id="([^"]+)"')
HEADING = re.compile(r'<h[23] id="([^"]+)"')


def lessons():
    course, errors = load_course(COURSE)
    assert errors == [] and course is not None
    return course.lessons


def sections_of_quiz() -> list[str]:
    data = tomllib.loads(QUIZ.read_text(encoding="utf-8"))
    return [q.get("section", "") for q in data["questions"]]


def test_the_module_has_five_or_six_substantial_lessons_ending_in_praktik():
    found = lessons()
    assert 5 <= len(found) <= 6
    for lesson in found:
        headings = H2.findall(str(render(lesson.body)))
        assert lesson.word_count >= 600, (lesson.slug, lesson.word_count)
        assert headings[-1] == "praktik", (lesson.slug, headings)


def test_the_practice_quiz_loads_and_belongs_to_the_module():
    quiz, errors, skipped = load_quiz(QUIZ)
    assert (errors, skipped) == ([], [])
    assert quiz is not None and quiz.settings.kind == "practice" and quiz.settings.course == SLUG
    assert 15 <= len(quiz.questions) <= 20
    answers = Counter(q.correct_bool for q in quiz.questions if q.type == "truefalse")
    assert answers[True] >= 1 and answers[False] >= 1  # true/false keys are mixed


def test_every_question_names_an_existing_heading_of_this_module():
    targets = {f"{SLUG}/{Path(lesson.path).stem}#{anchor}"
               for lesson in lessons() for anchor in HEADING.findall(str(render(lesson.body)))}
    sections = sections_of_quiz()
    assert all(sections), "every question has a section"
    assert [s for s in sections if s not in targets] == []


def test_every_section_of_every_lesson_is_tested():
    tested = set(sections_of_quiz())
    untested = [f"{SLUG}/{Path(lesson.path).stem}#{anchor}"
                for lesson in lessons() for anchor in H2.findall(str(render(lesson.body)))
                if anchor != "praktik"]
    assert [s for s in untested if s not in tested] == []
