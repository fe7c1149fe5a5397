"""Certificate pages: the admin's issuing page, downloads, public verification, CLI."""

import io
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.models import Certificate, Job
from lms.extensions import db, limiter
from tests.certificates.conftest import NOW

CONFIRMED = {"confirmed": "1"}  # as the dialog or the confirm page sends it


@pytest.fixture
def admin(auth, make_user, finished):
    user = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(user)
    return user


def issued(finished):
    certificates = services.issue_all(finished, None, NOW, commit=db.session.commit)
    return certificates


def test_manage_page_shows_rules_and_issues_all(client, admin, finished):
    page = client.get(f"/trainings/{finished.slug}/certificates").get_data(as_text=True)
    assert "9 peserta · 0 sudah bersertifikat · 5 siap diterbitkan" in page
    assert "kurang dari minimal 80%" in page and "Modul belum selesai" in page
    response = client.post(f"/trainings/{finished.slug}/certificates/issue-all", data=CONFIRMED)
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Selesai." in job_page and "5 dari 5 diproses" in job_page
    assert len(db.session.scalars(select(Certificate)).all()) == 5
    assert db.session.scalars(select(Job)).one().status == "done"


def test_bulk_issue_goes_to_the_job_queue_when_large(app, client, admin, finished):
    app.config["INLINE_ISSUE_LIMIT"] = 2
    try:
        response = client.post(f"/trainings/{finished.slug}/certificates/issue-all", data=CONFIRMED)
    finally:
        app.config["INLINE_ISSUE_LIMIT"] = 40
    job = db.session.scalars(select(Job)).one()
    assert job.status == "done" and job.total == 5  # the test queue runs jobs at once
    status = client.get(response.headers["Location"], headers={"Accept": "application/json"}).get_json()
    assert status == {"status": "done", "state": "done", "ended": True, "done": 5, "total": 5, "failures": []}


def test_local_public_address_warns(app, client, admin, finished):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    try:
        page = client.get(f"/trainings/{finished.slug}/certificates").get_data(as_text=True)
    finally:
        app.config["PUBLIC_BASE_URL"] = "https://lms.diskominfo.contoh.go.id"
    assert "tidak akan dapat dibuka masyarakat" in page


def test_override_revoke_and_reissue_through_pages(client, admin, finished):
    rows = services.eligibility_table(finished, NOW)
    blocked = next(r for r in rows if not r.verdict.eligible)
    client.post(f"/trainings/{finished.slug}/certificates/override/{blocked.user.id}",
                data={"reason": "Izin resmi dari kepala OPD; materi susulan sudah dikerjakan."})
    client.post(f"/trainings/{finished.slug}/certificates/issue/{blocked.user.id}", data=CONFIRMED)
    certificate = db.session.scalars(select(Certificate)).one()
    assert certificate.override_reason.startswith("Izin resmi")
    page = client.post(f"/certificates/{certificate.id}/reissue", data=CONFIRMED,
                       follow_redirects=True).get_data(as_text=True)
    assert "Cabut sertifikat lama" in page
    client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Gelar peserta salah"})
    client.post(f"/certificates/{certificate.id}/reissue", data=CONFIRMED)
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert [c.status for c in certificates] == ["revoked", "valid"] and certificates[1].replaces_id == certificate.id


def test_exports_zip_and_merged_pdf(client, admin, finished):
    certificates = issued(finished)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/trainings/{finished.slug}/certificates/export").data))
    assert len(archive.namelist()) == 5 and archive.namelist()[0] == "001_BIMTEK_DISKOMINFO_XI_2026.pdf"
    assert archive.read(archive.namelist()[0]) == services.pdf_bytes(certificates[0])
    merged = client.get(f"/trainings/{finished.slug}/certificates/export?format=pdf")
    assert merged.mimetype == "application/pdf" and len(PdfReader(io.BytesIO(merged.data)).pages) == 10
    assert merged.headers["Content-Disposition"] == f"attachment; filename=sertifikat-{finished.slug}.pdf"
    archive = client.get(f"/trainings/{finished.slug}/certificates/export")
    assert archive.mimetype == "application/zip"
    assert archive.headers["Content-Disposition"] == f"attachment; filename=sertifikat-{finished.slug}.zip"


