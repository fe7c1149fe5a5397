"""Disk space: a clear start-up error for an unwritable instance folder, and a 503 when it is full."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from lms.accounts.models import Role
from lms.extensions import db
from lms.routing import wants_json

logger = logging.getLogger(__name__)

_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_SQLITE_FULL = "database or disk is full"
_PG_DISK_FULL = "53100"  # SQLSTATE disk_full
ADMIN_TEXT = ("Penyimpanan server penuh: data baru tidak dapat disimpan. Kosongkan ruang disk di "
              "server (folder instance atau penyimpanan basis data), lalu coba lagi.")
OTHERS_TEXT = ("Layanan sedang tidak dapat menyimpan data. Data Anda yang sudah tersimpan tetap "
               "aman; silakan coba beberapa saat lagi.")


def ensure_writable(folder: Path) -> None:
    """Create folder if needed and prove a file can be written there, else exit with one line."""
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise SystemExit(f"LMS: folder instance {folder} tidak dapat ditulisi: "
                         f"{exc.strerror or exc}") from None


def free_megabytes(folder: str) -> int:
    """Return the free space, in MB, of the file system holding folder."""
    return shutil.disk_usage(folder).free // (1024 * 1024)


def disk_low(app: Flask) -> bool:
    """Tell whether the instance folder has less free space than MIN_FREE_DISK_MB."""
    return free_megabytes(app.instance_path) < int(app.config["MIN_FREE_DISK_MB"])


def is_disk_full(error: BaseException) -> bool:
    """Tell whether an exception means the database or the file system ran out of space."""
    if isinstance(error, OperationalError):
        orig = error.orig
        return (_SQLITE_FULL in str(orig)) or getattr(orig, "sqlstate", None) == _PG_DISK_FULL
    return isinstance(error, OSError) and error.errno in _FULL_ERRNOS


def init_app(app: Flask) -> None:
    """Answer a full disk with a 503 that names the cause to admins."""
    app.register_error_handler(OperationalError, _storage_error)
    app.register_error_handler(OSError, _storage_error)


def _storage_error(error: Exception) -> Any:
    if not is_disk_full(error):
        raise error
    return disk_full_response()


def disk_full_response() -> Any:
    """Roll back, log, and answer 503: the cause for an admin, a generic message for others."""

    db.session.rollback()
    logger.error("storage full: a write was refused (free in instance folder: %s MB)",
                 _free_or_unknown())
    text = ADMIN_TEXT if _is_admin() else OTHERS_TEXT
    title = "Penyimpanan server penuh" if text is ADMIN_TEXT else "Layanan tidak tersedia"
    if wants_json():
        return jsonify(error="storage_full", message=text), 503
    return render_template("error.html", code=503, title=title, text=text), 503


def _is_admin() -> bool:


    try:
        return bool(current_user.is_authenticated and current_user.has_role(Role.ADMIN))
    except Exception:  # loading the user needs the database that just failed
        return False


def _free_or_unknown() -> Any:
    try:
        return free_megabytes(current_app.instance_path)
    except OSError:
        return "?"
