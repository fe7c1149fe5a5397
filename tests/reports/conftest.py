"""A small training with known figures (five participants, four sessions, linked pre/post-tests), and
known certificates for the SIASN export (three trainings of JP year 2025, one of 2026)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from lms.accounts import services as accounts
from lms.accounts.models import Agency, User
from lms.attendance.models import AttendanceRecord
from lms.certificates.models import Certificate
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


# ---------------------------------------------------------------- the SIASN export's certificates

SIASN_NOW = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
INSTITUTION = "Dinas Komunikasi dan Informatika Kabupaten Contoh"


@dataclass(frozen=True)
class Holder:
    name: str
    nip: str
    agency: str


ANI = Holder("Ani Lestari", "198503142010011001", "Dinas Kesehatan")
BUDI = Holder("Budi Séptian", "199001012015031002", "Dinas Sosial")
CITRA = Holder("Citra Dewi", "", "Dinas Kesehatan")
DEDI = Holder("Dedi Kurniawan", "198702022011011003", "Dinas Kesehatan")
EKO = Holder("Eko Prasetyo", "12345", "Dinas Sosial")
FAJAR = Holder("Fajar Nurcahyo, S.Kom.", "199203032019031004", "Dinas Sosial")
GITA = Holder("Gita Maharani", "199404042020122005", "Dinas Sosial")
HANA = Holder("Hana Pertiwi", "198807212012122001", "Dinas Pendidikan")

# slug, title, start, end, JP, holders (in number order), the revoked ones
TRAININGS = (
    ("bimtek-kip", "Bimtek Keterbukaan Informasi Publik", date(2024, 12, 30), date(2025, 1, 2), 12, (HANA,), ()),
    ("bimtek-medsos", "Bimtek Pengelolaan Media Sosial", date(2025, 8, 18), date(2025, 8, 20), 24,
     (ANI, BUDI, CITRA, DEDI, EKO), (DEDI,)),
    ("bimtek-ppid", "Bimtek PPID; Layanan Informasi", date(2025, 11, 10), date(2025, 11, 11), 16, (ANI, FAJAR), ()),
    ("bimtek-2026", "Bimtek Konten Kreatif", date(2026, 1, 5), date(2026, 1, 6), 8, (GITA,), ()),
)


def pdf_of(number: str) -> bytes:
    """Return the stand-in stored PDF of a certificate."""
    return b"%PDF-1.4 sertifikat " + number.encode()


def _frozen(training: Any, holder: Holder, number: str, jp: int) -> dict[str, Any]:
    return {"number": number, "code": number[:3], "verify_url": "", "holder_name": holder.name, "nip": holder.nip,
            "pangkat": "", "jabatan": "", "agency": holder.agency, "training_title": training.title,
            "start_date": training.start_date.isoformat(), "end_date": training.end_date.isoformat(),
            "venue": training.venue, "city": training.city, "jp": jp, "score": None, "predikat": "",
            "issue_city": "Contoh", "issue_date": training.end_date.isoformat(), "signatory_name": "",
            "signatory_pangkat": "", "signatory_nip": "", "signatory_title": "",
            "institution_name": INSTITUTION, "institution_address": "", "transcript": []}


@pytest.fixture
def siasn_data(app, make_user) -> dict[str, Any]:
    """Create the trainings, their participants and certificates; return the trainings and users by key."""
    institution = accounts.ensure_institution()
    agencies: dict[str, Agency] = {}
    users: dict[str, Any] = {}
    for holder in (ANI, BUDI, CITRA, DEDI, EKO, FAJAR, GITA, HANA):
        if holder.agency not in agencies:
            agencies[holder.agency] = Agency(institution_id=institution.id, name=holder.agency,
                                             name_key=holder.agency.lower())
            db.session.add(agencies[holder.agency])
            db.session.flush()
        users[holder.name] = make_user(full_name=holder.name, nip=holder.nip if len(holder.nip) == 18 else "",
                                       agency_id=agencies[holder.agency].id)
    trainings = {}
    seq = 0
    for slug, title, start, end, jp, holders, revoked in TRAININGS:
        training = create_training(slug=slug, title=title, start_date=start, end_date=end, status="finished")
        trainings[slug] = training
        for holder in holders:
            seq += 1
            number = f"{seq:03d}/{slug.upper()}/DISKOMINFO/{end.year}"
            pdf = pdf_of(number)
            db.session.add(Certificate(
                institution_id=institution.id, training_id=training.id, user_id=users[holder.name].id,
                number=number, year=end.year, seq=seq, code=f"KODE{seq:04d}",
                status="revoked" if holder in revoked else "valid", issued_at=SIASN_NOW, issue_date=end, jp=jp,
                jp_year=end.year, data=_frozen(training, holder, number, jp), pdf=pdf,
                pdf_sha256=hashlib.sha256(pdf).hexdigest()))
    db.session.commit()
    return {"trainings": trainings, "users": users, "institution": institution}


@pytest.fixture
def finished(app):
    """The demo's finished bimtek (as in tests/certificates), for certificates issued for real."""
    create_demo(9, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    return get_training(FINISHED_SLUG)
