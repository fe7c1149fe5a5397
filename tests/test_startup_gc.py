"""A served app moves its start-up objects out of the garbage collector's way; test apps do not."""

from __future__ import annotations

import lms
from tests.conftest import settings_for


def test_a_served_app_freezes_what_start_up_made_and_a_test_app_does_not(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(lms.gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(lms.gc, "freeze", lambda: calls.append("freeze"))
    lms.create_app(settings_for(tmp_path / "a"))
    assert calls == []
    lms.create_app(settings_for(tmp_path / "b", TESTING=False))
    assert calls == ["collect", "freeze"]
