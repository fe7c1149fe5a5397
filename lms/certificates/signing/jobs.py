"""Bulk signing as a job: a training's certificates waiting for TTE, signed in bounded batches with progress.

Each batch is read, signed outside any write transaction and stored in one short write
(``services.sign_batch``), so answers being saved meanwhile get the SQLite write lock between
batches. A SigningError stops the job as failed with its message: the batches stored stay signed,
the rest keep waiting (Menunggu TTE), and "Jalankan ulang" signs them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.certificates.bulk import STALE_AFTER, take_job
from lms.certificates.models import Certificate, Job
from lms.certificates.signing import Signer, SigningError
from lms.certificates.signing import services as signing
from lms.db_types import utcnow, writing
from lms.errors import LmsError, ValidationFailed
from lms.extensions import db
from lms.jobs import enqueue
from lms.trainings.models import Training

SIGN = "sign_certificates"
BATCH = 20  # certificates signed and stored together; a batch holds the write lock only to store

Progress = Callable[[int, int], None]

IN_PROGRESS = ("Penandatanganan sertifikat untuk pelatihan ini sedang berjalan; tunggu sampai selesai, lalu muat "
               "ulang halaman.")


def sign_training(training_id: int, signer: Signer, actor: User | None, now: datetime,
                  commit: Callable[[], None] | None, progress: Progress | None = None,
                  only: list[int] | None = None) -> int:
    """Sign the training's certificates waiting for TTE (or those of `only`) in batches; return how many.

    Raises SigningError from the signer; what earlier batches stored stays signed.
    """
    ids = signing.pending_ids(training_id) if only is None else only
    total, done = len(ids), 0
    if progress:
        progress(0, total)
    for start in range(0, total, BATCH):
        batch = list(db.session.scalars(select(Certificate).where(
            Certificate.id.in_(ids[start:start + BATCH]), Certificate.status == "valid",
            Certificate.sign_state.in_(signing.SIGNABLE)).order_by(Certificate.seq)))
        signed = signing.sign_batch(batch, signer, actor, now, commit) if batch else []
        done += len(signed)
        if progress:
            progress(min(start + BATCH, total), total)
    return done


class SigningFailed(LmsError):
    """A signer's failure as a domain error for views: the certificates keep waiting for TTE."""


def sign_now(certificates: list[Certificate], signer: Signer, actor: User | None, now: datetime) -> list[Certificate]:
    """Sign a few certificates within a request (committing per batch), turning a SigningError into SigningFailed."""
    try:
        return signing.sign_batch(certificates, signer, actor, now, db.session.commit)
    except SigningError as exc:
        raise SigningFailed(f"{exc.message} Sertifikat tetap menunggu TTE; tidak ada yang hilang.") from None


def create_sign_job(training: Training, actor: User, now: datetime) -> Job:
    """Queue the signing of a training's waiting certificates, refusing a second one while one is alive."""
    if not signing.pending_ids(training.id):
        raise ValidationFailed("Tidak ada sertifikat yang menunggu tanda tangan elektronik.")
    db.session.execute(select(Training.id).where(Training.id == training.id).with_for_update())
    active = db.session.scalar(select(Job.id).where(
        Job.kind == SIGN, Job.training_id == training.id, Job.status.in_(("queued", "running")),
        func.coalesce(Job.updated_at, Job.created_at) > now - STALE_AFTER).limit(1))
    if active is not None:
        raise ValidationFailed(IN_PROGRESS)
    job = Job(kind=SIGN, training_id=training.id, status="queued", created_by_id=actor.id, created_at=now,
              total=len(signing.pending_ids(training.id)))
    db.session.add(job)
    db.session.flush()
    return job


def start_sign_job(job: Job) -> None:
    """Run a committed job within this request when it is small, else queue it for the worker."""
    if job.total <= current_app.config["INLINE_ISSUE_LIMIT"] // 2:
        run_sign_job(job.id)
    else:
        enqueue(SIGN, job.id)


def run_sign_job(job_id: int, signer: Signer | None = None) -> None:
    """Sign a training's waiting certificates with `signer` (default: the configured local key)."""
    job = take_job(job_id)
    if job is None or job.training_id is None:
        return
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None

    def progress(done: int, total: int) -> None:
        job.total, job.done, job.updated_at = total, done, utcnow()
        with writing():
            db.session.commit()

    try:
        chosen = signer or signing.local_signer(utcnow())
        if chosen is None:
            raise SigningError("Kunci tanda tangan lokal belum dikonfigurasi (LMS_SIGNING_PKCS12).")
        sign_training(job.training_id, chosen, actor, utcnow(), db.session.commit, progress)
    except (SigningError, LmsError) as exc:
        _fail(job_id, exc.message)  # type: ignore[attr-defined]
        return
    except Exception as exc:  # the job page must say it failed, whatever failed
        _fail(job_id, str(exc))
        raise
    with writing():
        job.status, job.finished_at = "done", utcnow()
        db.session.commit()


def retry_sign_job(job: Job, actor: User, now: datetime) -> Job:
    if job.training is None or job.status not in ("failed", "queued", "running"):
        raise ValidationFailed("Pekerjaan ini sudah selesai; tidak perlu dijalankan ulang.")
    if job.status != "failed":
        job.status, job.finished_at = "failed", now
    db.session.flush()
    return create_sign_job(job.training, actor, now)


def _fail(job_id: int, message: str) -> None:
    db.session.rollback()
    with writing():
        job = db.session.get(Job, job_id)
        if job is not None:
            job.status, job.failures, job.finished_at = "failed", [*job.failures, message], utcnow()
            db.session.commit()
