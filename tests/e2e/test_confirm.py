"""confirm.js in a real browser: a form with data-confirm asks in a dialog; "Batal" sends nothing."""

import os

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.trainings.models import Enrollment
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def enrolled(training):
    db.session.commit()  # a fresh read: the server wrote in another connection
    return list(db.session.scalars(select(Enrollment.user_id).where(Enrollment.training_id == training.id)))


def shot(page, name):
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=False)


def test_removal_asks_in_a_dialog_dismissed_then_accepted(live_server, phone, make_user):
    admin = make_user(role="admin", email="penyelenggara@contoh.go.id")
    ani = make_user(full_name="Ani Peserta")
    training = create_training("bimtek-spbe", users=(ani,))
    page = phone
    page.goto(live_server + "/login")
    log_in(page, admin.login_name)
    page.goto(f"{live_server}/trainings/bimtek-spbe/participants")
    page.get_by_role("button", name="Keluarkan Ani Peserta").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Keluarkan Ani Peserta dari Bimtek Tes?").wait_for()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    shot(page, "confirm-dialog-phone.png")
    dialog.get_by_role("button", name="Batal").click()
    assert not dialog.is_visible()
    assert "/participants" in page.url and enrolled(training) == [ani.id]  # dismissed: nothing sent
    page.get_by_role("button", name="Keluarkan Ani Peserta").click()
    dialog.get_by_role("button", name="Ya, lanjutkan").click()
    page.get_by_text("Peserta dikeluarkan dari kegiatan.").wait_for()
    assert enrolled(training) == []
    assert "Ya, lanjutkan" not in page.content()  # the dialog answered: no confirm page on the way


def test_without_javascript_the_confirm_page_asks(live_server, browser, make_user):
    admin = make_user(role="admin", email="penyelenggara@contoh.go.id")
    ani = make_user(full_name="Ani Peserta")
    training = create_training("bimtek-spbe", users=(ani,))
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(live_server + "/login")
        log_in(page, admin.login_name)
        page.goto(f"{live_server}/trainings/bimtek-spbe/participants")
        page.get_by_text("Peserta pengganti (walk-in) di pintu masuk").wait_for()
        page.get_by_role("button", name="Keluarkan Ani Peserta").click()
        page.get_by_text("Keluarkan Ani Peserta dari Bimtek Tes?").wait_for()
        shot(page, "confirm-page-phone.png")
        assert enrolled(training) == [ani.id]
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Ya, lanjutkan").click()
        page.get_by_text("Peserta dikeluarkan dari kegiatan.").wait_for()
        assert enrolled(training) == []
    finally:
        context.close()
