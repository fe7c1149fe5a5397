"""The trainer's day in a real browser: one-tap roster on a 360 px phone, the projector screen at
1024×768 and 1366×768, and the screen opened on the laptop itself offering its venue address."""

from __future__ import annotations

import io
import os
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.db_types import utcnow
from lms.extensions import db
from tests.conftest import create_training
from tests.e2e.conftest import _watched_page, log_in

pytestmark = pytest.mark.e2e


def screenshot(page, name: str) -> None:
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=True)


@pytest.fixture
def trainer_phone(browser):
    yield from _watched_page(browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=2,
                                                 locale="id-ID", is_mobile=True, has_touch=True))


def day(make_user, people: int = 4):
    """A training today with a trainer, participants and two sessions: one open now, one later today."""
    trainer = make_user(role="trainer", email="narasumber@contoh.go.id", full_name="Narasumber Wahyuni")
    persons = [make_user(full_name=f"Peserta {n}", email=f"peserta{n}@contoh.go.id") for n in range(1, people + 1)]
    now = utcnow()
    today = now.astimezone(ZoneInfo("Asia/Jakarta")).date()
    training = create_training("bimtek-medsos", title="Bimtek Pengelolaan Media Sosial OPD", users=persons,
                               trainers=(trainer,), start_date=today, end_date=today)
    sessions = [AttendanceSession(training_id=training.id, day=today, label=label, starts_at=now + start,
                                  ends_at=now + start + timedelta(hours=2), secret=secrets.token_hex(16))
                for label, start in (("Pagi", -timedelta(minutes=5)), ("Siang", timedelta(hours=3)))]
    db.session.add_all(sessions)
    db.session.commit()
    return persons, sessions


def statuses(session) -> dict[int, str]:
    db.session.commit()  # end the test's read transaction: the server wrote since it began
    return {r.user_id: r.status for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id == session.id))}


def test_trainer_marks_a_cell_and_a_selection_without_leaving_the_page(live_server, trainer_phone, make_user):
    page = trainer_phone
    people, (morning, afternoon) = day(make_user)
    page.goto(f"{live_server}/trainings/bimtek-medsos/attendance")
    log_in(page, "narasumber@contoh.go.id")
    page.wait_for_url("**/trainings/bimtek-medsos/attendance")
    page.evaluate("window.__stayed = 'sama'")
    screenshot(page, "roster-phone.png")

    cell = page.locator(f"#p{people[0].id} td").first
    cell.click()
    chooser = page.locator("#chooser")
    assert chooser.is_visible() and "Peserta 1" in page.locator("#chooser-title").inner_text()
    chooser.get_by_role("button", name="Izin").click()
    cell.get_by_text("Tersimpan").wait_for(timeout=10000)
    assert cell.get_attribute("data-v") == "izin"
    assert statuses(morning) == {people[0].id: "izin"}

    page.get_by_role("checkbox", name="Pilih Peserta 2").check()  # named "Pilih" + the name
    page.get_by_role("checkbox", name="Pilih Peserta 3").check()
    assert page.locator("#bulk-count").inner_text() == "2 dipilih"
    page.locator("#bulk-session").select_option(str(afternoon.id))
    page.locator("#bulk-status").select_option("sakit")
    page.get_by_role("button", name="Terapkan ke yang dipilih").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Ubah status semua peserta yang dipilih?").wait_for()
    dialog.get_by_role("button", name="Ya, lanjutkan").click()  # confirm.js asks first
    page.locator("#bulk-result", has_text="2 peserta ditandai Sakit pada sesi Siang.").wait_for(timeout=10000)
    assert statuses(afternoon) == {people[1].id: "sakit", people[2].id: "sakit"}
    assert page.locator(f"#p{people[1].id} td").nth(1).get_attribute("data-v") == "sakit"
    screenshot(page, "roster-phone-bulk.png")

    page.locator("#bulk-result").get_by_role("button", name="Batalkan").click()
    page.locator("#bulk-result", has_text="Dibatalkan: 2 catatan presensi dikembalikan.").wait_for(timeout=10000)
    assert statuses(afternoon) == {}
    assert page.locator(f"#p{people[1].id} td").nth(1).get_attribute("data-v") is None
    assert page.evaluate("window.__stayed") == "sama"  # no page load between the clicks


