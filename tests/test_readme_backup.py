"""The README's backup advice holds: the command it names keeps what a plain copy loses."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
COMMAND = "sqlite3 instance/lms.sqlite3 \".backup 'cadangan.sqlite3'\""


def test_readme_warns_against_copying_the_live_database() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "Never copy `instance/lms.sqlite3` with `cp` or a file manager while the app runs." in text
    assert "a `cp` lost 51 audit events and 14 attendance records" in text
    assert COMMAND in text and "`instance/lms.sqlite3-wal`" in text


def test_the_named_backup_command_keeps_writes_still_in_the_wal(tmp_path: Path) -> None:
    if shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 command-line program is not installed (Debian: apt-get install sqlite3)")
    (tmp_path / "instance").mkdir()
    live = sqlite3.connect(tmp_path / "instance" / "lms.sqlite3")  # the running app's connection
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")  # as between two checkpoints of a busy app
    live.execute("CREATE TABLE attendance_records (id INTEGER PRIMARY KEY)")
    live.executemany("INSERT INTO attendance_records VALUES (?)", [(n,) for n in range(14)])
    live.commit()
    shutil.copy(tmp_path / "instance" / "lms.sqlite3", tmp_path / "salinan-cp.sqlite3")
    subprocess.run(shlex.split(COMMAND), cwd=tmp_path, check=True, timeout=60)
    live.close()
    copied = sqlite3.connect(tmp_path / "salinan-cp.sqlite3")
    assert copied.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)  # the cp lost it all
    backup = sqlite3.connect(tmp_path / "cadangan.sqlite3")
    assert backup.execute("SELECT count(*) FROM attendance_records").fetchone() == (14,)
    copied.close()
    backup.close()
