"""Cek Caption on a 360 px phone: live findings while typing, and the same without script."""

import os

import pytest

from tests.e2e.conftest import CHROMIUM_FLAGS, log_in  # noqa: F401  (flags: the same browser)

pytestmark = pytest.mark.e2e
CAPTION = ("Kegiatan rakor dlm rangka sosialisasi layanan. Warga bisa antri di kantor kecamatan jam 8 pagi.\n\n"
           "#a #b #c #d #e #f")


def _shot(page, name):
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=True)


def test_live_check_on_a_phone(live_server, phone, make_user):
    make_user(email="peserta@contoh.go.id")
    page = phone
    page.goto(live_server + "/login")
    log_in(page, "peserta@contoh.go.id")
    page.goto(live_server + "/caption/")
    with page.expect_response(lambda r: r.url.endswith("/caption/periksa.json") and r.status == 200):
        page.get_by_label("Caption", exact=True).fill(CAPTION)
    page.locator(".cc-finding").first.wait_for()
    assert page.locator("[data-cc-status]").inner_text().endswith("temuan.")
    assert page.locator("a.cc-mark", has_text="antri").count() == 1
    assert page.get_by_text('"antri" tidak baku; tulis "antre"').is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"Cek Caption overflows a 360 px screen ({width} px)"
    _shot(page, "caption-phone.png")
    page.locator("a.cc-mark", has_text="antri").click()
    assert page.evaluate("location.hash").startswith("#cc-")


def test_without_script_the_form_posts_and_shows_the_findings(live_server, browser, make_user):
    make_user(email="peserta2@contoh.go.id")
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/login")
    log_in(page, "peserta2@contoh.go.id")
    page.goto(live_server + "/caption/")
    page.get_by_label("Caption", exact=True).fill(CAPTION)
    page.get_by_role("button", name="Periksa").click()
    assert page.get_by_text('"antri" tidak baku; tulis "antre"').is_visible()
    assert page.get_by_label("Caption", exact=True).input_value() == CAPTION
    _shot(page, "caption-phone-nojs.png")
    context.close()
