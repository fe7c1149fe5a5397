"""Security headers on every response, and the template helper that lets the CSP forbid inline styles."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

# No inline script or style anywhere: templates load lms/static/*.js and *.css only.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# One year; sent only over HTTPS, where it means something (a venue laptop serves plain HTTP).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def init_app(app: Flask) -> None:
    """Add the headers to every response and register the bar_width filter."""
    app.after_request(add_headers)
    app.jinja_env.filters["bar_width"] = bar_width


def add_headers(response: Response) -> Response:
    """Set each security header the view has not set itself."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def bar_width(percent: float | int | None) -> str:
    """Return the lms.css class giving a progress bar this width (0-100, in whole percent)."""
    return f"w-pct-{max(0, min(100, round(percent or 0)))}"
