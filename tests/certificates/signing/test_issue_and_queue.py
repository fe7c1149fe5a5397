"""Signing as a step of issuing: signed at once with the local key, or queued; the queue through failures."""

import hashlib

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, Job
from lms.certificates.signing import SigningError
from lms.certificates.signing import services as signing
from lms.certificates.signing.jobs import run_sign_job, sign_training
from lms.certificates.signing.validate import check_pdf
from lms.errors import ValidationFailed
from lms.extensions import db
from tests.certificates.conftest import NOW

CONFIRMED = {"confirmed": "1"}


def issue(training):
    return services.issue_all(training, None, NOW, commit=db.session.commit)


def audit_actions(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_without_signing_configured_nothing_changes(finished, signing_config):
    certificate = issue(finished)[0]
    assert certificate.sign_state == "none" and certificate.sign_label == "Tanpa TTE"
    assert certificate.unsigned_sha256 == certificate.pdf_sha256
    assert check_pdf(services.pdf_bytes(certificate)) == []
    assert services.public_view(certificate)["signature"] is None


def test_issuing_with_the_local_key_signs_at_once(finished, local_key, authority):
    certificates = issue(finished)
    assert {c.sign_state for c in certificates} == {"signed"}
    certificate = certificates[0]
    pdf = services.pdf_bytes(certificate)
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256 != certificate.unsigned_sha256
    [check] = check_pdf(pdf, [authority.root.asn1])
    assert check.ok and check.trusted and check.signer == "Kepala Dinas Uji" and not check.timestamped
    assert certificate.signed_by == "Kepala Dinas Uji" and certificate.signer_label == "Kunci lokal (PKCS#12)"
    assert certificate.signed_at == NOW
    # The field sits in the signatory block, above the name, on the certificate page.
    x1, y1, x2, y2 = certificate.signature_box[1:]
    assert x1 > 842 / 2 and y2 < 595 / 3 and round(x2 - x1) == 150
    assert services.verify_file(pdf) == certificate
    assert len(audit_actions("certificate.sign")) == 5


def test_a_key_that_fails_at_issue_leaves_certificates_waiting(finished, local_key, authority, signing_config):
    local_key.write_bytes(authority.signer_p12(days_before=400, days_after=-1))  # expired by the issue day
    certificates = issue(finished)
    assert len(certificates) == 5 and {c.sign_state for c in certificates} == {"pending"}
    assert signing.for_issue(NOW).problem.startswith("Sertifikat penanda tangan (Kepala Dinas Uji) kedaluwarsa")


def test_queued_then_signed_through_failures_and_recovery(finished, queued, flaky, authority):
    certificates = issue(finished)
    assert {c.sign_state for c in certificates} == {"pending"}
    before = {c.id: (services.pdf_bytes(c), c.pdf_sha256) for c in certificates}
    with pytest.raises(SigningError, match="tidak dapat dihubungi"):
        signing.sign_batch(certificates, flaky, None, NOW, db.session.commit)
    db.session.expire_all()
    for certificate in certificates:  # nothing lost, nothing half-signed
        assert certificate.sign_state == "pending"
        assert (services.pdf_bytes(certificate), certificate.pdf_sha256) == before[certificate.id]
    [failure] = audit_actions("certificate.sign_failed")
    assert failure.details["count"] == 5 and "tidak dapat dihubungi" in failure.details["message"]
    flaky.failing = False
    signed = signing.sign_batch(certificates, flaky, None, NOW, db.session.commit)
    assert len(signed) == 5 and {c.sign_state for c in certificates} == {"signed"}
    assert {c.signed_by for c in certificates} == {"Segel Uji"}
    for certificate in certificates:
        pdf = services.pdf_bytes(certificate)
        assert pdf.startswith(before[certificate.id][0]) and services.verify_file(pdf) == certificate
        assert certificate.unsigned_sha256 == before[certificate.id][1]
        assert services.unsigned_copy_of(before[certificate.id][0]) == certificate
        assert services.verify_file(before[certificate.id][0]) is None  # the signed file is the one on record


def test_signing_a_revoked_or_signed_certificate_is_refused(finished, queued, flaky):
    flaky.failing = False
    first, second = issue(finished)[:2]
    services.revoke(first, "Nama peserta salah", None, NOW)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="sudah dicabut; sertifikat yang dicabut tidak ditandatangani"):
        signing.sign_batch([first, second], flaky, None, NOW, db.session.commit)
    assert flaky.calls == 0 and second.sign_state == "pending"
    signing.sign_batch([second], flaky, None, NOW, db.session.commit)
    with pytest.raises(ValidationFailed, match="sudah ditandatangani"):
        signing.sign_batch([second], flaky, None, NOW, db.session.commit)


