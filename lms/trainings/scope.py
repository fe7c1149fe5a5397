"""Who may see and manage a training, who is enrolled, and a quiz's context in it.

The low layer of trainings: every domain may ask it, so it imports only models.
Use cases (setup, agenda, enrolment) live in `services`; pages in `overview` and `views`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Agency, Role, User
from lms.courses.models import Course
from lms.errors import NotAllowed
from lms.extensions import db
from lms.quizzes.models import Attempt, Quiz
from lms.quizzes.rules import QuizContext
from lms.trainings.models import Enrollment, Training, training_courses

# ---------------------------------------------------------------- who manages, who sees


def can_manage(user: User, training: Training) -> bool:
    """Admins manage every training; a trainer only those assigned to them."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.TRAINER) and any(t.id == user.id for t in training.trainers)


def require_manager(user: User, training: Training) -> None:
    if not can_manage(user, training):
        raise NotAllowed("Anda tidak ditugaskan pada kegiatan ini.")


def is_enrolled(user: User, training: Training) -> bool:
    return db.session.scalar(select(Enrollment.id).where(Enrollment.training_id == training.id,
                                                         Enrollment.user_id == user.id)) is not None


def can_view(user: User, training: Training) -> bool:
    """Staff who manage it, and its participants once it is no longer a draft."""
    return can_manage(user, training) or (training.status != "draft" and is_enrolled(user, training))


def visible_trainings(user: User) -> list[Training]:
    """Return the trainings this user may open, newest first."""
    query = select(Training).order_by(Training.start_date.desc(), Training.id.desc())
    if user.has_role(Role.TRAINER):
        query = query.where(Training.trainers.any(User.id == user.id))
    elif user.has_role(Role.PARTICIPANT):
        query = query.join(Enrollment, Enrollment.training_id == Training.id).where(
            Enrollment.user_id == user.id, Training.status != "draft")
    return list(db.session.scalars(query))


def get_training(slug: str) -> Training | None:
    return db.session.scalars(select(Training).where(Training.slug == slug)).first()


# ---------------------------------------------------------------- enrolment


def enrolled_count(training: Training) -> int:
    return db.session.scalar(select(func.count(Enrollment.id)).where(Enrollment.training_id == training.id)) or 0


def trainings_with_counts(trainings: Sequence[Training]) -> dict[int, int]:
    ids = [t.id for t in trainings]
    return dict(db.session.execute(select(Enrollment.training_id, func.count(Enrollment.id))
                                   .where(Enrollment.training_id.in_(ids))
                                   .group_by(Enrollment.training_id)).all())


def participants(training: Training) -> list[User]:
    """Return the enrolled participants with their OPD, in one query, by name."""
    return list(db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.training_id == training.id).options(joinedload(User.agency))
        .order_by(User.full_name, User.id)))


def participant_rows(training: Training) -> Select[int, str, str]:
    """Return the query of the participants' id, name and OPD name (empty without one), by name."""
    return (select(User.id, User.full_name, func.coalesce(Agency.name, ""))
            .join(Enrollment, Enrollment.user_id == User.id).outerjoin(Agency, Agency.id == User.agency_id)
            .where(Enrollment.training_id == training.id).order_by(User.full_name, User.id))


def participant_ids(training: Training) -> list[int]:
    return list(db.session.scalars(select(Enrollment.user_id).where(Enrollment.training_id == training.id)))


def participant_trainings(user: User) -> list[Training]:
    return list(db.session.scalars(
        select(Training).join(Enrollment, Enrollment.training_id == Training.id)
        .where(Enrollment.user_id == user.id, Training.status != "draft")
        .order_by(Training.start_date.desc())))


def participant_course_ids(user: User) -> list[int]:
    """Return the courses of the trainings the user is enrolled in, in one query whatever their number."""
    return sorted(set(db.session.scalars(
        select(training_courses.c.course_id)
        .join(Enrollment, Enrollment.training_id == training_courses.c.training_id)
        .join(Training, Training.id == training_courses.c.training_id)
        .where(Enrollment.user_id == user.id, Training.status != "draft"))))


@dataclass(frozen=True)
class OpenTest:
    """A pre-test or post-test of one of a participant's trainings whose window is open now."""

    training: Training
    quiz: Quiz
    kind: str  # "pretest" or "posttest"
    close_at: datetime | None
    resume: bool  # an attempt is in progress

    @property
    def label(self) -> str:
        return f"{'Lanjutkan' if self.resume else 'Kerjakan'} {self.kind}"


