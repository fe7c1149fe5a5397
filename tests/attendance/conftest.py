"""Fixtures the attendance tests share: an admin, a training with its full agenda, its sessions, and
an open training run by a trainer (for the view tests)."""

from __future__ import annotations

from typing import Any

import pytest

from lms.attendance import services
from lms.extensions import db
from lms.trainings import services as trainings
from tests.conftest import create_training
from tests.trainings.factory import full_agenda, training_data


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", full_name="Admin Diskominfo")


@pytest.fixture
def training(admin):
    item = trainings.save_training(None, training_data(), admin)
    full_agenda(item, admin)
    db.session.commit()
    return item


@pytest.fixture
def sessions(training, admin):
    services.generate_sessions(training, admin)
    db.session.commit()
    return services.sessions_of(training)


def text(response) -> str:
    return response.get_data(as_text=True)


def run_training(make_user, people: list[Any]) -> dict[str, Any]:
    """An open training with its agenda and six sessions, an admin and a trainer, and these participants."""
    admin = make_user(role="admin", full_name="Admin Diskominfo")
    trainer = make_user(role="trainer", full_name="Narasumber Wahyuni")
    training = create_training("bimtek-medsos", title="Bimtek Pengelolaan Media Sosial OPD", users=people,
                               trainers=(trainer,))
    full_agenda(training, admin, trainer)
    services.generate_sessions(training, admin)
    db.session.commit()
    return {"admin": admin, "trainer": trainer, "people": people, "training": training,
            "sessions": services.sessions_of(training)}
