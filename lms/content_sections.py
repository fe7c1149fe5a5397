"""Which lesson section each quiz question tests, and which sections no practice question tests.

Both are warnings of `content check`, never errors: content with them still loads.

- A question of a module's practice quiz, or of a pre-test or post-test, that names no section
  (`section` in its TOML), or names a course, lesson or heading that does not exist.
- A lesson section (a `##` heading other than "Praktik", the self-check that ends every lesson)
  that no question of its course's practice quiz tests. A question naming a `###` heading tests
  the `##` section it stands in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lms.contentfiles import ContentError
from lms.courses.content import CourseDef, LessonDef
from lms.markdown import headings
from lms.quizzes.definitions import QuizDefinition
from lms.quizzes.toml_reader import SECTION_TARGET

_ATX = re.compile(r"^(#{1,6})\s+\S")
_FENCE = re.compile(r"^\s*(```|~~~)")
SELF_CHECK = "praktik"  # the id of the "## Praktik" heading that ends every lesson


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    title: str
    line: int
    section: str  # the id of the `##` heading this heading belongs to (itself for a `##`)


def lesson_headings(lesson: LessonDef) -> list[Heading]:
    """Return the lesson's headings with their ids (as rendered) and their lines in its file."""
    found = headings(lesson.body)
    offset = _front_matter_lines(lesson.path)
    lines = _heading_lines(lesson.body)
    if len(lines) != len(found):  # a heading form the line scan does not know: point at the top
        lines = [0] * len(found)
    result: list[Heading] = []
    current = ""
    for (level, anchor, title), line in zip(found, lines):
        if level <= 2:
            current = anchor
        result.append(Heading(level, anchor, title, line + offset if line else 1, current or anchor))
    return result


def _heading_lines(body: str) -> list[int]:
    numbers, fenced = [], False
    for number, line in enumerate(body.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _ATX.match(line):
            numbers.append(number)
    return numbers


def _front_matter_lines(path: str) -> int:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    return next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "+++"), 0)


def _lesson_keys(lesson: LessonDef) -> set[str]:
    # The lesson's slug is its identity; its file name ("01-anatomi-caption") is accepted too.
    return {lesson.slug, Path(lesson.path).stem}


def _needs_sections(quiz: QuizDefinition) -> bool:
    return quiz.settings.course is not None or quiz.settings.kind in {"pretest", "posttest"}


def check_sections(courses: Iterable[CourseDef],
                   quizzes: Iterable[QuizDefinition]) -> list[ContentError]:
    """Return the warnings about quiz questions' sections and untested lesson sections."""
    courses = list(courses)
    quizzes = list(quizzes)
    index = {(course.slug, key): lesson_headings(lesson)
             for course in courses for lesson in course.lessons for key in _lesson_keys(lesson)}
    lesson_by_key = {(course.slug, key): lesson
                     for course in courses for lesson in course.lessons for key in _lesson_keys(lesson)}
    course_slugs = {course.slug for course in courses}
    warnings: list[ContentError] = []
    tested: dict[str, set[tuple[str, str]]] = {}  # course slug -> {(lesson slug, ## id)}
    for quiz in quizzes:
        if not _needs_sections(quiz):
            continue
        for entry in quiz.sections:
            if not entry.targets:
                warnings.append(ContentError(
                    quiz.source, entry.line, f"soal \"{entry.question_id}\" tidak menyebut bagian "
                    "pelajaran yang diujinya: tambahkan section = \"<kursus>/<pelajaran>#<judul>\""))
            for target in entry.targets:
                match = SECTION_TARGET.match(target)
                if match is None:
                    continue  # the reader has already refused it
                course, lesson, anchor = match.groups()
                problem = _target_problem(course, lesson, anchor, course_slugs, index)
                if problem:
                    warnings.append(ContentError(quiz.source, entry.line,
                                                 f"soal \"{entry.question_id}\": {problem}"))
                    continue
                if quiz.settings.kind == "practice" and quiz.settings.course == course:
                    heading = next(h for h in index[(course, lesson)] if h.anchor == anchor)
                    tested.setdefault(course, set()).add(
                        (lesson_by_key[(course, lesson)].slug, heading.section))
    practised = {q.settings.course: q for q in quizzes
                 if q.settings.kind == "practice" and q.settings.course}
    for course_def in courses:
        practice = practised.get(course_def.slug)
        if practice is None:
            continue
        done = tested.get(course_def.slug, set())
        for lesson_def in course_def.lessons:
            for heading in lesson_headings(lesson_def):
                if heading.level != 2 or heading.anchor == SELF_CHECK:
                    continue
                if (lesson_def.slug, heading.anchor) not in done:
                    warnings.append(ContentError(
                        lesson_def.path, heading.line,
                        f"bagian \"{heading.title}\" (#{heading.anchor}) tidak diuji oleh soal mana "
                        f"pun di kuis latihan \"{practice.slug}\""))
    return warnings


def _target_problem(course: str, lesson: str, anchor: str, course_slugs: set[str],
                    index: dict[tuple[str, str], list[Heading]]) -> str | None:
    if course not in course_slugs:
        return f"kursus \"{course}\" pada \"section\" tidak ada di courses/"
    if (course, lesson) not in index:
        return f"pelajaran \"{lesson}\" pada \"section\" tidak ada di kursus \"{course}\""
    found = index[(course, lesson)]
    if not any(h.anchor == anchor for h in found):
        known = ", ".join(f"#{h.anchor}" for h in found if h.level == 2)
        return (f"judul \"#{anchor}\" pada \"section\" tidak ada di pelajaran \"{lesson}\" "
                f"(judul ## yang ada: {known})")
    return None
