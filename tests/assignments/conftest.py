"""Shared setup of the assignment tests: a caption assignment with a two-criterion rubric in an open training."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from lms.assignments import definitions
from lms.assignments.models import Assignment
from lms.courses.models import Course
from lms.extensions import db
from tests.conftest import create_training

# The training runs 17-19 August 2026 in WIB; day 2 ends 18 August 23:59:59 WIB = 16:59:59 UTC.
BEFORE_DUE = datetime(2026, 8, 18, 3, 0, tzinfo=UTC)
AFTER_DUE = datetime(2026, 8, 19, 3, 0, tzinfo=UTC)

DEFINITION: dict[str, Any] = {
    "id": "caption-kegiatan", "title": "Caption kegiatan OPD", "instructions": "Tulis caption **lengkap**.",
    "lesson": "unsur-wajib-unggahan-kegiatan", "hand_in": ["text", "images", "links"], "max_images": 2,
    "max_chars": 2200, "max_links": 3, "due_day": 2, "accept_late": True, "revisions": 1, "max_points": 10,
    "pass_points": 7, "required": True, "opd_target": 2,
    "criteria": [
        {"id": "unsur", "title": "Unsur wajib", "levels": [
            {"label": "Lengkap", "points": 6, "description": "Siapa, apa, di mana, kapan, siapa hadir."},
            {"label": "Sebagian", "points": 3}, {"label": "Belum", "points": 0}]},
        {"id": "ejaan", "title": "Ejaan", "levels": [
            {"label": "Rapi", "points": 4}, {"label": "Perlu perbaikan", "points": 1}]},
    ],
}


def make_assignment(course_slug: str | None = "caption-dan-interaksi-warganet", **changes: Any) -> Assignment:
    data = {**DEFINITION, **changes}
    definition, problems = definitions.parse(data)
    assert problems == [], problems
    assert definition is not None
    assignment = Assignment(scope="", slug=definition.slug, course_slug=course_slug)
    for name in ("title", "instructions", "lesson_slug", "accepts", "max_images", "max_chars", "max_links",
                 "due_day", "due_time", "accept_late", "max_revisions", "rubric", "max_points", "pass_points",
                 "required", "opd_target"):
        setattr(assignment, name, getattr(definition, name))
    db.session.add(assignment)
    db.session.commit()
    return assignment


def photo_bytes(size: tuple[int, int] = (64, 48), fmt: str = "JPEG", exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    extra: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "KameraUji"  # Make
        data[0x8825] = {1: "S", 2: (5.0, 8.0, 0.0), 3: "E", 4: (119.0, 25.0, 0.0)}  # GPS: Makassar
        extra["exif"] = data.tobytes()
    image.save(out, fmt, **extra)
    return out.getvalue()


@pytest.fixture
def course(app):
    course = Course(slug="caption-dan-interaksi-warganet", title="Caption", content_hash="x", position=2)
    db.session.add(course)
    db.session.commit()
    return course


@pytest.fixture
def world(make_user, course):
    """An open training with two participants of two OPDs, its trainer, another trainer, an admin."""
    from lms.accounts.models import Agency
    from lms.accounts.services import ensure_institution

    institution = ensure_institution()
    opd_a = Agency(institution_id=institution.id, name="Dinas Kesehatan", name_key="dinas kesehatan")
    opd_b = Agency(institution_id=institution.id, name="Dinas Pendidikan", name_key="dinas pendidikan")
    db.session.add_all([opd_a, opd_b])
    db.session.commit()
    ani = make_user(full_name="Ani Lestari", agency_id=opd_a.id)
    budi = make_user(full_name="Budi Hartono", agency_id=opd_b.id)
    trainer = make_user(role="trainer", full_name="Narasumber Satu")
    other_trainer = make_user(role="trainer", full_name="Narasumber Lain")
    admin = make_user(role="admin", full_name="Admin Dinas")
    training = create_training("bimtek-caption", courses=(course,), users=(ani, budi), trainers=(trainer,))
    create_training("bimtek-lain", users=(), trainers=(other_trainer,))
    assignment = make_assignment()
    return {"ani": ani, "budi": budi, "trainer": trainer, "other_trainer": other_trainer, "admin": admin,
            "training": training, "assignment": assignment, "opd_a": opd_a, "opd_b": opd_b}
