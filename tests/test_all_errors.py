"""Forms show every error at once, each beside its field, and keep what was typed (passwords excepted)."""

import re

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from lms.trainings.models import Training
from tests.conftest import PASSWORD, create_training


def text(response):
    return response.get_data(as_text=True)


def field_errors(page):
    """Return {field id: error text} as _macros.field renders them."""
    return dict(re.findall(r'<div class="invalid-feedback" id="([a-z_]+)-error">([^<]*)</div>', page))


def test_user_form_reports_every_field_in_one_submit(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    make_user(email="dipakai@contoh.go.id")
    page = text(client.post("/admin/users/new", data={
        "full_name": "", "nip": "12345", "email": "bukan surel", "phone": "12", "jabatan": "Analis Kebijakan",
        "agency_id": "0", "role": "participant"}))
    errors = field_errors(page)
    assert set(errors) == {"full_name", "nip", "email", "phone"}, errors
    assert errors["full_name"] == "Wajib diisi."
    assert 'value="Analis Kebijakan"' in page and 'value="12345"' in page  # what was typed stays
    # The checks that read the database come in the same submit as the format ones.
    page = text(client.post("/admin/users/new", data={
        "full_name": "Ani", "nip": "1234", "email": "dipakai@contoh.go.id", "agency_id": "0", "role": "participant"}))
    errors = field_errors(page)
    assert set(errors) == {"nip", "email"} and "sudah dipakai pengguna lain" in errors["email"], errors
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_training_form_reports_every_field_in_one_submit(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    create_training("bimtek-ada")
    page = text(client.post("/trainings/new", data={
        "title": "", "slug": "bimtek-ada", "start_date": "2026-08-20", "end_date": "2026-08-17",
        "venue": "Hotel Contoh", "time_zone": "Asia/Jakarta", "status": "open", "minutes_per_jp": "45",
        "min_attendance_percent": "80", "late_after_minutes": "15", "pretest_id": "0", "posttest_id": "0"}))
    errors = field_errors(page)
    assert {"title", "slug", "end_date"} <= set(errors), errors
    assert "sudah dipakai kegiatan lain" in errors["slug"] and "sebelum tanggal mulai" in errors["end_date"]
    assert 'value="Hotel Contoh"' in page and 'value="2026-08-20"' in page
    assert db.session.scalar(select(func.count(Training.id))) == 1


def test_password_change_reports_every_problem_and_keeps_no_password(client, auth, make_user):
    user = make_user(full_name="Budi Santoso")
    auth.login_as(user)
    page = text(client.post("/account/password", data={"current_password": "salah-sekali", "password": "password123",
                                                       "confirm": "password124"}))
    errors = field_errors(page)
    assert set(errors) == {"current_password", "password", "confirm"}, errors
    assert errors["current_password"] == "Kata sandi saat ini salah." and "tidak sama" in errors["confirm"]
    assert "salah-sekali" not in page and "password123" not in page  # passwords are never sent back
    assert db.session.get(User, user.id).password_hash is not None
    assert auth.logout().status_code == 302 and auth.login(user.login_name, PASSWORD).status_code == 302
