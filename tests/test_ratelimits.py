"""Rate-limit keys carry no personal data; memory:// under several gunicorn workers is flagged."""

from __future__ import annotations

import logging

import pytest

from lms.ratelimits import gunicorn_workers, private_key, warn_unshared_storage


@pytest.mark.parametrize(("argv", "environ", "workers"), [
    (["/srv/lms/venv/bin/gunicorn", "--workers", "4", "lms:create_app()"], {}, 4),
    (["gunicorn", "-w", "3", "lms:create_app()"], {}, 3),
    (["gunicorn", "-w2", "lms:create_app()"], {}, 2),
    (["gunicorn", "--workers=5", "lms:create_app()"], {}, 5),
    (["gunicorn", "lms:create_app()"], {"GUNICORN_CMD_ARGS": "--bind 0:8000 --workers 6"}, 6),
    (["gunicorn", "lms:create_app()"], {"WEB_CONCURRENCY": "8"}, 8),
    (["gunicorn", "lms:create_app()"], {}, 1),
    (["/usr/bin/python3", "-m", "gunicorn", "-w", "2"], {}, None),
    (["flask", "--app", "lms", "run"], {}, None),
    (["waitress-serve", "--threads", "16", "lms:create_app"], {}, None),
])
def test_gunicorn_worker_count(argv, environ, workers):
    assert gunicorn_workers(argv, environ) == workers


def test_memory_storage_under_several_workers_logs_a_warning(app, caplog):
    logger = logging.getLogger("lms.test.ratelimits")
    argv = ["gunicorn", "--workers", "4", "lms:create_app()"]
    with caplog.at_level(logging.WARNING, logger=logger.name):
        assert warn_unshared_storage(app, argv, {}, logger) is True
        assert warn_unshared_storage(app, ["gunicorn", "-w", "1"], {}, logger) is False
        assert warn_unshared_storage(app, ["waitress-serve", "lms:create_app"], {}, logger) is False
    (record,) = caplog.records
    assert "memory:// with 4 gunicorn workers" in record.getMessage() and "redis://" in record.getMessage()
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    try:
        assert warn_unshared_storage(app, argv, {}, logger) is False
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"


def test_private_key_is_a_keyed_hash(app):
    with app.test_request_context():
        key = private_key("login-account", "198503142010011001")
        assert key.startswith("login-account:") and "198503142010011001" not in key
        assert key == private_key("login-account", "198503142010011001")
        assert key != private_key("checkin", "198503142010011001")
        app.config["SECRET_KEY"], secret = "lain", app.config["SECRET_KEY"]
        try:
            assert key != private_key("login-account", "198503142010011001")
        finally:
            app.config["SECRET_KEY"] = secret
