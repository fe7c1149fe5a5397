"""What a training's page shows to its staff and to a participant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.accounts.models import User
from lms.attendance import pages as attendance_pages
from lms.attendance import services as attendance
from lms.attendance.models import AttendanceSession
from lms.courses import services as courses
from lms.dates import local_date
from lms.evaluations import services as evaluations
from lms.quizzes import presenters as quiz_presenters
from lms.trainings import scope
from lms.trainings.models import Training


def today(training: Training, now: datetime) -> Any:
    return local_date(now, training.time_zone)


@dataclass
class StaffSummary:
    participants: int
    sessions: list[AttendanceSession]
    today_sessions: list[AttendanceSession]


def staff_summary(training: Training, now: datetime) -> StaffSummary:
    """Return counts and today's sessions for the training's staff page (module figures: the dashboard)."""
    sessions = attendance.sessions_of(training)
    ids = scope.participant_ids(training)
    return StaffSummary(len(ids), sessions, [s for s in sessions if s.day == today(training, now)])


@dataclass
class ParticipantView:
    today_sessions: list[AttendanceSession]
    my_status: dict[int, str]
    attendance_percent: Any
    quizzes: list[quiz_presenters.QuizCard]
    courses: list[courses.CourseProgress]
    # Every session with what the participant reads about it ("Hadir", "Ditutup — tidak presensi").
    sessions: list[tuple[AttendanceSession, str, str]]
    # Evaluations still owed while the evaluation window is open; None outside it.
    evaluation_owed: int | None = None


def participant_view(user: User, training: Training, now: datetime) -> ParticipantView:
    """Return a participant's own view of a training: today, quizzes, modules, attendance."""
    data = attendance.roster(training)
    mine = {s.id: r.status for s in data.sessions if (r := data.record(user, s))}
    percent = attendance.percentages(training, data).get(user.id)
    quizzes = [q for q, _, t in scope.participant_quizzes(user) if t.id == training.id]
    contexts = {q.id: scope.quiz_context(training, q) for q in quizzes}
    cards = quiz_presenters.quiz_cards(user, quizzes, now, contexts)
    states = {s.id: attendance.state_of(s, now) for s in data.sessions}
    sessions = [(s, attendance_pages.participant_label(states[s.id], mine.get(s.id)),
                 mine.get(s.id) or states[s.id].value) for s in data.sessions]
    owed = None
    if evaluations.is_open(training, now):
        done = evaluations.submitted_keys(user, training)
        owed = sum(1 for t in evaluations.targets(training) if (t.questionnaire.slug, t.key) not in done)
    return ParticipantView([s for s in data.sessions if s.day == today(training, now)], mine, percent, cards,
                           courses.courses_for(user, [c.id for c in training.courses]), sessions, owed)
