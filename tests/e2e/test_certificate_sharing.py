"""A participant on a 360 px phone shares a certificate from Sertifikat Saya."""

import os
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from lms.accounts.services import hash_password
from lms.certificates import services
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.trainings.scope import get_training
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_share_buttons_fit_a_phone_and_copy_works(live_server, phone):
    create_demo(6, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    certificate = services.issue_all(get_training(FINISHED_SLUG), None, NOW, commit=db.session.commit)[0]
    holder = certificate.user
    holder.password_hash = hash_password(PASSWORD)
    db.session.commit()
    phone.goto(live_server + "/login")
    log_in(phone, holder.login_name)
    phone.goto(live_server + "/certificates/mine")
    whatsapp = phone.get_by_role("link", name="Bagikan ke WhatsApp")
    linkedin = phone.get_by_role("link", name="Tambahkan ke LinkedIn")
    assert whatsapp.is_visible() and linkedin.is_visible()
    assert phone.get_by_role("link", name="Unduh Open Badge (OB 3.0)").is_visible()
    text = parse_qs(urlsplit(whatsapp.get_attribute("href")).query)["text"][0]
    assert text.endswith(services.verify_url(certificate.code))
    field = phone.get_by_label("Tautan verifikasi untuk dibagikan")
    assert field.input_value() == services.verify_url(certificate.code)
    copy = phone.get_by_role("button", name="Salin tautan")
    copy.wait_for()  # shown by copy_link.js; without JavaScript it stays hidden and the field remains
    copy.click()
    phone.wait_for_function("document.getElementById('copy-status').textContent !== ''")
    assert phone.locator("#copy-status").text_content() in {"Tersalin", "Tekan lama untuk menyalin"}
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    if os.environ.get("LMS_SCREENSHOTS"):
        phone.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "sertifikat-saya-phone.png"),
                         full_page=True)
