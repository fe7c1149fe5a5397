"""Bulk certificate work as a job: progress in the jobs table, commits in batches."""

from __future__ import annotations

from typing import Optional

from lms.accounts.models import User
from lms.certificates import services
from lms.certificates.models import Certificate, Job
from lms.db_types import utcnow, writing
from lms.extensions import db
from lms.trainings.models import Training


def create_issue_job(training: Training, actor: User) -> Job:
    job = Job(kind="issue_certificates", training_id=training.id, status="queued", created_by_id=actor.id)
    db.session.add(job)
    db.session.flush()
    return job


def run_issue_job(job_id: int) -> None:
    """Issue a training's eligible certificates, recording progress for the job page."""
    job = db.session.get(Job, job_id)
    if job is None or job.status not in ("queued", "running"):
        return
    training = db.session.get(Training, job.training_id)
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    job.status = "running"
    db.session.commit()
    failures: list[str] = []

    def progress(done: int, total: int, certificate: Optional[Certificate], error: Optional[str]) -> None:
        job.total, job.done = total, done
        if error:
            failures.append(error)
            job.failures = list(failures)

    try:
        with writing():
            services.issue_all(training, actor, utcnow(), commit=db.session.commit, progress=progress)
    except Exception as exc:  # the job page must say it failed, whatever failed
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status, job.failures, job.finished_at = "failed", failures + [str(exc)], utcnow()
        db.session.commit()
        raise
    job.status, job.finished_at = "done", utcnow()
    db.session.commit()
