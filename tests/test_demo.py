"""The demo trainings: `flask --app lms demo` then `flask --app lms trainings list`."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.attendance import services as attendance
from lms.attendance.models import AttendanceRecord
from lms.courses import services as courses
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes.models import Attempt
from lms.trainings import scope as trainings

FINISHED, RUNNING = "bimtek-medsos-opd", "bimtek-konten-ai-opd"


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "--participants", "12", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return result


def test_trainings_list_prints_the_finished_demo_first(demo, runner):
    result = runner.invoke(args=["trainings", "list"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    assert [len(line) for line in lines] == [5, 5]
    finished, running = lines
    assert finished[:2] == [FINISHED, "Bimtek Pengelolaan Media Sosial OPD"] and finished[4] == "12"
    assert running[:2] == [RUNNING, "Bimtek Konten Kreatif dan AI untuk Humas OPD"] and running[4] == "6"
    start, end = date.fromisoformat(finished[2]), date.fromisoformat(finished[3])
    assert start == utcnow().date() - timedelta(days=16) and (end - start).days == 2
    training = trainings.get_training(RUNNING)
    today = utcnow().astimezone(ZoneInfo(training.time_zone)).date()
    assert training.status == "open" and today in training.days
    assert len(attendance.sessions_of(training)) == 6


def passed_posttest(training) -> set[int]:
    return set(db.session.scalars(select(Attempt.user_id).where(
        Attempt.quiz_id == training.posttest_id, Attempt.training_id == training.id, Attempt.passed.is_(True))))


def test_finished_demo_has_its_agenda_attendance_and_rule_breakers(demo):
    training = trainings.get_training(FINISHED)
    people = trainings.participants(training)
    sessions = attendance.sessions_of(training)
    assert training.status == "finished" and len(people) == 12
    assert training.total_jp == 24 and len(training.days) == 3
    assert [s.label for s in sessions] == ["Pagi", "Siang"] * 3
    counts = dict(db.session.execute(select(AttendanceRecord.user_id, func.count(AttendanceRecord.id))
                                     .where(AttendanceRecord.session_id.in_([s.id for s in sessions]))
                                     .group_by(AttendanceRecord.user_id)).all())
    assert counts == {p.id: 6 for p in people}  # everyone has a status in every session

    percent = attendance.percentages(training)
    low = {uid for uid, value in percent.items() if value < training.min_attendance_percent}
    passed = passed_posttest(training)
    failed = {p.id for p in people} - passed
    done = courses.completed_course_ids([p.id for p in people], [c.id for c in training.courses])
    unfinished = {p.id for p in people if done.get(p.id, set()) != {c.id for c in training.courses}}
    assert training.courses and training.posttest_id and training.require_posttest_pass
    assert len(low) >= 1 and len(failed) >= 1 and len(unfinished) >= 1
    assert len(low & failed) == len(low & unfinished) == len(failed & unfinished) == 0  # one rule missed each
    meeting_all = len(people) - len(low | failed | unfinished)
    assert meeting_all > len(people) / 2, (low, failed, unfinished)


def test_demo_participants_can_see_their_trainings(demo):
    training = trainings.get_training(FINISHED)
    person = db.session.scalars(select(User).where(User.role == "participant").order_by(User.id)).first()
    assert [t.slug for t in trainings.visible_trainings(person)] == [RUNNING, FINISHED]
    assert set(trainings.participant_course_ids(person)) == {c.id for c in training.courses}
    trainer = db.session.scalars(select(User).where(User.role == "trainer").order_by(User.id)).first()
    assert FINISHED in [t.slug for t in trainings.visible_trainings(trainer)]


def test_running_demo_links_the_crisis_module_with_its_agenda(demo):
    training = trainings.get_training(RUNNING)
    assert {c.slug for c in training.courses} == {"caption-dan-interaksi-warganet", "tools-ai-konten-pemerintah",
                                                  "komunikasi-krisis-hoaks-hukum"}
    topics = {item.topic for item in training.agenda}
    assert {"Komunikasi krisis dan koordinasi bencana", "Cek fakta dan menjawab hoaks",
            "Aspek hukum konten dan kanal pesan resmi"} <= topics
