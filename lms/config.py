"""Defaults for every setting; instance/config.py and LMS_* environment variables override them."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

# Defaults. Relative SQLite paths are resolved against the instance folder.
DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_DATABASE_URI": "sqlite:///lms.sqlite3",
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SECRET_KEY": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    # Login throttling (lms.accounts.throttle): growing waits per account after this many failures.
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    "LOGIN_FAILURE_MEMORY_HOURS": 24,
    "DEVICE_TRUST_DAYS": 365,
    "RATELIMIT_LOGIN_ADDRESS": "300 per 15 minutes",
    "TRUSTED_PROXIES": 0,
    # Set by lms.serve: Waitress applies the X-Forwarded-* headers, so the app's ProxyFix is off.
    "PROXY_HEADERS_BY_SERVER": False,
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_ABSOLUTE_HOURS": 12,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "lms_session",
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "MAX_IMAGE_BYTES": 2 * 1024 * 1024,
    # A training bundle (lms/bundles): 300 participants with a photo per assignment fit well within it.
    "BUNDLE_MAX_BYTES": 512 * 1024 * 1024,
    "MAX_IMPORT_ROWS": 5000,
    "PASSWORD_HASH_METHOD": "scrypt",
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    # The Open Badges Ed25519 private key (PEM); empty: instance/badge_ed25519.pem, made on first use.
    "BADGE_SIGNING_KEY": "",
    "COURSES_DIR": None,
    "QUIZZES_DIR": None,
    "CERTIFICATES_DIR": None,
    "BOOTSTRAP_SERVE_LOCAL": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "PAGE_SIZE": 50,
    "JOBS_URL": "",
    "JOBS_IMMEDIATE": False,
    # Bulk work smaller than this runs in the request; larger goes to the job worker.
    "INLINE_ISSUE_LIMIT": 40,
    # Check-in IP, user agent and device id, and unconfirmed import previews, are purged after this.
    "PERSONAL_DATA_RETENTION_DAYS": 90,
    # /healthz reports 503 when the instance folder's file system has less free space than this.
    "MIN_FREE_DISK_MB": 100,
    # The job worker's scheduled backup (lms.backup) into instance/backups/: every N hours (0 = off),
    # keeping the newest BACKUP_KEEP copies.
    "BACKUP_EVERY_HOURS": 0,
    "BACKUP_KEEP": 7,
    # Electronic signatures (lms.certificates.signing): a PKCS#12 file and its passphrase, never in the
    # database. With SIGNING_QUEUE new certificates wait as "Menunggu TTE" instead of being signed at
    # issue (BSrE, or a laptop without the key); SIGNING_TIMESTAMP_URL makes signatures PAdES B-T.
    "SIGNING_PKCS12": "",
    "SIGNING_PASSPHRASE": "",
    "SIGNING_PASSPHRASE_FILE": "",
    "SIGNING_TIMESTAMP_URL": "",
    "SIGNING_LOCATION": "",
    "SIGNING_QUEUE": False,
    # Trusted roots (PEM files) for checking signatures; the local key's own chain is always trusted.
    "SIGNING_TRUST_ROOTS": (),
    # BSrE Esign API (lms.certificates.signing.bsre): off while BSRE_URL is empty. The client
    # secret belongs in instance/config.py or the environment, never in the database.
    "BSRE_URL": "",
    "BSRE_CLIENT_ID": "",
    "BSRE_CLIENT_SECRET": "",
    "BSRE_SEAL_SUBSCRIBER_ID": "",
    "BSRE_TIMEOUT_SECONDS": 60,
    "BSRE_VERIFY_TIMEOUT_SECONDS": 120,
    "BSRE_FILES_PER_REQUEST": 10,
    "BSRE_LOCATION": "",
    "BSRE_REASON": "Sertifikat pelatihan",
}


def _bool(value: str) -> bool:
    if value.strip().lower() in {"1", "true", "yes", "on", "ya"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off", "tidak", ""}:
        return False
    raise ValueError(f"bukan nilai ya/tidak: {value!r}")


def _str(value: str) -> str:
    return value


def _backup_hours(value: str) -> int:
    hours = int(value)
    if not 0 <= hours <= 24:
        raise ValueError(f"harus 0 (mati) sampai 24 jam: {value!r}")
    return hours


def _at_least_one(value: str) -> int:
    count = int(value)
    if count < 1:
        raise ValueError(f"harus paling sedikit 1: {value!r}")
    return count


def _days(value: str) -> int:
    days = int(value)
    if days < 1:
        raise ValueError(f"harus paling sedikit 1 hari: {value!r}")
    return days


def _positive_seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds <= 600:
        raise ValueError(f"harus lebih dari 0 sampai 600 detik: {value!r}")
    return seconds


# LMS_<NAME> environment variable -> (Flask config key, converter). Documented in README.md.
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "LMS_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", _str),
    "LMS_SECRET_KEY": ("SECRET_KEY", _str),
    "LMS_RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", _str),
    "LMS_TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "LMS_SESSION_IDLE_MINUTES": ("SESSION_IDLE_MINUTES", int),
    "LMS_SESSION_ABSOLUTE_HOURS": ("SESSION_ABSOLUTE_HOURS", int),
    "LMS_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", _bool),
    "LMS_MAX_UPLOAD_MB": ("MAX_CONTENT_LENGTH", lambda v: int(v) * 1024 * 1024),
    "LMS_BUNDLE_MAX_MB": ("BUNDLE_MAX_BYTES", lambda v: int(v) * 1024 * 1024),
    "LMS_PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", lambda v: v.rstrip("/")),
    "LMS_BADGE_SIGNING_KEY": ("BADGE_SIGNING_KEY", _str),
    "LMS_COURSES_DIR": ("COURSES_DIR", _str),
    "LMS_QUIZZES_DIR": ("QUIZZES_DIR", _str),
    "LMS_CERTIFICATES_DIR": ("CERTIFICATES_DIR", _str),
    "LMS_JOBS_URL": ("JOBS_URL", _str),
    "LMS_PERSONAL_DATA_RETENTION_DAYS": ("PERSONAL_DATA_RETENTION_DAYS", _days),
    "LMS_BACKUP_EVERY_HOURS": ("BACKUP_EVERY_HOURS", _backup_hours),
    "LMS_BACKUP_KEEP": ("BACKUP_KEEP", _at_least_one),
    "LMS_SIGNING_PKCS12": ("SIGNING_PKCS12", _str),
    "LMS_SIGNING_PASSPHRASE": ("SIGNING_PASSPHRASE", _str),
    "LMS_SIGNING_PASSPHRASE_FILE": ("SIGNING_PASSPHRASE_FILE", _str),
    "LMS_SIGNING_TIMESTAMP_URL": ("SIGNING_TIMESTAMP_URL", _str),
    "LMS_SIGNING_LOCATION": ("SIGNING_LOCATION", _str),
    "LMS_SIGNING_QUEUE": ("SIGNING_QUEUE", _bool),
    "LMS_SIGNING_TRUST_ROOTS": ("SIGNING_TRUST_ROOTS", lambda v: tuple(p for p in v.split(os.pathsep) if p)),
    "LMS_BSRE_URL": ("BSRE_URL", lambda v: v.strip().rstrip("/")),
    "LMS_BSRE_CLIENT_ID": ("BSRE_CLIENT_ID", _str),
    "LMS_BSRE_CLIENT_SECRET": ("BSRE_CLIENT_SECRET", _str),
    "LMS_BSRE_SEAL_SUBSCRIBER_ID": ("BSRE_SEAL_SUBSCRIBER_ID", _str),
    "LMS_BSRE_TIMEOUT_SECONDS": ("BSRE_TIMEOUT_SECONDS", _positive_seconds),
    "LMS_BSRE_FILES_PER_REQUEST": ("BSRE_FILES_PER_REQUEST", _at_least_one),
    "LMS_BSRE_LOCATION": ("BSRE_LOCATION", _str),
}


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Return the settings given by LMS_* variables, converted, or raise ValueError naming one."""
    settings: dict[str, Any] = {}
    for name, (key, convert) in ENVIRONMENT.items():
        raw = environ.get(name)
        if raw is None:
            continue
        try:
            settings[key] = convert(raw)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
    return settings


def session_lifetime(config: dict[str, Any]) -> timedelta:
    """Return the absolute session lifetime configured."""
    return timedelta(hours=int(config["SESSION_ABSOLUTE_HOURS"]))
