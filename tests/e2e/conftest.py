"""A live server in a thread and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import waitress

from tests.conftest import PASSWORD

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]


def chromium_path() -> str | None:
    return os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if not path:
        pytest.skip("Chromium tidak terpasang (apt-get install chromium): uji peramban dilewati")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    # Waitress, the server `make run` uses. (Werkzeug's development server leaves a static file
    # open when the browser drops a connection mid-response: a ResourceWarning in a later test.)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def _watched_page(context: Any) -> Iterator[Any]:
    """Yield a page of context; fail the test if the Content-Security-Policy blocked anything on it."""
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert blocked == [], "CSP blocked: " + "; ".join(blocked)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _watched_page(browser.new_context(viewport={"width": 360, "height": 740},
                                                 device_scale_factor=2, locale="id-ID",
                                                 is_mobile=True, has_touch=True))


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    yield from _watched_page(browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID"))


def log_in(page: Any, login: str, password: str = PASSWORD) -> None:
    """Fill the login form the page shows (NIP or e-mail, password) and submit it."""
    page.get_by_label("NIP atau surel").fill(login)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


@pytest.fixture(autouse=True)
def venue_network(monkeypatch: pytest.MonkeyPatch) -> str:
    """The browser runs on this machine: the "venue" address phones open is the loopback itself."""
    monkeypatch.setattr("lms.network.venue_address", lambda: "127.0.0.1")
    monkeypatch.setattr("lms.network.interface_addresses", lambda: ["127.0.0.1"])
    return "127.0.0.1"
