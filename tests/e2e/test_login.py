"""An admin logs in through a real browser and sees the dashboard."""

import os

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_admin_logs_in_and_sees_dashboard(live_server, desktop, make_user):
    make_user(role="admin", email="admin@contoh.go.id", full_name="Admin Diskominfo")
    make_user(full_name="Peserta Satu")
    page = desktop
    page.goto(live_server + "/")
    assert "/login" in page.url
    page.get_by_label("NIP atau surel").fill("admin@contoh.go.id")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("heading", name="Selamat datang, Admin Diskominfo").is_visible()
    assert page.get_by_text("Peserta aktif").is_visible()
    page.get_by_role("button", name="Kelola").click()  # the organiser's pages are in one menu
    page.get_by_role("link", name="Pengguna", exact=True).click()
    assert page.get_by_role("link", name="Peserta Satu").is_visible()
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "admin-users.png"), full_page=True)


def test_participant_on_phone_with_wrong_password_sees_message(live_server, phone, make_user):
    make_user(nip="198503142010011001", email="")
    phone.goto(live_server + "/login")
    phone.get_by_label("NIP atau surel").fill("198503142010011001")
    phone.get_by_label("Kata sandi").fill("salah-sandi")
    phone.get_by_role("button", name="Masuk").click()
    message = phone.get_by_text("NIP/surel atau kata sandi salah.")
    message.wait_for(timeout=10000)  # the answer to the post, not the page before it
    assert message.is_visible()
    if os.environ.get("LMS_SCREENSHOTS"):
        phone.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "login-phone.png"), full_page=True)
