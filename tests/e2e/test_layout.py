"""Phone-first layouts at 360×800 and 1366×768: no page scrolls sideways, key controls stay on screen.

Each page is photographed (to $LMS_SCREENSHOTS when set, for a person to look at) and measured in
the browser: the page is never wider than the window, row actions of list pages sit inside it,
lesson tables scroll in their own box, NIPs stay on one line, the menu fits one line on a laptop,
and the training tabs show when more are hidden.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lms.courses.models import Course
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from tests.conftest import create_training
from tests.e2e.conftest import _watched_page, log_in

pytestmark = pytest.mark.e2e
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
PHONE = {"width": 360, "height": 800}
LAPTOP = {"width": 1366, "height": 768}
ADMIN_EMAIL = "penyelenggara@contoh.go.id"
READER_NIP = "198503142010011001"
LESSON = "/courses/media-monitoring-isu-strategis/klarifikasi-dan-log-mingguan"  # an eight-column table


@pytest.fixture
def venue_day(app: Any, make_user: Any) -> None:
    """The demo (30 participants, a finished and a running bimtek), an organiser and an enrolled reader."""
    create_demo(30, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    make_user(role="admin", email=ADMIN_EMAIL, full_name="Rahmat Hidayat, S.Kom., M.Si.",
              nip="197205141998031004")
    reader = make_user(nip=READER_NIP, email="", full_name="Peserta Ponsel")
    create_training("bimtek-baca", courses=tuple(db.session.scalars(db.select(Course)).all()), users=(reader,))


def open_page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    mobile = viewport["width"] < 576
    context = browser.new_context(viewport=viewport, locale="id-ID", is_mobile=mobile, has_touch=mobile,
                                  device_scale_factor=2 if mobile else 1)
    yield from _watched_page(context)


@pytest.fixture(params=[PHONE, LAPTOP], ids=["360x800", "1366x768"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return request.param


@pytest.fixture
def page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    yield from open_page(browser, viewport)


def look(page: Any, name: str) -> dict[str, int]:
    """Photograph the page and return its measures; fail if it is wider than the window."""
    size = page.viewport_size
    shot = page.screenshot(full_page=False)
    assert shot.startswith(b"\x89PNG")
    folder = os.environ.get("LMS_SCREENSHOTS")
    if folder:
        Path(folder, f"{name}-{size['width']}x{size['height']}.png").write_bytes(shot)
    measures = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
                             " height: document.documentElement.scrollHeight})")
    assert measures["scroll"] <= measures["inner"], f"{name} scrolls sideways: {measures}"
    return measures


def inside_width(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5


def test_login_and_reader_pages(live_server, page, venue_day):
    page.goto(live_server + "/login")
    look(page, "login")
    assert inside_width(page, page.get_by_role("button", name="Masuk"))
    assert page.locator("script[src*='bootstrap']").count() == 0  # no menu, no Bootstrap JS to download
    log_in(page, READER_NIP)
    page.wait_for_url(live_server + "/")
    look(page, "home")
    page.goto(live_server + "/courses/media-monitoring-isu-strategis")
    look(page, "course")
    page.goto(live_server + LESSON)
    look(page, "lesson")
    box = page.locator(".lesson-body .table-scroll").first
    box.scroll_into_view_if_needed()
    look(page, "lesson-table")
    table = page.evaluate("""() => {
        const box = document.querySelector('.lesson-body .table-scroll');
        const cells = [...box.querySelectorAll('td, th')].map(c => c.getBoundingClientRect().width);
        return {box: box.clientWidth, table: box.querySelector('table').offsetWidth, narrowest: Math.min(...cells)};
    }""")
    assert table["narrowest"] >= 100, f"table cells squeezed letter by letter: {table}"
    if page.viewport_size["width"] < 576:
        assert table["table"] > table["box"]  # wider than the phone: it scrolls inside its box
        box.evaluate("b => b.scrollLeft = 200")
        assert box.evaluate("b => b.scrollLeft") > 0
        look(page, "lesson-table-scrolled")


def test_admin_list_pages(live_server, page, venue_day):
    phone = page.viewport_size["width"] < 576
    page.goto(live_server + "/login")
    log_in(page, ADMIN_EMAIL)
    page.wait_for_url(live_server + "/")
    look(page, "admin-home")
    menu_fits_or_collapses(page, phone)

    page.goto(live_server + "/admin/users")
    look(page, "users")
    first = page.locator("table.list-cards tbody tr").first
    assert inside_width(page, first.locator("input[type=checkbox]"))
    name = first.locator("td.cell-title a")
    assert inside_width(page, name)
    pick, link = first.locator("input[type=checkbox]").bounding_box(), name.bounding_box()
    assert pick["x"] + pick["width"] <= link["x"] or pick["y"] + pick["height"] <= link["y"]  # side by side
    assert page.locator("table.list-cards td.nip").count() > 20
    assert nips_on_one_line(page)
    assert inside_width(page, page.get_by_role("button", name="Buat kata sandi sekali pakai"))

    page.goto(f"{live_server}/trainings/{FINISHED_SLUG}/participants")
    look(page, "participants")
    rows = page.locator("table.list-cards tbody tr")
    assert rows.count() >= 20
    for index in (0, rows.count() - 1):
        assert inside_width(page, rows.nth(index).get_by_role("button", name="Keluarkan", exact=False))
    assert nips_on_one_line(page)
    rows.nth(0).scroll_into_view_if_needed()
    look(page, "participants-cards")

    page.goto(f"{live_server}/trainings/{FINISHED_SLUG}/certificates")
    measures = look(page, "certificates")
    rows = page.locator("table.list-cards tbody tr")
    assert rows.count() >= 20
    for index in range(rows.count()):
        action = rows.nth(index).locator("td.cell-actions").locator("button, summary, a").first
        assert inside_width(page, action), f"row {index}: its action is off-screen"
    if phone:
        # Cards, not a squeezed table: about a screen per four participants (four rule lines each:
        # attendance, post-test, modules, required assignments), not one.
        assert measures["height"] < rows.count() * 200 + 1500, measures
        rows.nth(0).scroll_into_view_if_needed()
        look(page, "certificates-cards")
    tabs_show_more(page, phone, active_last=True)

    page.goto(f"{live_server}/trainings/{FINISHED_SLUG}")
    look(page, "training")
    tabs_show_more(page, phone, active_last=False)


def menu_fits_or_collapses(page: Any, phone: bool) -> None:
    """On a laptop every menu entry sits on one line; on a phone the menu opens from its button."""
    if phone:
        page.get_by_role("button", name="Buka menu").click()
        page.locator("#nav.collapse.show").wait_for()  # the opening animation is over
    page.get_by_role("button", name="Kelola").click()
    users = page.get_by_role("link", name="Pengguna", exact=True)
    users.wait_for(state="visible")
    assert inside_width(page, users)
    look(page, "menu-open")
    if not phone:
        tops = page.locator("#nav > ul > li").evaluate_all(
            "items => items.map(i => Math.round(i.getBoundingClientRect().top))")
        assert len(tops) >= 7 and max(tops) - min(tops) <= 2, f"the menu wraps: {tops}"
        assert page.locator("nav.navbar").evaluate("n => n.offsetHeight") < 70
    page.keyboard.press("Escape")


def nips_on_one_line(page: Any) -> bool:
    """Tell whether every NIP on the page is one line of text (one client rectangle) inside its cell."""
    lines = page.locator("td.nip").evaluate_all(
        "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
        " const rects = r.getClientRects(), cell = c.getBoundingClientRect();"
        " return rects.length === 1 && rects[0].right <= cell.right + 0.5; })")
    return bool(lines) and all(lines)


def tabs_show_more(page: Any, phone: bool, active_last: bool) -> None:
    """The active tab is in view; on a phone the side with hidden tabs is marked."""
    box = page.locator("[data-tabs]")
    active = box.locator(".nav-link.active")
    page.wait_for_function("document.querySelector('[data-tabs]').className.includes('more-') || "
                           f"{'false' if phone else 'true'}")
    assert inside_width(page, active)
    classes = box.get_attribute("class") or ""
    if phone:
        assert ("more-start" in classes) == active_last and ("more-end" in classes) != active_last, classes
    else:
        assert "more-start" not in classes and "more-end" not in classes, classes
