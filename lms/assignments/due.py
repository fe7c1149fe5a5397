"""An assignment's due time in words, in the training's time zone ("Hari ke-2, 16.00 WITA"): pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lms.dates import format_date, format_time, local_to_utc, zone_label

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class DueText:
    """Day N of the training at a local time: the words, the calendar date and the UTC moment."""

    day: int  # as the definition says
    on_day: int  # the training day it falls on (a day past the last one means the last one)
    at: time | None  # None: the end of that day
    on: date
    moment: datetime  # UTC
    zone: str

    @property
    def clock(self) -> str:
        """'16.00 WITA', or 'akhir hari (23.59 WITA)' without a time."""
        label = zone_label(self.zone)
        if self.at is None:
            return f"akhir hari (23.59 {label})"
        return f"{format_time(self.at)} {label}"

    @property
    def label(self) -> str:
        """'Hari ke-2, 16.00 WITA'."""
        return f"Hari ke-{self.on_day}, {self.clock}"

    @property
    def date_text(self) -> str:
        """'Selasa, 18 Agustus 2026'."""
        return format_date(self.on, with_day=True)

    @property
    def moved(self) -> bool:
        """True when the definition names a day after the training's last day."""
        return self.on_day != self.day

    def __str__(self) -> str:
        return f"{self.label} ({self.date_text})"


def describe(due_day: int | None, due_time: time | None, start: date, end: date, zone: str) -> DueText | None:
    """Return the due time of day `due_day` at `due_time` of a training from start to end, or None."""
    if due_day is None:
        return None
    days = (end - start).days + 1
    on_day = max(1, min(due_day, days))
    on = start + timedelta(days=on_day - 1)
    return DueText(due_day, on_day, due_time, on, local_to_utc(on, due_time or END_OF_DAY, zone), zone)
