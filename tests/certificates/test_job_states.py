"""A bulk job's page: waiting, running, stalled and ended states on a frozen clock, and the retry."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.certificates import bulk
from lms.certificates.models import Certificate, Job
from lms.extensions import db
from tests.certificates.conftest import NOW

REFRESH = '<meta http-equiv="refresh"'


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    now = Clock(NOW)
    monkeypatch.setattr("lms.certificates.views.utcnow", now)
    return now


@pytest.fixture
def admin(auth, make_user, finished):
    user = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(user)
    return user


def queued_job(finished, admin):
    job = bulk.create_issue_job(finished, admin, NOW)
    db.session.commit()
    return job


def page(client, job_id):
    return client.get(f"/certificates/jobs/{job_id}").get_data(as_text=True)


@pytest.mark.parametrize(("after", "key", "ended"), [
    (timedelta(seconds=30), "queued", False),
    (bulk.UNPICKED_AFTER + timedelta(seconds=1), "waiting", False),
    (bulk.STALE_AFTER + timedelta(seconds=1), "stalled", True),
])
def test_a_queued_job_reads_by_how_long_it_waited(finished, make_user, after, key, ended):
    job = queued_job(finished, make_user(role="admin"))
    state = bulk.job_state(job, NOW + after)
    assert (state.key, state.ended, state.retry) == (key, ended, ended)


def test_a_running_job_stalls_only_after_its_last_heartbeat(finished, make_user):
    job = queued_job(finished, make_user(role="admin"))
    job.status, job.updated_at = "running", NOW + timedelta(minutes=30)
    assert bulk.job_state(job, NOW + timedelta(minutes=35)).key == "running"  # created long ago, alive now
    assert bulk.job_state(job, NOW + timedelta(minutes=30) + bulk.STALE_AFTER + timedelta(seconds=1)).key == "stalled"
    job.status = "done"
    assert bulk.job_state(job, NOW + timedelta(days=3)) == bulk.JobState("done", "Selesai.", True, False)


def test_the_page_polls_while_waiting_says_when_no_worker_runs_and_stops_when_stalled(client, admin, finished, clock):
    job = queued_job(finished, admin)
    clock.moment = NOW + timedelta(seconds=20)
    text = page(client, job.id)
    assert "Menunggu giliran" in text and f'{REFRESH} content="2">' in text
    clock.moment = NOW + bulk.UNPICKED_AFTER + timedelta(seconds=5)
    text = page(client, job.id)
    assert "Belum diproses — pastikan pekerja latar berjalan" in text and f'{REFRESH} content="10">' in text
    assert "Jalankan ulang" not in text
    clock.moment = NOW + bulk.STALE_AFTER + timedelta(minutes=1)
    text = page(client, job.id)
    assert "Terhenti" in text and REFRESH not in text and "Jalankan ulang penerbitan" in text
    status = client.get(f"/certificates/jobs/{job.id}", headers={"Accept": "application/json"}).get_json()
    assert status["state"] == "stalled" and status["ended"] is True and status["status"] == "queued"


def test_retry_closes_the_stalled_job_and_issues_in_a_new_one(client, admin, finished, clock):
    job = queued_job(finished, admin)
    clock.moment = NOW + bulk.STALE_AFTER + timedelta(minutes=1)
    response = client.post(f"/certificates/jobs/{job.id}/retry")
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_id != job.id
    text = page(client, new_id)
    assert "Selesai." in text and "5 dari 5 diproses" in text and REFRESH not in text
    old = db.session.get(Job, job.id, populate_existing=True)
    assert old.status == "failed" and "pekerja latar tidak memproses" in old.failures[-1]
    assert len(db.session.scalars(select(Certificate)).all()) == 5
    # The old job, delivered late by a worker that comes back, does nothing.
    bulk.run_issue_job(job.id)
    assert db.session.get(Job, job.id, populate_existing=True).status == "failed"
    assert len(db.session.scalars(select(Certificate)).all()) == 5


def test_retry_is_refused_for_a_job_still_alive_or_done(client, admin, finished, clock):
    job = queued_job(finished, admin)
    clock.moment = NOW + timedelta(seconds=30)
    response = client.post(f"/certificates/jobs/{job.id}/retry", follow_redirects=True)
    assert "masih berjalan atau sudah selesai" in response.get_data(as_text=True)
    assert db.session.scalars(select(Job)).all() == [job]
    bulk.run_issue_job(job.id)
    clock.moment = NOW + timedelta(days=1)
    text = page(client, job.id)
    assert "Selesai." in text and REFRESH not in text and "Jalankan ulang" not in text


def test_only_an_admin_retries(client, auth, finished, make_user):
    job = queued_job(finished, make_user(role="admin"))
    auth.login_as(make_user(role="trainer"))
    assert client.post(f"/certificates/jobs/{job.id}/retry").status_code == 403
    assert db.session.get(Job, job.id, populate_existing=True).status == "queued"
