"""Eligibility, numbering, issuing, revoking and the JP ledger, on the demo training."""

import hashlib
import io
import threading
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate
from lms.errors import LmsError
from lms.extensions import db
from tests.certificates.conftest import NOW


def rows_by_name(training):
    return {r.user.full_name: r for r in services.eligibility_table(training, NOW)}


def test_eligibility_shows_each_rule_and_why(finished):
    rows = services.eligibility_table(finished, NOW)
    assert len(rows) == 9
    failing = [r for r in rows if not r.verdict.eligible]
    reasons = " ".join(" ".join(r.verdict.reasons) for r in failing)
    assert len(failing) == 4
    assert "kurang dari minimal 80%" in reasons
    assert "belum lulus" in reasons
    assert "Modul belum selesai" in reasons
    assert "Tugas wajib belum lulus: Caption unggahan kegiatan OPD (belum dikumpulkan)." in reasons
    good = next(r for r in rows if r.verdict.eligible)
    assert [c.key for c in good.verdict.criteria] == ["attendance", "posttest", "courses", "assignments"]
    assert good.verdict.criteria[-1].value == "2/2 lulus"
    assert good.verdict.criteria[0].value == "100%"


def test_issue_freezes_data_and_stores_the_pdf(finished):
    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    certificate = services.issue(finished, row, None, NOW)
    db.session.commit()
    assert certificate.number == "001/BIMTEK/DISKOMINFO/XI/2026" and certificate.seq == 1
    assert certificate.jp == 24 and certificate.jp_year == finished.end_date.year
    pdf = services.pdf_bytes(certificate)
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for field in (certificate.number, certificate.code, row.user.full_name, "dua puluh empat",
                  finished.title, "Kepala Dinas Komunikasi dan Informatika"):
        assert field in text, field
    assert "tanda tangan elektronik" not in text.lower()
    data = certificate.data
    assert data["verify_url"] == f"https://lms.diskominfo.contoh.go.id/verify/{certificate.code}"
    assert data["predikat"] in {"Sangat Baik", "Baik", "Cukup"}
    # Later edits never change what was issued.
    row.user.full_name = "Nama Diubah"
    finished.title = "Judul Diubah"
    db.session.commit()
    db.session.refresh(certificate)
    assert certificate.data["holder_name"] != "Nama Diubah" and services.pdf_bytes(certificate) == pdf


def test_rendering_a_record_twice_gives_identical_bytes(finished):
    from lms.certificates.pdf import render_certificate

    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    certificate = services.issue(finished, row, None, NOW)
    again = render_certificate(services.certificate_data(certificate.data), services.layout())
    assert again == services.pdf_bytes(certificate)


def test_ineligible_twice_and_override(finished, make_user):
    admin = make_user(role="admin")
    rows = services.eligibility_table(finished, NOW)
    bad = next(r for r in rows if not r.verdict.eligible)
    with pytest.raises(services.NotEligible, match="belum memenuhi syarat"):
        services.issue(finished, bad, admin, NOW)
    with pytest.raises(LmsError, match="minimal 10 karakter"):
        services.set_override(finished, bad.user, "karena", admin)
    services.set_override(finished, bad.user, "Sakit dengan surat dokter; tugas susulan diselesaikan.", admin)
    db.session.commit()
    row = rows_by_name(finished)[bad.user.full_name]
    assert row.may_issue
    certificate = services.issue(finished, row, admin, NOW)
    assert certificate.override_reason.startswith("Sakit")
    db.session.commit()
    row = rows_by_name(finished)[bad.user.full_name]
    with pytest.raises(LmsError, match="sudah memiliki sertifikat"):
        services.issue(finished, row, admin, NOW)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "certificate.override" in actions and "certificate.issue" in actions


def test_issue_all_numbers_without_gaps_and_skips_the_ineligible(finished):
    issued = services.issue_all(finished, None, NOW, commit=db.session.commit)
    assert [c.seq for c in issued] == list(range(1, 6))
    assert len({c.code for c in issued}) == 5
    assert services.issue_all(finished, None, NOW, commit=db.session.commit) == []


