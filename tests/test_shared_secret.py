"""A server that generates its own secret key while sharing Redis with others is warned at start-up."""

from __future__ import annotations

import logging

import pytest

from lms import create_app
from lms.ratelimits import warn_instance_secret


def warnings_at_start(caplog: pytest.LogCaptureFixture, tmp_path, **settings) -> list[str]:
    with caplog.at_level(logging.WARNING, logger="lms"):
        create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, **settings})
    return [r.getMessage() for r in caplog.records if "secret" in r.getMessage()]


def test_a_generated_key_with_jobs_in_redis_is_warned(caplog, tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    (message,) = warnings_at_start(caplog, tmp_path, JOBS_URL="redis://127.0.0.1:6379/1")
    assert "Redis is shared through LMS_JOBS_URL" in message and "same LMS_SECRET_KEY on every app server" in message
    assert (tmp_path / "secret_key").exists()


def test_a_configured_key_or_no_redis_is_not_warned(caplog, tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    assert warnings_at_start(caplog, tmp_path / "a", JOBS_URL="redis://127.0.0.1:6379/1",
                             SECRET_KEY="the-same-on-every-server") == []
    assert warnings_at_start(caplog, tmp_path / "b") == []  # the laptop: one machine, its own key


def test_either_redis_setting_is_named(app):
    logger = logging.getLogger("lms.test.secret")
    app.config.update(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", JOBS_URL="redis://127.0.0.1:6379/1")
    try:
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        logger.addHandler(handler)
        assert warn_instance_secret(app, logger) is True
        assert "through LMS_RATELIMIT_STORAGE_URI and LMS_JOBS_URL:" in records[0].getMessage()
        app.config.update(RATELIMIT_STORAGE_URI="memory://", JOBS_URL="")
        assert warn_instance_secret(app, logger) is False
    finally:
        logger.removeHandler(handler)
        app.config.update(RATELIMIT_STORAGE_URI="memory://", JOBS_URL="")
