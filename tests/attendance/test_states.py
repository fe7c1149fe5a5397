"""Session states from their times, at the edges; opening, closing and extending move the times."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.attendance import states
from lms.attendance.states import State, Times
from tests.trainings.factory import START, wib

STARTS, ENDS = wib(START, 8), wib(START, 12)
TIMES = Times(STARTS, ENDS)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(("now", "state"), [
    (wib(START, 6, 59, 59), State.NOT_OPEN),     # more than an hour before the start
    (wib(START, 7), State.OPEN),                 # check-in opens an hour early
    (STARTS, State.OPEN),
    (ENDS, State.OPEN),                          # the printed end time still counts
    (ENDS + SECOND, State.CLOSED),
    (wib(START, 18), State.CLOSED),
])
def test_state_at_the_edges(now, state):
    assert states.state_at(STARTS, ENDS, now) is state


@pytest.mark.parametrize(("now", "left"), [(wib(START, 11, 45), 900), (ENDS, 0), (ENDS + SECOND, 0)])
def test_seconds_left(now, left):
    assert states.seconds_left(ENDS, now) == left


def test_opening_a_session_not_yet_open_starts_it_now():
    now = wib(START, 6)
    opened = states.opened(TIMES, now)
    assert opened == Times(now, ENDS) and states.state_at(opened.starts_at, opened.ends_at, now) is State.OPEN


def test_opening_a_closed_session_reopens_it_for_the_minutes_given():
    now = wib(START, 13)
    opened = states.opened(TIMES, now, 30)
    assert opened == Times(STARTS, now + timedelta(minutes=30))
    assert states.state_at(opened.starts_at, opened.ends_at, now) is State.OPEN


def test_opening_an_open_session_changes_nothing():
    assert states.opened(TIMES, wib(START, 9)) == TIMES


@pytest.mark.parametrize("now", [wib(START, 9), wib(START, 7, 30), ENDS])
def test_closing_ends_it_now_and_keeps_the_start_before_the_end(now):
    closed = states.closed(TIMES, now)
    assert closed.ends_at == now - SECOND and closed.starts_at < closed.ends_at
    assert closed.starts_at == min(STARTS, now - 2 * SECOND)
    assert states.state_at(closed.starts_at, closed.ends_at, now) is State.CLOSED


def test_closing_a_closed_session_changes_nothing():
    assert states.closed(TIMES, wib(START, 13)) == TIMES


def test_closing_a_session_not_yet_open_closes_it():
    now = wib(START, 6)
    closed = states.closed(TIMES, now)
    assert states.state_at(closed.starts_at, closed.ends_at, now) is State.CLOSED


def test_extending_pushes_the_end_or_reopens_a_closed_session():
    assert states.extended(TIMES, wib(START, 11, 50), 15) == Times(STARTS, ENDS + timedelta(minutes=15))
    now = wib(START, 12, 30)
    assert states.extended(TIMES, now, 15) == Times(STARTS, now + timedelta(minutes=15))
