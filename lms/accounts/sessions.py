"""Server-side login sessions: one row per login, so logout ends a session for good."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from lms.accounts.models import LoginSession, User
from lms.audit import services as audit
from lms.db_types import affected_rows
from lms.extensions import db

# last_seen_at is written at most this often per session, and only by writing requests.
SEEN_RESOLUTION = timedelta(minutes=1)
# A revoked or long-expired row is kept this long, then dropped at the owner's next login.
KEPT_AFTER_END = timedelta(days=30)

_BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("SamsungBrowser", "Samsung Internet"),
             ("Firefox", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome", "Chrome"),
             ("HeadlessChrome", "Chrome"),
             ("Safari", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_label(user_agent: str) -> str:
    """Return a short label such as "Chrome di Android" from a User-Agent header."""
    browser = next((name for mark, name in _BROWSERS if re.search(rf"\b{mark}/", user_agent)),
                   "Peramban")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return f"{browser} di {system}" if system else browser


def start(user: User, user_agent: str, now: datetime) -> str:
    """Record a new login of user and return its secret id (for the session cookie only)."""
    token = secrets.token_urlsafe(32)
    cutoff = now - KEPT_AFTER_END
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.revoked_at < cutoff, LoginSession.created_at < cutoff)))
    db.session.add(LoginSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                                last_seen_at=now, device=device_label(user_agent)[:80]))
    db.session.flush()
    return token


def find_active(token: str | None) -> LoginSession | None:
    """Return the unrevoked login session with this secret id, its user loaded (one query)."""
    if not token or not isinstance(token, str):
        return None
    found = db.session.scalars(select(LoginSession).options(joinedload(LoginSession.user))
                               .where(LoginSession.token_hash == _digest(token))).first()
    return found if found is not None and found.revoked_at is None else None


def touch(login: LoginSession, now: datetime) -> bool:
    """Note that login was used at now, unless it was within the last minute; return whether written."""
    if now - login.last_seen_at < SEEN_RESOLUTION:
        return False
    login.last_seen_at = now
    return True


def revoke(login: LoginSession, now: datetime) -> None:
    """End one login session (logout)."""
    if login.revoked_at is None:
        login.revoked_at = now


def revoke_all(user: User, now: datetime, keep: LoginSession | None = None) -> int:
    """End every login session of user but keep; return how many ended."""
    query = update(LoginSession).where(LoginSession.user_id == user.id,
                                       LoginSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    result = db.session.execute(query.values(revoked_at=now)
                                .execution_options(synchronize_session=False))
    return affected_rows(result)


def end_everywhere(user: User, now: datetime) -> int:
    """Log user out of every device, this one included, and audit it; return how many ended."""
    ended = revoke_all(user, now)
    user.session_version += 1
    audit.record(user, "user.sessions_end_all", "user", user.id, {"sessions": ended})
    return ended


def active(user: User, now: datetime, lifetime: timedelta, current: LoginSession | None = None
           ) -> list[LoginSession]:
    """Return user's unrevoked sessions started within lifetime (and current), newest first."""
    alive = LoginSession.created_at >= now - lifetime
    if current is not None:
        alive = or_(alive, LoginSession.id == current.id)
    return list(db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None), alive)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc()).limit(50)))
