"""Login throttling that slows guessing but never locks the owner out (ASVS 6.3, NIST 800-63B 5.2.2).

Failures are counted per account (what was typed as NIP or e-mail) and per trusted device, in the
database, so every process and server shares them. After `free` consecutive failures each further
attempt waits 2, 4, 8 ... seconds, up to `max_delay`. A browser that logged in to the account
before carries a signed device cookie: it is spared the account's delay and only waits for its
own failures, so a stranger's wrong guesses never keep the owner out.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from lms.accounts.models import LoginThrottle, User
from lms.extensions import db
from lms.ratelimits import private_key

DEVICE_COOKIE = "lms_device_trust"
DEVICE_SALT = "lms-device-trust"
# A shared venue laptop remembers this many accounts.
DEVICE_USERS = 5


@dataclass(frozen=True)
class Policy:
    free: int = 5
    max_delay: timedelta = timedelta(minutes=15)
    # Failures older than this (since the last one) are forgotten.
    memory: timedelta = timedelta(hours=24)

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        """Return the policy the LOGIN_* settings describe."""
        return cls(free=int(config["LOGIN_FREE_FAILURES"]),
                   max_delay=timedelta(seconds=int(config["LOGIN_MAX_DELAY_SECONDS"])),
                   memory=timedelta(hours=int(config["LOGIN_FAILURE_MEMORY_HOURS"])))


@dataclass(frozen=True)
class TrustedDevice:
    device_id: str
    user_ids: tuple[int, ...]

    def trusts(self, user: User | None) -> bool:
        """Tell whether this browser logged in to user's account before."""
        return user is not None and user.id in self.user_ids


def delay_after(failures: int, policy: Policy) -> timedelta:
    """Return how long the next attempt waits after this many consecutive failures."""
    if failures < policy.free:
        return timedelta(0)
    exponent = min(failures - policy.free + 1, 30)
    return min(timedelta(seconds=2 ** exponent), policy.max_delay)


def account_key(identifier: str) -> str:
    """Return the counter key of an account however its NIP is spaced or its e-mail capitalised."""
    text = identifier.strip().lower()
    login = text if "@" in text else "".join(ch for ch in text if ch.isdigit())
    return private_key("login-account", login)


def login_keys(identifier: str, device: TrustedDevice | None, user: User | None) -> list[str]:
    """Return the counters an attempt is judged by: the trusted device's own, else the account's."""
    if device is not None and user is not None and device.trusts(user):
        return [private_key("login-device", f"{device.device_id}:{user.id}")]
    return [account_key(identifier)]


def wait_seconds(keys: list[str], now: datetime, policy: Policy) -> int:
    """Return how many seconds an attempt judged by keys must still wait (0: it may go ahead)."""
    rows = db.session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [(row.last_failure_at + delay_after(row.failures, policy) - now).total_seconds()
             for row in rows if now - row.last_failure_at < policy.memory]
    return max([math.ceil(w) for w in waits if w > 0], default=0)


def record_failure(keys: list[str], now: datetime, policy: Policy) -> None:
    """Count one failed attempt on each key (atomically, whichever process gets there first)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - policy.memory))
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for key in keys:
        statement = dialect.insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now}))


def clear(keys: list[str]) -> None:
    """Forget the failures on keys (after a successful login)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


def wait_message(seconds: int) -> str:
    """Return the Indonesian notice telling how long to wait before the next attempt."""
    minutes, rest = divmod(seconds, 60)
    parts = ([f"{minutes} menit"] if minutes else []) + ([f"{rest} detik"] if rest else [])
    return (f"Terlalu banyak percobaan masuk yang gagal untuk akun ini. Tunggu {' '.join(parts)}, "
            "lalu coba lagi. Perangkat yang pernah Anda pakai untuk masuk tidak perlu menunggu.")


# ---------------------------------------------------------------- the device cookie


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def read_device(cookie: str | None) -> TrustedDevice | None:
    """Return the device a valid, unexpired device cookie names, else None."""
    if not cookie:
        return None
    max_age = int(current_app.config["DEVICE_TRUST_DAYS"]) * 86400
    try:
        data = _serializer().loads(cookie, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) \
            or not isinstance(data.get("u"), list):
        return None
    return TrustedDevice(data["d"], tuple(u for u in data["u"] if isinstance(u, int)))


def device_cookie(device: TrustedDevice | None, user: User) -> str:
    """Return a signed cookie value trusting this browser for user (and the accounts it knew)."""
    device_id = device.device_id if device else secrets.token_urlsafe(16)
    known = [u for u in (device.user_ids if device else ()) if u != user.id]
    return _serializer().dumps({"d": device_id, "u": [user.id, *known][:DEVICE_USERS]})