def test_participant_downloads_own_certificate_only(client, auth, finished):
    certificates = issued(finished)
    owner = certificates[0].user
    from lms.accounts.services import hash_password

    owner.password_hash = hash_password("rahasia-bimtek-1")
    db.session.commit()
    auth.login_as(owner)
    page = client.get("/certificates/mine").get_data(as_text=True)
    assert "Tahun 2026: 24 JP" in page and "Target 20 JP tercapai" in page
    assert certificates[0].number in page and certificates[1].number not in page
    own = client.get(f"/certificates/{certificates[0].id}.pdf")
    assert own.status_code == 200 and own.data == services.pdf_bytes(certificates[0])
    assert own.headers["Content-Disposition"] == "inline; filename=001_BIMTEK_DISKOMINFO_XI_2026.pdf"
    assert client.get(f"/certificates/{certificates[1].id}.pdf").status_code == 403
    assert client.get(f"/trainings/{finished.slug}/certificates").status_code == 403


def test_verification_page_valid_revoked_unknown_malformed(client, finished):
    certificates = issued(finished)
    valid, revoked = certificates[0], certificates[1]
    services.revoke(revoked, "Data jabatan keliru", None, NOW)
    db.session.commit()
    page = client.get(f"/verify/{valid.code}").get_data(as_text=True)
    assert "Sah." in page and valid.data["holder_name"] in page and valid.number in page
    assert valid.pdf_sha256 in page and valid.data["nip"] not in page
    assert valid.data["nip"][:2] + "*" * 14 + valid.data["nip"][-2:] in page
    page = client.get(f"/verify/{revoked.code.lower()}").get_data(as_text=True)
    assert "Dicabut" in page and "Data jabatan keliru" in page
    unknown = client.get("/verify/ABCD-EFGH-JKMN-PQRS-TVWX")
    assert unknown.status_code == 404 and "Tidak ditemukan" in unknown.get_data(as_text=True)
    assert client.get("/verify/<script>").status_code == 404
    lookup = client.get("/verify?code=" + valid.code.replace("-", " "))
    assert lookup.status_code == 302 and lookup.headers["Location"].endswith(valid.code.replace("-", "%20"))


def test_verification_json(client, finished):
    certificate = issued(finished)[0]
    for response in (client.get(f"/verify/{certificate.code}.json"),
                     client.get(f"/verify/{certificate.code}", headers={"Accept": "application/json"})):
        data = response.get_json()
        assert data["status"] == "Sah" and data["code"] == certificate.code
        assert data["jp"] == 24 and data["pdf_sha256"] == certificate.pdf_sha256
        assert data["nip"].count("*") == 14 and "email" not in data and "phone" not in data
    missing = client.get("/verify/ABCD.json")
    assert missing.status_code == 404 and missing.get_json()["status"] == "Tidak ditemukan"