def open_tests(user: User, trainings: Sequence[Training], now: datetime) -> list[OpenTest]:
    """Return the tests of these trainings open at `now` that the user has not finished, in two queries.

    A window is open when at least one of its bounds is set, it has opened and not yet closed; a
    test without any window set is not announced (the trainer has not scheduled it).
    """
    windows = [(t, kind, quiz_id, opens, closes) for t in trainings if t.status == "open"
               for kind, quiz_id, opens, closes in (("pretest", t.pretest_id, t.pretest_open_at, t.pretest_close_at),
                                                    ("posttest", t.posttest_id, t.posttest_open_at,
                                                     t.posttest_close_at))
               if quiz_id and (opens or closes) and (opens is None or opens <= now)
               and (closes is None or now < closes)]
    if not windows:
        return []
    quiz_ids = {w[2] for w in windows}
    quizzes = {q.id: q for q in db.session.scalars(select(Quiz).where(Quiz.id.in_(quiz_ids)))}
    attempts: dict[tuple[int | None, int], set[str]] = {}
    for training_id, quiz_id, status in db.session.execute(
            select(Attempt.training_id, Attempt.quiz_id, Attempt.status).where(
                Attempt.user_id == user.id, Attempt.quiz_id.in_(quiz_ids),
                Attempt.training_id.in_({w[0].id for w in windows}))):
        attempts.setdefault((training_id, quiz_id), set()).add(status)
    found = []
    for training, kind, quiz_id, _, closes in windows:
        statuses = attempts.get((training.id, quiz_id), set())
        if statuses - {"in_progress"}:
            continue  # done: results and further attempts are on the quiz page
        found.append(OpenTest(training, quizzes[quiz_id], kind, closes, "in_progress" in statuses))
    return found


# ---------------------------------------------------------------- quizzes in a training


def quiz_context(training: Training, quiz: Quiz) -> QuizContext:
    """Return the window and scope a training gives its pre-test or post-test."""
    if quiz.id == training.pretest_id:
        return QuizContext(f"training:{training.id}", training.id, True,
                           training.pretest_open_at, training.pretest_close_at)
    if quiz.id == training.posttest_id:
        return QuizContext(f"training:{training.id}", training.id, True,
                           training.posttest_open_at, training.posttest_close_at)
    return QuizContext(f"training:{training.id}", training.id)


def participant_quizzes(user: User) -> list[tuple[Quiz, QuizContext, Training]]:
    """Return the quizzes a participant may take: their trainings' tests and module quizzes."""
    found: list[tuple[Quiz, QuizContext, Training]] = []
    seen: set[tuple[int, str]] = set()
    for training in participant_trainings(user):
        slugs = {c.slug for c in training.courses}
        quizzes = [q for q in (training.pretest, training.posttest) if q is not None]
        quizzes += list(db.session.scalars(select(Quiz).where(Quiz.course_slug.in_(slugs),
                                                              Quiz.kind == "practice",
                                                              Quiz.retired_at.is_(None))))
        for quiz in quizzes:
            context = quiz_context(training, quiz)
            if (quiz.id, context.key) not in seen:
                seen.add((quiz.id, context.key))
                found.append((quiz, context, training))
    return found


def quiz_contexts(user: User, quiz: Quiz) -> list[tuple[QuizContext, Training]]:
    """Return the contexts in which a participant may take this one quiz (one query).

    The same as filtering participant_quizzes by the quiz, without loading every other quiz and
    course of every training: the start of a post-test asks this for 300 people at once.
    """
    practice: ColumnElement[bool] = false()
    if quiz.kind == "practice" and quiz.retired_at is None and quiz.course_slug:
        practice = Training.courses.any(Course.slug == quiz.course_slug)
    query = (select(Training).join(Enrollment, Enrollment.training_id == Training.id)
             .where(Enrollment.user_id == user.id, Training.status != "draft",
                    or_(Training.pretest_id == quiz.id, Training.posttest_id == quiz.id, practice))
             .order_by(Training.start_date.desc()))
    return [(quiz_context(training, quiz), training) for training in db.session.scalars(query)]
