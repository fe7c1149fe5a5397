"""Rate-limit keys without personal data, and start-up checks: counters shared, one key for servers sharing Redis."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import shlex
import sys
from collections.abc import Mapping, Sequence

from flask import Flask, current_app

KEY_HASH_LENGTH = 32
SHARED_STORAGE_WARNING = (
    "LMS_RATELIMIT_STORAGE_URI=memory:// with %d gunicorn workers: each worker counts on its own, "
    "so every rate limit is %d times looser. Set LMS_RATELIMIT_STORAGE_URI=redis://... "
    "(see README).")


def private_key(kind: str, value: str) -> str:
    """Return a rate-limit key naming value only by a keyed hash (no NIP or e-mail in storage)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:KEY_HASH_LENGTH]}"


def gunicorn_workers(argv: Sequence[str], environ: Mapping[str, str]) -> int | None:
    """Return the worker count when this process runs under gunicorn, else None."""
    if not any(os.path.basename(arg).startswith("gunicorn") for arg in argv[:2]) \
            and "gunicorn" not in environ.get("SERVER_SOFTWARE", ""):
        return None
    args = list(argv[1:]) + shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    workers = _option(args, "-w", "--workers")
    if workers is None:
        workers = environ.get("WEB_CONCURRENCY", "1")
    return int(workers) if workers.isdigit() else 1


def _option(args: list[str], short: str, long: str) -> str | None:
    found = None
    for index, arg in enumerate(args):
        if arg in {short, long} and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith(long + "="):
            found = arg.split("=", 1)[1]
        elif arg.startswith(short) and not arg.startswith("--") and len(arg) > len(short):
            found = arg[len(short):]
    return found


def warn_unshared_storage(app: Flask, argv: Sequence[str] = (),
                          environ: Mapping[str, str] | None = None,
                          logger: logging.Logger | None = None) -> bool:
    """Log a warning when several gunicorn workers would each keep their own memory:// counters."""
    workers = gunicorn_workers(argv or sys.argv, os.environ if environ is None else environ)
    memory = str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://")
    if not memory or not workers or workers < 2:
        return False
    (logger or app.logger).warning(SHARED_STORAGE_WARNING, workers, workers)
    return True


INSTANCE_SECRET_WARNING = (
    "No secret key is configured (LMS_SECRET_KEY), so this server uses its own instance/secret_key, "
    "while Redis is shared through %s: if other app servers share it, a server with a key of its own signs "
    "sessions and forms the others refuse (a login on one is not valid on the next) and names "
    "rate-limit counters apart. Set the same LMS_SECRET_KEY on every app server and the worker (see README).")


def warn_instance_secret(app: Flask, logger: logging.Logger | None = None) -> bool:
    """Log a warning when a key generated into this server's instance folder meets shared Redis storage."""
    shared = [name for name, key in (("LMS_RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URI"),
                                     ("LMS_JOBS_URL", "JOBS_URL"))
              if str(app.config.get(key) or "").startswith(("redis://", "rediss://", "unix://"))]
    if not shared:
        return False
    (logger or app.logger).warning(INSTANCE_SECRET_WARNING, " and ".join(shared))
    return True
