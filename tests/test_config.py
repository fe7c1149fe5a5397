"""Configuration: defaults < instance/config.py < LMS_* variables."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from lms import create_app
from lms.config import ENVIRONMENT

README = Path(__file__).resolve().parent.parent / "README.md"

# A value for each variable, and what the app's config must then hold.
EXAMPLES = {
    "LMS_DATABASE_URL": ("sqlite:////tmp/lain.sqlite3", "SQLALCHEMY_DATABASE_URI", "sqlite:////tmp/lain.sqlite3"),
    "LMS_SECRET_KEY": ("rahasia-dari-env", "SECRET_KEY", "rahasia-dari-env"),
    "LMS_RATELIMIT_STORAGE_URI": ("memory://", "RATELIMIT_STORAGE_URI", "memory://"),
    "LMS_TRUSTED_PROXIES": ("2", "TRUSTED_PROXIES", 2),
    "LMS_SESSION_IDLE_MINUTES": ("30", "SESSION_IDLE_MINUTES", 30),
    "LMS_SESSION_ABSOLUTE_HOURS": ("8", "PERMANENT_SESSION_LIFETIME", timedelta(hours=8)),
    "LMS_SECURE_COOKIES": ("ya", "SESSION_COOKIE_SECURE", True),
    "LMS_MAX_UPLOAD_MB": ("3", "MAX_CONTENT_LENGTH", 3 * 1024 * 1024),
    "LMS_BUNDLE_MAX_MB": ("64", "BUNDLE_MAX_BYTES", 64 * 1024 * 1024),
    "LMS_PUBLIC_BASE_URL": ("https://lms.contoh.go.id/", "PUBLIC_BASE_URL", "https://lms.contoh.go.id"),
    "LMS_BADGE_SIGNING_KEY": ("-----BEGIN PRIVATE KEY-----", "BADGE_SIGNING_KEY", "-----BEGIN PRIVATE KEY-----"),
    "LMS_COURSES_DIR": ("/srv/modul", "COURSES_DIR", Path("/srv/modul")),
    "LMS_QUIZZES_DIR": ("/srv/kuis", "QUIZZES_DIR", Path("/srv/kuis")),
    "LMS_CERTIFICATES_DIR": ("/srv/sertifikat", "CERTIFICATES_DIR", Path("/srv/sertifikat")),
    "LMS_JOBS_URL": ("redis://127.0.0.1:6379/1", "JOBS_URL", "redis://127.0.0.1:6379/1"),
    "LMS_PERSONAL_DATA_RETENTION_DAYS": ("30", "PERSONAL_DATA_RETENTION_DAYS", 30),
    "LMS_BACKUP_EVERY_HOURS": ("6", "BACKUP_EVERY_HOURS", 6),
    "LMS_BACKUP_KEEP": ("14", "BACKUP_KEEP", 14),
    "LMS_SIGNING_PKCS12": ("/srv/kunci/tte.p12", "SIGNING_PKCS12", "/srv/kunci/tte.p12"),
    "LMS_SIGNING_PASSPHRASE": ("sandi", "SIGNING_PASSPHRASE", "sandi"),
    "LMS_SIGNING_PASSPHRASE_FILE": ("/srv/kunci/sandi", "SIGNING_PASSPHRASE_FILE", "/srv/kunci/sandi"),
    "LMS_SIGNING_TIMESTAMP_URL": ("http://tsa.contoh.go.id", "SIGNING_TIMESTAMP_URL", "http://tsa.contoh.go.id"),
    "LMS_SIGNING_LOCATION": ("Kota Contoh", "SIGNING_LOCATION", "Kota Contoh"),
    "LMS_SIGNING_QUEUE": ("ya", "SIGNING_QUEUE", True),
    "LMS_SIGNING_TRUST_ROOTS": ("/a.pem:/b.pem", "SIGNING_TRUST_ROOTS", ("/a.pem", "/b.pem")),
    "LMS_BSRE_URL": ("https://esign.contoh.go.id/", "BSRE_URL", "https://esign.contoh.go.id"),
    "LMS_BSRE_CLIENT_ID": ("klien-lms", "BSRE_CLIENT_ID", "klien-lms"),
    "LMS_BSRE_CLIENT_SECRET": ("rahasia-klien", "BSRE_CLIENT_SECRET", "rahasia-klien"),
    "LMS_BSRE_SEAL_SUBSCRIBER_ID": ("SEGEL-01", "BSRE_SEAL_SUBSCRIBER_ID", "SEGEL-01"),
    "LMS_BSRE_TIMEOUT_SECONDS": ("45", "BSRE_TIMEOUT_SECONDS", 45.0),
    "LMS_BSRE_FILES_PER_REQUEST": ("5", "BSRE_FILES_PER_REQUEST", 5),
    "LMS_BSRE_LOCATION": ("Surabaya", "BSRE_LOCATION", "Surabaya"),
}


# Variables the test suite reads, not the app.
TEST_VARIABLES = {"LMS_TEST_DATABASE_URL", "LMS_TEST_REDIS_URL"}


def readme_variables():
    return sorted(set(re.findall(r"`(LMS_[A-Z0-9_]+)`", README.read_text(encoding="utf-8"))) - TEST_VARIABLES)


def test_every_documented_variable_is_mapped_and_tested():
    assert readme_variables() == sorted(ENVIRONMENT)
    assert sorted(EXAMPLES) == sorted(ENVIRONMENT)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_environment_variable_takes_effect(name, monkeypatch, tmp_path):
    raw, key, expected = EXAMPLES[name]
    monkeypatch.setenv(name, raw)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert app.config[key] == expected


def test_trusted_proxies_resolve_the_client_address(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", "1")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})

    @app.get("/_ip")
    def _ip():
        from flask import request
        return request.remote_addr or ""

    client = app.test_client()
    assert client.get("/_ip", headers={"X-Forwarded-For": "10.1.2.3"}).get_data(as_text=True) == "10.1.2.3"


def test_untrusted_forwarded_header_is_ignored(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})

    @app.get("/_ip")
    def _ip():
        from flask import request
        return request.remote_addr or ""

    assert app.test_client().get("/_ip", headers={"X-Forwarded-For": "10.1.2.3"}).get_data(as_text=True) == "127.0.0.1"


def test_bad_variable_value_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", "dua")
    with pytest.raises(ValueError, match="LMS_TRUSTED_PROXIES"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.mark.parametrize("raw", ["0", "-5", "sembilan puluh"])
def test_retention_days_must_be_a_positive_number(raw, monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_PERSONAL_DATA_RETENTION_DAYS", raw)
    with pytest.raises(ValueError, match="LMS_PERSONAL_DATA_RETENTION_DAYS"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_instance_config_file_overrides_defaults_and_env_overrides_it(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("SESSION_IDLE_MINUTES = 45\nPUBLIC_BASE_URL = 'https://a.go.id'\n")
    monkeypatch.setenv("LMS_PUBLIC_BASE_URL", "https://b.go.id")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_IDLE_MINUTES"] == 45
    assert app.config["PUBLIC_BASE_URL"] == "https://b.go.id"


def test_secret_key_is_generated_once_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_default_database_is_sqlite_in_instance_with_pragmas(monkeypatch, tmp_path):
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    from sqlalchemy import text

    from lms.extensions import db
    with app.app_context():
        assert db.engine.url.database == str(tmp_path / "lms.sqlite3")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_postgres_url_gets_pre_ping(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/test"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
