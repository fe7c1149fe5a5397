from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from lms.accounts.models import Role
from lms.extensions import db
from lms.trainings.models import AgendaItem
from tests.conftest import create_training

END = date(2026, 8, 19)


def wib(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo("Asia/Jakarta")).astimezone(UTC)


@pytest.fixture
def clock(monkeypatch):
    """Freeze every evaluation view's clock; set .now to move it (default: the last day, 10.00 WIB)."""

    class Clock:
        now = wib(END)

    for where in ("lms.evaluations.views", "lms.core", "lms.trainings.views"):
        monkeypatch.setattr(f"{where}.utcnow", lambda: Clock.now)
    return Clock


@pytest.fixture
def setup(make_user):
    """A training with two trainer accounts and a guest speaker on its agenda, and six participants."""
    ana = make_user(Role.TRAINER.value, full_name="Ana Narasumber")
    budi = make_user(Role.TRAINER.value, full_name="Budi Narasumber")
    outsider = make_user(Role.TRAINER.value, full_name="Citra Luar")
    admin = make_user(Role.ADMIN.value, full_name="Admin Dinas")
    people = [make_user(full_name=f"Peserta Rahasia {n}") for n in range(1, 7)]
    training = create_training(users=people, trainers=(ana, budi), end_date=END)
    create_training(slug="lain", trainers=(outsider,), end_date=END)
    for hour, trainer, guest in ((8, ana, ""), (10, budi, ""), (13, ana, ""), (15, None, "Dr. Dewi Tamu")):
        db.session.add(AgendaItem(training_id=training.id, day=END, start_time=time(hour), end_time=time(hour + 1),
                                  topic=f"Materi {hour}", trainer_id=trainer.id if trainer else None,
                                  trainer_name=guest, jp=1))
    db.session.commit()
    return {"training": training, "ana": ana, "budi": budi, "outsider": outsider, "admin": admin, "people": people}
