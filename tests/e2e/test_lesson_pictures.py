"""The lessons' pictures load on a 360 px phone (lazily, within the screen, no CSP report) and their
downloads arrive as files with their own names."""

import os
import re
from pathlib import Path

import pytest

from lms.courses import services
from lms.courses.content import load_course
from lms.db_types import utcnow
from lms.extensions import db
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
COURSES = Path(__file__).resolve().parents[2] / "courses"
SLUGS = ("branding-layanan-publik", "caption-dan-interaksi-warganet", "media-monitoring-isu-strategis",
         "tools-ai-konten-pemerintah", "komunikasi-krisis-hoaks-hukum")
NIP = "199203032016032002"


def _shot(page, name: str, element=None) -> None:
    if os.environ.get("LMS_SCREENSHOTS"):
        (element or page).screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name),
                                     **({} if element else {"full_page": True}))


def _sync(make_user):
    definitions = []
    for slug in SLUGS:
        course, errors = load_course(COURSES / slug)
        assert errors == [] and course is not None
        definitions.append(course)
    services.sync_courses(definitions, utcnow())
    db.session.commit()
    reader = make_user(nip=NIP, email="", full_name="Peserta Gambar")
    create_training(courses=tuple(item.course for item in services.courses_for(reader, None)), users=(reader,))
    return definitions


def test_every_lesson_picture_loads_within_a_phone_screen(live_server, phone, make_user):
    definitions = _sync(make_user)
    page = phone
    page.goto(live_server + "/login")
    log_in(page, NIP)
    shown = 0
    for course in definitions:
        for lesson in course.lessons:
            if "](assets/" not in lesson.body or "![" not in lesson.body:
                continue
            page.goto(f"{live_server}/courses/{course.slug}/{lesson.slug}")
            images = page.locator(".lesson-body img")
            for index in range(images.count()):
                image = images.nth(index)
                assert image.get_attribute("loading") == "lazy"
                image.scroll_into_view_if_needed()
                page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
                box = image.bounding_box()
                assert box is not None and 250 <= box["width"] <= 360, (lesson.slug, box)
                _shot(page, f"img-{course.slug[:8]}-{lesson.slug[:24]}-{index + 1}.png", image)
                shown += 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, lesson.slug
            _shot(page, f"lesson-{course.slug[:8]}-{lesson.slug[:24]}.png")
    assert shown == 10


def test_a_download_link_gives_the_file_with_its_name(live_server, phone, make_user):
    _sync(make_user)
    page = phone
    page.goto(live_server + "/login")
    log_in(page, NIP)
    page.goto(f"{live_server}/courses/branding-layanan-publik/kalender-konten-dan-konsistensi")
    link = page.get_by_role("link", name=re.compile(r"kalender konten Agustus 2025 \(XLSX, \d+ KB\)"))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "kalender-konten-kabupaten-contoh.xlsx"
    page.goto(f"{live_server}/courses/branding-layanan-publik/identitas-visual-dan-template-opd")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"templat feed 4:5 untuk aplikasi desain \(SVG, \d+ KB\)")).click()
    assert download.value.suggested_filename == "templat-feed-opd.svg"
    page.goto(f"{live_server}/courses/branding-layanan-publik")
    listed = page.locator("h2:has-text('Unduhan') + p + ul > li")
    assert listed.count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "course-branding-unduhan.png")


def test_pictures_on_a_wide_screen_keep_their_size(live_server, desktop, make_user):
    _sync(make_user)
    page = desktop
    page.goto(live_server + "/login")
    log_in(page, NIP)
    page.goto(f"{live_server}/courses/caption-dan-interaksi-warganet/anatomi-caption")
    image = page.locator(".lesson-body img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    box = image.bounding_box()
    assert box is not None and box["width"] <= 640
    _shot(page, "desktop-anatomi-caption.png")
