"""Bulk certificate work as a job: progress in the jobs table, commits in batches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.certificates import services
from lms.certificates.models import Certificate, Job
from lms.db_types import affected_rows, utcnow, writing
from lms.errors import LmsError, ValidationFailed
from lms.extensions import db
from lms.jobs import enqueue
from lms.trainings.models import Training

ISSUE = "issue_certificates"
# A worker polls its queue every second: a job still queued after this long waits for a worker
# that is not running (or busy with a long job), and the page says so.
UNPICKED_AFTER = timedelta(minutes=1)
# A job with no sign of life (taken, or a batch committed) for this long was left by a worker that
# stopped or never ran: it no longer blocks a new issue, its page stops waiting and offers a retry.
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class JobState:
    """What the job page says of a job at a moment, and whether it should keep polling."""

    key: str  # queued | waiting | running | done | failed | stalled
    label: str
    ended: bool
    retry: bool


_LABELS = {
    "queued": "Menunggu giliran…",
    "waiting": "Belum diproses — pastikan pekerja latar berjalan (make run menjalankannya).",
    "running": "Sedang diterbitkan…",
    "done": "Selesai.",
    "failed": "Gagal.",
    "stalled": "Terhenti — pekerja latar tidak memproses pekerjaan ini. Sertifikat yang sudah terbit "
               "tetap tersimpan; jalankan ulang untuk menerbitkan sisanya.",
}


def job_state(job: Job, now: datetime) -> JobState:
    """Return how the job stands at `now`: a job silent past STALE_AFTER has ended as stalled."""
    key = job.status
    if key in ("queued", "running") and now - job.last_seen > STALE_AFTER:
        key = "stalled"
    elif key == "queued" and now - job.last_seen > UNPICKED_AFTER:
        key = "waiting"
    ended = key in ("done", "failed", "stalled")
    return JobState(key, _LABELS[key], ended, key in ("failed", "stalled"))


def create_issue_job(training: Training, actor: User, now: datetime, early_reason: str | None = None) -> Job:
    """Queue a bulk issue, refusing a second one while another for the training is alive.

    Before the training's last day it needs the early-issue override (checked and audited here,
    once for the whole job).
    """
    services.check_issue_day(training, now, early_reason, actor)
    # Lock the training row (PostgreSQL; SQLite's write transaction already serialises), so two
    # clicks at once cannot both see no active job.
    db.session.execute(select(Training.id).where(Training.id == training.id).with_for_update())
    active = db.session.scalar(select(Job.id).where(
        Job.kind == ISSUE, Job.training_id == training.id, Job.status.in_(("queued", "running")),
        func.coalesce(Job.updated_at, Job.created_at) > now - STALE_AFTER).limit(1))
    if active is not None:
        raise services.IssueInProgress(services.IN_PROGRESS)
    job = Job(kind=ISSUE, training_id=training.id, status="queued", created_by_id=actor.id, created_at=now)
    db.session.add(job)
    db.session.flush()
    return job


def retry_issue_job(job: Job, actor: User, now: datetime) -> Job:
    """Close a failed or stalled job and queue a new issue of the same training."""
    if job.training is None or not job_state(job, now).retry:
        raise ValidationFailed("Pekerjaan ini masih berjalan atau sudah selesai; tidak perlu dijalankan ulang.")
    if job.status != "failed":
        job.status, job.finished_at = "failed", now
        job.failures = [*job.failures, "Dihentikan: pekerja latar tidak memproses pekerjaan ini."]
    db.session.flush()
    return create_issue_job(job.training, actor, now)


def start_issue_job(job: Job, waiting: int) -> None:
    """Run a committed job within this request when `waiting` certificates are few, else queue it."""
    if waiting <= current_app.config["INLINE_ISSUE_LIMIT"]:
        run_issue_job(job.id)
    else:
        enqueue(ISSUE, job.id)


def take_job(job_id: int) -> Job | None:
    """Mark a queued job running with one conditional UPDATE and return it, or None when it is not
    this worker's to run (a second delivery, or a job already closed as stalled)."""
    with writing():
        taken = affected_rows(db.session.execute(
            update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", updated_at=utcnow()).execution_options(synchronize_session=False)))
        db.session.commit()
    return db.session.get(Job, job_id, populate_existing=True) if taken else None


def run_issue_job(job_id: int) -> None:
    """Issue a training's eligible certificates, recording progress for the job page.

    The job is taken with one conditional UPDATE in a write transaction (a second delivery, or a
    job already closed as stalled, is left alone); the issue itself holds the write lock only to
    store each batch.
    """
    job = take_job(job_id)
    if job is None or job.training is None:
        return
    training = job.training
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    failures: list[str] = []

    def progress(done: int, total: int, certificate: Certificate | None, error: str | None) -> None:
        job.total, job.done, job.updated_at = total, done, utcnow()
        if error:
            failures.append(error)
            job.failures = list(failures)

    try:
        services.issue_all(training, actor, utcnow(), commit=db.session.commit, progress=progress)
    except LmsError as exc:  # an expected refusal (another issue got there first): say so, no crash
        _fail(job_id, failures + [exc.message])
        return
    except Exception as exc:  # the job page must say it failed, whatever failed
        _fail(job_id, failures + [str(exc)])
        raise
    with writing():
        job.status, job.finished_at = "done", utcnow()
        db.session.commit()


def _fail(job_id: int, failures: list[str]) -> None:
    db.session.rollback()
    with writing():
        job = db.session.get(Job, job_id)
        if job is not None:
            job.status, job.failures, job.finished_at = "failed", failures, utcnow()
            db.session.commit()