def test_revocation_works_in_every_state(finished, queued, flaky):
    flaky.failing = False
    pending, signed, other = issue(finished)[:3]
    signing.sign_batch([signed], flaky, None, NOW, db.session.commit)
    for certificate in (pending, signed):
        kept = services.pdf_bytes(certificate)
        services.revoke(certificate, "Data peserta keliru", None, NOW)
        db.session.commit()
        assert certificate.status == "revoked" and services.pdf_bytes(certificate) == kept
    assert services.public_view(signed)["status"] == "Dicabut"


def test_a_certificate_revoked_while_its_batch_is_signed_is_left_out(finished, queued, flaky):
    flaky.failing = False
    certificates = issue(finished)
    target = certificates[1]
    inner = flaky.inner.sign

    def revoke_meanwhile(pdfs, box):
        db.session.execute(Certificate.__table__.update().where(Certificate.id == target.id)
                           .values(status="revoked", revoke_reason="Dicabut di proses lain"))
        return inner(pdfs, box)

    flaky.inner.sign = revoke_meanwhile  # type: ignore[method-assign]
    signed = signing.sign_batch(certificates, flaky, None, NOW)
    assert target not in signed and len(signed) == 4
    db.session.expire_all()
    assert target.sign_state == "pending"


class Unsigning:
    label = "Layanan rusak"

    def sign(self, pdfs, box):
        return list(pdfs)


def test_a_signer_returning_unsigned_files_stores_nothing(finished, queued):
    certificates = issue(finished)
    with pytest.raises(SigningError, match="tanpa tanda tangan elektronik"):
        signing.sign_batch(certificates, Unsigning(), None, NOW, db.session.commit)
    db.session.expire_all()
    assert {c.sign_state for c in certificates} == {"pending"}


def test_bulk_signing_in_bounded_batches(finished, queued, flaky, monkeypatch):
    flaky.failing = False
    issue(finished)
    monkeypatch.setattr("lms.certificates.signing.jobs.BATCH", 2)
    seen = []
    done = sign_training(finished.id, flaky, None, NOW, db.session.commit, lambda d, t: seen.append((d, t)))
    assert done == 5 and flaky.calls == 3
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert signing.counts(finished.id) == {"none": 0, "pending": 0, "signed": 5}


def test_a_failing_job_keeps_what_it_signed_and_the_rest_waits(finished, queued, flaky, monkeypatch, make_user):
    flaky.failing = False
    issue(finished)
    monkeypatch.setattr("lms.certificates.signing.jobs.BATCH", 2)
    inner, calls = flaky.sign, []

    def fail_second_batch(pdfs, box):
        calls.append(len(pdfs))
        if len(calls) == 2:
            raise SigningError("Layanan tanda tangan tidak menjawab.", retry=True)
        return inner(pdfs, box)

    flaky.sign = fail_second_batch  # type: ignore[method-assign]
    admin = make_user(role="admin")
    job = Job(kind="sign_certificates", training_id=finished.id, status="queued", created_by_id=admin.id,
              created_at=NOW)
    db.session.add(job)
    db.session.commit()
    run_sign_job(job.id, flaky)
    db.session.expire_all()
    assert job.status == "failed" and job.failures == ["Layanan tanda tangan tidak menjawab."]
    assert signing.counts(finished.id) == {"none": 0, "pending": 3, "signed": 2}


def test_sign_all_page_and_the_tandatangani_action(client, auth, make_user, finished, queued, local_key):
    certificates = issue(finished)
    admin = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(admin)
    page = client.get(f"/trainings/{finished.slug}/certificates").get_data(as_text=True)
    assert "0 ditandatangani · 5 menunggu TTE" in page and page.count(">Tandatangani</button>") == 5
    assert "Menunggu TTE" in page
    response = client.post(f"/certificates/{certificates[0].id}/sign", follow_redirects=True)
    assert f"Sertifikat {certificates[0].number} ditandatangani secara elektronik." in response.get_data(as_text=True)
    response = client.post(f"/trainings/{finished.slug}/certificates/sign-all", data=CONFIRMED)
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Penandatanganan sertifikat" in job_page and "Selesai." in job_page and "4 dari 4 diproses" in job_page
    assert signing.counts(finished.id)["signed"] == 5
    page = client.get(f"/trainings/{finished.slug}/certificates").get_data(as_text=True)
    assert "5 ditandatangani · 0 menunggu TTE" in page and ">Tandatangani</button>" not in page
    assert page.count("Ditandatangani</span>") == 5


