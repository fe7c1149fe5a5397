"""Demo trainings: a finished three-day bimtek and one running today, with realistic data."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms import demo_assignments
from lms.accounts.models import Role, User
from lms.attendance import services as attendance
from lms.catalog import load_all, sync
from lms.courses import services as courses
from lms.courses.models import Course
from lms.dates import DEFAULT_ZONE, local_to_utc
from lms.evaluations import services as evaluations
from lms.extensions import db
from lms.quizzes import services as quizzes
from lms.quizzes.models import Quiz
from lms.trainings import services as trainings
from lms.trainings.models import Training
from lms.trainings.scope import quiz_context

FINISHED_SLUG = "bimtek-medsos-opd"
RUNNING_SLUG = "bimtek-konten-ai-opd"
# The running bimtek: content, AI, and the crisis, hoax and law module that goes with them.
RUNNING_COURSES = ("caption-dan-interaksi-warganet", "tools-ai-konten-pemerintah", "komunikasi-krisis-hoaks-hukum")
SLOTS = ((time(8, 0), time(9, 30)), (time(9, 45), time(11, 15)),
         (time(13, 0), time(14, 30)), (time(14, 45), time(16, 15)))
TOPICS = {
    "branding-layanan-publik": ("Prinsip dan etika media sosial instansi", "Identitas visual dan template OPD",
                                "Kalender konten dan tata kelola akun"),
    "caption-dan-interaksi-warganet": ("Anatomi caption dan 5W+1H",
                                       "Membalas komentar, aduan, dan permohonan informasi",
                                       "Praktik menulis ulang caption OPD"),
    "media-monitoring-isu-strategis": ("Alat bantu dan metrik monitoring", "Analisis sentimen dan issue brief",
                                       "Praktik log monitoring mingguan"),
    "tools-ai-konten-pemerintah": ("Etika AI dan perlindungan data pribadi", "Canva dan CapCut untuk konten OPD",
                                   "Menyusun caption dengan asisten AI"),
    "komunikasi-krisis-hoaks-hukum": ("Komunikasi krisis dan koordinasi bencana", "Cek fakta dan menjawab hoaks",
                                      "Aspek hukum konten dan kanal pesan resmi"),
}


def ensure_content(now: datetime) -> None:
    """Load courses/ and quizzes/ when the catalog is still empty (the demo needs them)."""
    if db.session.scalar(select(Course.id).limit(1)) is not None:
        return

    loaded = load_all(Path(current_app.config["COURSES_DIR"]), Path(current_app.config["QUIZZES_DIR"]))
    if loaded.errors:
        raise RuntimeError("konten tidak valid: " + "; ".join(map(str, loaded.errors[:3])))
    sync(loaded, now)


def create_demo_trainings(now: datetime, seed: int | None = None) -> list[Training]:
    """Create the finished and the running demo trainings with their history."""
    ensure_content(now)
    rng = random.Random(seed)
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    if admin is None:
        raise LookupError("Demo trainings need the demo accounts: create them first (create_demo).")
    staff = list(db.session.scalars(select(User).where(User.role == Role.TRAINER.value).order_by(User.id)))
    people = list(db.session.scalars(select(User).where(User.role == Role.PARTICIPANT.value).order_by(User.id)))
    all_courses = list(db.session.scalars(select(Course).where(Course.retired_at.is_(None)).order_by(Course.position)))
    pre, post = _quiz("pretest"), _quiz("posttest")
    today = now.date()
    finished = _training(admin, FINISHED_SLUG, "Bimtek Pengelolaan Media Sosial OPD", today - timedelta(days=16),
                         3, all_courses, staff, pre, post, "finished", "Hotel Grand Contoh, Ruang Melati")
    running = _training(admin, RUNNING_SLUG, "Bimtek Konten Kreatif dan AI untuk Humas OPD", today - timedelta(days=1),
                        3, [c for c in all_courses if c.slug in RUNNING_COURSES],
                        staff[:1], pre, post, "open", "Desa Wisata Contoh, Balai Pertemuan")
    trainings.enroll(finished, people, "import", admin)
    trainings.enroll(running, people[: max(len(people) // 2, 1)], "opd", admin)
    _finished_history(finished, people, admin, pre, post, rng)
    _evaluations(finished, people, rng)
    _running_history(running, people[: max(len(people) // 2, 1)], admin, pre, now, rng)
    if staff:
        demo_assignments.finished_history(finished, people, staff[0], rng)
        demo_assignments.running_history(running, people[: max(len(people) // 2, 1)], now, rng)
    return [finished, running]


def _quiz(kind: str) -> Quiz | None:
    return db.session.scalars(select(Quiz).where(Quiz.kind == kind, Quiz.retired_at.is_(None))
                              .order_by(Quiz.id)).first()


def _training(admin: User, slug: str, title: str, start: date, days: int, course_list: list[Course],
              staff: list[User], pre: Quiz | None, post: Quiz | None, status: str, venue: str) -> Training:
    end = start + timedelta(days=days - 1)
    zone = DEFAULT_ZONE
    data = trainings.TrainingData(
        title=title, slug=slug, start_date=start, end_date=end, venue=venue, city="Kabupaten Contoh",
        description="Bimbingan teknis bagi PPID Pelaksana dan admin media sosial perangkat daerah.",
        status="open", course_ids=[c.id for c in course_list], trainer_ids=[t.id for t in staff],
        pretest_id=pre.id if pre else None, posttest_id=post.id if post else None,
        pretest_open_at=local_to_utc(start, time(7, 0), zone),
        pretest_close_at=local_to_utc(start, time(12, 0), zone),
        posttest_open_at=local_to_utc(end, time(13, 0), zone),
        posttest_close_at=local_to_utc(end, time(17, 0), zone))
    training = trainings.save_training(None, data, admin)
    topics = [t for c in course_list for t in TOPICS.get(c.slug, (c.title,))]
    slots = [(day, slot) for day in training.days for slot in SLOTS]
    for index, (day, (begin, finish)) in enumerate(slots):
        topic = topics[index % len(topics)]
        if index >= len(topics):
            topic = f"Praktik dan diskusi: {topic}"
        trainer = staff[index % len(staff)] if staff else None
        trainings.save_agenda_item(training, None, trainings.AgendaData(
            day=day, start_time=begin, end_time=finish, topic=topic,
            trainer_id=trainer.id if trainer else None), admin)
    attendance.generate_sessions(training, admin)
    training.status = status
    return training


def _finished_history(training: Training, people: Sequence[User], admin: User, pre: Quiz | None,
                      post: Quiz | None, rng: random.Random) -> None:
    sessions = attendance.sessions_of(training)
    low_attendance, failed_post, unfinished = (people[1], people[2], people[3]) if len(people) > 3 \
        else (None, None, None)
    for person in people:
        for index, session in enumerate(sessions):
            status = "hadir"
            if person is low_attendance and index % 2:
                status = "tidak_hadir" if index != 3 else "sakit"
            elif rng.random() < 0.06:
                status = "terlambat"
            attendance.set_status(session, person.id, status, "Surat keterangan dokter" if status == "sakit" else "",
                                   admin, session.starts_at + timedelta(minutes=rng.randint(0, 20)), "roster")
        _read_courses(person, training.courses, session_time(sessions[-1]), skip_last=person is unfinished)
        if pre and training.pretest_open_at:
            _take(person, training, pre, training.pretest_open_at + timedelta(minutes=rng.randint(5, 60)),
                  rng.uniform(0.35, 0.7), rng)
        if post and training.posttest_open_at:
            share = 0.35 if person is failed_post else rng.uniform(0.8, 1.0)
            _take(person, training, post, training.posttest_open_at + timedelta(minutes=rng.randint(5, 90)), share, rng)


SUGGESTIONS = ("Waktu praktik ditambah.", "Materi sangat bermanfaat untuk tugas kami.",
               "Wi-Fi di ruangan sering terputus.", "Bahan tayang dibagikan sebelum sesi.",
               "Contoh kasus dari OPD sendiri lebih banyak.")


def _evaluations(training: Training, people: Sequence[User], rng: random.Random) -> None:
    """Most participants answered every evaluation on the last day; the last few have not (yet)."""
    answering = people[: max(len(people) - 6, 0)]
    db.session.flush()
    db.session.expire(training, ["agenda"])
    for person in answering:
        for target in evaluations.targets(training):
            answers: list[tuple[str, int | None, str]] = []
            for item in target.questionnaire.items:
                if item.type == "likert":
                    top = target.questionnaire.scale
                    answers.append((item.id, rng.choices(range(top - 2, top + 1), weights=(1, 5, 4))[0], ""))
                elif rng.random() < 0.3:
                    answers.append((item.id, None, rng.choice(SUGGESTIONS)))
            evaluations.record(training, person.id, target, answers, training.end_date)


def session_time(session: Any) -> datetime:
    return session.ends_at


def _running_history(training: Training, people: Sequence[User], admin: User, pre: Quiz | None,
                     now: datetime, rng: random.Random) -> None:
    for session in attendance.sessions_of(training):
        if session.ends_at < now:
            for person in people:
                if rng.random() < 0.92:
                    attendance.set_status(session, person.id, "hadir", "", admin, session.starts_at, "roster")
    for person in people:
        if pre and training.pretest_open_at and rng.random() < 0.9:
            _take(person, training, pre, training.pretest_open_at + timedelta(minutes=rng.randint(5, 60)),
                  rng.uniform(0.3, 0.7), rng)
        _read_courses(person, training.courses[:1], now - timedelta(hours=20), skip_last=True)


def _read_courses(person: User, course_list: Sequence[Course], when: datetime, skip_last: bool) -> None:
    for course in course_list:
        lessons = courses.current_lessons(course)
        for lesson in lessons[:-1] if skip_last and course is course_list[-1] else lessons:
            courses.set_completed(person, lesson, True, when)


def _take(person: User, training: Training, quiz: Quiz, when: datetime, share: float, rng: random.Random) -> None:
    context = quiz_context(training, quiz)
    attempt = quizzes.start_attempt(person, quiz, when, rng, context)
    for entry in attempt.questions:
        right = rng.random() < share
        quizzes.save_answer(person, attempt, entry["q"]["id"], _answer(entry, right, rng), 0, when)
    quizzes.submit(person, attempt, when + timedelta(minutes=rng.randint(8, 25)))


def _answer(entry: dict[str, Any], right: bool, rng: random.Random) -> Any:
    q = entry["q"]
    kind = q["type"]
    good = [a["id"] for a in q["answers"] if not a["fraction"].startswith(("-", "0/"))]
    bad = [a["id"] for a in q["answers"] if a["fraction"].startswith(("-", "0/"))]
    if kind in ("single", "missingword"):
        return rng.choice(good if right or not bad else bad)
    if kind == "multiple":
        return good if right else (bad[:1] or good[:1])
    if kind == "truefalse":
        return "true" if bool(q["correct_bool"]) == right else "false"
    if kind in ("short", "numerical"):
        first = q["answers"][0]
        return (first.get("value") or first["text"]) if right else "tidak tahu"
    if kind == "matching":
        return {p["id"]: p["right"] for p in q["pairs"] if p["left"]} if right else {}
    return None
