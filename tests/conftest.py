"""Fixtures shared by the whole suite: one schema per run, emptied between tests."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import text

from lms import create_app
from lms.accounts import services
from lms.accounts.models import Role, User
from lms.certificates import revisions
from lms.extensions import db, limiter
from lms.quizzes.services.attempts import forget_decoded_attempts

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
PASSWORD = "rahasia-bimtek-1"
# Cheap hashing in tests only: the real default is scrypt.
FAST_HASH = "pbkdf2:sha256:1"


def settings_for(instance: Path, **extra: Any) -> dict[str, Any]:
    """Return the configuration every test app starts from."""
    settings = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{instance / 'test.sqlite3'}",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "JOBS_IMMEDIATE": True,
        "PUBLIC_BASE_URL": "https://lms.diskominfo.contoh.go.id",
    }
    settings.update(extra)
    return settings


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Tests run inside a pushed app context (for db.session); without this, requests would share
    its `g` (the logged-in user) and its database session with the test and with each other.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        db.session.commit()  # no open transaction of the test's may block or hide the request's
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()  # the test's own objects see what the request wrote


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(settings_for(tmp_path_factory.mktemp("instance")))
    application.test_client_class = IsolatedClient
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    ctx = application.app_context()
    ctx.push()
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        _empty_tables()
        # The ids of the emptied tables come back, and frozen clocks give the same start times.
        forget_decoded_attempts()
        revisions.forget()
        ctx.pop()


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class Clock:
    """A clock a test sets and moves: patch it over a module's utcnow."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


VENUE_ADDRESS = "192.168.1.23"  # the laptop's address on the hall's Wi-Fi, in every test
# Its interfaces: loopback, the hall's Wi-Fi, and a second network (a phone's hotspot, a VPN).
INTERFACE_ADDRESSES = ("127.0.0.1", "10.8.0.5", VENUE_ADDRESS)


@pytest.fixture(autouse=True)
def venue_network(monkeypatch: pytest.MonkeyPatch) -> str:
    """Give the machine a fixed venue address and interfaces: what pages print must not depend on this host."""
    monkeypatch.setattr("lms.network.venue_address", lambda: VENUE_ADDRESS)
    monkeypatch.setattr("lms.network.interface_addresses", lambda: list(INTERFACE_ADDRESSES))
    return VENUE_ADDRESS


@pytest.fixture
def cli_clock(app: Flask) -> Iterator[Callable[[datetime], None]]:
    """Return a setter of the time CLI commands see (app.config["CLOCK"]) during one test."""
    def set_to(moment: datetime) -> None:
        app.config["CLOCK"] = lambda: moment

    yield set_to
    app.config.pop("CLOCK", None)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 100000))

    def factory(role: str = Role.PARTICIPANT.value, password: str | None = PASSWORD,
                **fields: Any) -> User:
        n = next(counter)
        data = {"full_name": f"Pengguna Uji {n}", "email": f"pengguna{n}@contoh.go.id", "role": role}
        data.update(fields)
        user = services.create_user(services.UserData(**data), None)
        if password:
            user.password_hash = services.hash_password(password)
        db.session.commit()
        return user

    return factory


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, login: str, password: str = PASSWORD, **kwargs: Any) -> Any:
        return self._client.post("/login", data={"identifier": login, "password": password}, **kwargs)

    def login_as(self, user: User) -> Any:
        response = self.login(user.login_name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self) -> Any:
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Return a context manager factory counting SQL statements run inside it."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


WRITE_STATEMENT = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT)\b", re.IGNORECASE)


class WriteWatch:
    """The writes seen while watching: each INSERT/UPDATE/DELETE sent, and each commit of pending changes."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if WRITE_STATEMENT.match(statement):
            self.writes.append(" ".join(statement.split())[:160])

    def commit(self, session: Any) -> None:
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            self.writes.append(f"COMMIT of {len(session.new)} new, {len(session.dirty)} changed, "
                               f"{len(session.deleted)} deleted objects")


@pytest.fixture
def watch_writes(app: Flask) -> Callable[[], Any]:
    """Return a context manager collecting the writes made inside it (e.g. during one GET request).

    It listens to SQLAlchemy's before_cursor_execute on the engine (INSERT, UPDATE, DELETE) and to
    every Session's before_commit (a commit with pending changes), so a read that writes is seen
    whether it flushes, commits, or runs a bulk statement.
    """
    from contextlib import contextmanager

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @contextmanager
    def watching() -> Iterator[WriteWatch]:
        watch = WriteWatch()
        event.listen(db.engine, "before_cursor_execute", watch.statement)
        event.listen(Session, "before_commit", watch.commit)
        try:
            yield watch
        finally:
            event.remove(db.engine, "before_cursor_execute", watch.statement)
            event.remove(Session, "before_commit", watch.commit)

    return watching


def create_training(slug: str = "bimtek-tes", courses: tuple = (), users: tuple = (), trainers: tuple = (),
                    **fields: Any) -> Any:
    """Create an open training linking courses, with users enrolled and trainers assigned."""
    from datetime import date

    from lms.trainings.models import Enrollment, Training

    values = {"title": "Bimtek Tes", "start_date": date(2026, 8, 17), "end_date": date(2026, 8, 19),
              "status": "open", "venue": "Aula Diskominfo", "city": "Contoh"}
    values.update(fields)
    training = Training(institution_id=services.ensure_institution().id, slug=slug, **values)
    training.courses = list(courses)
    training.trainers = list(trainers)
    db.session.add(training)
    db.session.flush()
    for user in users:
        db.session.add(Enrollment(training_id=training.id, user_id=user.id))
    db.session.commit()
    return training
