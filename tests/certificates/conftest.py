from datetime import UTC, datetime

import pytest

from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.trainings.scope import get_training

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
def finished(app):
    """The demo's finished three-day bimtek of nine: five eligible, four miss one rule each.

    The fourth misses a required assignment (its caption), the block the demo shows since assignments.
    """
    create_demo(9, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    return get_training(FINISHED_SLUG)
