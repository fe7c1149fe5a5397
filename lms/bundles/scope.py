"""The rows of each kind that belong to one training (what an export takes, what an import compares with)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from lms.assignments.models import Submission, TrainingAssignment
from lms.attendance.models import AttendanceSession
from lms.bundles.kinds import Kind
from lms.courses.models import Lesson
from lms.quizzes.models import Attempt
from lms.trainings.models import Enrollment, training_courses

# Kinds whose rows hang off the training by a training_id column of their own.
_BY_TRAINING = {"agenda_items", "attendance_sessions", "enrollments", "training_assignments", "submissions",
                "evaluation_submissions", "evaluation_answers", "eligibility_overrides", "certificates",
                "training_reports", "report_photos"}


def owned(kind: Kind, training_id: int, user_ids: Collection[int] | None = None) -> ColumnElement[bool]:
    """Return the condition selecting this kind's rows of the training (user_ids: whose reading progress)."""
    c = kind.table.c
    if kind.name == "trainings":
        return c.id == training_id  # type: ignore[no-any-return]
    if kind.name in _BY_TRAINING:
        return c.training_id == training_id  # type: ignore[no-any-return]
    if kind.name == "attendance_records":
        return c.session_id.in_(select(AttendanceSession.id).where(AttendanceSession.training_id == training_id))  # type: ignore[no-any-return]
    if kind.name == "attempts":
        return or_(c.training_id == training_id, c.context == f"training:{training_id}")
    if kind.name == "responses":
        return c.attempt_id.in_(select(Attempt.id).where(owned_attempts(training_id)))  # type: ignore[no-any-return]
    if kind.name in ("submission_files", "reviews"):
        return c.submission_id.in_(select(Submission.id).where(Submission.training_id == training_id))  # type: ignore[no-any-return]
    if kind.name == "assignments":
        used = select(Submission.assignment_id).where(Submission.training_id == training_id).union(
            select(TrainingAssignment.assignment_id).where(TrainingAssignment.training_id == training_id))
        return or_(c.scope == f"training:{training_id}", c.id.in_(used))
    if kind.name == "lesson_progress":
        lessons = select(Lesson.id).join(training_courses, training_courses.c.course_id == Lesson.course_id).where(
            training_courses.c.training_id == training_id)
        people: Any = select(Enrollment.user_id).where(Enrollment.training_id == training_id) \
            if user_ids is None else list(user_ids)
        return c.user_id.in_(people) & c.lesson_id.in_(lessons)  # type: ignore[no-any-return]
    return false()


def owned_attempts(training_id: int) -> ColumnElement[bool]:
    return or_(Attempt.training_id == training_id, Attempt.context == f"training:{training_id}")
