"""The submission state machine: every action from every state, allowed or refused with its reason."""

from __future__ import annotations

import pytest

from lms.assignments import states
from lms.assignments.models import STATUSES

ALLOWED = {
    ("submit", "draft"): "submitted", ("submit", "withdrawn"): "submitted",
    ("resubmit", "revision_requested"): "resubmitted",
    ("withdraw", "submitted"): "withdrawn", ("withdraw", "resubmitted"): "revision_requested",
    ("start_review", "submitted"): "in_review", ("start_review", "resubmitted"): "in_review",
    ("return", "submitted"): "revision_requested", ("return", "resubmitted"): "revision_requested",
    ("return", "in_review"): "revision_requested",
    ("decide", "submitted"): "passed", ("decide", "resubmitted"): "passed", ("decide", "in_review"): "passed",
    ("reopen", "passed"): "in_review", ("reopen", "failed"): "in_review",
}
ACTIONS = sorted(states.TRANSITIONS)
EVERY = [(action, status) for action in ACTIONS for status in STATUSES]


@pytest.mark.parametrize(("action", "status"), [pair for pair in EVERY if pair in ALLOWED])
def test_allowed(action, status):
    assert states.move(action, status).after == ALLOWED[(action, status)]
    assert states.allowed(action, status)


@pytest.mark.parametrize(("action", "status"), [pair for pair in EVERY if pair not in ALLOWED])
def test_refused(action, status):
    assert not states.allowed(action, status)
    with pytest.raises(states.TransitionRefused) as refused:
        states.move(action, status)
    assert refused.value.message.startswith(("Tugas ini", "Narasumber", "Tidak dapat"))


def test_the_table_covers_every_state_and_action():
    assert {s for pairs in states.TRANSITIONS.values() for s in pairs} | set(
        states.TRANSITIONS["submit"].values()) <= set(STATUSES)
    assert len(EVERY) == len(ACTIONS) * len(STATUSES) == 56


@pytest.mark.parametrize("status", ["submitted", "resubmitted", "in_review"])
def test_decide_below_the_pass_mark_fails(status):
    assert states.move("decide", status, passed=False).after == "failed"


@pytest.mark.parametrize(("action", "status", "reason"), [
    ("start_review", "withdrawn", "sudah ditarik oleh peserta"),
    ("decide", "withdrawn", "sudah ditarik oleh peserta"),
    ("withdraw", "in_review", "sudah mulai menilai"),
    ("submit", "revision_requested", "kumpulkan revisi"),
    ("submit", "submitted", "menunggu penilaian"),
    ("decide", "passed", "sudah dinilai (Lulus)"),
    ("return", "draft", "belum dikumpulkan"),
])
def test_refusals_say_why(action, status, reason):
    with pytest.raises(states.TransitionRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        states.move(action, status)


def test_filters_group_every_display_status_once():
    grouped = [s for _, members in states.FILTERS.values() for s in members]
    assert sorted(grouped) == sorted(["missing", *STATUSES])
