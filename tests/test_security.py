"""Security headers on every kind of response; no inline script, handler or style in any template."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lms.attendance.models import AttendanceSession
from lms.extensions import db
from lms.security import bar_width
from tests.conftest import create_training

TEMPLATES = Path(__file__).resolve().parent.parent / "lms" / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
EXPECTED = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}


def assert_security_headers(response, https: bool = False) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    if https:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    else:
        assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def admin_with_session(client, auth, make_user):
    admin = make_user(role="admin")
    training = create_training("bimtek-header")
    item = AttendanceSession(training_id=training.id, day=date(2026, 8, 17), label="Pagi",
                             starts_at=datetime(2026, 8, 17, 1, tzinfo=UTC),
                             ends_at=datetime(2026, 8, 17, 4, tzinfo=UTC),
                             secret=secrets.token_hex(16))
    db.session.add(item)
    db.session.commit()
    auth.login_as(admin)
    return training, item


@pytest.mark.parametrize("path, mime", [
    ("/login", "text/html"),
    ("/healthz", "application/json"),
    ("/verify/TIDAK-ADA.json", "application/json"),
    ("/tidak-ada", "text/html"),
    ("/static/lms.css", "text/css"),
    ("/static/print.js", "text/javascript"),
])
def test_headers_on_public_responses(client, path, mime):
    with client.get(path) as response:  # static files are streamed: close them
        assert response.mimetype == mime
        assert_security_headers(response)


def test_headers_on_pdf_and_csv(client, admin_with_session):
    training, item = admin_with_session
    pdf = client.get(f"/attendance/sessions/{item.id}/daftar-hadir.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert_security_headers(pdf)
    csv = client.get(f"/trainings/{training.slug}/attendance/report?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert_security_headers(csv)
    page = client.get(f"/trainings/{training.slug}/attendance/report")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert_security_headers(page)


def test_hsts_only_over_https(client):
    assert_security_headers(client.get("/login", base_url="https://lms.contoh.go.id"), https=True)
    with client.get("/static/lms.css", base_url="https://lms.contoh.go.id") as static:
        assert_security_headers(static, https=True)
    assert_security_headers(client.get("/login"), https=False)


# Anything the policy would block: an inline <script>, an on* handler, a javascript: URL, and
# (style-src has no 'unsafe-inline') a <style> block or a style attribute.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"<style", re.I), "<style> block"),
    (re.compile(r"<[^>]*\sstyle\s*=", re.I), "style attribute"),
]


def test_no_template_has_inline_script_handler_or_style():
    found = [f"{path.relative_to(TEMPLATES)}: {what}"
             for path in sorted(TEMPLATES.rglob("*.html")) for pattern, what in INLINE
             if pattern.search(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("sample, expected", [
    ("<script>alert(1)</script>", "inline <script>"),
    ('<button onclick="window.print()">', "inline event handler"),
    ('<a href="javascript:void(0)">', "javascript: URL"),
    ('<div class="x" style="width: 5%">', "style attribute"),
])
def test_the_inline_check_catches_each_kind(sample, expected):
    assert [what for pattern, what in INLINE if pattern.search(sample)] == [expected]


@pytest.mark.parametrize("value, css", [(0, "w-pct-0"), (37.4, "w-pct-37"), (99.6, "w-pct-100"),
                                        (250, "w-pct-100"), (-3, "w-pct-0"), (None, "w-pct-0")])
def test_bar_width_is_a_class_within_0_and_100(value, css):
    assert bar_width(value) == css


def test_every_bar_width_class_exists_in_the_stylesheet():
    css = (TEMPLATES.parent / "static" / "lms.css").read_text(encoding="utf-8")
    assert all(f".w-pct-{n} {{ width: {n}%; }}" in css for n in range(101))


def test_a_progress_page_renders_without_style_attributes(client, auth, make_user):
    auth.login_as(make_user())
    page = client.get("/").get_data(as_text=True)
    assert " style=" not in page and "<script>" not in page