def test_verification_is_rate_limited(client, finished):
    limiter.reset()
    codes = [client.get("/verify/ABCD-EFGH-JKMN-PQRS-TVWX").status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429


def test_cli_issue_revoke_render_export_verify(runner, finished, tmp_path, cli_clock):
    cli_clock(NOW)
    result = runner.invoke(args=["certificates", "issue", finished.slug, "--all-eligible"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.count("\t") == 2]
    assert len(lines) == 5 and lines[0].startswith("001/BIMTEK/DISKOMINFO/XI/2026\t")
    number, code, name = lines[0].split("\t")
    out = tmp_path / "c.pdf"
    assert runner.invoke(args=["certificates", "render", code, "-o", str(out)]).exit_code == 0
    verified = runner.invoke(args=["certificates", "verify-pdf", str(out)])
    assert verified.exit_code == 0 and f"Sah: berkas asli sertifikat {number}" in verified.output
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(out.read_bytes().replace(b"%%EOF", b"%%EOF\n% ubah"))
    assert runner.invoke(args=["certificates", "verify-pdf", str(tampered)]).exit_code != 0
    zip_path = tmp_path / "s.zip"
    assert runner.invoke(args=["certificates", "export", finished.slug, "--zip", str(zip_path)]).exit_code == 0
    assert len(zipfile.ZipFile(zip_path).namelist()) == 5
    result = runner.invoke(args=["certificates", "revoke", code, "--reason", "Salah nama"])
    assert result.exit_code == 0 and "dicabut" in result.output
    again = runner.invoke(args=["certificates", "revoke", code, "--reason", "Salah nama"])
    assert again.exit_code != 0 and "sudah dicabut" in again.output
    revoked = runner.invoke(args=["certificates", "verify-pdf", str(out)])
    assert revoked.exit_code != 0 and "DICABUT" in revoked.output
    assert runner.invoke(args=["certificates", "revoke", "ZZZZ", "--reason", "x"]).exit_code != 0


def cli_numbers(runner, slug):
    result = runner.invoke(args=["certificates", "issue", slug, "--all-eligible"])
    assert result.exit_code == 0, result.output
    return [line.split("\t")[0] for line in result.stdout.splitlines() if line.count("\t") == 2]


def wib(*parts):
    return datetime(*parts, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)


@pytest.mark.parametrize("moment, suffix", [
    (wib(2026, 11, 30, 23, 30), "XI/2026"), (wib(2026, 12, 1, 0, 30), "XII/2026"),
    (wib(2026, 12, 31, 23, 30), "XII/2026"), (wib(2027, 1, 1, 0, 30), "I/2027"),
], ids=["end-of-november", "start-of-december", "end-of-year", "new-year"])
def test_cli_numbers_by_the_issue_date_in_the_institutions_zone(runner, finished, cli_clock, moment, suffix):
    cli_clock(moment)
    numbers = cli_numbers(runner, finished.slug)
    assert numbers == [f"{n:03d}/BIMTEK/DISKOMINFO/{suffix}" for n in range(1, 6)]
    local_day = moment.astimezone(ZoneInfo("Asia/Jakarta")).date()
    assert {c.issue_date for c in db.session.scalars(select(Certificate))} == {local_day}


def test_web_and_cli_number_alike_across_the_year_boundary(monkeypatch, client, admin, runner, finished,
                                                           cli_clock):
    # 23.30 and 00.30 WIB are both 31 December in UTC: only the institution's zone tells the years apart.
    monkeypatch.setattr("lms.certificates.views.utcnow", lambda: wib(2026, 12, 31, 23, 30))
    first = next(r for r in services.eligibility_table(finished, NOW) if r.may_issue)
    client.post(f"/trainings/{finished.slug}/certificates/issue/{first.user.id}", data=CONFIRMED)
    assert db.session.scalars(select(Certificate.number)).all() == ["001/BIMTEK/DISKOMINFO/XII/2026"]
    cli_clock(wib(2027, 1, 1, 0, 30))
    assert cli_numbers(runner, finished.slug) == [f"{n:03d}/BIMTEK/DISKOMINFO/I/2027" for n in range(1, 5)]


def test_signatory_nip_is_checked_by_the_service_and_flashed(client, admin, finished):
    url = f"/trainings/{finished.slug}/certificates/signatory"
    data = {"signatory_name": "Drs. Hendra", "signatory_pangkat": "", "signatory_title": "Kepala Dinas",
            "predikat_bands": ""}
    page = client.post(url, data={**data, "signatory_nip": "1970"}, follow_redirects=True).get_data(as_text=True)
    assert "NIP penanda tangan: NIP harus 18 digit (tertulis 4 digit)." in page
    db.session.refresh(finished)
    assert finished.signatory_name == ""
    page = client.post(url, data={**data, "signatory_nip": "19700101 199503 1 001"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Penanda tangan dan predikat disimpan." in page
    db.session.refresh(finished)
    assert (finished.signatory_name, finished.signatory_nip) == ("Drs. Hendra", "197001011995031001")


def test_reissue_of_a_valid_certificate_is_refused_without_writing(client, admin, finished):
    certificate = issued(finished)[0]
    page = client.post(f"/certificates/{certificate.id}/reissue", data=CONFIRMED,
                       follow_redirects=True).get_data(as_text=True)
    assert "Cabut sertifikat lama (dengan alasan) sebelum menerbitkan penggantinya." in page
    assert len(db.session.scalars(select(Certificate)).all()) == 5
