"""A small training with known figures: five participants, four sessions, linked pre/post-tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord
from lms.courses import services as courses
from lms.courses.models import LessonProgress
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.quizzes.models import Attempt
from lms.trainings.scope import get_training, quiz_context
from tests.conftest import create_training
from tests.trainings.factory import agency, bulk_enroll, bulk_participants, bulk_sessions

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
LONG_OPD = ("Dinas Komunikasi, Informatika, Statistik dan Persandian Kabupaten Contoh Bagian Pengelolaan "
            "Informasi dan Dokumentasi Publik")[:120]
# Per participant (by name): pre-test, post-test (None: not taken), statuses of the four sessions.
PEOPLE = (
    (40, 70, ("hadir", "hadir", "hadir", "hadir")),  # gain 0,5
    (100, 100, ("hadir", "hadir", "hadir", "izin")),  # pre-test 100: no gain
    (80, 60, ("terlambat", "terlambat", "sakit", None)),  # negative gain -1
    (50, None, ("tidak_hadir",) * 4),
    (None, None, ("hadir",) * 4),
)


def add_attempt(quiz, training, user_id: int, percent: int) -> None:
    version = quizzes.current_version(quiz)
    started = NOW - timedelta(days=3)
    db.session.execute(insert(Attempt), [{
        "quiz_id": quiz.id, "version_id": version.id, "user_id": user_id, "context": quiz_context(training, quiz).key,
        "training_id": training.id, "number": 1, "status": "finished", "started_at": started,
        "finished_at": started + timedelta(minutes=20), "questions": [], "percent": Decimal(percent),
        "passed": percent >= 60, "finish_reason": "submitted"}])


@pytest.fixture
def built(app):
    """The figures of PEOPLE, in a training that reuses the demo's pre-test, post-test and first module."""
    demo = get_training(FINISHED_SLUG)
    if demo is None:  # (another fixture of the test may have built the demo already)
        create_demo(3, seed=5)
        create_demo_trainings(NOW, seed=5)
        demo = get_training(FINISHED_SLUG)
    training = create_training("bimtek-angka", courses=(demo.courses[0],), min_attendance_percent=75,
                               pretest_id=demo.pretest_id, posttest_id=demo.posttest_id)
    long_opd, short_opd = agency(LONG_OPD), agency("Bappeda Kabupaten Contoh")
    ids = bulk_participants(5, prefix="Angka")
    for uid, agency_id in zip(ids, (long_opd.id,) * 3 + (short_opd.id, None), strict=True):
        db.session.get(User, uid).agency_id = agency_id
    bulk_enroll(training, ids)
    sessions = bulk_sessions(training, 4)
    records = [{"session_id": s.id, "user_id": uid, "status": status, "note": "", "method": "roster",
                "marked_at": s.starts_at, "client_address": "", "user_agent": "", "device_id": ""}
               for uid, (_, _, statuses) in zip(ids, PEOPLE, strict=True)
               for s, status in zip(sessions, statuses, strict=True) if status]
    db.session.execute(insert(AttendanceRecord), records)
    for uid, (pre, post, _) in zip(ids, PEOPLE, strict=True):
        if pre is not None:
            add_attempt(training.pretest, training, uid, pre)
        if post is not None:
            add_attempt(training.posttest, training, uid, post)
    lessons = courses.current_lessons(demo.courses[0])
    db.session.execute(insert(LessonProgress), [{"user_id": ids[0], "lesson_id": lesson.id, "completed_at": NOW}
                                                for lesson in lessons])
    db.session.commit()
    return training
