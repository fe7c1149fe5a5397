"""Use cases of a training's "Tugas" page: which assignments it gives, and its own assignments.

A training gives by default the assignments of its linked courses and its own; its managers
(admins, its trainers) may leave one out or give it back. Leaving out an assignment that
participants already handed in hides it (from participants, the review queue and the
certificate rule) but keeps every submission and review: giving it back shows them again.
That needs an explicit confirmation, since it can change who may get a certificate.

Services flush and never commit; the view commits once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from lms.accounts.models import User
from lms.assignments import services
from lms.assignments.definitions import AssignmentDef
from lms.assignments.due import DueText
from lms.assignments.models import Assignment, Submission
from lms.courses.models import Course, Lesson
from lms.errors import NotAllowed, ValidationFailed
from lms.extensions import db
from lms.trainings import scope as trainings
from lms.trainings.models import Training

OWN = "Khusus kegiatan ini"


@dataclass(frozen=True)
class ChoiceRow:
    """One assignment the training can give, with its choice and what depends on it."""

    assignment: Assignment
    given: bool
    by_default: bool  # given without a choice: of a linked course, or the training's own
    source: str  # the course's title, or OWN
    handed_in: int  # submissions of this training past the draft (any state, withdrawn ones too)
    due: DueText | None

    @property
    def own(self) -> bool:
        return self.assignment.training_id is not None


def scope_of(training: Training) -> str:
    return f"training:{training.id}"


def is_own(training: Training, assignment: Assignment) -> bool:
    return assignment.scope == scope_of(training) and assignment.training_id == training.id


def handed_in_counts(training: Training, assignment_ids: Sequence[int]) -> dict[int, int]:
    """Return how many participants handed in each assignment in this training (drafts not counted), one query."""
    if not assignment_ids:
        return {}
    rows = db.session.execute(
        select(Submission.assignment_id, func.count(Submission.id))
        .where(Submission.training_id == training.id, Submission.assignment_id.in_(list(assignment_ids)),
               Submission.status != "draft")
        .group_by(Submission.assignment_id))
    return {assignment_id: count for assignment_id, count in rows}


def candidates(training: Training, given_ids: set[int]) -> list[Assignment]:
    """Return the assignments of the training's linked courses, its own, and any other it gives now."""
    slugs = [c.slug for c in training.courses]
    linked = and_(Assignment.scope == "", Assignment.course_slug.in_(slugs)) if slugs else None
    wanted = [Assignment.training_id == training.id, Assignment.id.in_(list(given_ids))]
    if linked is not None:
        wanted.append(linked)
    return list(db.session.scalars(select(Assignment).where(Assignment.retired_at.is_(None), or_(*wanted))))


def choice_rows(training: Training) -> list[ChoiceRow]:
    """Return every assignment the training can give, courses' first (in course order), then its own.

    Queries: the training's courses, what it gives, the candidates, the counts: bounded.
    """
    courses = {c.slug: c for c in training.courses}
    given = {a.id for a in services.offered(training)}
    found = candidates(training, given)
    counts = handed_in_counts(training, [a.id for a in found])
    rows = []
    for assignment in found:
        course = courses.get(assignment.course_slug or "")
        own = assignment.training_id is not None
        rows.append(ChoiceRow(
            assignment, assignment.id in given, by_default=own or (assignment.scope == "" and course is not None),
            source=OWN if own else (course.title if course else "Modul lain (tidak ditautkan)"),
            handed_in=counts.get(assignment.id, 0), due=services.due_text(assignment, training)))
    order = {slug: c.position for slug, c in courses.items()}
    return sorted(rows, key=lambda r: (r.own, order.get(r.assignment.course_slug or "", 999),
                                       r.assignment.position, r.assignment.id))


def choose(training: Training, assignment: Assignment, given: bool, actor: User, now: datetime,
           confirmed: bool = False) -> None:
    """Give or leave out one assignment; leaving out one already handed in needs `confirmed`. Audited."""
    trainings.require_manager(actor, training)
    given_now = {a.id for a in services.offered(training)}
    if assignment.retired_at is not None or assignment.id not in {a.id for a in candidates(training, given_now)}:
        raise NotAllowed("Tugas ini bukan tugas modul yang ditautkan ke kegiatan ini.")
    count = handed_in_counts(training, [assignment.id]).get(assignment.id, 0)
    if not given and count and not confirmed:
        raise ValidationFailed(
            f"\"{assignment.title}\" sudah dikumpulkan {count} peserta. Centang konfirmasi bila tugas ini "
            "memang tidak diberikan lagi: kiriman dan penilaiannya tetap tersimpan, tetapi tidak terlihat oleh "
            "peserta dan tidak lagi menjadi syarat sertifikat.", "confirm")
    services.set_given(training, assignment, given, actor, now=now,
                       details={"title": assignment.title, "kept_submissions": count} if not given else
                       {"title": assignment.title})


# ---------------------------------------------------------------- the training's own assignments


def own_assignment(training: Training, assignment_id: int) -> Assignment | None:
    """Return the training's own assignment with this id (None for another training's or a course's)."""
    assignment = db.session.get(Assignment, assignment_id)
    return assignment if assignment is not None and is_own(training, assignment) else None


def lesson_choices(training: Training) -> list[tuple[str, str]]:
    """Return ("course/lesson", "Course: Lesson") for every lesson of the linked courses, in one query."""
    ids = [c.id for c in training.courses]
    if not ids:
        return []
    rows = db.session.execute(
        select(Course.slug, Course.title, Lesson.slug, Lesson.title).join(Lesson, Lesson.course_id == Course.id)
        .where(Course.id.in_(ids), Lesson.retired_at.is_(None)).order_by(Course.position, Lesson.position))
    return [(f"{course}/{lesson}", f"{course_title}: {lesson_title}")
            for course, course_title, lesson, lesson_title in rows]


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "tugas") -> str:
    """Return text as a slug ("Caption Hari ke-2!" -> "caption-hari-ke-2"), at most 60 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")[:60].strip("-")
    return slug or fallback


def new_slug(training: Training, title: str) -> str:
    """Return a slug from the title not yet used by this training's own assignments."""
    base = slugify(title)
    taken = set(db.session.scalars(select(Assignment.slug).where(Assignment.scope == scope_of(training))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save(training: Training, assignment: Assignment | None, definition: AssignmentDef, actor: User,
         now: datetime) -> Assignment:
    """Create or change the training's own assignment from a checked definition; audited.

    Once a participant handed it in, its rubric and pass mark cannot change (the service refuses
    with a message), so a graded result never changes under the participant.
    """
    if assignment is not None and not is_own(training, assignment):
        raise NotAllowed("Hanya tugas khusus kegiatan ini yang dapat diubah di sini.")
    unchanged = assignment is not None and (definition.course_slug, definition.lesson_slug) == (
        assignment.course_slug, assignment.lesson_slug)
    if definition.course_slug and not unchanged and definition.course_slug not in {c.slug for c in training.courses}:
        raise ValidationFailed("Pelajaran yang dilatih harus dari modul yang ditautkan ke kegiatan ini.", "lesson")
    if assignment is None:
        definition.position = 1 + (db.session.scalar(select(func.max(Assignment.position)).where(
            Assignment.scope == scope_of(training))) or 0)
    else:
        definition.position = assignment.position
    return services.save_training_assignment(training, assignment, definition, actor, now)


def locked(assignment: Assignment | None) -> bool:
    """True when the assignment's rubric and pass mark are fixed: someone handed it in."""
    return assignment is not None and services.has_submissions(assignment)
