"""Who may see and manage a training, who is enrolled, and a quiz's context in it.

The low layer of trainings: every domain may ask it, so it imports only models.
Use cases (setup, agenda, enrolment) live in `services`; pages in `overview` and `views`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Agency, Role, User
from lms.errors import NotAllowed
from lms.extensions import db
from lms.quizzes.models import Quiz
from lms.quizzes.rules import QuizContext
from lms.trainings.models import Enrollment, Training

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
    """Return the courses of the trainings the user is enrolled in."""
    return sorted({c.id for t in participant_trainings(user) for c in t.courses})


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
