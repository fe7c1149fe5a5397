"""Check-in in real browsers: the trainer's QR screen on a desktop, a participant's phone scans it."""

from __future__ import annotations

import io
import os
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from lms.attendance.models import AttendanceSession
from lms.db_types import utcnow
from lms.extensions import db
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def screenshot(page, name: str) -> None:
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=True)


def qr_address(page) -> str | None:
    """Read the QR on the screen as a phone camera would, when zxing-cpp is installed."""
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        return None
    image = Image.open(io.BytesIO(page.locator("#qr").screenshot()))
    found = [result.text for result in zxingcpp.read_barcodes(image)]
    assert len(found) == 1, found
    return found[0]


def test_participant_scans_the_screen_and_the_roster_shows_hadir(live_server, desktop, phone, make_user):
    trainer = make_user(role="trainer", email="narasumber@contoh.go.id", full_name="Narasumber Wahyuni")
    person = make_user(email="ani@contoh.go.id", full_name="Ani Lestari")
    make_user(email="budi@contoh.go.id", full_name="Budi Santoso")
    now = utcnow()
    today = now.astimezone(ZoneInfo("Asia/Jakarta")).date()
    training = create_training("bimtek-medsos", title="Bimtek Pengelolaan Media Sosial OPD", users=(person,),
                               trainers=(trainer,), start_date=today, end_date=today)
    session = AttendanceSession(training_id=training.id, day=today, label="Pagi", starts_at=now - timedelta(minutes=5),
                                ends_at=now + timedelta(hours=2), secret=secrets.token_hex(16))
    db.session.add(session)
    db.session.commit()

    desktop.goto(f"{live_server}/attendance/sessions/{session.id}/screen")
    log_in(desktop, "narasumber@contoh.go.id")
    desktop.wait_for_url(f"**/attendance/sessions/{session.id}/screen")
    assert desktop.get_by_role("heading", name="Bimtek Pengelolaan Media Sosial OPD").is_visible()
    assert desktop.locator("#count").inner_text() == "0" and desktop.locator("#total").inner_text() == "1"
    assert len(desktop.locator("#code").inner_text().replace(" ", "")) == 6
    screenshot(desktop, "checkin-screen.png")

    live = desktop.request.get(f"{live_server}/attendance/sessions/{session.id}/live.json").json()
    address = qr_address(desktop) or live["url"]
    assert address.startswith(f"{live_server}/c/{session.id}/")

    phone.goto(address)
    phone.wait_for_url("**/login?next=/checkin/pending")
    assert phone.get_by_text("Masuk dulu untuk menyelesaikan presensi.").is_visible()
    log_in(phone, "ani@contoh.go.id")
    phone.wait_for_url("**/checkin/pending")
    # The page the login leads to posts the check-in by itself: the result follows without a tap.
    phone.get_by_role("heading", name="Presensi tercatat").wait_for(timeout=10000)
    assert phone.get_by_text("Status: Hadir").is_visible()
    screenshot(phone, "checkin-phone.png")

    # The screen refreshes itself: the participant moves to "Sudah presensi".
    desktop.locator("#count", has_text="1").wait_for(timeout=10000)
    assert "Ani Lestari" in desktop.locator("#present").inner_text()
    assert desktop.locator("#absent li").count() == 0
    screenshot(desktop, "checkin-screen-after.png")

    desktop.goto(f"{live_server}/trainings/bimtek-medsos/attendance")
    cell = desktop.locator(f"#p{person.id} td").first  # the first session's cell of her row
    assert cell.inner_text().strip() == "Hadir" and cell.get_attribute("data-v") == "hadir"
    screenshot(desktop, "checkin-roster.png")
