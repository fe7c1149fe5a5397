"""Bulk issue holds the write lock only to store each batch: renders run with no write open."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from lms.certificates import bulk, services
from lms.certificates.models import Certificate, CertificateSequence, Job
from lms.certificates.pdf import render_certificate
from lms.db_types import write_intent
from lms.extensions import db
from tests.certificates.conftest import NOW

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class WriteTracker:
    """Counts write statements sent since the last COMMIT or ROLLBACK on the engine."""

    def __init__(self):
        self.uncommitted = 0

    def statement(self, conn, cursor, statement, *args):
        if WRITE.match(statement):
            self.uncommitted += 1

    def ended(self, conn):
        self.uncommitted = 0


@pytest.fixture
def tracker(app):
    watch = WriteTracker()
    event.listen(db.engine, "before_cursor_execute", watch.statement)
    event.listen(db.engine, "commit", watch.ended)
    event.listen(db.engine, "rollback", watch.ended)
    yield watch
    event.remove(db.engine, "before_cursor_execute", watch.statement)
    event.remove(db.engine, "commit", watch.ended)
    event.remove(db.engine, "rollback", watch.ended)


def watch_renders(monkeypatch, tracker, before=None):
    """Replace the renderer with one that records what was open when it ran (and may act first)."""
    seen = []

    def render(*args, **kwargs):
        if before is not None:
            before(len(seen))
        seen.append((write_intent(), tracker.uncommitted))
        return render_certificate(*args, **kwargs)

    monkeypatch.setattr(services, "render_certificate", render)
    return seen


def test_bulk_renders_with_no_write_transaction_open(finished, tracker, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    seen = watch_renders(monkeypatch, tracker)
    issued = services.issue_all(finished, None, NOW, commit=db.session.commit)
    assert len(issued) == 5 and len(seen) == 5
    # No write intent (SQLite: no BEGIN IMMEDIATE) and no uncommitted INSERT/UPDATE while rendering.
    assert seen == [(False, 0)] * 5
    assert sorted(c.seq for c in issued) == [1, 2, 3, 4, 5]


def test_another_writer_gets_in_while_a_batch_renders(app, finished, tracker, monkeypatch):
    """A writer on another connection (an answer save) commits during the render, without waiting."""
    monkeypatch.setattr(services, "BATCH", 2)
    writes = []

    def write_elsewhere(rendered):
        with db.engine.connect() as other:
            sqlite = other.dialect.name == "sqlite"
            if sqlite:
                other.exec_driver_sql("PRAGMA busy_timeout=0")  # fail at once if the lock were held
            try:
                other.execute(text("UPDATE jobs SET done = done WHERE 1 = 0"))
                other.commit()
            finally:
                if sqlite:  # the connection goes back to the pool: later users wait for the lock again
                    other.exec_driver_sql("PRAGMA busy_timeout=10000")
            writes.append(rendered)

    watch_renders(monkeypatch, tracker, before=write_elsewhere)
    services.issue_all(finished, None, NOW, commit=db.session.commit)
    assert writes == [0, 1, 2, 3, 4]


def test_a_batch_whose_numbers_were_taken_meanwhile_is_renumbered_without_gaps(app, finished, tracker,
                                                                              monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)

    def take_a_number(rendered):
        if rendered == 1:  # another issuer (a single issue) numbers one certificate mid-render
            with db.engine.connect() as other:
                other.execute(text("UPDATE certificate_sequences SET last_seq = last_seq + 1"))
                other.commit()

    seen = watch_renders(monkeypatch, tracker, before=take_a_number)
    issued = services.issue_all(finished, None, NOW, commit=db.session.commit)
    seqs = sorted(db.session.scalars(select(Certificate.seq)))
    assert seqs == [2, 3, 4, 5, 6]  # 1 went to the other issuer: no gap, no repeat
    assert sorted(c.seq for c in issued) == seqs
    numbers = {c.seq: c.number for c in issued}
    assert all(c.data["number"] == numbers[c.seq] for c in issued)  # what is printed matches
    assert len(seen) == 3 + 3 + 2  # the first batch was rendered again with its new numbers
    assert db.session.scalar(select(CertificateSequence.last_seq)) == 6


def test_a_crash_mid_run_keeps_whole_batches_and_a_rerun_finishes_gapless(finished, tracker, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)

    def crash(rendered):
        if rendered == 3:
            raise RuntimeError("worker killed")

    watch_renders(monkeypatch, tracker, before=crash)
    with pytest.raises(RuntimeError):
        services.issue_all(finished, None, NOW, commit=db.session.commit)
    db.session.rollback()
    assert sorted(db.session.scalars(select(Certificate.seq))) == [1, 2]  # the first batch only
    monkeypatch.setattr(services, "render_certificate", render_certificate)  # the worker runs again
    again = services.issue_all(finished, None, NOW, commit=db.session.commit)
    assert len(again) == 3
    assert sorted(db.session.scalars(select(Certificate.seq))) == [1, 2, 3, 4, 5]
    assert db.session.scalar(select(func.count(Certificate.id))) == 5


def test_job_progress_has_a_heartbeat_per_batch(finished, make_user, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    admin = make_user(role="admin")
    job = bulk.create_issue_job(finished, admin, NOW)
    db.session.commit()
    beats = []
    original = services._issue_batch

    def batch(*args, **kwargs):
        with db.engine.connect() as other:  # what the job page would read now
            beats.append(other.execute(select(Job.done, Job.updated_at).where(Job.id == job.id)).one())
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_issue_batch", batch)
    bulk.run_issue_job(job.id)
    assert [done for done, _ in beats] == [0, 2, 4]  # committed between batches
    assert all(updated is not None for _, updated in beats)
    db.session.refresh(job)
    assert job.status == "done" and job.done == 5 and job.finished_at is not None


def test_a_second_delivery_of_a_taken_job_does_nothing(finished, make_user):
    admin = make_user(role="admin")
    job = bulk.create_issue_job(finished, admin, NOW)
    db.session.commit()
    bulk.run_issue_job(job.id)
    bulk.run_issue_job(job.id)  # the queue delivered it twice
    assert db.session.scalar(select(func.count(Certificate.id))) == 5
    db.session.refresh(job)
    assert job.status == "done" and job.failures == []
    assert bulk.job_state(job, NOW + timedelta(days=1)).ended

