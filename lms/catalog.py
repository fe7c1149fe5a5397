"""Check and sync the content folders (courses/, quizzes/) into the catalog, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lms.assignments import catalog as assignment_catalog
from lms.assignments import content as assignment_content
from lms.assignments.definitions import AssignmentDef
from lms.caption import lists as caption_lists
from lms.content_sections import check_sections
from lms.contentfiles import ContentError, SyncReport
from lms.courses import content as course_content
from lms.courses import services as course_services
from lms.evaluations import questionnaires as evaluation_files
from lms.quizzes import definitions as quiz_definitions
from lms.quizzes import services as quiz_services


@dataclass
class CheckResult:
    errors: list[ContentError] = field(default_factory=list)
    notes: list[ContentError] = field(default_factory=list)
    # Problems that do not stop a sync (a question's section, an untested lesson section).
    warnings: list[ContentError] = field(default_factory=list)
    courses: list[course_content.CourseDef] = field(default_factory=list)
    quizzes: list[quiz_definitions.QuizDefinition] = field(default_factory=list)
    assignments: list[AssignmentDef] = field(default_factory=list)
    questionnaires: list[evaluation_files.Questionnaire] = field(default_factory=list)
    checked: int = 0


def check_paths(paths: Iterable[Path], courses_root: Path, quizzes_root: Path) -> CheckResult:
    """Validate files or folders without writing anything."""
    result = CheckResult()
    for path in paths:
        if not path.exists():
            result.errors.append(ContentError(str(path), 0, "berkas atau folder tidak ada"))
        elif path.name in {caption_lists.JARGON_FILE, caption_lists.KAMUS_FILE} and path.is_file():
            _check_caption_lists(path.parent, result, only=path.name)
        elif _course_folder(path) is not None:
            _check_course(_course_folder(path), result)  # type: ignore[arg-type]
        elif path.is_dir() and course_content.find_course_dirs(path):
            for folder in course_content.find_course_dirs(path):
                _check_course(folder, result)
        elif path.is_dir() and path.name == evaluation_files.FOLDER:
            _add_questionnaires(result, path)
        elif path.is_file() and path.suffix == ".toml" and path.parent.name == evaluation_files.FOLDER:
            _add_questionnaires(result, path)
        elif path.is_dir():
            _add_quizzes(result, *quiz_definitions.load_quizzes(path))
            if (path / evaluation_files.FOLDER).is_dir():
                _add_questionnaires(result, path / evaluation_files.FOLDER)
        elif path.suffix in {".toml", ".gift"}:
            _check_quiz_file(path, result)
        else:
            result.errors.append(ContentError(str(path), 0, "bukan folder kursus atau berkas konten "
                                                            "yang dikenal"))
    _check_paths_sections(result, list(paths), courses_root, quizzes_root)
    return result


def _check_caption_lists(root: Path, result: CheckResult, only: str | None = None) -> None:
    """Validate Cek Caption's word lists (courses/jargon.toml, courses/kamus.toml)."""
    _, errors = caption_lists.load(root)
    result.errors.extend(e for e in errors if only is None or Path(e.path).name == only)
    result.checked += 1


def _check_paths_sections(result: CheckResult, paths: list[Path], courses_root: Path,
                          quizzes_root: Path) -> None:
    """Warn about the checked files' sections, read against all the content folders."""
    if not result.courses and not result.quizzes:
        return
    courses = {c.slug: c for c in course_content.load_courses(courses_root)[0]} if courses_root.is_dir() else {}
    quizzes = {q.slug: q for q in quiz_definitions.load_quizzes(quizzes_root)[0]} if quizzes_root.is_dir() else {}
    courses.update({c.slug: c for c in result.courses})
    quizzes.update({q.slug: q for q in result.quizzes})
    checked = [p.resolve() for p in paths]

    def mine(error: ContentError) -> bool:
        where = Path(error.path).resolve()
        return any(where == p or p in where.parents for p in checked)

    result.warnings += [w for w in check_sections(courses.values(), quizzes.values()) if mine(w)]


def _course_folder(path: Path) -> Path | None:
    folder = path if path.is_dir() else path.parent
    if folder.name == assignment_content.TABLE and (folder.parent / "course.toml").is_file():
        return folder.parent  # courses/<slug>/tugas/*.toml belongs to its course
    return folder if (folder / "course.toml").is_file() else None


