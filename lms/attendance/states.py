"""Whether an attendance session takes check-ins now, derived from its times alone: pure.

A session is open from an hour before it starts (phones are scanned as people arrive) until
it ends. Opening, closing and extending move those times, so nothing else needs storing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

OPENS_BEFORE = timedelta(minutes=60)
EXTEND_CHOICES = (15, 30)  # minutes the trainer can add with one tap


class State(StrEnum):
    NOT_OPEN = "belum_dibuka"
    OPEN = "dibuka"
    CLOSED = "ditutup"


STATE_LABELS = {State.NOT_OPEN: "Belum dibuka", State.OPEN: "Dibuka", State.CLOSED: "Ditutup"}


@dataclass(frozen=True)
class Times:
    starts_at: datetime
    ends_at: datetime


def state_at(starts_at: datetime, ends_at: datetime, now: datetime) -> State:
    """Return the state of a session with these times at the moment now."""
    if now < starts_at - OPENS_BEFORE:
        return State.NOT_OPEN
    if now > ends_at:  # the last second still counts, as the session's printed end time
        return State.CLOSED
    return State.OPEN


def seconds_left(ends_at: datetime, now: datetime) -> int:
    """Return whole seconds until the session closes (0 once closed)."""
    return max(0, int((ends_at - now).total_seconds()))


def opened(times: Times, now: datetime, minutes: int = EXTEND_CHOICES[0]) -> Times:
    """Return the times of the session opened at now.

    A session not yet open starts now; a closed one reopens from now for `minutes`.
    """
    state = state_at(times.starts_at, times.ends_at, now)
    if state is State.NOT_OPEN:
        return Times(now, times.ends_at)
    if state is State.CLOSED:
        return Times(min(times.starts_at, now), now + timedelta(minutes=minutes))
    return times


def closed(times: Times, now: datetime) -> Times:
    """Return the times of the session closed at now (it ended a second ago; a start still ahead moves before it)."""
    if state_at(times.starts_at, times.ends_at, now) is State.CLOSED:
        return times
    end = now - timedelta(seconds=1)
    return Times(min(times.starts_at, end - timedelta(seconds=1)), end)


def extended(times: Times, now: datetime, minutes: int) -> Times:
    """Return the times with `minutes` more before the end; a closed session reopens from now."""
    if state_at(times.starts_at, times.ends_at, now) is State.CLOSED:
        return opened(times, now, minutes)
    return Times(times.starts_at, times.ends_at + timedelta(minutes=minutes))
