"""The public address: stored on the institution page, checked, audited, and used by every certificate link."""

import pytest
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import Institution
from lms.audit.models import AuditEvent
from lms.certificates import services as certificates
from lms.extensions import db
from lms.network import public_url_problem

INSTITUTION = {"name": "Dinas Komunikasi dan Informatika Kabupaten Contoh", "city": "Contoh",
               "time_zone": "Asia/Jakarta", "certificate_pattern": "{seq:03d}/BIMTEK/{month_roman}/{year}"}
SERVER = "https://lms.diskominfo.contohkab.go.id"


@pytest.fixture
def admin(auth, make_user):
    user = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(user)
    return user


def save(client, address):
    return client.post("/admin/institution", data=dict(INSTITUTION, public_base_url=address),
                       content_type="multipart/form-data")


@pytest.mark.parametrize("url, problem", [
    ("https://lms.diskominfo.contohkab.go.id", None),
    ("http://203.0.113.10:8080/lms", "tidak boleh memakai 203.0.113.10"),  # TEST-NET-3: documentation only
    ("https://103.10.20.30", None),
    ("http://127.0.0.1:5000", "tidak boleh memakai 127.0.0.1"),
    ("http://localhost:5000", "tidak boleh memakai localhost"),
    ("http://192.168.1.23:5000", "tidak boleh memakai 192.168.1.23"),
    ("http://10.0.0.5", "tidak boleh memakai 10.0.0.5"),
    ("http://172.16.3.1", "tidak boleh memakai 172.16.3.1"),
    ("http://169.254.1.1", "tidak boleh memakai 169.254.1.1"),
    ("http://[::1]:5000", "tidak boleh memakai ::1"),
    ("http://[fd00::1]", "tidak boleh memakai fd00::1"),
    ("http://laptop-aula.local", "tidak boleh memakai laptop-aula.local"),
    ("http://server", "tidak boleh memakai server"),
    ("ftp://lms.contoh.go.id", "harus diawali http:// atau https://"),
    ("lms.contoh.go.id", "harus diawali http:// atau https://"),
    ("https://admin:rahasia@lms.contoh.go.id", "tanpa ?, # atau @"),
    ("https://lms.contoh.go.id/?a=1", "tanpa ?, # atau @"),
    ("https://lms.contoh.go.id:99999", "tidak sah"),
])
def test_public_url_check(url, problem):
    found = public_url_problem(url)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_the_stored_address_overrides_the_default_and_is_audited(client, admin):
    page = client.get("/admin/institution").get_data(as_text=True)
    assert "Alamat publik LMS" in page and "https://lms.diskominfo.contoh.go.id" in page  # the test default
    assert save(client, f"  {SERVER}/  ").status_code == 302
    assert db.session.scalars(select(Institution)).one().public_base_url == SERVER
    assert certificates.public_base_url() == SERVER
    assert certificates.verify_url("ABCD-EFGH") == f"{SERVER}/verify/ABCD-EFGH"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "institution.update")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == admin.id and event.details["public_base_url"] == {"old": "", "new": SERVER}
    assert save(client, "").status_code == 302  # emptied: the default again
    assert certificates.public_base_url() == "https://lms.diskominfo.contoh.go.id"


def test_a_private_address_is_refused_on_the_field_and_keeps_what_was_typed(client, admin):
    save(client, SERVER)
    page = save(client, "http://192.168.1.23:5000").get_data(as_text=True)
    assert "Alamat publik tidak boleh memakai 192.168.1.23" in page and "is-invalid" in page
    assert 'value="http://192.168.1.23:5000"' in page  # the typed value is shown back to correct
    assert db.session.scalars(select(Institution)).one().public_base_url == SERVER  # nothing saved lost


def test_issued_certificates_link_to_the_stored_address(app, make_user):
    from datetime import UTC, datetime

    from lms.demo import create_demo
    from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
    from lms.trainings.scope import get_training

    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    create_demo(4, seed=5)
    create_demo_trainings(now, seed=5)
    services.ensure_institution().public_base_url = SERVER
    db.session.commit()
    (certificate, *_) = certificates.issue_all(get_training(FINISHED_SLUG), None, now, commit=db.session.commit)
    assert certificate.data["verify_url"] == f"{SERVER}/verify/{certificate.code}"


def test_unset_the_default_follows_the_configured_address(app):
    app.config["PUBLIC_BASE_URL"] = "http://192.168.1.23:5201/"
    try:
        assert services.public_base_url() == "http://192.168.1.23:5201"
    finally:
        app.config["PUBLIC_BASE_URL"] = "https://lms.diskominfo.contoh.go.id"
