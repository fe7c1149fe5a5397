"""Rate-limit counters in a SQLite file, shared by every process of one machine.

`make run` serves with several processes (lms.serve): memory:// counters would be kept per
process, each limit as many times looser, and a venue laptop has no Redis. This storage
(`lms-sqlite:///ratelimits.sqlite3`, a relative path is in the instance folder) keeps the
fixed-window counters of Flask-Limiter in one small file; every update is one statement.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from limits.storage import Storage

SCHEME = "lms-sqlite"
# Old windows are swept after this many increments in a process (the table stays small).
SWEEP_EVERY = 500

_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
_INCREMENT = (
    "INSERT INTO counters (key, count, expires) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN counters.expires <= :now THEN excluded.count ELSE counters.count + excluded.count END, "
    "expires = CASE WHEN counters.expires <= :now THEN excluded.expires ELSE counters.expires END "
    "RETURNING count")


def in_instance(uri: str, instance: str) -> str:
    """Return the address with a relative file placed in the instance folder."""
    path = storage_path(uri)
    return uri if os.path.isabs(path) else f"{SCHEME}:///{os.path.join(instance, path)}"


def storage_path(uri: str) -> str:
    """Return the file of an lms-sqlite:/// address."""
    prefix = f"{SCHEME}:///"
    if not uri.startswith(prefix) or len(uri) == len(prefix):
        raise ValueError(f"alamat penyimpanan batas permintaan tidak valid: {uri!r}")
    return uri[len(prefix):]  # lms-sqlite:////abs/file or lms-sqlite:///relative/file


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file (one connection per thread and process)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        self.path = storage_path(uri)
        self._local = threading.local()
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._connection().execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # A forked worker must not use its parent's connection: one per thread of each process.
        found = getattr(self._local, "connection", None)
        if found is not None and self._local.pid == os.getpid():
            return found  # type: ignore[no-any-return]
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        row = self._connection().execute(_INCREMENT, {"key": key, "amount": amount, "expires": now + expiry,
                                                      "now": now}).fetchone()
        self._increments += 1
        if self._increments % SWEEP_EVERY == 0:
            self._connection().execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT count FROM counters WHERE key = ? AND expires > ?",
                                         (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires FROM counters WHERE key = ? AND expires > ?",
                                         (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