def test_revoke_stays_resolvable_and_reissue_refers_to_it(finished, make_user):
    admin = make_user(role="admin")
    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    old = services.issue(finished, row, admin, NOW)
    db.session.commit()
    services.revoke(old, "Salah ketik nama peserta", admin, NOW + timedelta(days=1))
    db.session.commit()
    with pytest.raises(LmsError, match="sudah dicabut"):
        services.revoke(old, "lagi dan lagi", admin, NOW)
    assert services.find(old.code).status == "revoked"
    new = services.issue_for(finished, row.user.id, admin, NOW + timedelta(days=1), replaces=old)
    db.session.commit()
    assert new.replaces_id == old.id and new.seq == old.seq + 1
    view = services.public_view(old)
    assert view["status"] == "Dicabut" and view["revoke_reason"] == "Salah ketik nama peserta"


def test_codes_are_found_case_insensitively_and_malformed_ones_are_not(finished):
    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    certificate = services.issue(finished, row, None, NOW)
    db.session.commit()
    assert services.find(certificate.code.lower().replace("-", " ")).id == certificate.id
    assert services.find("bukan-kode") is None
    assert services.find(certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")) is None


def test_public_view_masks_nip_and_hides_contacts(finished):
    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible and r.user.nip)
    certificate = services.issue(finished, row, None, NOW)
    view = services.public_view(certificate)
    assert view["nip"] == row.user.nip[:2] + "*" * 14 + row.user.nip[-2:]
    flat = str(view)
    assert row.user.nip not in flat and row.user.phone not in flat
    assert "email" not in view and "phone" not in view


def test_jp_ledger_per_year(finished):
    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    services.issue(finished, row, None, NOW)
    db.session.commit()
    ledger = services.ledger(row.user)
    total, items = ledger[finished.end_date.year]
    assert total == 24 and len(items) == 1


def test_public_base_url_check():
    assert services.base_url_is_public("https://lms.diskominfo.contoh.go.id")
    for url in ("http://127.0.0.1:5000", "http://localhost:5000", "http://192.168.1.20:5000", "http://10.0.0.5"):
        assert not services.base_url_is_public(url), url


def test_bad_numbering_pattern_is_refused(finished):
    from lms.accounts.services import ensure_institution

    ensure_institution().certificate_pattern = "{seq}/{nama}/{year}"
    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    with pytest.raises(LmsError, match="Pola nomor sertifikat tidak sah"):
        services.issue(finished, row, None, NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_concurrent_issuers_get_unique_gapless_numbers(app, finished):
    ids = [r.user.id for r in services.eligibility_table(finished, NOW) if r.verdict.eligible]
    slug = finished.slug
    db.session.commit()
    barrier = threading.Barrier(len(ids))
    errors = []

    def worker(user_id):
        with app.test_request_context("/", method="POST"):
            app.preprocess_request()
            try:
                from lms.trainings.scope import get_training

                barrier.wait(timeout=10)
                services.issue_for(get_training(slug), user_id, None, NOW)
                db.session.commit()
            except Exception as exc:  # collected and asserted below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()
    assert errors == []
    seqs = sorted(db.session.scalars(select(Certificate.seq)))
    assert seqs == list(range(1, len(ids) + 1))


def test_qr_decodes_to_the_verification_url(finished, tmp_path):
    import shutil
    import subprocess

    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    row = next(r for r in services.eligibility_table(finished, NOW) if r.verdict.eligible)
    certificate = services.issue(finished, row, None, NOW)
    (tmp_path / "c.pdf").write_bytes(services.pdf_bytes(certificate))
    subprocess.run(["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(tmp_path / "c.pdf"),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p*.png")))
    found = [r.text for r in zxingcpp.read_barcodes(image)]
    assert certificate.data["verify_url"] in found


def test_bulk_progress_reports_only_committed_certificates(finished):
    from sqlalchemy import func as sql_func

    seen = []

    def progress(done, total, certificate, error):
        if certificate is not None:
            with db.engine.connect() as other:  # another connection sees committed rows only
                stored = other.scalar(select(sql_func.count(Certificate.id)).where(Certificate.id == certificate.id))
            seen.append((done, total, stored, certificate.id is not None))

    services.issue_all(finished, None, NOW, commit=db.session.commit, progress=progress)
    assert seen and all(stored == 1 and has_id for _, _, stored, has_id in seen)
    assert [done for done, *_ in seen] == list(range(1, len(seen) + 1)) and seen[-1][1] == 5
