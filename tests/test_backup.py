"""Backup and restore of the whole database (issue 14, item 5): `flask --app lms backup` / `restore`."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from lms import backup, create_app
from lms.audit.models import AuditEvent
from lms.config import from_environment
from lms.db_types import writing
from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL, settings_for

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
OLDER_REVISION = "e1a2b3c4d501"  # a revision before the head the code knows


def sqlite_app(folder: Path, **extra: Any) -> Flask:
    """An app on a SQLite file of its own, its schema built and stamped at the code's head."""
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(settings_for(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'lms.sqlite3'}", **extra))
    with app.app_context():
        db.create_all()
        flask_migrate.stamp(revision="head")
        db.engine.dispose()
    return app


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Flask]:
    app = sqlite_app(tmp_path / "sumber")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def add_events(count: int, tag: str = "seed") -> None:
    with writing():
        db.session.add_all(AuditEvent(action="test.seed", object_type=tag, object_id=str(n), details={"x": "y" * 200})
                           for n in range(count))
        db.session.commit()


def rows_of(path: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


def test_a_backup_taken_while_20_threads_write_is_whole_and_restores(source: Flask, tmp_path: Path) -> None:
    add_events(1500)  # some hundred pages: the copy takes many steps
    database = backup.sqlite_path(db.engine.url)
    acknowledged: list[str] = []  # appended only after the commit returned
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with source.app_context():
                for n in range(400):
                    if stop.is_set():
                        break
                    with writing():
                        db.session.add(AuditEvent(action="quiz.answer", object_type="response",
                                                  object_id=f"{number}-{n}", details={"jawaban": "B"}))
                        db.session.commit()
                    with lock:
                        acknowledged.append(f"{number}-{n}")
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 100:
        time.sleep(0.01)
    with lock:
        before = set(acknowledged)  # acknowledged before the copy began: all must be in it
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(len(acknowledged))
        time.sleep(0.003)  # a slow disk: the writers keep going between the steps

    copy = tmp_path / "cadangan.sqlite3"
    backup.backup_sqlite(database, copy, progress, pages=8)
    stop.set()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(seen) > 20 and seen[-1] > seen[0]  # many steps, and writes were acknowledged during them

    restored_app = sqlite_app(tmp_path / "baru")  # a fresh file: restore needs it empty
    target = tmp_path / "baru" / "lms.sqlite3"
    with restored_app.app_context():
        db.drop_all()
        db.engine.dispose()
    result = backup.restore(make_url(f"sqlite:///{target}"), copy)
    assert result.revision == result.head and not result.needs_upgrade
    assert rows_of(target, "PRAGMA integrity_check") == [("ok",)]
    answers = {row[0] for row in rows_of(target, "SELECT object_id FROM audit_events WHERE object_type = 'response'")}
    assert before <= answers  # every answer acknowledged before the backup is in it
    assert answers <= set(acknowledged)  # and nothing that was never acknowledged
    assert rows_of(target, "SELECT count(*) FROM audit_events WHERE object_type = 'seed'") == [(1500,)]


def test_backup_command_writes_atomically_and_prints_size_and_digest(source: Flask, tmp_path: Path) -> None:
    add_events(10)
    output = tmp_path / "keluar" / "cadangan.sqlite3"
    output.parent.mkdir()
    result = source.test_cli_runner().invoke(args=["backup", "-o", str(output)])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    assert f"SHA-256: {digest}" in result.stdout
    assert f"Ukuran: {output.stat().st_size} bita" in result.stdout
    assert "Mencadangkan: " in result.stderr and "(100%)" in result.stderr  # the progress line, on stderr
    assert [path.name for path in output.parent.iterdir()] == ["cadangan.sqlite3"]  # no temporary left
    assert rows_of(output, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert rows_of(output, "SELECT count(*) FROM audit_events") == [(10,)]


def test_backup_and_restore_refuse_the_live_database_as_their_file(source: Flask) -> None:
    live = backup.sqlite_path(db.engine.url)
    add_events(2)
    for name in (live.name, f"{live.name}-wal"):
        with pytest.raises(backup.BackupError, match="adalah basis data yang dicadangkan"):
            backup.make_backup(db.engine.url, live.parent / name)
    db.session.remove()
    with pytest.raises(backup.BackupError, match="basis data tujuan itu sendiri"):
        backup.restore(db.engine.url, live, force=True)
    assert rows_of(live, "SELECT count(*) FROM audit_events") == [(2,)]


def test_a_failed_backup_leaves_neither_output_nor_temporary(tmp_path: Path) -> None:
    output = tmp_path / "cadangan.sqlite3"
    with pytest.raises(backup.BackupError, match="tidak ditemukan"):
        backup.make_backup(make_url(f"sqlite:///{tmp_path / 'tidak-ada.sqlite3'}"), output)
    assert list(tmp_path.iterdir()) == []


def test_restore_refuses_a_database_holding_rows_unless_forced(source: Flask, tmp_path: Path) -> None:
    add_events(3)
    copy = tmp_path / "cadangan.sqlite3"
    backup.make_backup(db.engine.url, copy)
    add_events(2, tag="setelah")  # the live database now holds 5 rows
    runner = source.test_cli_runner()
    refused = runner.invoke(args=["restore", str(copy)])
    assert refused.exit_code == 1
    assert "Basis data tujuan tidak kosong: berisi 5 baris" in refused.output and "--force" in refused.output
    assert db.session.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 5  # untouched
    db.session.remove()
    forced = runner.invoke(args=["restore", str(copy), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Pemulihan selesai" in forced.output and "db upgrade" not in forced.output
    assert db.session.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 3


def test_restore_refuses_a_file_that_is_not_a_backup(source: Flask, tmp_path: Path) -> None:
    runner = source.test_cli_runner()
    db.session.remove()
    notes = tmp_path / "catatan.txt"
    notes.write_text("bukan cadangan", encoding="utf-8")
    result = runner.invoke(args=["restore", str(notes)])
    assert result.exit_code == 1 and "bukan berkas cadangan LMS" in result.output
    other = tmp_path / "lain.sqlite3"  # a SQLite file, but not the LMS's
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    result = runner.invoke(args=["restore", str(other)])
    assert result.exit_code == 1 and "tidak memuat revisi skema" in result.output
    dump = tmp_path / "server.dump"
    dump.write_bytes(backup.PGDUMP_MAGIC + b"\x01\x0e\x00")
    result = runner.invoke(args=["restore", str(dump)])
    assert result.exit_code == 1 and "cadangan PostgreSQL, sedangkan basis data tujuan adalah SQLite" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "hilang.sqlite3")])
    assert result.exit_code == 1 and "tidak ditemukan" in result.output


def test_restore_checks_the_schema_revision(source: Flask, tmp_path: Path) -> None:
    add_events(1)
    older, newer = tmp_path / "lama.sqlite3", tmp_path / "baru.sqlite3"
    backup.make_backup(db.engine.url, older)
    shutil.copy(older, newer)
    set_revision(older, OLDER_REVISION)
    set_revision(newer, "f00dfeed9999")
    target = tmp_path / "tujuan.sqlite3"
    url = make_url(f"sqlite:///{target}")
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(url, newer)
    head, _ = backup.code_revisions()
    assert "revisi f00dfeed9999, lebih baru daripada aplikasi ini" in refused.value.message
    assert f"(revisi {head})" in refused.value.message
    assert not target.exists()  # nothing written
    result = backup.restore(url, older)
    assert result.revision == OLDER_REVISION and result.needs_upgrade
    assert rows_of(target, "SELECT version_num FROM alembic_version") == [(OLDER_REVISION,)]


def test_restore_command_tells_to_upgrade_an_older_schema(tmp_path: Path) -> None:
    first = sqlite_app(tmp_path / "satu")
    copy = tmp_path / "lama.sqlite3"
    with first.app_context():
        backup.make_backup(db.engine.url, copy)
        db.engine.dispose()
    set_revision(copy, OLDER_REVISION)
    second = create_app(settings_for(tmp_path / "dua", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'dua.sqlite3'}"))
    result = second.test_cli_runner().invoke(args=["restore", str(copy)])
    assert result.exit_code == 0, result.output
    assert "Jalankan: flask --app lms db upgrade" in result.output


def test_postgres_without_client_tools_names_them_and_never_the_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    url = make_url("postgresql+psycopg://lms:sandi-rahasia-9@127.0.0.1:5432/lms")
    with pytest.raises(backup.BackupError) as missing:
        backup.make_backup(url, tmp_path / "cadangan.dump")
    assert "pg_dump" in missing.value.message and "apt-get install postgresql-client" in missing.value.message
    assert "sandi-rahasia-9" not in missing.value.message
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_failure_message_hides_the_password(tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    url = make_url("postgresql+psycopg://lms:sandi-rahasia-9@127.0.0.1:1/lms")  # nobody listens on port 1
    env = backup.pg_environment(url)
    assert env["PGPASSWORD"] == "sandi-rahasia-9" and env["PGPORT"] == "1"
    with pytest.raises(backup.BackupError) as failed:
        backup.make_backup(url, tmp_path / "cadangan.dump")
    assert failed.value.message.startswith("pg_dump gagal") and "sandi-rahasia-9" not in failed.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def postgres_pair() -> Iterator[tuple[str, str]]:
    """Two scratch databases beside the suite's PostgreSQL one: a source and a restore target."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("needs LMS_TEST_DATABASE_URL on PostgreSQL")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed (Debian: apt-get install postgresql-client)")
    base = make_url(TEST_DATABASE_URL)
    names = [f"{base.database}_cadangan_sumber", f"{base.database}_cadangan_tujuan"]
    from sqlalchemy import create_engine

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield tuple(base.set(database=name).render_as_string(hide_password=False) for name in names)  # type: ignore[misc]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_dump_and_restore_round_trip(postgres_pair: tuple[str, str], tmp_path: Path) -> None:
    source_url, target_url = postgres_pair
    first = create_app(settings_for(tmp_path / "a", SQLALCHEMY_DATABASE_URI=source_url))
    with first.app_context():
        db.create_all()
        flask_migrate.stamp(revision="head")
        add_events(25)
        db.session.remove()
        output = tmp_path / "cadangan.dump"
        result = first.test_cli_runner().invoke(args=["backup", "-o", str(output)])
        assert result.exit_code == 0, result.output
        assert output.read_bytes().startswith(backup.PGDUMP_MAGIC)
        db.engine.dispose()
    second = create_app(settings_for(tmp_path / "b", SQLALCHEMY_DATABASE_URI=target_url))
    with second.app_context():  # the target's schema already built, but empty: restore may fill it
        db.create_all()
        flask_migrate.stamp(revision=OLDER_REVISION)
        db.engine.dispose()
    runner = second.test_cli_runner()
    restored = runner.invoke(args=["restore", str(output)])
    assert restored.exit_code == 0, restored.output
    assert backup.database_revision(make_url(target_url)) == backup.code_revisions()[0]
    assert backup.database_rows(make_url(target_url)) == 25
    again = runner.invoke(args=["restore", str(output)])
    assert again.exit_code == 1 and "berisi 25 baris" in again.output
    forced = runner.invoke(args=["restore", str(output), "--force"])
    assert forced.exit_code == 0, forced.output
    assert backup.database_rows(make_url(target_url)) == 25
    sqlite_copy = tmp_path / "laptop.sqlite3"
    sqlite_copy.write_bytes(backup.SQLITE_MAGIC + b"\x00" * 100)
    wrong = runner.invoke(args=["restore", str(sqlite_copy), "--force"])
    assert wrong.exit_code == 1 and "cadangan SQLite, sedangkan basis data tujuan adalah PostgreSQL" in wrong.output


def test_scheduled_backups_keep_the_newest_copies(tmp_path: Path) -> None:
    app = sqlite_app(tmp_path / "inst", BACKUP_EVERY_HOURS=6, BACKUP_KEEP=2, CLOCK=lambda: NOW + timedelta(hours=18))
    folder = tmp_path / "inst" / "backups"
    folder.mkdir()
    (folder / "catatan-admin.txt").write_text("disimpan", encoding="utf-8")  # not a scheduled copy: kept
    with app.app_context():
        add_events(4)
        for hours in range(3):
            result = backup.run_scheduled_in_app(NOW + timedelta(hours=6 * hours))
            assert result is not None and result.sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
        app.extensions["lms_jobs"]["scheduled_backup"]()  # the worker's task (immediate in tests)
        db.engine.dispose()
    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == 3 and "catatan-admin.txt" in names
    assert names == ["catatan-admin.txt", "lms-20261120-130000.sqlite3", "lms-20261120-190000.sqlite3"]
    for name in names:
        if name.endswith(".sqlite3"):
            assert rows_of(folder / name, "SELECT count(*) FROM audit_events") == [(4,)]


def test_scheduled_backup_is_off_unless_configured(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path))
    assert "scheduled_backup" not in app.extensions["lms_jobs"]
    assert from_environment({"LMS_BACKUP_EVERY_HOURS": "24", "LMS_BACKUP_KEEP": "14"}) == {
        "BACKUP_EVERY_HOURS": 24, "BACKUP_KEEP": 14}
    with pytest.raises(ValueError, match="LMS_BACKUP_EVERY_HOURS"):
        from_environment({"LMS_BACKUP_EVERY_HOURS": "25"})
    with pytest.raises(ValueError, match="LMS_BACKUP_KEEP"):
        from_environment({"LMS_BACKUP_KEEP": "0"})
