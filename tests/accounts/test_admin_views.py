"""Administration pages through the test client."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from lms.accounts.credentials import credential_download
from lms.accounts.models import Agency, Institution, User
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.exportread import read_csv, read_xlsx
from tests.pdfstrings import drawn


@pytest.fixture
def admin(auth, make_user):
    user = make_user(role="admin", email="admin@contoh.go.id")
    auth.login_as(user)
    return user


def png_bytes(size=(40, 40), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 60, 120)).save(buffer, fmt)
    return buffer.getvalue()


def user_form(**overrides):
    form = {"full_name": "Siti Rahmawati, S.Sos.", "nip": "198503142010012005", "email": "",
            "pangkat_golongan": "Penata (III/c)", "jabatan": "Pranata Humas", "phone": "0812 3456 7890",
            "agency_id": "0", "role": "participant"}
    form.update(overrides)
    return form


def test_admin_creates_user_and_it_is_audited(client, admin):
    response = client.post("/admin/users/new", data=user_form())
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.nip == "198503142010012005")).one()
    assert user.phone == "081234567890" and user.password_hash is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create",
                                                        AuditEvent.object_id == str(user.id))).one()
    assert event.actor_id == admin.id
    assert "Siti" not in str(event.details)


@pytest.mark.parametrize("overrides, message", [
    ({"nip": "1,98501E+17"}, "angka ilmiah"),
    ({"nip": "12345"}, "18 digit"),
    ({"nip": "", "email": ""}, "salah satu wajib"),
    ({"email": "admin@contoh.go.id"}, "sudah dipakai"),
    ({"phone": "81234567890"}, "kehilangan angka 0"),
])
def test_user_form_errors_name_the_field(client, admin, overrides, message):
    count = db.session.scalar(select(db.func.count(User.id)))
    page = client.post("/admin/users/new", data=user_form(**overrides)).get_data(as_text=True)
    assert message in page and "is-invalid" in page
    assert db.session.scalar(select(db.func.count(User.id))) == count


def test_duplicate_nip_on_edit(client, admin, make_user):
    make_user(nip="198503142010012005")
    other = make_user()
    page = client.post(f"/admin/users/{other.id}/edit", data=user_form()).get_data(as_text=True)
    assert "NIP 198503142010012005 sudah dipakai" in page


def test_edit_records_changed_field_names(client, admin, make_user):
    user = make_user(full_name="Budi")
    client.post(f"/admin/users/{user.id}/edit", data=user_form(full_name="Budi Santoso", nip="",
                                                              email=user.email))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert "full_name" in event.details["fields"] and "Budi" not in str(event.details)


def test_deactivate_and_reactivate(client, admin, make_user):
    user = make_user()
    version = user.session_version
    client.post(f"/admin/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    assert db.session.get(User, user.id).active is False
    assert db.session.get(User, user.id).session_version == version + 1
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert db.session.get(User, user.id).active is True


def test_slips_printed_on_the_laptop_carry_its_venue_address(app, make_user, venue_network):
    user = make_user(full_name="Peserta Slip")
    with app.test_request_context("/admin/users/one-time-passwords", method="POST", base_url="http://127.0.0.1:5000"):
        response = credential_download([(user, "Rahasia-12345")], "pdf")
        response.direct_passthrough = False  # a file response: read it whole
        printed = " ".join(d.text for d in drawn(response.get_data()))
    assert f"http://{venue_network}:5000" in printed and "127.0.0.1" not in printed  # an address phones reach


def test_deactivating_asks_first_and_changes_nothing_until_confirmed(client, admin, make_user):
    user = make_user(full_name="Budi Santoso")
    form = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'data-confirm="Nonaktifkan akun Budi Santoso?"' in form
    page = client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).get_data(as_text=True)
    assert "Nonaktifkan akun Budi Santoso?" in page and "Ya, lanjutkan" in page
    assert 'name="active" value="0"' in page  # the confirm page re-posts the same choice
    assert db.session.get(User, user.id).active is True
    client.post(f"/admin/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    assert db.session.get(User, user.id).active is False
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})  # reactivating needs no question
    assert db.session.get(User, user.id).active is True


def test_admin_cannot_deactivate_self(client, admin):
    page = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "tidak dapat menonaktifkan akun Anda sendiri" in page.get_data(as_text=True)


def test_user_list_filters_and_pages(app, client, admin, make_user):
    agency = Agency(institution_id=admin.institution_id, name="Dinas Sosial", name_key="dinas sosial")
    db.session.add(agency)
    db.session.commit()
    for n in range(3):
        make_user(full_name=f"Peserta Dinsos {n}", agency_id=agency.id)
    make_user(full_name="Orang Lain")
    page = client.get(f"/admin/users?opd={agency.id}").get_data(as_text=True)
    assert "Peserta Dinsos 2" in page and "Orang Lain" not in page
    page = client.get("/admin/users?q=orang").get_data(as_text=True)
    assert "Orang Lain" in page and "Peserta Dinsos" not in page
    app.config["PAGE_SIZE"] = 2
    try:
        page = client.get("/admin/users").get_data(as_text=True)
        assert "Halaman 1 dari 3" in page
    finally:
        app.config["PAGE_SIZE"] = 50


def test_one_time_password_slips_pdf_and_csv(client, admin, make_user):
    users = [make_user(full_name=f"Peserta {n}") for n in range(3)]
    ids = [str(u.id) for u in users]
    response = client.post("/admin/users/one-time-passwords",
                           data={"user_ids": ids, "output": "csv", "confirm": "y"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = read_csv(response.get_data())
    assert lines[0] == ["nama", "masuk_dengan", "opd", "kata_sandi_sekali_pakai"] and len(lines) == 4
    password = lines[1][3]
    assert len(password) == 10 and "no-store" in response.headers["Cache-Control"]
    response = client.post("/admin/users/one-time-passwords",
                           data={"user_ids": ids[:1], "output": "xlsx", "confirm": "y"})
    assert response.headers["Content-Disposition"].endswith(".xlsx") and "no-store" in response.headers["Cache-Control"]
    assert read_xlsx(response.get_data())["Kata Sandi"][0] == lines[0]
    refreshed = db.session.get(User, users[0].id)
    assert refreshed.must_change_password is True
    response = client.post("/admin/users/one-time-passwords",
                           data={"user_ids": ids[:1], "output": "pdf", "confirm": "y"})
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.one_time_password")).all()) == 5  # 3 (CSV) + 1 (XLSX) + 1 (PDF)


def test_one_time_password_needs_confirmation_and_selection(client, admin, make_user):
    user = make_user()
    page = client.post("/admin/users/one-time-passwords", data={"user_ids": [str(user.id)], "output": "pdf"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Centang konfirmasi" in page
    assert db.session.get(User, user.id).must_change_password is False


def test_agencies_create_rename_and_duplicate(client, admin):
    client.post("/admin/agencies", data={"name": "Dinas  Kesehatan"})
    page = client.post("/admin/agencies", data={"name": "dinas kesehatan"}).get_data(as_text=True)
    assert "sudah ada" in page
    agency = db.session.scalars(select(Agency)).one()
    assert agency.name == "Dinas Kesehatan"
    client.post(f"/admin/agencies/{agency.id}/edit", data={"name": "Dinas Kesehatan Kabupaten Contoh"})
    assert db.session.get(Agency, agency.id).name == "Dinas Kesehatan Kabupaten Contoh"


INSTITUTION = {"name": "Dinas Komunikasi dan Informatika Kabupaten Contoh", "city": "Contoh",
               "time_zone": "Asia/Makassar", "address": "Jl. Merdeka 1", "head_name": "Dr. Sri",
               "head_pangkat": "Pembina (IV/a)", "head_nip": "197205141998032004",
               "head_title": "Kepala Dinas", "certificate_pattern": "{seq:03d}/BIMTEK/{month_roman}/{year}"}


def test_numbering_pattern_is_checked(client, admin):
    page = client.post("/admin/institution", data=dict(INSTITUTION, certificate_pattern="{seq}/{nama}/{year}"),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "nama" in page and "is-invalid" in page
    client.post("/admin/institution", data=INSTITUTION, content_type="multipart/form-data")
    assert db.session.scalars(select(Institution)).one().certificate_pattern == "{seq:03d}/BIMTEK/{month_roman}/{year}"


def test_institution_profile_with_logo(client, admin):
    data = dict(INSTITUTION, logo=(io.BytesIO(png_bytes()), "logo.png"))
    response = client.post("/admin/institution", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    institution = db.session.scalars(select(Institution)).one()
    assert institution.time_zone == "Asia/Makassar" and institution.logo_mime == "image/png"
    logo = client.get("/institution/logo")
    assert logo.status_code == 200 and logo.data == png_bytes()
    client.post("/logout")
    assert client.get("/institution/logo").status_code == 200  # the login page shows it


@pytest.mark.parametrize("payload, message", [
    (b"<?php echo 'bukan gambar'; ?>", "bukan gambar"),
    (b"GIF89a" + b"\x00" * 64, "bukan gambar"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "bukan gambar"),
])
def test_fake_logo_is_refused_and_nothing_changes(client, admin, payload, message):
    data = dict(INSTITUTION, logo=(io.BytesIO(payload), "logo.png"))
    page = client.post("/admin/institution", data=data, content_type="multipart/form-data")
    assert message in page.get_data(as_text=True)
    institution = db.session.scalars(select(Institution)).first()
    assert institution is None or (institution.logo is None and institution.city != "Contoh")


def test_gif_and_oversized_logo_are_refused(app, client, admin):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    page = client.post("/admin/institution", data=dict(INSTITUTION, logo=(io.BytesIO(buffer.getvalue()), "a.gif")),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Format gambar GIF tidak diterima" in page
    app.config["MAX_IMAGE_BYTES"] = 100
    try:
        page = client.post("/admin/institution", data=dict(INSTITUTION, logo=(io.BytesIO(png_bytes()), "a.png")),
                           content_type="multipart/form-data").get_data(as_text=True)
    finally:
        app.config["MAX_IMAGE_BYTES"] = 2 * 1024 * 1024
    assert "Gambar terlalu besar" in page


def test_decompression_bomb_is_refused(client, admin):
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # tiny file, 400 megapixels
    page = client.post("/admin/institution", data=dict(INSTITUTION, logo=(io.BytesIO(bomb.getvalue()), "b.png")),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "tidak wajar" in page or "Gambar terlalu besar" in page


def test_audit_log_filters(client, admin, make_user):
    user = make_user()
    client.post(f"/admin/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    page = client.get("/admin/audit/?action=user.deactivate").get_data(as_text=True)
    assert "Menonaktifkan pengguna" in page and f"user #{user.id}" in page and "1 catatan" in page
    assert f"menonaktifkan akun {user.full_name}." in page
    page = client.get(f"/admin/audit/?object_type=user&object_id={user.id}&actor={admin.id}").get_data(as_text=True)
    assert "1 catatan" in page
    # The object filter is a choice in Indonesian, the chosen one kept, never a code to type.
    assert '<option value="user" selected>Pengguna</option>' in page and ">Sertifikat</option>" in page
    assert 'placeholder="mis. user"' not in page
    page = client.get(f"/admin/audit/?object_type=certificate&object_id={user.id}").get_data(as_text=True)
    assert "0 catatan" in page
    page = client.get("/admin/audit/?from=2000-01-01&to=2000-01-02").get_data(as_text=True)
    assert "0 catatan" in page


def test_audit_log_is_append_only(make_user):
    from lms.audit import services as audit

    user = make_user()
    event = audit.record(user, "user.update", "user", user.id)
    db.session.commit()
    event.action = "diubah"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_malformed_head_nip_lands_on_its_field_and_nothing_changes(client, admin):
    page = client.post("/admin/institution", data=dict(INSTITUTION, head_nip="1972 0514"),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "NIP harus 18 digit (tertulis 8 digit)." in page and "is-invalid" in page
    assert db.session.scalars(select(Institution)).one().city != "Contoh"
    client.post("/admin/institution", data=dict(INSTITUTION, head_nip="19720514 199803 2 004"),
                content_type="multipart/form-data")
    assert db.session.scalars(select(Institution)).one().head_nip == "197205141998032004"
