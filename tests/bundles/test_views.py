"""The admin pages: download a training's bundle, upload one, read its preview, apply it."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.bundles.models import BundleUpload
from lms.extensions import db
from lms.trainings.models import Training
from lms.trainings.scope import get_training
from tests.bundles.conftest import FINISHED, export_from
from tests.bundles.test_refusals import rewrite
from tests.conftest import create_training


def test_only_an_admin_downloads_a_bundle(app, client, auth, make_user):
    trainer = make_user("trainer")
    create_training(trainers=(trainer,))
    auth.login_as(trainer)
    assert client.post("/admin/bundles/export/bimtek-tes").status_code == 403
    assert client.get("/admin/bundles/import").status_code == 403
    auth.logout()
    admin = make_user("admin")
    auth.login_as(admin)
    page = client.get("/trainings/bimtek-tes").get_data(as_text=True)
    assert "Unduh bundel" in page and "diterbitkan di" in page
    response = client.post("/admin/bundles/export/bimtek-tes")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "bundel-bimtek-tes-" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "manifest.json" in archive.namelist() and "trainings.jsonl" in archive.namelist()
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "bundle.export")) == 1


def test_upload_preview_then_apply(app, client, auth, make_user, laptop, server_catalog, tmp_path):
    path = export_from(laptop, FINISHED, tmp_path / "bundel.zip")
    auth.login_as(make_user("admin"))
    assert "Impor bundel pelatihan" in client.get("/admin/bundles/import").get_data(as_text=True)
    page = upload_page(client, path)
    assert "24 peserta (24 akun baru), 6 sesi" in page and "Terapkan impor" in page
    assert "terbitkan sertifikat di server setelah impor" in page
    assert get_training(FINISHED) is None
    upload = db.session.scalars(select(BundleUpload)).one()
    response = client.post(f"/admin/bundles/import/{upload.id}/apply")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/trainings/{FINISHED}")
    assert isinstance(get_training(FINISHED), Training)
    assert db.session.scalar(select(func.count(BundleUpload.id))) == 0
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Impor selesai" in shown and "slip kata sandi sekali pakai" in shown


def test_a_damaged_bundle_is_refused_on_the_page_and_not_kept(app, client, auth, make_user, laptop, server_catalog,
                                                               tmp_path):
    path = export_from(laptop, FINISHED, tmp_path / "bundel.zip")
    bad = rewrite(path, tmp_path / "bad.zip", drop="enrollments.jsonl")
    auth.login_as(make_user("admin"))
    page = upload_page(client, bad)
    assert "bagian enrollments.jsonl hilang" in page
    assert db.session.scalar(select(func.count(BundleUpload.id))) == 0


def test_another_admins_upload_cannot_be_applied(app, client, auth, make_user):
    owner = make_user("admin")
    upload = BundleUpload(created_by_id=owner.id, filename="x.zip", size=1, data=b"x")
    db.session.add(upload)
    db.session.commit()
    auth.login_as(make_user("admin"))
    assert client.post(f"/admin/bundles/import/{upload.id}/apply").status_code == 404


def test_an_upload_over_the_limit_is_refused(app, client, auth, make_user):
    auth.login_as(make_user("admin"))
    app.config["BUNDLE_MAX_BYTES"] = 1000
    try:
        with client.post("/admin/bundles/import", data={"file": (io.BytesIO(b"x" * 5000), "besar.zip")},
                         content_type="multipart/form-data") as response:
            assert response.status_code == 413 and "Berkas terlalu besar" in response.get_data(as_text=True)
    finally:
        app.config["BUNDLE_MAX_BYTES"] = 512 * 1024 * 1024


def upload_page(client, path) -> str:
    """Post a bundle to the upload page and close the body the test client spooled to a temporary file.

    (werkzeug's Client.open closes it only when following redirects.)
    """
    response = client.post("/admin/bundles/import", data={"file": (io.BytesIO(path.read_bytes()), path.name)},
                           content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    return response.get_data(as_text=True)
