from datetime import UTC, datetime

import pytest

from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.trainings.scope import get_training

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
def finished(app):
    """The demo's finished three-day bimtek: most participants eligible, three miss one rule each."""
    create_demo(8, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    return get_training(FINISHED_SLUG)
