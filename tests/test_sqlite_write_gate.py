"""SQLite: the write transactions of one process queue on a gate instead of polling SQLite's lock."""

import threading

import pytest
from sqlalchemy import text

import lms
from lms.db_types import writing
from lms.extensions import db


@pytest.fixture
def sqlite(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the gate is SQLite's")
    db.session.commit()
    return app


def gate_is_free() -> bool:
    """Tell from another thread whether the gate can be taken now (and give it back)."""
    free = []

    def probe():
        taken = lms._WRITE_GATE.acquire(timeout=0)
        free.append(taken)
        if taken:
            lms._WRITE_GATE.release()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return free[0]


def test_a_write_holds_the_gate_until_commit_and_rollback(sqlite):
    assert gate_is_free()
    with writing():
        db.session.execute(text("SELECT 1"))
        assert not gate_is_free()  # the write transaction holds it
        db.session.commit()
    assert gate_is_free()
    with writing():
        db.session.execute(text("SELECT 1"))
        assert not gate_is_free()
        db.session.rollback()
    assert gate_is_free()


def test_a_read_does_not_take_the_gate(sqlite):
    db.session.execute(text("SELECT 1"))
    assert gate_is_free()
    db.session.rollback()


def test_a_second_writer_waits_at_the_gate_then_writes(sqlite):
    order = []
    started = threading.Event()

    def second(app):
        with app.app_context():
            started.set()
            with writing():
                db.session.execute(text("SELECT 1"))  # waits here until the first commits
                order.append("second")
                db.session.commit()
            db.session.remove()

    with writing():
        db.session.execute(text("SELECT 1"))
        thread = threading.Thread(target=second, args=(sqlite,))
        thread.start()
        started.wait(5)
        thread.join(0.3)
        assert thread.is_alive() and order == []  # blocked on the gate, not failing
        order.append("first")
        db.session.commit()
    thread.join(10)
    assert order == ["first", "second"]
    assert gate_is_free()
