"""Check and sync the content folders (courses/, quizzes/) into the catalog, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

from lms.contentfiles import ContentError
from lms.courses import content as course_content
from lms.courses import services as course_services


@dataclass
class CheckResult:
    errors: list[ContentError] = field(default_factory=list)
    notes: list[ContentError] = field(default_factory=list)
    courses: list[course_content.CourseDef] = field(default_factory=list)
    checked: int = 0


def check_paths(paths: Iterable[Path], courses_root: Path, quizzes_root: Path) -> CheckResult:
    """Validate files or folders without writing anything."""
    result = CheckResult()
    for path in paths:
        if not path.exists():
            result.errors.append(ContentError(str(path), 0, "berkas atau folder tidak ada"))
        elif _course_folder(path) is not None:
            _check_course(_course_folder(path), result)  # type: ignore[arg-type]
        elif path.is_dir() and course_content.find_course_dirs(path):
            for folder in course_content.find_course_dirs(path):
                _check_course(folder, result)
        else:
            result.errors.append(ContentError(str(path), 0, "bukan folder kursus atau berkas konten "
                                                            "yang dikenal"))
    return result


def _course_folder(path: Path) -> Path | None:
    folder = path if path.is_dir() else path.parent
    return folder if (folder / "course.toml").is_file() else None


def _check_course(folder: Path, result: CheckResult) -> None:
    course, errors = course_content.load_course(folder)
    result.errors.extend(errors)
    result.checked += 1
    if course is not None:
        result.courses.append(course)


@dataclass
class SyncOutcome:
    courses: course_services.SyncReport


def load_all(courses_root: Path, quizzes_root: Path) -> CheckResult:
    """Read every content folder; errors mean nothing may be synced."""
    result = CheckResult()
    result.courses, errors = course_content.load_courses(courses_root)
    result.errors.extend(errors)
    result.checked = len(course_content.find_course_dirs(courses_root)) if courses_root.is_dir() else 0
    return result


def sync(loaded: CheckResult, now: datetime) -> SyncOutcome:
    """Apply loaded content to the catalog in the caller's transaction."""
    if loaded.errors:
        raise ValueError("content with errors is never synced")
    return SyncOutcome(courses=course_services.sync_courses(loaded.courses, now))
