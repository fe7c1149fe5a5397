"""Public verification shows what verifies a certificate and no more (UU PDP 27/2022)."""

import pytest
from sqlalchemy import select

from lms.accounts.models import Institution
from lms.audit.models import AuditEvent
from lms.certificates import services
from lms.extensions import db
from tests.certificates.conftest import NOW

FLAGS = {"verify_show_score": ("score", "Nilai post-test"), "verify_show_pangkat": ("pangkat", "Pangkat/Golongan"),
         "verify_show_jabatan": ("jabatan", "Jabatan")}


@pytest.fixture
def certificate(finished):
    issued = services.issue_all(finished, None, NOW, commit=db.session.commit)
    item = issued[0]
    assert item.data["score"] and item.data["pangkat"] and item.data["jabatan"]
    return item


def pages(client, certificate):
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    data = client.get(f"/verify/{certificate.code}.json").get_json()
    return html, data


def test_default_shows_no_score_pangkat_or_jabatan(client, certificate):
    html, data = pages(client, certificate)
    assert data["status"] == "Sah" and data["holder_name"] == certificate.data["holder_name"]
    for key, label in FLAGS.values():
        assert key not in data and label not in html
    assert "predikat" not in data and "Predikat" not in html
    assert certificate.data["pangkat"] not in html and certificate.data["jabatan"] not in html
    for public in (certificate.number, certificate.data["holder_name"], certificate.data["agency"],
                   certificate.data["training_title"], "24 JP"):
        assert public in html


def test_nip_mask_keeps_two_digits_each_end(client, certificate):
    html, data = pages(client, certificate)
    nip = certificate.data["nip"]
    masked = nip[:2] + "*" * 14 + nip[-2:]
    assert data["nip"] == masked and masked in html
    assert nip[:4] not in data["nip"] and nip[-4:] not in data["nip"] and nip not in html
    signatory = certificate.data.get("signatory_nip")
    if signatory:
        assert data["signatory_nip"] == signatory[:2] + "*" * 14 + signatory[-2:]


@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_each_field_appears_only_when_the_institution_turns_it_on(client, certificate, flag):
    institution = db.session.get(Institution, certificate.institution_id)
    setattr(institution, flag, True)
    db.session.commit()
    html, data = pages(client, certificate)
    for other, (key, label) in FLAGS.items():
        assert (key in data) is (other == flag)
        assert (label in html) is (other == flag)
    key = FLAGS[flag][0]
    assert data[key] == certificate.data[key]
    if flag == "verify_show_score":
        assert data["predikat"] == certificate.data["predikat"]


def test_admin_turns_fields_on_in_the_institution_form_and_it_is_audited(client, auth, make_user, finished):
    admin = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(admin)
    page = client.get("/admin/institution").get_data(as_text=True)
    assert "Halaman verifikasi publik" in page and "data pribadi (UU PDP)" in page
    institution = db.session.scalars(select(Institution)).one()
    form = {"name": institution.name, "city": institution.city or "Contoh", "time_zone": institution.time_zone,
            "address": "", "head_name": "", "head_pangkat": "", "head_nip": "", "head_title": "",
            "certificate_pattern": institution.certificate_pattern, "verify_show_jabatan": "y"}
    response = client.post("/admin/institution", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    institution = db.session.scalars(select(Institution)).one()
    assert institution.verify_show_jabatan and not institution.verify_show_score and not institution.verify_show_pangkat
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "institution.update")
                               .order_by(AuditEvent.id.desc())).first()
    assert "verify_show_jabatan" in event.details["fields"]
