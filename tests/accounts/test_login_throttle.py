"""Login throttling: growing waits per account, and a trusted device the waits never keep out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms import create_app
from lms.accounts import throttle
from lms.accounts.models import LoginThrottle
from lms.extensions import db
from tests.conftest import PASSWORD, Clock, IsolatedClient, settings_for

EMAIL = "admin@contoh.go.id"
WRONG = "salah-sandi"



@pytest.fixture
def clock(monkeypatch):
    now = Clock(datetime(2026, 8, 17, 1, 0, tzinfo=UTC))
    monkeypatch.setattr("lms.accounts.views.utcnow", now)
    return now


def login(client, password: str, identifier: str = EMAIL):
    return client.post("/login", data={"identifier": identifier, "password": password})


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("failures", "seconds"), [
    (0, 0), (4, 0), (5, 2), (6, 4), (9, 32), (13, 512), (14, 900), (40, 900), (10_000, 900)])
def test_delay_doubles_after_five_failures_up_to_fifteen_minutes(failures, seconds):
    assert throttle.delay_after(failures, throttle.Policy()) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("seconds", "shown"), [
    (2, "Tunggu 2 detik,"), (60, "Tunggu 1 menit,"), (64, "Tunggu 1 menit 4 detik,"), (900, "Tunggu 15 menit,")])
def test_wait_message_says_how_long(seconds, shown):
    assert shown in throttle.wait_message(seconds)


def test_a_correct_password_after_ten_wrong_ones_from_another_client_logs_in(app, client, clock, make_user):
    make_user(role="admin", email=EMAIL)
    assert login(client, PASSWORD).status_code == 302  # the admin's own browser, trusted from now on
    client.post("/logout")
    attacker = app.test_client()
    for _ in range(10):
        login(attacker, WRONG)
        clock.advance(minutes=1)
    refused = login(attacker, PASSWORD)  # even the right password waits, from a stranger's client
    assert refused.status_code == 429 and "Tunggu" in text(refused)
    assert login(client, PASSWORD).status_code == 302
    assert "Selamat datang" in text(client.get("/"))


def test_a_client_without_the_device_cookie_is_told_how_long_to_wait(client, clock, make_user):
    make_user(email=EMAIL)
    for _ in range(5):
        response = login(client, WRONG)
        assert response.status_code == 200 and "kata sandi salah" in text(response)
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal untuk akun ini. Tunggu 2 detik" in text(response)
    clock.advance(seconds=2)
    assert login(client, PASSWORD).status_code == 302


def test_the_wait_grows_with_every_failure(client, clock, make_user):
    make_user(email=EMAIL)
    for _ in range(5):
        login(client, WRONG)
    waits = []
    for _ in range(4):
        refused = text(login(client, WRONG))
        waits.append(refused[refused.index("Tunggu"):].split(",")[0])
        clock.advance(minutes=20)  # past any wait: the next attempt is judged, and fails
        assert login(client, WRONG).status_code == 200
    assert waits == ["Tunggu 2 detik", "Tunggu 4 detik", "Tunggu 8 detik", "Tunggu 16 detik"]


def test_waiting_attempts_are_not_judged_and_not_counted(client, clock, make_user):
    make_user(email=EMAIL)
    for _ in range(5):
        login(client, WRONG)
    for _ in range(20):
        assert login(client, WRONG).status_code == 429
    (row,) = db.session.scalars(select(LoginThrottle))
    assert row.failures == 5


def test_success_resets_the_count_and_failures_are_forgotten_after_a_day(client, clock, make_user):
    make_user(email=EMAIL)
    for _ in range(4):
        login(client, WRONG)
    assert login(client, PASSWORD).status_code == 302
    assert db.session.scalars(select(LoginThrottle)).all() == []
    client.post("/logout")
    stranger = client.application.test_client()
    for _ in range(7):
        login(stranger, WRONG)
    clock.advance(hours=24, seconds=1)
    assert login(stranger, PASSWORD).status_code == 302


def test_the_trusted_device_still_counts_its_own_failures(client, clock, make_user):
    make_user(email=EMAIL)
    assert login(client, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(5):
        assert login(client, WRONG).status_code == 200
    assert "Tunggu 2 detik" in text(login(client, PASSWORD))
    clock.advance(seconds=2)
    assert login(client, PASSWORD).status_code == 302


def test_device_cookie_is_signed_bound_to_the_account_and_flagged(app, client, clock, make_user):
    make_user(email=EMAIL)
    other = make_user(email="sari@contoh.go.id")
    response = login(client, PASSWORD)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("lms_device_trust="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    client.post("/logout")
    # The cookie trusts this browser for the admin only: another account still waits here.
    for _ in range(5):
        login(client, WRONG, identifier=other.email)
    assert login(client, PASSWORD, identifier=other.email).status_code == 429
    # A forged or tampered cookie is no cookie.
    forger = app.test_client()
    forger.set_cookie(throttle.DEVICE_COOKIE, client.get_cookie(throttle.DEVICE_COOKIE).value[:-2] + "xx")
    for _ in range(5):
        login(forger, WRONG)
    assert login(forger, PASSWORD).status_code == 429


def test_account_counter_ignores_how_the_nip_is_spaced(client, clock, make_user):
    make_user(nip="198503142010011001", email="")
    for n in range(5):
        spaced = "19850314 201001 1 001" if n % 2 else "198503142010011001"
        assert login(client, WRONG, identifier=spaced).status_code == 200
    assert login(client, PASSWORD, identifier="19850314.201001.1.001").status_code == 429


def test_one_account_waiting_does_not_stop_others_from_the_same_address(client, clock, make_user):
    make_user(email=EMAIL)
    other = make_user(email="sari@contoh.go.id")
    for _ in range(12):
        login(client, WRONG)
    assert login(client, PASSWORD).status_code == 429
    assert login(client, PASSWORD, identifier=other.email).status_code == 302


def test_counter_keys_hold_no_nip_or_email(client, clock, make_user):
    make_user(nip="198503142010011001", email=EMAIL)
    login(client, WRONG, identifier="198503142010011001")
    login(client, WRONG, identifier=EMAIL)
    keys = db.session.scalars(select(LoginThrottle.key)).all()
    assert len(keys) == 2 and all(k.startswith("login-account:") and len(k) == 46 for k in keys)
    assert not any("19850314" in k or "contoh" in k for k in keys)


def test_the_count_is_shared_by_two_app_instances(app, tmp_path, clock, make_user):
    """Two processes (here two app instances) behind one load balancer share one database."""
    make_user(email=EMAIL)
    second = create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]))
    second.test_client_class = IsolatedClient
    one, two = app.test_client(), second.test_client()
    try:
        for n in range(5):
            assert login(one if n % 2 else two, WRONG).status_code == 200
        assert login(one, PASSWORD).status_code == 429
        assert login(two, PASSWORD).status_code == 429
    finally:
        with second.app_context():
            db.engine.dispose()
