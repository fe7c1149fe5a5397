"""Every lesson of module 5 (its wide tables included) reads on a 360 px phone without widening the page."""

import os
from pathlib import Path

import pytest

from lms.courses import services
from lms.courses.content import load_course
from lms.db_types import utcnow
from lms.extensions import db
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
SLUG = "komunikasi-krisis-hoaks-hukum"
COURSE = Path(__file__).resolve().parents[2] / "courses" / SLUG


def test_module_5_lessons_fit_a_phone(live_server, phone, make_user):
    course, errors = load_course(COURSE)
    assert errors == [] and course is not None
    services.sync_courses([course], utcnow())
    db.session.commit()
    reader = make_user(nip="199001012015031001", email="", full_name="Peserta Modul Lima")
    create_training(courses=(services.courses_for(reader, None)[0].course,), users=(reader,))
    page = phone
    page.goto(live_server + "/login")
    log_in(page, "199001012015031001")
    for lesson in course.lessons:
        page.goto(f"{live_server}/courses/{SLUG}/{lesson.slug}")
        assert page.get_by_role("heading", level=1).inner_text().strip() == lesson.title
        assert page.get_by_role("heading", level=2, name="Praktik").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{lesson.slug} overflows a 360 px screen ({width} px)"
        if os.environ.get("LMS_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], f"m5-{lesson.slug}.png"),
                            full_page=True)