def _check_course(folder: Path, result: CheckResult) -> None:
    course, errors = course_content.load_course(folder)
    result.errors.extend(errors)
    result.checked += 1
    if course is not None:
        result.courses.append(course)
        _add_assignments(result, folder, course)


def _add_assignments(result: CheckResult, folder: Path, course: course_content.CourseDef) -> None:
    found, errors = assignment_content.load_for_course(folder, course.slug, [lesson.slug for lesson in course.lessons])
    result.assignments.extend(found)
    result.errors.extend(errors)


def _check_quiz_file(path: Path, result: CheckResult) -> None:
    # A GIFT file named by a TOML beside it is checked through that TOML.
    owner = _gift_owner(path)
    definition, errors, notes = quiz_definitions.load_quiz(owner or path)
    _add_quizzes(result, [definition] if definition else [], errors, notes)


def _gift_owner(path: Path) -> Path | None:
    if path.suffix != ".gift":
        return None
    for candidate in sorted(path.parent.glob("*.toml")):
        if candidate.stem == path.stem or f'"{path.name}"' in candidate.read_text(encoding="utf-8"):
            return candidate
    return None


def _add_quizzes(result: CheckResult, definitions: list[quiz_definitions.QuizDefinition],
                 errors: list[ContentError], notes: list[ContentError]) -> None:
    result.quizzes.extend(definitions)
    result.errors.extend(errors)
    result.notes.extend(notes)
    result.checked += 1


def _add_questionnaires(result: CheckResult, path: Path) -> None:
    """Check evaluation questionnaires: a folder (quizzes/evaluasi) or one of its files."""
    if path.is_dir():
        found, errors = evaluation_files.load_folder(path)
        result.checked += len(list(path.glob("*.toml")))
    else:
        one, errors = evaluation_files.load_file(path)
        found = [one] if one else []
        result.checked += 1
    result.questionnaires += found
    result.errors += errors


@dataclass
class SyncOutcome:
    courses: SyncReport
    quizzes: SyncReport
    assignments: SyncReport


def load_all(courses_root: Path, quizzes_root: Path) -> CheckResult:
    """Read every content folder; errors mean nothing may be synced."""
    result = CheckResult()
    result.courses, errors = course_content.load_courses(courses_root)
    result.errors.extend(errors)
    for course in result.courses:
        _add_assignments(result, Path(course.path), course)
    result.checked = len(course_content.find_course_dirs(courses_root)) if courses_root.is_dir() else 0
    if quizzes_root.is_dir():
        _add_quizzes(result, *quiz_definitions.load_quizzes(quizzes_root))
        if (quizzes_root / evaluation_files.FOLDER).is_dir():
            _add_questionnaires(result, quizzes_root / evaluation_files.FOLDER)
    if courses_root.is_dir():
        _check_caption_lists(courses_root, result)
    _check_links(result)
    result.warnings += check_sections(result.courses, result.quizzes)
    return result


def _check_links(result: CheckResult) -> None:
    """A quiz may name its module and its pre-test: both must exist. An assignment's id is unique."""
    first: dict[str, AssignmentDef] = {}
    for assignment in result.assignments:
        if assignment.slug in first and first[assignment.slug].course_slug != assignment.course_slug:
            other = first[assignment.slug]
            result.errors.append(ContentError(assignment.path, assignment.line, f"id tugas \"{assignment.slug}\" "
                                              f"sudah dipakai kursus lain ({other.path}:{other.line})"))
        first.setdefault(assignment.slug, assignment)
    courses = {c.slug for c in result.courses}
    quizzes = {q.slug: q for q in result.quizzes}
    for quiz in result.quizzes:
        course, pretest = quiz.settings.course, quiz.settings.pretest
        if course and course not in courses:
            result.errors.append(ContentError(quiz.source, 0, f"course \"{course}\" tidak ada di courses/"))
        if pretest and (pretest not in quizzes or quizzes[pretest].settings.kind != "pretest"):
            result.errors.append(ContentError(quiz.source, 0, f"pretest \"{pretest}\" bukan kuis pre-test yang ada"))


def sync(loaded: CheckResult, now: datetime) -> SyncOutcome:
    """Apply loaded content to the catalog in the caller's transaction."""
    if loaded.errors:
        raise ValueError("content with errors is never synced")
    return SyncOutcome(courses=course_services.sync_courses(loaded.courses, now),
                       quizzes=quiz_services.sync_quizzes(loaded.quizzes, now),
                       assignments=assignment_catalog.sync_assignments(loaded.assignments, now))
