"""An admin issues the demo training's certificates in a browser and opens one's verification page."""

import os

import pytest

from lms.db_types import utcnow
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_admin_issues_and_verifies(live_server, desktop, phone, make_user):
    create_demo(8, seed=2)
    create_demo_trainings(utcnow(), seed=2)
    db.session.commit()
    make_user(role="admin", email="penerbit@contoh.go.id")
    page = desktop
    page.goto(live_server + "/login")
    page.get_by_label("NIP atau surel").fill("penerbit@contoh.go.id")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server}/trainings/{FINISHED_SLUG}/certificates")
    page.get_by_role("button", name="Terbitkan semua yang memenuhi syarat").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, lanjutkan").click()  # confirm.js asks first
    page.get_by_text("Selesai.").wait_for()
    page.get_by_role("link", name="Kembali ke daftar sertifikat").click()
    page.get_by_role("link", name="verifikasi").first.click()
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "verify-desktop.png"), full_page=True)
    url = page.url
    assert "/verify/" in url and page.get_by_text("Sah.").is_visible()
    phone.goto(url)  # a member of the public, no account, on a phone
    assert phone.get_by_text("Sah.").is_visible()
    assert phone.get_by_text("Bimtek Pengelolaan Media Sosial OPD").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    if os.environ.get("LMS_SCREENSHOTS"):
        phone.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "verify-phone.png"), full_page=True)
