"""Every bundle that must be refused is refused with a clear Indonesian message, and nothing changes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.bundles import services as bundles
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.db_types import new_uuid
from lms.extensions import db
from lms.trainings.scope import get_training
from tests.bundles.conftest import FINISHED, NOW, export_from, inside, table_hashes


@pytest.fixture
def bundle(laptop, server_catalog, tmp_path) -> Path:
    return export_from(laptop, FINISHED, tmp_path / "bundel.zip")


def rewrite(source: Path, target: Path, change=None, drop: str = "", extra: tuple[str, bytes] | None = None,
            manifest=None) -> Path:
    """Copy a bundle member by member, changing one member, leaving one out, adding one or editing the manifest."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            if name == drop:
                continue
            if change and name == change[0]:
                data = change[1](data)
            if manifest and name == "manifest.json":
                data = json.dumps(manifest(json.loads(data))).encode()
            new.writestr(name, data)
        if extra:
            new.writestr(*extra)
    return target


def refused(path: Path, *words: str, accept: bool = False) -> str:
    before = table_hashes()
    with pytest.raises(bundles.BundleRefused) as caught:
        bundles.apply(path, NOW, None, accept)
    db.session.rollback()
    assert table_hashes() == before
    for word in words:
        assert word in caught.value.message
    return caught.value.message


def test_a_member_whose_hash_does_not_match_is_named(bundle, tmp_path):
    bad = rewrite(bundle, tmp_path / "bad.zip", change=("attendance_records.jsonl", lambda d: d.replace(
        b'"status":"hadir"', b'"status":"sakit"', 1)))
    refused(bad, "attendance_records.jsonl", "SHA-256")


def test_a_missing_member_is_named(bundle, tmp_path):
    refused(rewrite(bundle, tmp_path / "bad.zip", drop="responses.jsonl"), "responses.jsonl", "hilang")


def test_a_bundle_of_a_newer_schema_says_which_version_is_needed(bundle, tmp_path):
    bad = rewrite(bundle, tmp_path / "bad.zip", manifest=lambda m: {**m, "schema_revision": "z9y8x7w6v5u4",
                                                                     "app_version": "9.0.0"})
    refused(bad, "lebih baru", "z9y8x7w6v5u4", "9.0.0", "Perbarui aplikasi")


def test_a_bundle_of_another_institution_needs_confirmation(bundle, import_file):
    accounts.ensure_institution().name = "Dinas Komunikasi dan Informatika Kota Lain"
    db.session.commit()
    refused(bundle, "instansi lain", "Kabupaten Contoh", "--accept-institution")
    plan = import_file(bundle, accept_institution=True)
    assert plan.training_new


def test_a_truncated_zip_is_refused(bundle, tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    refused(cut, "rusak")


def test_a_zip_bomb_is_refused(bundle, tmp_path):
    refused(rewrite(bundle, tmp_path / "bomb.zip", extra=("files/bom.bin", b"\0" * (20 * 1024 * 1024))), "bom ZIP")


def test_an_entry_outside_the_archive_is_refused(bundle, tmp_path):
    refused(rewrite(bundle, tmp_path / "escape.zip", extra=("../../etc/cron.d/lms", b"x")), "../../etc/cron.d/lms",
            "tidak aman")


def test_a_file_over_the_upload_limit_is_refused(app, bundle):
    app.config["BUNDLE_MAX_BYTES"] = 100_000
    try:
        refused(bundle, "batas unggah 0,1 MB")
    finally:
        app.config["BUNDLE_MAX_BYTES"] = 512 * 1024 * 1024


def test_not_a_bundle_at_all(tmp_path, server_catalog):
    other = tmp_path / "lain.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("foto.jpg", b"jpeg")
    refused(other, "manifest.json tidak ada")


# ---------------------------------------------------------------- conflicts in the preview


def test_the_same_nip_with_another_name_is_reported_and_the_server_name_kept(laptop, bundle, make_user):
    with inside(laptop):
        person = db.session.scalars(select(User).where(User.role == "participant")).first()
        nip, name = person.nip, person.full_name
    make_user(full_name="Nama Lain di Server", nip=nip, email="")
    plan = bundles.preview(bundle, NOW, None)
    assert plan.participants["nip"] == 1 and plan.participants["new"] == 23
    assert any(f"NIP {nip}" in p.text and name in p.text and not p.blocking for p in plan.problems)
    bundles.apply(bundle, NOW, None)
    db.session.commit()
    assert db.session.scalars(select(User).where(User.nip == nip)).one().full_name == "Nama Lain di Server"


def test_a_course_whose_content_differs_is_reported(bundle):
    course = db.session.scalars(select(Course).order_by(Course.id)).first()
    course.content_hash = "0" * 64
    db.session.commit()
    plan = bundles.preview(bundle, NOW, None)
    assert any(course.slug in p.text and "berbeda" in p.text and not p.blocking for p in plan.problems)


def test_a_certificate_number_already_used_here_blocks_the_import(laptop, server_catalog, import_file, tmp_path):
    with inside(laptop):
        number = certificates.issue_all(get_training(FINISHED), None, NOW)[0].number
        db.session.commit()
    import_file(export_from(laptop, FINISHED, tmp_path / "first.zip"))
    with inside(laptop):  # another certificate with the same number (a second laptop, a restored copy)
        certificate = db.session.scalars(select(Certificate).where(Certificate.number == number)).one()
        certificate.uuid = new_uuid()
        db.session.commit()
    path = export_from(laptop, FINISHED, tmp_path / "second.zip")
    before = table_hashes()
    with pytest.raises(bundles.ImportBlocked) as caught:
        bundles.apply(path, NOW, None)
    db.session.rollback()
    assert table_hashes() == before
    assert number in caught.value.message and "sudah terbit di sini" in caught.value.message
