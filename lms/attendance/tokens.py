"""Rotating check-in tokens: HMAC of the session and the time step. Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

PERIOD_SECONDS = 20
# A token is accepted during its own step and this many steps after: scanning and a slow
# venue network take a few seconds, a photo of the screen shared later does not work.
MARGIN_STEPS = 1
CODE_MARGIN_STEPS = 3  # typing the short code takes longer


def step_at(now: datetime, period: int = PERIOD_SECONDS) -> int:
    return int(now.timestamp()) // period


def _mac(key: bytes, session_secret: str, session_id: int, step: int, purpose: str) -> bytes:
    message = f"{purpose}:{session_id}:{step}".encode()
    return hmac.new(key + session_secret.encode(), message, hashlib.sha256).digest()


def make_token(key: bytes, session_secret: str, session_id: int, step: int) -> str:
    """Return the QR token of a session for one time step: the step and an HMAC tag."""
    tag = base64.urlsafe_b64encode(_mac(key, session_secret, session_id, step, "qr")[:12]).decode().rstrip("=")
    return f"{step}.{tag}"


def verify_token(key: bytes, session_secret: str, session_id: int, token: str, now: datetime,
                 period: int = PERIOD_SECONDS, margin: int = MARGIN_STEPS) -> bool:
    """Tell whether token is this session's, for the current step or the last `margin` steps."""
    step_text, _, tag = token.partition(".")
    # ASCII only: other Unicode digits pass isdigit(), and compare_digest refuses non-ASCII text.
    if not token.isascii() or not step_text.isdigit() or not tag:
        return False
    step = int(step_text)
    current = step_at(now, period)
    if not current - margin <= step <= current:
        return False
    return hmac.compare_digest(make_token(key, session_secret, session_id, step), token)


def short_code(key: bytes, session_secret: str, session_id: int, step: int) -> str:
    """Return the 6-digit code printed under the QR for one step."""
    number = int.from_bytes(_mac(key, session_secret, session_id, step, "code")[:6], "big")
    return f"{number % 1_000_000:06d}"


def verify_code(key: bytes, session_secret: str, session_id: int, code: str, now: datetime,
                period: int = PERIOD_SECONDS, margin: int = CODE_MARGIN_STEPS) -> bool:
    """Tell whether a typed code matches this session at one of the recent steps."""
    digits = "".join(ch for ch in code if ch in "0123456789")
    if len(digits) != 6:
        return False
    current = step_at(now, period)
    return any(hmac.compare_digest(short_code(key, session_secret, session_id, step), digits)
               for step in range(current - margin, current + 1))
