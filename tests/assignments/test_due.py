"""Due times in words, in the training's time zone (lms.assignments.due), and where participants get them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from lms.assignments import due, services

START, END = date(2026, 8, 17), date(2026, 8, 19)


@pytest.mark.parametrize(("day", "at", "zone", "label", "date_text", "moment", "moved"), [
    (2, time(16, 0), "Asia/Makassar", "Hari ke-2, 16.00 WITA", "Selasa, 18 Agustus 2026",
     datetime(2026, 8, 18, 8, 0, tzinfo=UTC), False),
    (1, time(9, 30), "Asia/Jakarta", "Hari ke-1, 09.30 WIB", "Senin, 17 Agustus 2026",
     datetime(2026, 8, 17, 2, 30, tzinfo=UTC), False),
    (3, None, "Asia/Jayapura", "Hari ke-3, akhir hari (23.59 WIT)", "Rabu, 19 Agustus 2026",
     datetime(2026, 8, 19, 14, 59, 59, tzinfo=UTC), False),
    (5, time(12, 0), "Asia/Jakarta", "Hari ke-3, 12.00 WIB", "Rabu, 19 Agustus 2026",
     datetime(2026, 8, 19, 5, 0, tzinfo=UTC), True),
])
def test_describe(day, at, zone, label, date_text, moment, moved):
    text = due.describe(day, at, START, END, zone)
    assert text is not None
    assert (text.label, text.date_text, text.moment, text.moved) == (label, date_text, moment, moved)
    assert str(text) == f"{label} ({date_text})"


def test_no_due_day_means_no_due_time():
    assert due.describe(None, None, START, END, "Asia/Jakarta") is None


def test_a_participants_task_and_due_at_use_the_trainings_zone(world):
    training, assignment = world["training"], world["assignment"]
    training.time_zone = "Asia/Makassar"
    assignment.due_time = time(16, 0)
    (task,) = services.tasks_for(world["ani"], [training])
    assert task.due == services.due_at(assignment, training) == datetime(2026, 8, 18, 8, 0, tzinfo=UTC)
    assert task.due_text is not None and str(task.due_text) == "Hari ke-2, 16.00 WITA (Selasa, 18 Agustus 2026)"
