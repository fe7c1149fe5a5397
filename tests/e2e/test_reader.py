"""A participant reads a lesson on a phone, marks it done and sees the progress bar move."""

import os
from pathlib import Path

import pytest

from lms.courses import services
from lms.courses.content import load_courses
from lms.db_types import utcnow
from lms.extensions import db
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
REAL_COURSES = Path(__file__).resolve().parents[2] / "courses"


def test_phone_reader_marks_lesson_done(live_server, phone, make_user, auth):
    courses, errors = load_courses(REAL_COURSES)
    assert errors == []
    services.sync_courses(courses, utcnow())
    db.session.commit()
    reader = make_user(nip="198503142010011001", email="", full_name="Peserta Ponsel")
    create_training(courses=tuple(services.courses_for(reader, None)[i].course for i in range(4)), users=(reader,))
    page = phone
    page.goto(live_server + "/login")
    log_in(page, "198503142010011001")
    page.goto(live_server + "/courses/caption-dan-interaksi-warganet")
    bar = page.locator("#course-progress")
    assert bar.get_attribute("aria-valuenow") == "0"
    page.get_by_role("link", name="Mulai: Anatomi Caption", exact=False).click()
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the lesson overflows a 360 px screen ({width} px)"
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "lesson-phone.png"), full_page=False)
    with page.expect_response(lambda r: r.url.endswith("/viewed") and r.status == 204):
        page.get_by_role("button", name="Tandai selesai").click()  # on to lesson 2, whose script says it was opened
    page.goto(live_server + "/courses/caption-dan-interaksi-warganet")
    assert bar.get_attribute("aria-valuenow") == "17"
    assert page.get_by_text("1 dari 6 pelajaran selesai").is_visible()
    assert page.get_by_role("link", name="Lanjutkan:", exact=False).is_visible()
