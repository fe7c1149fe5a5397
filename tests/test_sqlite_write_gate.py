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


PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1] + ".lock", os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("busy")
else:
    print("free")
"""


def file_gate_seen_from_another_process() -> str:
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", PROBE, db.engine.url.database], capture_output=True,
                          text=True, check=True, timeout=30).stdout.strip()


def test_a_write_holds_the_file_lock_other_processes_wait_for(sqlite):
    assert file_gate_seen_from_another_process() == "free"
    with writing():
        db.session.execute(text("SELECT 1"))
        assert file_gate_seen_from_another_process() == "busy"  # a gunicorn sibling, the job worker
        db.session.commit()
    assert file_gate_seen_from_another_process() == "free"
    db.session.execute(text("SELECT 1"))  # a read takes no lock
    assert file_gate_seen_from_another_process() == "free"
    db.session.rollback()


def test_a_forked_worker_opens_its_own_lock(sqlite):
    import fcntl
    import os

    database = db.engine.url.database
    gate = lms._FileGate()
    gate.lock(database)  # the master holds it, as a process that wrote before forking would
    try:
        pid = os.fork()
        if pid == 0:  # the worker: its descriptor is its own, so the master's lock excludes it
            code = 1
            try:
                fd = gate._descriptor(database)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        gate.unlock()


def test_changes_set_after_a_commit_are_flushed_in_a_write_transaction(sqlite, make_user):
    """A job's progress, set after a batch was committed, is stored with BEGIN IMMEDIATE, not a late upgrade."""
    from sqlalchemy import event

    user = make_user(email="progres-tugas@contoh.go.id")
    db.session.commit()
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # as the bulk issue runs
    begins: list[str] = []

    def seen(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        user.full_name = "Nama Setelah Batch"
        with writing():
            db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
        session.expire_on_commit = expire
    assert begins == ["BEGIN IMMEDIATE"], begins
    assert gate_is_free()
