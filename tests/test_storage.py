"""A full disk is a 503 naming the cause to admins and in /healthz; an unwritable instance
folder stops start-up with one line. Errors are injected: no disk is filled."""

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from lms import create_app, storage
from lms.extensions import db
from tests.conftest import settings_for

Usage = namedtuple("Usage", "total used free")
MB = 1024 * 1024


def sqlite_full():
    return OperationalError("INSERT INTO agencies ...", {}, sqlite3.OperationalError("database or disk is full"))


def postgres_full():
    return OperationalError("INSERT INTO agencies ...", {},
                            psycopg.errors.DiskFull("could not extend file: No space left on device"))


def no_space():
    return OSError(errno.ENOSPC, "No space left on device")


def raiser(make_error):
    def fail(*args, **kwargs):
        raise make_error()
    return fail


@pytest.mark.parametrize("make_error", [sqlite_full, postgres_full, no_space])
def test_admin_is_told_the_storage_is_full(client, auth, make_user, monkeypatch, make_error):
    auth.login_as(make_user(role="admin"))
    monkeypatch.setattr("lms.accounts.services.create_agency", raiser(make_error))
    response = client.post("/admin/agencies", data={"name": "Dinas Baru"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Penyimpanan server penuh" in page and "Kosongkan ruang disk" in page
    response = client.post("/admin/agencies", data={"name": "Dinas Baru"}, headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.get_json()["error"] == "storage_full"


def test_others_get_a_generic_503(client, auth, make_user, monkeypatch):
    auth.login_as(make_user())
    monkeypatch.setattr("lms.core.current_institution", raiser(sqlite_full))
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Layanan tidak tersedia" in page and "Penyimpanan server penuh" not in page


def test_other_database_errors_stay_server_errors(client, auth, make_user, monkeypatch):
    auth.login_as(make_user(role="admin"))
    other = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: agencies"))
    monkeypatch.setattr("lms.accounts.services.create_agency", raiser(lambda: other))
    with pytest.raises(OperationalError):  # TESTING propagates what would be a 500
        client.post("/admin/agencies", data={"name": "Dinas Baru"})


@pytest.mark.parametrize("error, full", [
    (sqlite_full(), True), (postgres_full(), True), (no_space(), True),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), True), (OSError(errno.EACCES, "denied"), False),
    (OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked")), False),
    (ValueError("x"), False),
])
def test_is_disk_full(error, full):
    assert storage.is_disk_full(error) is full


def test_healthz_reports_low_disk(client, monkeypatch):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "disk": "ok"}
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(100 * MB, 95 * MB, 5 * MB))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "disk": "full", "free_mb": 5}


def test_healthz_reports_a_full_database(client, monkeypatch):
    monkeypatch.setattr(db.session, "execute", raiser(sqlite_full))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "error", "database": "disk_full"}


def test_instance_folder_that_cannot_be_created_stops_start_up_with_one_line(tmp_path):
    (tmp_path / "berkas").write_text("")
    instance = tmp_path / "berkas" / "instance"
    with pytest.raises(SystemExit) as caught:
        create_app(settings_for(instance))
    assert str(caught.value) == f"LMS: folder instance {instance} tidak dapat ditulisi: Not a directory"


def test_read_only_instance_folder_stops_start_up_with_one_line(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(storage.tempfile, "TemporaryFile", read_only)
    with pytest.raises(SystemExit) as caught:
        create_app(settings_for(tmp_path))
    assert str(caught.value) == f"LMS: folder instance {tmp_path} tidak dapat ditulisi: Read-only file system"


def test_flask_command_prints_the_line_without_a_traceback(tmp_path):
    (tmp_path / "berkas").write_text("")
    instance = tmp_path / "berkas" / "instance"
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", f"lms:create_app({{'INSTANCE_PATH': '{instance}'}})", "routes"],
        cwd=root, capture_output=True, text=True, timeout=60,
        env={**os.environ, "LMS_SECRET_KEY": "x", "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"LMS: folder instance {instance} tidak dapat ditulisi: Not a directory" in result.stdout + result.stderr
