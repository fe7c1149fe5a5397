"""A venue laptop (its own SQLite app with the demo bimtek) beside the suite's database (the server)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from sqlalchemy import select, text

from lms import create_app
from lms.accounts.models import Role, User
from lms.bundles import services as bundles
from lms.catalog import load_all, sync
from lms.certificates import services as certificates
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.reports.training_facts import training_facts
from lms.trainings.models import Training
from lms.trainings.scope import get_training
from tests.conftest import settings_for

NOW = datetime(2026, 9, 10, 3, 0, tzinfo=UTC)  # three weeks after the finished demo bimtek began
PEOPLE = 24


@pytest.fixture(scope="session")
def laptop_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the laptop's database once: the demo people and trainings, as `flask demo` makes them."""
    folder = tmp_path_factory.mktemp("laptop-master")
    path = folder / "laptop.sqlite3"
    app = create_app(settings_for(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        create_demo(PEOPLE, seed=7)
        create_demo_trainings(NOW, seed=7)
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture
def laptop(laptop_master: Path, tmp_path: Path) -> Flask:
    """Return an app on a fresh copy of the laptop's database (each test may change it)."""
    folder = tmp_path / "laptop"
    folder.mkdir()
    shutil.copy(laptop_master, folder / "laptop.sqlite3")
    return create_app(settings_for(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'laptop.sqlite3'}"))


@contextmanager
def inside(app: Flask) -> Iterator[None]:
    """Run a block in another app (the laptop) and come back to the suite's app context."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def export_from(app: Flask, slug: str, target: Path, now: datetime = NOW) -> Path:
    with inside(app):
        training = get_training(slug)
        assert training is not None
        bundles.export(training, target, now, None)
        db.session.commit()
    return target


@pytest.fixture
def server_catalog(app: Flask) -> None:
    """The server synced the same courses/ and quizzes/ as the laptop."""
    loaded = load_all(Path(current_app.config["COURSES_DIR"]), Path(current_app.config["QUIZZES_DIR"]))
    sync(loaded, NOW)
    db.session.commit()


@pytest.fixture
def import_file(app: Flask) -> Callable[..., bundles.ImportPlan]:
    def run(path: Path, accept_institution: bool = False) -> bundles.ImportPlan:
        plan = bundles.apply(path, NOW, None, accept_institution)
        db.session.commit()
        return plan

    return run


def login_of(user: User) -> str:
    return user.nip or user.email or user.uuid


def reports(slug: str, now: datetime = NOW) -> dict[str, Any]:
    """Every report of the training, with ids replaced by the people's NIP (ids differ between copies)."""
    training = get_training(slug)
    assert isinstance(training, Training)
    viewer = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    if viewer is None:
        viewer = User(full_name="Admin", email="admin-lihat@contoh.go.id", role=Role.ADMIN.value,
                      institution_id=training.institution_id)
        db.session.add(viewer)
        db.session.flush()
    logins = {u.id: login_of(u) for u in db.session.scalars(select(User))}
    facts = asdict(training_facts(training, now, viewer))
    facts["attendance"] = {logins[k]: v for k, v in facts["attendance"].items()}
    for pair in facts["scores"]["pairs"]:
        pair["user_id"] = logins[pair["user_id"]]
    facts["scores"]["pairs"].sort(key=lambda p: p["user_id"])
    table = certificates.eligibility_table(training, now)
    eligibility = sorted((login_of(row.user), row.verdict.eligible, [asdict(c) for c in row.verdict.criteria],
                          row.posttest, row.override is not None) for row in table)
    return {"facts": facts, "eligibility": eligibility}


def table_hashes() -> dict[str, str]:
    """Return a hash of every table's rows in primary-key order (what "nothing changed" means)."""
    found = {}
    for table in db.metadata.sorted_tables:
        order = ", ".join(c.name for c in table.primary_key.columns)
        rows = db.session.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}")).all()
        found[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest() + f":{len(rows)}"
    return found


FINISHED = FINISHED_SLUG
