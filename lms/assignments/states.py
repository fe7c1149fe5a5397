"""The life of a submission: which action may move it from which state to which: pure.

    draft ──submit──► submitted ──withdraw──► withdrawn ──submit──► submitted
                          │
                    start_review (a trainer saves a level or comment)
                          ▼
                      in_review ──return──► revision_requested ──resubmit──► resubmitted ─┐
                          │  ▲                                                          │
                          │  └─────────────────── start_review ─────────────────────────┘
                          └──decide──► passed | failed ──reopen──► in_review

A trainer may also return or decide straight from submitted/resubmitted (the review starts and
ends in one step). A participant edits only in draft, withdrawn and revision_requested.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.errors import LmsError

LABELS = {
    "missing": "Belum dikumpulkan",
    "draft": "Draf (belum dikumpulkan)",
    "submitted": "Menunggu penilaian",
    "withdrawn": "Ditarik (belum dikumpulkan)",
    "in_review": "Sedang dinilai",
    "revision_requested": "Perlu revisi",
    "resubmitted": "Revisi menunggu penilaian",
    "passed": "Lulus",
    "failed": "Belum lulus",
}
# The queue's filters (issue #12 §4): each groups states a trainer treats alike.
FILTERS = {
    "missing": ("Belum dikumpulkan", ("missing", "draft", "withdrawn")),
    "waiting": ("Menunggu penilaian", ("submitted", "resubmitted", "in_review")),
    "revision": ("Perlu revisi", ("revision_requested",)),
    "passed": ("Lulus", ("passed",)),
    "failed": ("Belum lulus", ("failed",)),
}
EDITABLE = frozenset({"draft", "withdrawn", "revision_requested"})
HANDED_IN = frozenset({"submitted", "in_review", "resubmitted", "revision_requested", "passed", "failed"})
WAITING = frozenset({"submitted", "resubmitted", "in_review"})
FINAL = frozenset({"passed", "failed"})

TRANSITIONS: dict[str, dict[str, str]] = {
    "submit": {"draft": "submitted", "withdrawn": "submitted"},
    "resubmit": {"revision_requested": "resubmitted"},
    "withdraw": {"submitted": "withdrawn", "resubmitted": "revision_requested"},
    "start_review": {"submitted": "in_review", "resubmitted": "in_review"},
    "return": {"submitted": "revision_requested", "resubmitted": "revision_requested",
               "in_review": "revision_requested"},
    "decide": {"submitted": "passed", "resubmitted": "passed", "in_review": "passed"},
    "reopen": {"passed": "in_review", "failed": "in_review"},
}
ACTION_LABELS = {"submit": "mengumpulkan", "resubmit": "mengumpulkan revisi", "withdraw": "menarik",
                 "start_review": "mulai menilai", "return": "mengembalikan untuk revisi",
                 "decide": "memberi nilai akhir", "reopen": "membuka kembali penilaian"}


class TransitionRefused(LmsError):
    """The action is not possible from the submission's present state."""


@dataclass(frozen=True)
class Move:
    action: str
    before: str
    after: str


def label(status: str) -> str:
    return LABELS.get(status, status)


def refusal(action: str, status: str) -> str:
    """Return the Indonesian sentence saying why this action is refused in this state."""
    if status in FINAL:
        return f"Tugas ini sudah dinilai ({label(status)}); tidak dapat {ACTION_LABELS[action]} lagi."
    if status == "withdrawn" and action in {"start_review", "return", "decide"}:
        return "Tugas ini sudah ditarik oleh peserta; tunggu sampai dikumpulkan kembali untuk menilainya."
    if status in {"draft", "missing"} and action in {"start_review", "return", "decide", "withdraw"}:
        return "Tugas ini belum dikumpulkan."
    if status == "in_review" and action == "withdraw":
        return "Narasumber sudah mulai menilai tugas ini; tugas tidak dapat ditarik lagi."
    if status == "revision_requested" and action == "submit":
        return "Narasumber meminta revisi: kumpulkan revisi Anda."
    if status in WAITING and action in {"submit", "resubmit"}:
        return "Tugas ini sudah dikumpulkan dan menunggu penilaian."
    return f"Tidak dapat {ACTION_LABELS.get(action, action)} tugas yang berstatus {label(status)}."


def move(action: str, status: str, passed: bool = True) -> Move:
    """Return the move an action makes from a status, or raise TransitionRefused.

    `passed` chooses the end of "decide" (passed or failed).
    """
    after = TRANSITIONS.get(action, {}).get(status)
    if after is None:
        raise TransitionRefused(refusal(action, status))
    if action == "decide" and not passed:
        after = "failed"
    return Move(action, status, after)


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS.get(action, {})
