"""Attendance percentage: present sessions over ALL sessions of the training. Pure."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lms.attendance.services import attendance_percent

SESSIONS = [11, 12, 13, 14, 15, 16]
WITH_LATE = {"hadir", "terlambat"}
ONLY_HADIR = {"hadir"}


def statuses(user_id: int, *values: str | None) -> dict[tuple[int, int], str]:
    return {(user_id, sid): v for sid, v in zip(SESSIONS, values) if v is not None}


@pytest.mark.parametrize("marks, present, expected", [
    (["hadir"] * 6, WITH_LATE, Fraction(100)),
    (["hadir"] * 5 + ["tidak_hadir"], WITH_LATE, Fraction(250, 3)),          # 83,3 %
    (["hadir"] * 4 + [None, None], WITH_LATE, Fraction(200, 3)),             # two not held yet: 66,7 %
    (["hadir", "terlambat", "hadir", "terlambat", "hadir", "hadir"], WITH_LATE, Fraction(100)),
    (["hadir", "terlambat", "hadir", "terlambat", "hadir", "hadir"], ONLY_HADIR, Fraction(200, 3)),
    (["izin", "sakit", "hadir", "hadir", "hadir", "hadir"], WITH_LATE, Fraction(200, 3)),  # excused ≠ present
    ([None] * 6, WITH_LATE, Fraction(0)),
    (["tidak_hadir"] * 6, WITH_LATE, Fraction(0)),
])
def test_percent_over_all_sessions(marks: list, present: set[str], expected: Fraction) -> None:
    assert attendance_percent({1}, SESSIONS, statuses(1, *marks), present) == {1: expected}


def test_80_percent_boundary_is_exact() -> None:
    five = [21, 22, 23, 24, 25]
    marks = {(1, sid): "hadir" for sid in five[:4]}
    result = attendance_percent({1}, five, marks, WITH_LATE)
    assert result[1] == 80 and result[1] >= 80  # exactly 4 of 5, no float rounding below 80


def test_records_of_other_sessions_and_people_ignored() -> None:
    marks = statuses(1, "hadir", "hadir", "hadir") | {(1, 99): "hadir", (2, 11): "hadir"}
    result = attendance_percent({1, 2, 3}, SESSIONS, marks, WITH_LATE)
    assert result == {1: Fraction(50), 2: Fraction(50, 3), 3: Fraction(0)}


def test_zero_sessions_gives_zero_not_an_error() -> None:
    assert attendance_percent({1, 2}, [], {}, WITH_LATE) == {1: Fraction(0), 2: Fraction(0)}


def test_no_participants() -> None:
    assert attendance_percent(set(), SESSIONS, {}, WITH_LATE) == {}
