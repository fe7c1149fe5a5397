"""The job worker runs below the web server's CPU priority (a bulk issue must not slow answer saves)."""

import os
import subprocess
import sys

import pytest

from lms import jobs


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no niceness on this platform")
def test_the_worker_entry_point_lowers_its_priority(tmp_path):
    # In a child process: a niceness once raised cannot be lowered again without privileges.
    code = ("import os\nbefore = os.nice(0)\nimport lms.worker\n"
            "print(os.nice(0) - before)")
    env = dict(os.environ, LMS_SECRET_KEY="x",
               LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite3'}")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    before = os.nice(0)
    expected = min(jobs.WORKER_NICENESS, 19 - before)  # the kernel caps niceness at 19
    assert int(result.stdout.strip().splitlines()[-1]) == expected


def test_without_niceness_the_worker_runs_as_before(monkeypatch):
    monkeypatch.delattr(os, "nice")
    assert jobs.lower_priority() is None

    def refuse(_):
        raise OSError("not permitted")

    monkeypatch.setattr(os, "nice", refuse, raising=False)
    assert jobs.lower_priority() is None
