""""Data Saya": what the app holds about a person, as a page, JSON and PDF; own phone and e-mail."""

import io
import json
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts import mydata
from lms.accounts.models import User
from lms.accounts.services import hash_password
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditEvent
from lms.certificates import services as certificates
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.quizzes.models import Attempt
from lms.trainings.scope import get_training
from tests.conftest import PASSWORD

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture
def holder(auth):
    """A demo participant with enrolments, attendance, attempts, progress and a certificate, logged in."""
    create_demo(8, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    issued = certificates.issue_all(get_training(FINISHED_SLUG), None, NOW, commit=db.session.commit)
    user = issued[0].user
    record = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.user_id == user.id)).first()
    record.client_address, record.user_agent, record.device_id = "192.168.10.23", "Mozilla/5.0 (Android 14)", "hp-ani"
    user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    auth.login_as(user)
    return user


def test_page_shows_everything_held_about_the_person(client, holder):
    page = client.get("/account/data").get_data(as_text=True)
    certificate = db.session.scalars(select(certificates.Certificate).where(
        certificates.Certificate.user_id == holder.id)).one()
    for text in (holder.full_name, holder.nip, holder.agency.name, "Bimtek Pengelolaan Media Sosial OPD",
                 "192.168.10.23", "hp-ani", certificate.number, "Percobaan kuis", "Kemajuan modul",
                 "Log audit tentang Anda", "Unduh PDF", "Unduh JSON"):
        assert text in page, text
    assert "Data Saya" in client.get("/account").get_data(as_text=True)
    # On a phone each row stacks as "heading: value": every cell carries its column's heading.
    assert '<td data-label="Alamat IP">192.168.10.23</td>' in page
    assert "<td>" not in page


def test_json_download_holds_every_section(client, holder):
    client.post("/account/data/contact", data={"email": "ani@contoh.go.id", "phone": holder.phone})
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=data-saya-")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["profil"]["nip"] == holder.nip and data["profil"]["full_name"] == holder.full_name
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == holder.id)).all()
    assert len(data["kuis"]) == len(attempts) > 0
    assert {a["percent"] for a in data["kuis"]} == {float(a.percent) if a.percent is not None else None
                                                    for a in attempts}
    # A pre-test is neither passed nor failed; the other quizzes say which.
    assert {a["kind"]: a["passed"] for a in data["kuis"] if a["kind"] == "Pre-test"} == {"Pre-test": None}
    assert all(isinstance(a["passed"], bool) for a in data["kuis"]
               if a["kind"] != "Pre-test" and a["status"] == "Selesai")
    assert any(r["client_address"] == "192.168.10.23" for r in data["presensi"])
    assert data["presensi"][0]["marked_at"].endswith("+00:00")
    assert data["sertifikat"][0]["holder_nip"] == holder.nip
    assert data["kegiatan"] and data["kemajuan_modul"]
    assert data["sesi_masuk"] and data["sesi_masuk"][0]["revoked_at"] is None
    assert data["log_audit"][0] == {"at": data["log_audit"][0]["at"], "action": "Memperbaiki surel/No. HP sendiri",
                                    "actor": "Anda", "object": f"user #{holder.id}", "fields": "email"}


def test_pdf_download_has_indonesian_headings(client, holder):
    response = client.get("/account/data.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for heading in ("DATA PRIBADI YANG DISIMPAN", "Profil", "Kegiatan yang Anda ikuti", "Presensi", "Percobaan kuis",
                    "Sertifikat", "Kemajuan modul", "Sesi masuk", "Log audit tentang Anda", "Halaman 1 dari"):
        assert heading in text, heading
    assert holder.nip in text


def test_queries_are_bounded(app, holder, make_user, count_queries):
    fresh = db.session.get(User, make_user().id)
    full_user = db.session.get(User, holder.id)
    fresh.agency, full_user.agency  # noqa: B018 (loaded, as for the logged-in user)
    with count_queries() as empty:
        mydata.collect(fresh, NOW)
    with count_queries() as full:
        data = mydata.collect(full_user, NOW)
    assert sum(len(s.rows) for s in data.sections) > 20
    assert full.count == empty.count <= 8


def test_every_role_may_open_it_and_visitors_may_not(client, auth, make_user):
    assert client.get("/account/data").status_code == 302
    assert client.get("/account/data.json").status_code == 401
    assert client.get("/account/data.pdf").status_code == 302
    for role in ("participant", "trainer", "admin"):
        user = make_user(role=role)
        auth.login_as(user)
        assert client.get("/account/data").status_code == 200
        assert client.get("/account/data.json").get_json()["profil"]["full_name"] == user.full_name
        auth.logout()


def test_person_corrects_phone_and_email_audited_by_field_name(client, auth, make_user):
    user = make_user(nip="198503142010012005", email="lama@contoh.go.id", phone="081200000000")
    auth.login_as(user)
    response = client.post("/account/data/contact", data={"email": " Baru@Contoh.go.id ", "phone": "+62 812 3456 7890"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/data")
    db.session.refresh(user)
    assert (user.email, user.phone) == ("baru@contoh.go.id", "081234567890")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.contact_update")).one()
    assert event.actor_id == user.id and event.details == {"fields": ["email", "phone"]}
    assert "baru" not in json.dumps(event.details) and "0812" not in json.dumps(event.details)


@pytest.mark.parametrize("form, message", [
    ({"email": "bukan-surel", "phone": ""}, "Alamat surel tidak sah"),
    ({"email": "a@contoh.go.id", "phone": "81234567890"}, "kehilangan angka 0"),
    ({"email": "a@contoh.go.id", "phone": "12ab"}, "hanya boleh berisi angka"),
    ({"email": "dipakai@contoh.go.id", "phone": ""}, "sudah dipakai akun lain"),
])
def test_bad_contact_data_is_refused_with_the_reason(client, auth, make_user, form, message):
    make_user(email="dipakai@contoh.go.id")
    user = make_user(email="saya@contoh.go.id", phone="081200000000")
    auth.login_as(user)
    response = client.post("/account/data/contact", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "is-invalid" in page
    db.session.refresh(user)
    assert (user.email, user.phone) == ("saya@contoh.go.id", "081200000000")


def test_email_login_cannot_remove_its_only_login(client, auth, make_user):
    user = make_user(email="saya@contoh.go.id")
    auth.login_as(user)
    page = client.post("/account/data/contact", data={"email": "", "phone": ""}).get_data(as_text=True)
    assert "Surel wajib diisi" in page
    db.session.refresh(user)
    assert user.email == "saya@contoh.go.id"


def test_nip_login_may_clear_the_email(client, auth, make_user):
    user = make_user(nip="198503142010012005", email="saya@contoh.go.id")
    auth.login_as(user)
    assert client.post("/account/data/contact", data={"email": "", "phone": ""}).status_code == 302
    db.session.refresh(user)
    assert user.email is None
