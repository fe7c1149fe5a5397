"""Dead ends of issuing: early issue needs an audited reason, replacements have a button, dates in Indonesian."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.accounts.services import hash_password
from lms.audit.models import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, Job
from lms.extensions import db
from lms.trainings.models import Enrollment
from tests.conftest import PASSWORD, Clock

CONFIRMED = {"confirmed": "1"}
DURING = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)  # the demo's finished bimtek runs 6–8 November 2026
AFTER = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
REASON = "Peserta dipanggil tugas dinas ke provinsi besok pagi."


@pytest.fixture
def admin(auth, make_user, finished):
    user = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(user)
    return user


@pytest.fixture
def clock(monkeypatch):
    now = Clock(DURING)
    monkeypatch.setattr("lms.certificates.views.utcnow", now)
    return now


def text(response):
    return response.get_data(as_text=True)


def ready_user(finished):
    return next(r for r in services.eligibility_table(finished, AFTER) if r.may_issue).user


def early_events():
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.early_issue")).all()


def test_issuing_while_the_training_runs_is_refused_by_default(client, admin, finished, clock):
    assert finished.end_date.isoformat() == "2026-11-08"
    page = text(client.get(f"/trainings/{finished.slug}/certificates"))
    assert "Pelatihan belum selesai." in page and "Terbitkan sebelum pelatihan selesai" in page
    user = ready_user(finished)
    response = client.post(f"/trainings/{finished.slug}/certificates/issue/{user.id}", data=CONFIRMED,
                           follow_redirects=True)
    assert "Pelatihan ini baru berakhir pada 8 November 2026; sertifikat belum dapat diterbitkan." in text(response)
    bulk = client.post(f"/trainings/{finished.slug}/certificates/issue-all", data=CONFIRMED, follow_redirects=True)
    assert "baru berakhir pada 8 November 2026" in text(bulk)
    assert db.session.scalars(select(Certificate)).all() == [] and db.session.scalars(select(Job)).all() == []
    assert early_events() == []


def test_early_issue_needs_a_reason_and_is_audited(client, admin, finished, clock):
    user = ready_user(finished)
    url = f"/trainings/{finished.slug}/certificates/issue/{user.id}"
    short = client.post(url, data={**CONFIRMED, "early": "y", "early_reason": "perlu"}, follow_redirects=True)
    assert "Alasan penerbitan sebelum pelatihan selesai wajib diisi (minimal 10 karakter)." in text(short)
    assert db.session.scalars(select(Certificate)).all() == []
    done = client.post(url, data={**CONFIRMED, "early": "y", "early_reason": REASON}, follow_redirects=True)
    (certificate,) = db.session.scalars(select(Certificate)).all()
    assert f"Sertifikat {certificate.number} diterbitkan." in text(done) and certificate.user_id == user.id
    (event,) = early_events()
    assert event.actor_id == admin.id and event.details == {"reason": REASON, "user_id": user.id,
                                                            "end_date": "2026-11-08"}


def test_early_bulk_issue_with_a_reason(client, admin, finished, clock):
    response = client.post(f"/trainings/{finished.slug}/certificates/issue-all",
                           data={**CONFIRMED, "early": "y", "early_reason": REASON})
    assert "Selesai." in text(client.get(response.headers["Location"]))
    assert len(db.session.scalars(select(Certificate)).all()) == 5
    (event,) = early_events()
    assert event.details["user_id"] is None and event.details["reason"] == REASON


def test_on_the_last_day_no_override_is_needed(client, admin, finished, clock):
    clock.now = datetime(2026, 11, 8, 1, 0, tzinfo=UTC)  # 08.00 WIB on the last day
    assert "Pelatihan belum selesai." not in text(client.get(f"/trainings/{finished.slug}/certificates"))
    user = ready_user(finished)
    client.post(f"/trainings/{finished.slug}/certificates/issue/{user.id}", data=CONFIRMED)
    assert len(db.session.scalars(select(Certificate)).all()) == 1 and early_events() == []


def test_cli_issue_before_the_end_needs_before_end(runner, finished, cli_clock):
    cli_clock(DURING)
    refused = runner.invoke(args=["certificates", "issue", finished.slug, "--all-eligible"])
    assert refused.exit_code != 0 and "beri --before-end ALASAN" in refused.output
    assert db.session.scalars(select(Certificate)).all() == []
    done = runner.invoke(args=["certificates", "issue", finished.slug, "--all-eligible", "--before-end", REASON])
    assert done.exit_code == 0, done.output
    assert len(db.session.scalars(select(Certificate)).all()) == 5 and len(early_events()) == 1


def test_revoked_certificate_shows_its_date_and_a_replacement_button(client, admin, finished, clock):
    clock.now = AFTER
    user = ready_user(finished)
    client.post(f"/trainings/{finished.slug}/certificates/issue/{user.id}", data=CONFIRMED)
    old = db.session.scalars(select(Certificate)).one()
    clock.now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 1 December 01.00 WIB
    services.revoke(old, "Gelar peserta salah ketik", admin, clock.now)
    db.session.commit()
    page = text(client.get(f"/trainings/{finished.slug}/certificates"))
    assert f"{old.number} dicabut pada 1 Desember 2026: Gelar peserta salah ketik" in page
    assert f'action="/certificates/{old.id}/reissue"' in page and "Terbitkan pengganti" in page
    assert "Dicabut</strong> pada 1 Desember 2026." in text(client.get(f"/verify/{old.code}"))
    assert client.get(f"/verify/{old.code}.json").get_json()["revoked_on"] == "1 Desember 2026"
    client.post(f"/certificates/{old.id}/reissue", data=CONFIRMED)
    new = db.session.scalars(select(Certificate).where(Certificate.status == "valid")).one()
    assert new.replaces_id == old.id
    assert "Terbitkan pengganti" not in text(client.get(f"/trainings/{finished.slug}/certificates"))


def test_own_certificates_page_shows_the_revocation_date(client, auth, admin, finished):
    user = ready_user(finished)
    services.issue_for(finished, user.id, admin, AFTER)
    certificate = db.session.scalars(select(Certificate)).one()
    services.revoke(certificate, "Data jabatan keliru", admin, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    db.session.commit()
    user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    auth.logout()
    auth.login_as(user)
    page = text(client.get("/certificates/mine"))
    assert "Dicabut pada 23 November 2026: Data jabatan keliru" in page


def test_removing_a_holder_of_a_valid_certificate_is_refused(client, admin, finished):
    user = ready_user(finished)
    certificate = services.issue_for(finished, user.id, admin, AFTER)
    db.session.commit()
    response = client.post(f"/trainings/{finished.slug}/participants/{user.id}/remove", data=CONFIRMED,
                           follow_redirects=True)
    assert f"memegang sertifikat sah {certificate.number} dari kegiatan ini. Cabut sertifikatnya terlebih " \
           "dahulu" in text(response)
    assert db.session.scalars(select(Enrollment).where(Enrollment.user_id == user.id)).one() is not None
    assert user.full_name in text(client.get(f"/trainings/{finished.slug}/certificates"))
    services.revoke(certificate, "Peserta mengundurkan diri", admin, AFTER)
    db.session.commit()
    client.post(f"/trainings/{finished.slug}/participants/{user.id}/remove", data=CONFIRMED)
    assert db.session.scalars(select(Enrollment).where(Enrollment.user_id == user.id)).first() is None


def test_issuing_without_confirmation_asks_and_takes_no_number(client, admin, finished, clock):
    clock.now = AFTER
    user = ready_user(finished)
    page = text(client.post(f"/trainings/{finished.slug}/certificates/issue/{user.id}"))
    assert f"Terbitkan sertifikat untuk {user.full_name}?" in page and "tidak dapat dikembalikan" in page
    bulk = text(client.post(f"/trainings/{finished.slug}/certificates/issue-all"))
    assert "Terbitkan sertifikat untuk semua peserta yang memenuhi syarat?" in bulk
    assert db.session.scalars(select(Certificate)).all() == [] and db.session.scalars(select(Job)).all() == []
    manage = text(client.get(f"/trainings/{finished.slug}/certificates"))
    assert f'data-confirm="Terbitkan sertifikat untuk {user.full_name}?"' in manage
