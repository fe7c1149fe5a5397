"""lms.ratestore: rate-limit counters in a SQLite file, shared by the processes of one machine."""

from __future__ import annotations

import pytest
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from lms import create_app, ratestore


class FakeTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeTime(1_800_000_000.0)
    monkeypatch.setattr(ratestore, "time", fake)
    return fake


def test_two_processes_count_in_one_window(tmp_path, clock):
    uri = f"lms-sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    first, second = storage_from_string(uri), storage_from_string(uri)  # as two workers would
    assert isinstance(first, ratestore.SQLiteStorage)
    assert first.incr("login:abc", 60) == 1 and second.incr("login:abc", 60) == 2
    assert first.get("login:abc") == 2 and second.get_expiry("login:abc") == clock.now + 60
    clock.now += 61  # the window ended: counting starts again
    assert first.get("login:abc") == 0 and second.incr("login:abc", 60) == 1
    second.clear("login:abc")
    assert first.get("login:abc") == 0
    first.incr("a", 60), first.incr("b", 60)
    assert second.reset() == 2 and first.check()


def test_the_limiter_refuses_across_processes(tmp_path, clock):
    uri = f"lms-sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    limit = RateLimitItemPerMinute(3)
    workers = [FixedWindowRateLimiter(storage_from_string(uri)) for _ in range(2)]
    assert [workers[n % 2].hit(limit, "verify", "203.0.113.7") for n in range(4)] == [True, True, True, False]
    assert workers[0].hit(limit, "verify", "203.0.113.8")  # another client has its own counter


def test_old_windows_are_swept(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(ratestore, "SWEEP_EVERY", 2)
    store = storage_from_string(f"lms-sqlite:///{tmp_path / 'r.sqlite3'}")
    store.incr("old", 10)
    clock.now += 11
    store.incr("new", 10)  # the second increment sweeps
    rows = store._connection().execute("SELECT key FROM counters").fetchall()
    assert rows == [("new",)]


def test_a_relative_file_is_in_the_instance_folder(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "RATELIMIT_STORAGE_URI": "lms-sqlite:///ratelimits.sqlite3"})
    assert app.config["RATELIMIT_STORAGE_URI"] == f"lms-sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    with pytest.raises(ValueError, match="tidak valid"):
        ratestore.storage_path("lms-sqlite:///")
