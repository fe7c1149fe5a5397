"""Server-side login sessions: logout ends a copied cookie, "Keluar dari semua perangkat", devices."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.accounts import sessions
from lms.accounts.models import LoginSession, User
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import PASSWORD, Clock

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Mobile Safari/537.36")
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"



@pytest.fixture
def clock(monkeypatch):
    now = Clock(datetime(2026, 8, 17, 1, 0, tzinfo=UTC))
    for module in ("lms.accounts.views", "lms.web"):
        monkeypatch.setattr(f"{module}.utcnow", now)
    return now


def login(client, user: User, agent: str = ANDROID_CHROME):
    response = client.post("/login", data={"identifier": user.login_name, "password": PASSWORD},
                           headers={"User-Agent": agent})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def rows(user: User) -> list[LoginSession]:
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                                   .order_by(LoginSession.id)))


@pytest.mark.parametrize(("agent", "label"), [
    (ANDROID_CHROME, "Chrome di Android"),
    (WINDOWS_FIREFOX, "Firefox di Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.1 Mobile/15E148 Safari/604.1", "Safari di iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36 Edg/120.0.2210.91", "Edge di Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "Chrome di macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 "
     "Safari/537.36", "Chrome di Linux"),
    ("curl/8.5.0", "Peramban"),
    ("", "Peramban"),
])
def test_device_label(agent, label):
    assert sessions.device_label(agent) == label


def test_a_cookie_copied_before_logout_does_not_work_after_it(app, client, clock, make_user):
    user = make_user()
    login(client, user)
    copied = client.get_cookie("lms_session").value
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("lms_session", copied)
    response = replay.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    (row,) = rows(user)
    assert row.revoked_at == clock.now


def test_an_unknown_login_session_is_refused(client, clock, make_user):
    login(client, make_user())
    with client.session_transaction() as session:
        session["sid"] = "tidak-ada"
    assert client.get("/").status_code == 302


def test_profile_lists_the_devices_and_marks_this_one(app, client, clock, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user, WINDOWS_FIREFOX)
    clock.advance(minutes=5)
    login(client, user, ANDROID_CHROME)
    page = client.get("/account").get_data(as_text=True)
    assert "Perangkat yang sedang masuk" in page
    assert page.index("Chrome di Android") < page.index("Perangkat ini") < page.index("Firefox di Windows")
    assert page.count("Perangkat ini") == 1 and "Keluar dari semua perangkat" in page
    assert "127.0.0.1" not in page


def test_end_everywhere_logs_out_every_device(app, client, clock, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user, WINDOWS_FIREFOX)
    login(client, user)
    version = user.session_version
    assert client.get("/account/sessions/end-all").status_code == 405
    response = client.post("/account/sessions/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Anda telah keluar dari semua perangkat (2 sesi diakhiri)" in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302 and other.get("/").status_code == 302
    assert all(row.revoked_at == clock.now for row in rows(user))
    assert db.session.get(User, user.id).session_version == version + 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.sessions_end_all")).one()
    assert (event.actor_id, event.details) == (user.id, {"sessions": 2})
    login(client, user)  # and one can log in again
    assert client.get("/account").status_code == 200


def test_end_everywhere_needs_the_form_token(app, client, clock, make_user):
    login(client, make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/account/sessions/end-all").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert client.get("/").status_code == 200


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, clock, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user, WINDOWS_FIREFOX)
    login(client, user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "kopi-pagi-di-aula", "confirm": "kopi-pagi-di-aula"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200 and other.get("/").status_code == 302
    firefox, chrome = rows(user)
    assert firefox.revoked_at == clock.now and chrome.revoked_at is None
    page = client.get("/account").get_data(as_text=True)
    assert "Chrome di Android" in page and "Firefox di Windows" not in page


def test_last_seen_is_written_by_posts_at_most_once_a_minute_and_never_by_gets(client, clock, make_user):
    user = make_user()
    login(client, user)
    started = clock.now
    clock.advance(minutes=5)
    assert client.get("/account").status_code == 200
    assert rows(user)[0].last_seen_at == started
    client.post("/checkin", data={"code": "000000"})
    assert rows(user)[0].last_seen_at == clock.now
    seen = clock.now
    clock.advance(seconds=30)
    client.post("/checkin", data={"code": "000000"})
    assert rows(user)[0].last_seen_at == seen


def test_login_keeps_the_pending_check_in_and_drops_month_old_sessions(client, clock, make_user):
    user = make_user()
    login(client, user)
    client.post("/logout")
    clock.advance(days=31)
    with client.session_transaction() as session:
        session["pending_checkin"] = {"session": 1, "at": 0}
    login(client, user)
    with client.session_transaction() as session:
        assert session["pending_checkin"] == {"session": 1, "at": 0} and session["sid"]
    (row,) = rows(user)
    assert row.created_at == clock.now
