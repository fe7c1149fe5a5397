"""Bulk certificate work as a job: progress in the jobs table, commits in batches."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates import services
from lms.certificates.models import Certificate, Job
from lms.db_types import utcnow, writing
from lms.errors import LmsError
from lms.extensions import db
from lms.jobs import enqueue
from lms.trainings.models import Training

ISSUE = "issue_certificates"
# A job still "queued" or "running" after this long was left by a worker that stopped.
STALE_AFTER = timedelta(hours=2)


def create_issue_job(training: Training, actor: User, now: datetime, early_reason: str | None = None) -> Job:
    """Queue a bulk issue, refusing a second one while another for the training is active.

    Before the training's last day it needs the early-issue override (checked and audited here,
    once for the whole job).
    """
    services.check_issue_day(training, now, early_reason, actor)
    # Lock the training row (PostgreSQL; SQLite's write transaction already serialises), so two
    # clicks at once cannot both see no active job.
    db.session.execute(select(Training.id).where(Training.id == training.id).with_for_update())
    active = db.session.scalar(select(Job.id).where(
        Job.kind == ISSUE, Job.training_id == training.id, Job.status.in_(("queued", "running")),
        Job.created_at > now - STALE_AFTER).limit(1))
    if active is not None:
        raise services.IssueInProgress(services.IN_PROGRESS)
    job = Job(kind=ISSUE, training_id=training.id, status="queued", created_by_id=actor.id, created_at=now)
    db.session.add(job)
    db.session.flush()
    return job


def start_issue_job(job: Job, waiting: int) -> None:
    """Run a committed job within this request when `waiting` certificates are few, else queue it."""
    if waiting <= current_app.config["INLINE_ISSUE_LIMIT"]:
        run_issue_job(job.id)
    else:
        enqueue(ISSUE, job.id)


def run_issue_job(job_id: int) -> None:
    """Issue a training's eligible certificates, recording progress for the job page."""
    job = db.session.get(Job, job_id)
    if job is None or job.status not in ("queued", "running") or job.training is None:
        return
    training = job.training
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    job.status = "running"
    db.session.commit()
    failures: list[str] = []

    def progress(done: int, total: int, certificate: Certificate | None, error: str | None) -> None:
        job.total, job.done = total, done
        if error:
            failures.append(error)
            job.failures = list(failures)

    try:
        with writing():
            services.issue_all(training, actor, utcnow(), commit=db.session.commit, progress=progress)
    except LmsError as exc:  # an expected refusal (another issue got there first): say so, no crash
        _fail(job_id, failures + [exc.message])
        return
    except Exception as exc:  # the job page must say it failed, whatever failed
        _fail(job_id, failures + [str(exc)])
        raise
    job.status, job.finished_at = "done", utcnow()
    db.session.commit()


def _fail(job_id: int, failures: list[str]) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is not None:
        job.status, job.failures, job.finished_at = "failed", failures, utcnow()
        db.session.commit()
