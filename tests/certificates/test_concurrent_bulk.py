"""Two bulk issues of one training at once: the second gets a message, never an IntegrityError."""

import threading

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.certificates import bulk, services
from lms.certificates.models import Certificate, Job
from lms.errors import LmsError
from lms.extensions import db
from lms.trainings.scope import get_training
from tests.certificates.conftest import NOW

IN_PROGRESS = "Penerbitan sertifikat untuk pelatihan ini sedang berjalan"

CONFIRMED = {"confirmed": "1"}  # as the dialog or the confirm page sends it


def run_together(app, slug, work, monkeypatch):
    """Run work(training) in two threads that both computed eligibility before either issues."""
    both_read = threading.Barrier(2)
    original = services.eligibility_table

    def eligibility_then_wait(*args, **kwargs):
        rows = original(*args, **kwargs)
        if threading.current_thread().name.startswith("issuer"):
            both_read.wait(timeout=20)
        return rows

    monkeypatch.setattr(services, "eligibility_table", eligibility_then_wait)
    outcomes = []

    def worker():
        with app.test_request_context("/", method="POST"):
            app.preprocess_request()
            try:
                work(get_training(slug))
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # collected and asserted below
                db.session.rollback()
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, name=f"issuer-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.rollback()
    return outcomes


@pytest.fixture
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises the two issues on its write lock: the race needs PostgreSQL")


def test_concurrent_bulk_issue_gives_the_second_a_message(app, finished, postgres_only, monkeypatch):
    db.session.commit()
    outcomes = run_together(app, finished.slug, lambda training: services.issue_all(
        training, None, NOW, commit=db.session.commit), monkeypatch)
    assert outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert isinstance(refused, LmsError) and IN_PROGRESS in refused.message
    seqs = sorted(db.session.scalars(select(Certificate.seq)))
    assert seqs == list(range(1, 6))  # the loser's numbers were rolled back: no gap, no repeat


def test_concurrent_issue_jobs_mark_the_second_failed_with_the_message(app, finished, postgres_only, monkeypatch):
    admin = db.session.scalars(select(User).where(User.role == "admin")).first()
    jobs = []
    for _ in range(2):  # created directly, as two requests racing past the check would
        job = Job(kind="issue_certificates", training_id=finished.id, status="queued", created_by_id=admin.id)
        db.session.add(job)
        db.session.flush()
        jobs.append(job.id)
    db.session.commit()
    ids = iter(jobs)
    lock = threading.Lock()

    def run(training):
        with lock:
            job_id = next(ids)
        bulk.run_issue_job(job_id)

    outcomes = run_together(app, finished.slug, run, monkeypatch)
    assert outcomes == ["ok", "ok"]  # no exception escapes to the request
    statuses = sorted((job.status, tuple(job.failures)) for job in db.session.scalars(select(Job)))
    assert statuses[0] == ("done", ())
    assert statuses[1][0] == "failed" and IN_PROGRESS in statuses[1][1][-1]
    assert db.session.scalar(select(func.count(Certificate.id))) == 5


def test_a_second_job_is_refused_while_one_is_active(finished, make_user):
    from datetime import timedelta

    admin = make_user(role="admin")
    bulk.create_issue_job(finished, admin, NOW)
    with pytest.raises(LmsError, match=IN_PROGRESS):
        bulk.create_issue_job(finished, admin, NOW + timedelta(minutes=5))
    # A job left "queued" by a worker that died no longer blocks, hours later.
    assert bulk.create_issue_job(finished, admin, NOW + bulk.STALE_AFTER + timedelta(minutes=1)).id


def test_issue_all_page_shows_the_message_for_a_second_click(client, auth, finished, make_user):
    admin = make_user(role="admin")
    bulk.create_issue_job(finished, admin, services_now())
    db.session.commit()
    auth.login_as(admin)
    response = client.post(f"/trainings/{finished.slug}/certificates/issue-all", data=CONFIRMED, follow_redirects=True)
    assert response.status_code == 200 and IN_PROGRESS in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Job.id))) == 1


def services_now():
    from lms.db_types import utcnow

    return utcnow()
