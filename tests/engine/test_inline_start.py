"""The start answered with the attempt page itself (the start form's script asks with inline=1):
the same page the attempt's address shows, in one request; refusals still go back to the quiz."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.models import Attempt
from lms.trainings import scope
from tests.conftest import Clock
from tests.engine.conftest import T0, put_in_training

# The inline start of a new attempt, login check included: login session, quiz, contexts,
# attempts, insert. The page it answers with reads nothing more.
INLINE_START_QUERIES = 5


@pytest.fixture
def frozen(monkeypatch):
    clock = Clock(T0)
    monkeypatch.setattr("lms.quizzes.views.utcnow", clock)
    return clock


@pytest.fixture
def taker(client, auth, make_user, quiz, frozen):
    user = make_user()
    put_in_training(user)
    auth.login_as(user)
    return user


def _without_tokens(html):
    """The page with its form tokens (signed with the time they were made) left out."""
    return re.sub(r'"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}"', '"token"', html)


def _attempt_of(user):
    return db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)).one()


def test_the_quiz_page_asks_for_the_page_inline_with_javascript(client, taker):
    page = client.get("/quizzes/uji-mesin").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/quizzes/uji-mesin/start" data-inline-start>', page)
    assert "quiz_start" in page and 'name="inline"' not in page  # the script adds it; without it, a redirect


def test_an_inline_start_answers_with_the_attempt_page(client, taker):
    response = client.post("/quizzes/uji-mesin/start", data={"inline": "1", "training": "bimtek-uji"})
    assert response.status_code == 200
    inline = response.get_data(as_text=True)
    attempt = _attempt_of(taker)
    assert f'data-url="/quizzes/attempts/{attempt.id}"' in inline
    assert f'action="/quizzes/attempts/{attempt.id}/page"' in inline and "Soal 5" in inline
    # Exactly what the attempt's own address shows (attempt.js puts that address in the bar).
    shown = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert _without_tokens(shown) == _without_tokens(inline) and "Soal 1" in shown
    assert attempt.training_id is not None and attempt.status == "in_progress"


def test_an_inline_start_resumes_the_open_attempt_where_it_stopped(client, taker):
    client.post("/quizzes/uji-mesin/start", data={"inline": "1"})
    attempt = _attempt_of(taker)
    saved = client.post(f"/quizzes/attempts/{attempt.id}/answers",
                        json={"question": "isian", "value": "5W+1H", "revision": 0})
    assert saved.status_code == 200
    assert client.post(f"/quizzes/attempts/{attempt.id}/position", json={"page": 2}).status_code == 200

    again = client.post("/quizzes/uji-mesin/start", data={"inline": "1"})
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and _attempt_of(taker).id == attempt.id  # no second attempt
    assert 'value="5W+1H"' in page and 'data-revision="1"' in page  # the saved answer, its revision
    shown = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert _without_tokens(page) == _without_tokens(shown)


def test_an_inline_start_that_is_refused_goes_back_to_the_quiz(client, taker, frozen):
    quiz = services.get_quiz("uji-mesin")
    context = scope.quiz_contexts(taker, quiz)[0][0]  # the bimtek's, as the view finds it
    for _ in range(2):  # the fixture quiz allows two attempts
        services.submit(taker, services.start_attempt(taker, quiz, T0, context=context), T0)
    db.session.commit()
    response = client.post("/quizzes/uji-mesin/start", data={"inline": "1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/quizzes/uji-mesin")
    assert "Kesempatan mengerjakan kuis ini sudah habis" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_an_inline_start_takes_the_write_lock_once_and_reads_the_page_without_it(app, client, taker,
                                                                                 count_queries):
    client.get("/quizzes/uji-mesin")  # as a phone does before the start
    statements = []

    def seen(_conn, _cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with count_queries() as counted:
            response = client.post("/quizzes/uji-mesin/start", data={"inline": "1"})
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200 and "Soal 1" in response.get_data(as_text=True)
    queries = [s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]
    assert len(queries) <= INLINE_START_QUERIES, queries
    if db.engine.dialect.name == "sqlite":
        assert sum(s == "BEGIN IMMEDIATE" for s in statements) == 1, statements
    assert counted.count == len(statements)


def test_a_start_without_the_script_still_redirects(client, taker):
    response = client.post("/quizzes/uji-mesin/start")
    assert response.status_code == 302
    assert re.fullmatch(r"/quizzes/attempts/\d+", response.headers["Location"])