def test_sign_actions_say_what_is_wrong_with_the_key(client, auth, make_user, finished, queued, local_key,
                                                     signing_config):
    certificate = issue(finished)[0]
    auth.login_as(make_user(role="admin", email="penyelenggara@contoh.go.id"))
    signing_config["SIGNING_PASSPHRASE_FILE"] = ""
    signing_config["SIGNING_PASSPHRASE"] = "bukan-sandinya"
    page = client.get(f"/trainings/{finished.slug}/certificates").get_data(as_text=True)
    assert "Kata sandi berkas kunci tte.p12 salah" in page and ">Tandatangani</button>" not in page
    response = client.post(f"/certificates/{certificate.id}/sign", follow_redirects=True)
    assert "Kata sandi berkas kunci tte.p12 salah" in response.get_data(as_text=True)
    assert "bukan-sandinya" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert certificate.sign_state == "pending"


def test_participant_cannot_sign(client, auth, finished, queued, local_key):
    certificate = issue(finished)[0]
    from lms.accounts.services import hash_password

    certificate.user.password_hash = hash_password("rahasia-bimtek-1")
    db.session.commit()
    auth.login_as(certificate.user)
    assert client.post(f"/certificates/{certificate.id}/sign").status_code == 403
    assert client.post(f"/trainings/{finished.slug}/certificates/sign-all", data=CONFIRMED).status_code == 403


def test_cli_sign_code_and_training(runner, finished, queued, local_key, cli_clock):
    cli_clock(NOW)
    certificates = issue(finished)
    one = runner.invoke(args=["certificates", "sign", certificates[0].code])
    assert one.exit_code == 0, one.output
    assert "1 sertifikat ditandatangani oleh Kepala Dinas Uji." in one.stdout
    again = runner.invoke(args=["certificates", "sign", certificates[0].code])
    assert again.exit_code != 0 and "sudah ditandatangani" in again.output
    rest = runner.invoke(args=["certificates", "sign", "--training", finished.slug])
    assert rest.exit_code == 0 and "4 sertifikat ditandatangani" in rest.stdout
    assert "Menandatangani" in rest.stderr  # the progress bar
    assert signing.counts(finished.id)["signed"] == 5
    services.revoke(certificates[1], "Nama salah ketik", None, NOW)
    db.session.commit()
    revoked = runner.invoke(args=["certificates", "sign", certificates[1].code])
    assert revoked.exit_code != 0 and "sudah dicabut" in revoked.output
    assert runner.invoke(args=["certificates", "sign"]).exit_code != 0


def test_cli_sign_without_a_key_or_with_a_bad_one(runner, finished, queued, signing_config, tmp_path, authority,
                                                 cli_clock):
    cli_clock(NOW)
    certificate = issue(finished)[0]
    missing = runner.invoke(args=["certificates", "sign", certificate.code])
    assert missing.exit_code != 0 and "LMS_SIGNING_PKCS12" in missing.output
    path = tmp_path / "lama.p12"
    path.write_bytes(authority.signer_p12(days_before=400, days_after=-2))
    signing_config.update(SIGNING_PKCS12=str(path), SIGNING_PASSPHRASE="rahasia-tte")
    expired = runner.invoke(args=["certificates", "sign", certificate.code])
    assert expired.exit_code != 0 and "kedaluwarsa pada 20 November 2026" in expired.output
    db.session.expire_all()
    assert certificate.sign_state == "pending"


def test_a_single_issue_is_signed_after_its_numbering_commits(client, auth, make_user, finished, local_key):
    auth.login_as(make_user(role="admin", email="penyelenggara@contoh.go.id"))
    row = next(r for r in services.eligibility_table(finished, NOW) if r.may_issue)
    page = client.post(f"/trainings/{finished.slug}/certificates/issue/{row.user.id}", data=CONFIRMED,
                       follow_redirects=True).get_data(as_text=True)
    certificate = db.session.scalars(select(Certificate)).one()
    assert f"Sertifikat {certificate.number} diterbitkan." in page
    assert certificate.sign_state == "signed" and certificate.signed_by == "Kepala Dinas Uji"
    [check] = check_pdf(services.pdf_bytes(certificate), signing.trust_roots())
    assert check.ok and check.trusted
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "certificate.issue", "certificate.sign"]


def test_the_local_keys_chain_stays_trusted_after_it_expires(finished, local_key, authority, signing_config):
    certificate = issue(finished)[0]
    local_key.write_bytes(authority.signer_p12("Kepala Dinas Uji", days_before=400, days_after=-1))
    signing_config["SIGNING_PASSPHRASE"] = "rahasia-tte"  # a changed setting: the cached key is not used
    with pytest.raises(SigningError, match="kedaluwarsa"):
        signing.local_signer(NOW)
    [check] = check_pdf(services.pdf_bytes(certificate), signing.trust_roots(), NOW)
    assert check.ok and check.trusted
