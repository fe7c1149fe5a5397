from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes

ENGINE = Path(__file__).resolve().parent.parent / "fixtures" / "engine"
T0 = datetime(2026, 8, 17, 1, 0, tzinfo=UTC)


@pytest.fixture
def quiz(app):
    definitions, errors, _ = load_quizzes(ENGINE)
    assert errors == []
    services.sync_quizzes(definitions, T0)
    db.session.commit()
    return services.get_quiz("uji-mesin")


def entry_ids(attempt):
    return {e["q"]["id"]: e for e in attempt.questions}


def key_answers(attempt):
    """Return full-mark responses for every question of the attempt."""
    entries = entry_ids(attempt)
    single = next(a["id"] for a in entries["tunggal"]["q"]["answers"] if a["fraction"] == "1/1")
    multiple = [a["id"] for a in entries["jamak"]["q"]["answers"] if not a["fraction"].startswith("-")]
    pairs = {p["id"]: p["right"] for p in entries["jodoh"]["q"]["pairs"] if p["left"]}
    return {"tunggal": single, "jamak": multiple, "benar-salah": "false", "isian": "5w 1h", "jodoh": pairs}


def put_in_training(*users, slug="bimtek-uji"):
    """Enroll users in a training whose tests are the engine fixtures (created on first use)."""
    from datetime import date

    from lms.accounts.services import ensure_institution
    from lms.trainings.models import Enrollment, Training

    training = db.session.scalars(db.select(Training).where(Training.slug == slug)).first()
    if training is None:
        training = Training(institution_id=ensure_institution().id, slug=slug, title="Bimtek Uji",
                            start_date=date(2026, 8, 17), end_date=date(2026, 8, 18), status="open",
                            pretest_id=services.get_quiz("uji-pre").id,
                            posttest_id=services.get_quiz("uji-mesin").id)
        db.session.add(training)
        db.session.flush()
    for user in users:
        db.session.add(Enrollment(training_id=training.id, user_id=user.id))
    db.session.commit()
    return training


@pytest.fixture
def enroll_in_training(app):
    return put_in_training


@pytest.fixture
def taker(auth, make_user, quiz, enroll_in_training):
    """An enrolled participant of the engine quiz's training, logged in."""
    user = make_user(full_name="Peserta Kuis")
    enroll_in_training(user)
    auth.login_as(user)
    return user