def test_pilih_semua_then_one_status_for_everyone(live_server, trainer_phone, make_user):
    page = trainer_phone
    people, (morning, _) = day(make_user, people=3)
    page.goto(f"{live_server}/trainings/bimtek-medsos/attendance")
    log_in(page, "narasumber@contoh.go.id")
    page.wait_for_url("**/trainings/bimtek-medsos/attendance")
    page.evaluate("window.__stayed = 'sama'")
    page.get_by_label("Pilih semua").check()
    assert page.locator("#bulk-count").inner_text() == "3 dipilih"
    page.get_by_role("button", name="Terapkan ke yang dipilih").click()
    page.get_by_role("dialog").get_by_role("button", name="Ya, lanjutkan").click()
    page.locator("#bulk-result", has_text="3 peserta ditandai Hadir").wait_for(timeout=10000)
    assert statuses(morning) == {p.id: "hadir" for p in people}
    assert page.evaluate("window.__stayed") == "sama"


def inside(box, width: int, height: int) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and \
        box["x"] + box["width"] <= width and box["y"] + box["height"] <= height


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1366, 768)])
def test_the_projector_screen_fits_without_scrolling(live_server, browser, make_user, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    for page in _watched_page(context):
        people, (morning, _) = day(make_user, people=40)
        page.goto(f"{live_server}/attendance/sessions/{morning.id}/screen")
        log_in(page, "narasumber@contoh.go.id")
        page.wait_for_url(f"**/attendance/sessions/{morning.id}/screen")
        for selector in ("#qr", "#code", "#closes", "#remaining", "#count"):
            assert inside(page.locator(selector).bounding_box(), width, height), selector
        assert page.evaluate("document.documentElement.scrollHeight") <= height
        assert page.locator("#qr svg").bounding_box()["height"] >= 300  # big enough to scan across a room
        screenshot(page, f"screen-{width}x{height}.png")


def test_the_screen_on_loopback_shows_a_venue_address_for_the_qr(live_server, desktop, make_user, monkeypatch):
    # The laptop is on the hall's Wi-Fi as 192.168.1.23 besides loopback, which the browser uses.
    monkeypatch.setattr("lms.network.venue_address", lambda: "192.168.1.23")
    monkeypatch.setattr("lms.network.interface_addresses", lambda: ["127.0.0.1", "192.168.1.23"])
    _, (morning, _) = day(make_user)
    desktop.goto(f"{live_server}/attendance/sessions/{morning.id}/screen")
    log_in(desktop, "narasumber@contoh.go.id")
    desktop.wait_for_url(f"**/attendance/sessions/{morning.id}/screen")
    assert desktop.locator("#addresses").get_by_role("link", name="192.168.1.23").is_visible()
    port = live_server.rsplit(":", 1)[1]
    assert desktop.locator("#base").inner_text() == f"http://192.168.1.23:{port}/checkin"
    address = qr_address(desktop)
    if address is None:  # without zxing-cpp: what the QR encodes, from the same page data
        address = desktop.request.get(f"{live_server}/attendance/sessions/{morning.id}/live.json").json()["url"]
    assert "127.0.0.1" not in address and address.startswith(f"http://192.168.1.23:{port}/c/{morning.id}/")
    screenshot(desktop, "screen-loopback.png")


def qr_address(page) -> str | None:
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return None
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator("#qr").screenshot())))]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("width", "height"), [(360, 800), (1366, 768)])
def test_the_roster_page_does_not_overflow_and_keeps_the_bulk_controls_in_view(live_server, browser, make_user,
                                                                               width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    for page in _watched_page(context):
        people, (morning, _) = day(make_user, people=30)
        for person in people[:2]:  # one phone, two accounts: flagged in the grid
            db.session.add(AttendanceRecord(session_id=morning.id, user_id=person.id, status="hadir", method="qr",
                                            device_id="hp-bersama", note=""))
        db.session.commit()
        page.goto(f"{live_server}/trainings/bimtek-medsos/attendance")
        log_in(page, "narasumber@contoh.go.id")
        page.wait_for_url("**/trainings/bimtek-medsos/attendance")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        flagged = page.locator(f"#p{people[0].id} td").first
        assert flagged.get_attribute("title") == "Perangkat yang sama dengan: Peserta 2"
        page.get_by_role("button", name="Terapkan ke yang dipilih").scroll_into_view_if_needed()
        assert inside(page.get_by_role("button", name="Terapkan ke yang dipilih").bounding_box(), width, height)
        screenshot(page, f"roster-{width}.png")
