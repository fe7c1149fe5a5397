"""Use cases of courses: catalog sync, reading progress, progress reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, User
from lms.contentfiles import SyncReport, sync_rows
from lms.courses.content import CourseDef
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db


def sync_courses(definitions: Sequence[CourseDef], now: datetime) -> SyncReport:
    """Upsert the catalog from course definitions; retire what disappeared (never delete)."""
    def create(definition: CourseDef) -> Course:
        course = Course(slug=definition.slug, content_hash="")
        db.session.add(course)
        return course

    def retire(course: Course) -> None:
        course.retired_at = now
        for lesson in course.lessons:
            lesson.retired_at = lesson.retired_at or now

    existing = {c.slug: c for c in db.session.scalars(select(Course))}
    report = sync_rows(existing, definitions, create, lambda c, d: _apply_course(c, d, now), retire)
    db.session.flush()
    return report


def _apply_course(course: Course, definition: CourseDef, now: datetime) -> None:
    course.title, course.summary = definition.title, definition.summary
    course.suggested_jp, course.position, course.version = definition.jp, definition.order, definition.version
    course.content_hash, course.synced_at, course.retired_at = definition.content_hash, now, None
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for item in definition.lessons:
        lesson = lessons.pop(item.slug, None)
        if lesson is None:
            lesson = Lesson(slug=item.slug)
            course.lessons.append(lesson)
        lesson.title, lesson.minutes, lesson.position = item.title, item.minutes, item.position
        lesson.body, lesson.content_hash, lesson.retired_at = item.body, item.content_hash, None
    for lesson in lessons.values():
        lesson.retired_at = lesson.retired_at or now


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    lessons: int
    completed: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.lessons) if self.lessons else 0

    @property
    def complete(self) -> bool:
        return self.lessons > 0 and self.completed >= self.lessons


def _current_lessons() -> Any:
    return and_(Lesson.retired_at.is_(None))


def courses_for(user: User, course_ids: Sequence[int] | None = None) -> list[CourseProgress]:
    """Return the published courses (or those given) with the user's progress, in two queries."""
    query = select(Course).where(Course.retired_at.is_(None)).order_by(Course.position, Course.title)
    if course_ids is not None:
        query = query.where(Course.id.in_(course_ids))
    courses = db.session.scalars(query).all()
    counts = dict(db.session.execute(
        select(Lesson.course_id, func.count(Lesson.id)).where(_current_lessons())
        .group_by(Lesson.course_id)).all())
    done = dict(db.session.execute(
        select(Lesson.course_id, func.count(LessonProgress.id))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(_current_lessons(), LessonProgress.user_id == user.id,
               LessonProgress.completed_at.is_not(None))
        .group_by(Lesson.course_id)).all())
    return [CourseProgress(c, counts.get(c.id, 0), done.get(c.id, 0)) for c in courses]


def get_course(slug: str) -> Course | None:
    return db.session.scalars(select(Course).where(Course.slug == slug, Course.retired_at.is_(None))).first()


def current_lessons(course: Course) -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).where(Lesson.course_id == course.id, _current_lessons())
                                   .order_by(Lesson.position)))


def progress_map(user: User, lessons: Sequence[Lesson]) -> dict[int, LessonProgress]:
    """Return the user's progress rows for these lessons, keyed by lesson id."""
    ids = [lesson.id for lesson in lessons]
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                           LessonProgress.lesson_id.in_(ids)))
    return {row.lesson_id: row for row in rows}


def resume_lesson(lessons: Sequence[Lesson], progress: dict[int, LessonProgress]) -> Lesson | None:
    """Return where to continue: the last lesson opened if unfinished, else the first unfinished."""
    viewed = [p for p in progress.values() if p.last_viewed_at]
    if viewed:
        last = max(viewed, key=lambda p: p.last_viewed_at)  # type: ignore[arg-type, return-value]
        lesson = next((item for item in lessons if item.id == last.lesson_id), None)
        if lesson is not None and not last.completed_at:
            return lesson
    return next((item for item in lessons if not (progress.get(item.id) and progress[item.id].completed_at)),
                lessons[0] if lessons else None)


def _progress_row(user: User, lesson: Lesson) -> LessonProgress:
    row = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                          LessonProgress.lesson_id == lesson.id)).first()
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = LessonProgress(user_id=user.id, lesson_id=lesson.id)
            db.session.add(row)
    except IntegrityError:  # another tab created it a moment ago
        row = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                              LessonProgress.lesson_id == lesson.id)).one()
    return row


def record_view(user: User, lesson: Lesson, now: datetime) -> None:
    """Remember that the user opened this lesson (for "Lanjutkan")."""
    _progress_row(user, lesson).last_viewed_at = now


def set_completed(user: User, lesson: Lesson, done: bool, now: datetime) -> None:
    """Mark a lesson done (or not done) for the user."""
    row = _progress_row(user, lesson)
    row.completed_at = (row.completed_at or now) if done else None


def completed_course_ids(user_ids: Sequence[int], course_ids: Sequence[int]) -> dict[int, set[int]]:
    """Return, per user, the courses whose every current lesson they completed (one query)."""
    totals = select(Lesson.course_id, func.count(Lesson.id).label("total")).where(
        _current_lessons(), Lesson.course_id.in_(course_ids)).group_by(Lesson.course_id).subquery()
    done = (select(LessonProgress.user_id, Lesson.course_id, func.count(LessonProgress.id).label("done"))
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(_current_lessons(), LessonProgress.completed_at.is_not(None),
                   LessonProgress.user_id.in_(user_ids), Lesson.course_id.in_(course_ids))
            .group_by(LessonProgress.user_id, Lesson.course_id).subquery())
    rows = db.session.execute(select(done.c.user_id, done.c.course_id)
                              .join(totals, totals.c.course_id == done.c.course_id)
                              .where(done.c.done >= totals.c.total)).all()
    result: dict[int, set[int]] = {uid: set() for uid in user_ids}
    for user_id, course_id in rows:
        result[user_id].add(course_id)
    return result


# ---------------------------------------------------------------- staff report


def participants_query(user_ids: Sequence[int] | None = None) -> Any:
    """Return a select of the participants a progress report covers."""
    query = select(User).where(User.role == Role.PARTICIPANT.value, User.active.is_(True))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return query.order_by(User.full_name, User.id)


def participants_page(user_ids: Sequence[int] | None, page: int, per_page: int) -> Any:
    """Return one page of the participants a progress report covers."""
    return db.paginate(participants_query(user_ids), page=page, per_page=per_page, error_out=False)


def progress_by_user(course: Course, users: Sequence[User]) -> dict[int, tuple[int, datetime | None]]:
    """Return {user id: (lessons completed, last activity)} for these users, in one query."""
    ids = [u.id for u in users]
    rows = db.session.execute(
        select(LessonProgress.user_id,
               func.count(case((LessonProgress.completed_at.is_not(None), 1))),
               func.max(func.coalesce(LessonProgress.completed_at, LessonProgress.last_viewed_at)))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.course_id == course.id, _current_lessons(), LessonProgress.user_id.in_(ids))
        .group_by(LessonProgress.user_id)).all()
    return {user_id: (done, last) for user_id, done, last in rows}
