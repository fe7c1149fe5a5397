"""Read a course's assignments: `[[tugas]]` in course.toml or in tugas/*.toml: pure, with file:line errors."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lms.assignments import definitions
from lms.assignments.definitions import AssignmentDef, Problem
from lms.contentfiles import ContentError, key_line, parse_toml
from lms.quizzes.sourcemap import Section, SourceMap

TABLE = "tugas"


def files_of(folder: Path) -> list[Path]:
    """Return the files of a course folder that may hold assignments: course.toml, then tugas/*.toml."""
    extra = sorted((folder / TABLE).glob("*.toml")) if (folder / TABLE).is_dir() else []
    return [folder / "course.toml", *extra]


def load_for_course(folder: Path, course_slug: str, lesson_slugs: Iterable[str]
                    ) -> tuple[list[AssignmentDef], list[ContentError]]:
    """Return the course's assignments and every problem, each with its file and line."""
    found: list[AssignmentDef] = []
    errors: list[ContentError] = []
    lessons = set(lesson_slugs)
    for path in files_of(folder):
        defs, problems = load_file(path, course_slug, lessons, own_file=path.name != "course.toml")
        found += defs
        errors += problems
    if (folder / TABLE).is_dir():
        errors += [ContentError(str(p), 0, "folder tugas/ hanya berisi berkas .toml")
                   for p in sorted((folder / TABLE).iterdir()) if p.suffix != ".toml" and not p.name.startswith(".")]
    seen: dict[str, AssignmentDef] = {}
    for definition in found:
        if definition.slug in seen:
            errors.append(ContentError(definition.path, definition.line, f"id tugas \"{definition.slug}\" sudah "
                                       f"dipakai di {seen[definition.slug].path}:{seen[definition.slug].line}"))
        seen.setdefault(definition.slug, definition)
    return (found if not errors else []), errors


def load_file(path: Path, course_slug: str, lessons: set[str], own_file: bool = True
              ) -> tuple[list[AssignmentDef], list[ContentError]]:
    text = path.read_text(encoding="utf-8")
    data, errors = parse_toml(text, str(path))
    if data is None:
        return [], errors
    if own_file:
        errors += [ContentError(str(path), key_line(text, key), f"kunci \"{key}\" tidak dikenal di berkas tugas; "
                                "tulis setiap tugas sebagai [[tugas]]") for key in data if key != TABLE]
    items = data.get(TABLE, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return [], errors + [ContentError(str(path), key_line(text, TABLE), "tulis setiap tugas sebagai tabel "
                                          "[[tugas]]")]
    if own_file and not items:
        errors.append(ContentError(str(path), 1, "berkas tugas tanpa [[tugas]]"))
    source = SourceMap(text)
    found = []
    for index, item in enumerate(items):
        definition, problems = _one(item, index, course_slug, lessons, path, text, source)
        errors += problems
        if definition is not None:
            found.append(definition)
    return found, errors


def _one(item: dict[str, Any], index: int, course_slug: str, lessons: set[str], path: Path, text: str,
         source: SourceMap) -> tuple[AssignmentDef | None, list[ContentError]]:
    where = _Where(source, text, index)
    definition, problems = definitions.parse(item)
    lesson = item.get("lesson")
    if isinstance(lesson, str) and lesson and lesson not in lessons:
        problems.append(Problem(f"lesson \"{lesson}\" bukan pelajaran kursus ini (yang ada: "
                                f"{', '.join(sorted(lessons))})", "lesson"))
    errors = [ContentError(str(path), where.line(p), p.message) for p in problems]
    if definition is None or errors:
        return None, errors
    definition.course_slug, definition.position = course_slug, index + 1
    definition.line, definition.path = where.start, str(path)
    return definition, []


class _Where:
    """Lines of one [[tugas]] table, its [[tugas.criteria]] and their [[tugas.criteria.levels]]."""

    def __init__(self, source: SourceMap, text: str, index: int) -> None:
        self.text = text
        tables = source.named(TABLE)
        self.table = tables[index] if index < len(tables) else source.top()
        self.start = self.table.start or 1
        stop = tables[index + 1].start if index + 1 < len(tables) else len(source.lines) + 1
        self.criteria = [s for s in source.named(f"{TABLE}.criteria") if self.table.start < s.start < stop]
        self.levels = [s for s in source.named(f"{TABLE}.criteria.levels") if self.table.start < s.start < stop]

    def _levels_of(self, criterion: int) -> list[Section]:
        if criterion >= len(self.criteria):
            return []
        start = self.criteria[criterion].start
        end = self.criteria[criterion + 1].start if criterion + 1 < len(self.criteria) else 10 ** 9
        return [s for s in self.levels if start < s.start < end]

    def line(self, problem: Problem) -> int:
        section = self.table
        if problem.criterion is not None and problem.criterion < len(self.criteria):
            section = self.criteria[problem.criterion]
            levels = self._levels_of(problem.criterion)
            if problem.level is not None and problem.level < len(levels):
                section = levels[problem.level]
            elif problem.key == "levels" and levels:
                return levels[0].start
        elif problem.key in {"criteria", "max_points", "pass_points"} and problem.criterion is None:
            if problem.key == "criteria" and self.criteria:
                return self.criteria[0].start
        if problem.key and problem.key not in {"levels", "criteria"}:
            found = _key_in(self.text, problem.key, section)
            if found:
                return found
        return section.start or self.start


def _key_in(text: str, key: str, section: Section) -> int | None:
    line = key_line(text, key, max(section.start, 1))
    return line if section.start <= line <= section.end and f"{key}" in text.splitlines()[line - 1] else None
