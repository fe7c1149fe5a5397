"""An open attempt keeps the session alive only while its page is in use (heartbeats)."""

from pathlib import Path

import pytest

from lms.db_types import utcnow
from tests.conftest import Clock
from tests.engine.test_views import save, start

IDLE_MINUTES = 3  # shorter than the quiz's 10 minutes and the 5-minute heartbeat window


@pytest.fixture
def clock(app, monkeypatch):
    """The time the session check and the quiz pages see; the idle limit cut to a few minutes."""
    moving = Clock(utcnow())
    monkeypatch.setattr("lms.web.utcnow", moving)
    monkeypatch.setattr("lms.quizzes.views.utcnow", moving)
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", IDLE_MINUTES)
    return moving


def heartbeat(client, attempt):
    return client.post(f"/quizzes/attempts/{attempt.id}/heartbeat", headers={"Accept": "application/json"})


def test_heartbeats_keep_an_attempt_in_use_past_the_idle_limit(client, quiz, clock, taker):
    attempt = start(client, quiz)
    assert client.get(f"/quizzes/attempts/{attempt.id}").status_code == 200
    clock.advance(minutes=4)  # idle longer than the limit, but the page was opened 4 minutes ago
    beat = heartbeat(client, attempt)
    assert beat.status_code == 200 and beat.get_json() == {"finished": False, "seconds_left": 6 * 60}
    clock.advance(minutes=4)
    assert save(client, attempt, "isian", "5W+1H").status_code == 200
    clock.advance(minutes=1.5)
    assert heartbeat(client, attempt).status_code == 200


def test_a_page_that_stops_sending_heartbeats_times_out(client, quiz, clock, taker):
    attempt = start(client, quiz)
    client.get(f"/quizzes/attempts/{attempt.id}")
    clock.advance(minutes=6)  # hidden or closed: no heartbeat for longer than the window
    response = save(client, attempt, "isian", "5W+1H")
    assert response.status_code == 401 and response.is_json
    assert heartbeat(client, attempt).status_code == 401


def test_an_admin_who_opened_an_attempt_and_browsed_away_times_out(client, auth, make_user, quiz, clock):
    auth.login_as(make_user(role="admin"))
    attempt = start(client, quiz)
    assert client.get(f"/quizzes/attempts/{attempt.id}").status_code == 200
    clock.advance(minutes=1)
    assert client.get("/quizzes/").status_code == 200
    clock.advance(minutes=IDLE_MINUTES + 1)  # the attempt is still open and within its heartbeat window
    response = client.get("/quizzes/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert heartbeat(client, attempt).status_code == 401


def test_a_heartbeat_renews_only_the_attempt_whose_page_was_opened(client, quiz, clock, taker):
    attempt = start(client, quiz)
    client.get(f"/quizzes/attempts/{attempt.id}")
    with client.session_transaction() as session:
        session["attempt_alive"] = {**session["attempt_alive"], "id": attempt.id + 1}
    clock.advance(minutes=1)
    assert heartbeat(client, attempt).status_code == 200  # within the idle limit: served, not renewed
    with client.session_transaction() as session:
        assert session["attempt_alive"]["id"] == attempt.id + 1
    clock.advance(minutes=IDLE_MINUTES + 1)
    assert heartbeat(client, attempt).status_code == 401


def test_the_attempt_page_sends_heartbeats_while_visible(client, quiz, clock, taker):
    attempt = start(client, quiz)
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert f'data-heartbeat-url="/quizzes/attempts/{attempt.id}/heartbeat"' in page
    script = (Path(__file__).resolve().parents[2] / "lms" / "static" / "attempt.js").read_text("utf-8")
    assert "document.visibilityState" in script and "heartbeatUrl" in script
