"""The training's Tugas tab: the choice of assignments (default, toggle, confirmation, audit), access, and the
form of a training-only assignment (every validation error on its field, the rubric editor, edits after hand-ins)."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from sqlalchemy import select

from lms.assignments import services
from lms.assignments.models import Assignment, TrainingAssignment
from lms.audit.models import AuditEvent
from lms.courses.models import Lesson
from lms.extensions import db
from tests.assignments.conftest import BEFORE_DUE, make_assignment
from tests.conftest import create_training

NOW = BEFORE_DUE


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("lms.assignments.manage_views.utcnow", lambda: NOW)


def base(world):
    return f"/trainings/{world['training'].slug}/tugas"


def hand_in(world, who="ani", assignment=None):
    assignment = assignment or world["assignment"]
    submission = services.start(world[who], world["training"], assignment, NOW)
    services.save_draft(world[who], submission, "Bupati membuka acara.", ["https://instagram.com/p/x"], None, NOW)
    services.submit(world[who], submission, None, NOW)
    db.session.commit()
    return submission


def form_data(**changes: Any) -> dict[str, Any]:
    """A valid form post of a training-only assignment (two criteria, the second with two levels)."""
    data: dict[str, Any] = {
        "title": "Balas tiga komentar warganet", "instructions": "Balas dengan **sopan**.", "lesson": "",
        "hand_in": ["text", "links"], "max_images": "", "max_chars": "1500", "max_links": "3", "due_day": "2",
        "due_time": "16:00", "accept_late": "y", "revisions": "1", "pass_points": "6", "opd_target": "",
        "criteria-0-title": "Sopan", "criteria-0-description": "",
        "criteria-0-levels-0-label": "Baik", "criteria-0-levels-0-points": "5",
        "criteria-0-levels-0-description": "Salam dan terima kasih",
        "criteria-0-levels-1-label": "Kurang", "criteria-0-levels-1-points": "1",
        "criteria-0-levels-1-description": "",
        "criteria-0-levels-2-label": "", "criteria-0-levels-2-points": "", "criteria-0-levels-2-description": "",
        "criteria-1-title": "Tindak lanjut", "criteria-1-description": "Menyebut kanal pengaduan",
        "criteria-1-levels-0-label": "Ada", "criteria-1-levels-0-points": "3",
        "criteria-1-levels-0-description": "",
        "criteria-1-levels-1-label": "Tidak", "criteria-1-levels-1-points": "0",
        "criteria-1-levels-1-description": "",
        "do": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
