"""300 phones start at once: the start, first page and answer save cost a fixed number of queries,
and a quiz version is decoded once per process, never served stale after a new version."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes
from lms.quizzes.models import Attempt
from lms.quizzes.services import catalog
from lms.trainings import scope
from tests.conftest import Clock, create_training
from tests.engine.conftest import ENGINE, T0, put_in_training

# What the start, the attempt page it redirects to, and one answer save may cost, at any size.
START_QUERIES, PAGE_QUERIES, SAVE_QUERIES = 9, 4, 9


def _extra_questions(count: int) -> str:
    parts = []
    for n in range(1, count + 1):
        parts.append(f'\n[[questions]]\nid = "tambahan-{n}"\ntype = "single"\ntext = "Soal tambahan {n}?"\n'
                     f'\n[[questions.answers]]\ntext = "Benar {n}"\ncorrect = true\n'
                     f'\n[[questions.answers]]\ntext = "Salah {n}"\n')
    return "".join(parts)


def _sync(folder, now, extra=0, replace=("", "")):
    """Sync the engine fixtures, uji-mesin with `extra` more questions and one text replaced."""
    folder.mkdir(exist_ok=True)
    for path in ENGINE.glob("*.toml"):
        text = path.read_text(encoding="utf-8").replace(*replace)
        if path.stem == "uji-mesin":
            text += _extra_questions(extra)
        (folder / path.name).write_text(text, encoding="utf-8")
    definitions, errors, _ = load_quizzes(folder)
    assert errors == []
    services.sync_quizzes(definitions, now)
    db.session.commit()


@pytest.fixture
def frozen(monkeypatch):
    clock = Clock(T0)
    monkeypatch.setattr("lms.quizzes.views.utcnow", clock)
    return clock


def _measure(client, auth, user, count_queries):
    """Log user in, then count the queries of start, of the attempt page and of one save."""
    auth.logout()
    auth.login_as(user)
    assert client.get("/quizzes/uji-mesin").status_code == 200  # the phone opens the quiz page first
    with count_queries() as start:
        response = client.post("/quizzes/uji-mesin/start")
    assert response.status_code == 302
    location = response.headers["Location"]
    with count_queries() as page:
        assert client.get(location).status_code == 200
    attempt_id = int(re.search(r"/attempts/(\d+)", location).group(1))
    with count_queries() as save:
        reply = client.post(f"/quizzes/attempts/{attempt_id}/answers",
                            json={"question": "isian", "value": "5W+1H", "revision": 0})
    assert reply.status_code == 200 and reply.get_json()["revision"] == 1, (attempt_id, reply.get_json())
    return start.count, page.count, save.count


def test_start_page_and_save_cost_the_same_queries_at_any_size(app, client, auth, make_user, frozen,
                                                              count_queries, tmp_path):
    _sync(tmp_path / "kecil", T0)
    catalog.forget_decoded_versions()
    first = make_user()
    put_in_training(first)
    small = _measure(client, auth, first, count_queries)

    _sync(tmp_path / "besar", T0 + timedelta(minutes=1), extra=40)  # a new version: 45 questions
    crowd = [make_user() for _ in range(30)]
    put_in_training(*crowd)
    for user in crowd[:20]:  # others already at work on the same quiz
        services.start_attempt(user, services.get_quiz("uji-mesin"), T0)
    db.session.commit()
    last = make_user()
    put_in_training(last)
    large = _measure(client, auth, last, count_queries)

    assert small == large
    assert small[0] <= START_QUERIES and small[1] <= PAGE_QUERIES and small[2] <= SAVE_QUERIES
    attempt = db.session.scalars(db.select(Attempt).where(Attempt.user_id == last.id)).one()
    assert len(attempt.questions) == 45 and attempt.version.number == 2


def test_a_second_request_does_not_decode_the_version_again(app, client, auth, make_user, frozen,
                                                            monkeypatch, tmp_path):
    _sync(tmp_path / "v1", T0)
    catalog.forget_decoded_versions()
    decoded = []
    original = catalog.question_from_snapshot
    monkeypatch.setattr(catalog, "question_from_snapshot",
                        lambda data: decoded.append(data["id"]) or original(data))
    user = make_user()
    put_in_training(user)
    auth.login_as(user)
    assert "Kuis Uji Mesin" in client.get("/quizzes/uji-mesin").get_data(as_text=True)
    assert len(decoded) == 5  # the five questions of the version, once
    start = client.post("/quizzes/uji-mesin/start")
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    client.get("/quizzes/uji-mesin")
    assert "Soal 1" in page and len(decoded) == 5  # start, attempt page and quiz page: no decoding


def test_a_new_version_is_not_served_stale(app, client, auth, make_user, frozen, tmp_path):
    _sync(tmp_path / "v1", T0)
    first, second = make_user(), make_user()
    put_in_training(first, second)
    quiz = services.get_quiz("uji-mesin")
    old = services.start_attempt(first, quiz, T0)
    db.session.commit()
    assert "10 hari kerja" in _answer_texts(old)

    _sync(tmp_path / "v2", T0 + timedelta(minutes=1), replace=('"10 hari kerja"', '"sepuluh hari kerja"'))
    auth.login_as(second)
    start = client.post("/quizzes/uji-mesin/start")
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    assert "sepuluh hari kerja" in page
    fresh = db.session.scalars(db.select(Attempt).where(Attempt.user_id == second.id)).one()
    assert fresh.version.number == 2 and "sepuluh hari kerja" in _answer_texts(fresh)
    assert "10 hari kerja" in _answer_texts(db.session.get(Attempt, old.id))  # the running one keeps its own


def _answer_texts(attempt):
    return [a.text for e in services.attempt_questions(attempt) for a in e.question.answers]


def test_the_cache_of_decoded_versions_is_bounded(app, monkeypatch, tmp_path):
    monkeypatch.setattr(catalog, "DECODED_VERSIONS_MAX", 2)
    catalog.forget_decoded_versions()
    _sync(tmp_path / "v1", T0)
    quizzes = [services.get_quiz("uji-mesin"), services.get_quiz("uji-pre")]
    _sync(tmp_path / "v2", T0 + timedelta(minutes=1), replace=("Kuis Uji Mesin", "Kuis Uji Mesin Baru"))
    versions = [services.current_version(q) for q in quizzes]
    versions.append(db.session.scalars(db.select(catalog.QuizVersion).where(
        catalog.QuizVersion.quiz_id == quizzes[0].id, catalog.QuizVersion.number == 1)).one())
    titles = [catalog.rules_of(v).title for v in versions]
    assert titles[0] == "Kuis Uji Mesin Baru" and titles[2] == "Kuis Uji Mesin"
    assert len(catalog._decoded) == 2
    assert (versions[0].id, versions[0].content_hash) not in catalog._decoded  # the oldest used fell out


def test_quiz_contexts_match_the_participants_quiz_list(app, make_user, tmp_path):
    _sync(tmp_path / "v1", T0)
    quiz, pre = services.get_quiz("uji-mesin"), services.get_quiz("uji-pre")
    user, stranger = make_user(), make_user()
    older = create_training("bimtek-lama", users=(user,), posttest_id=quiz.id, pretest_id=pre.id,
                            start_date=date(2026, 5, 4), end_date=date(2026, 5, 5))
    newer = create_training("bimtek-baru", users=(user,), posttest_id=quiz.id,
                            start_date=date(2026, 8, 17), end_date=date(2026, 8, 18))
    create_training("bimtek-draf", users=(user,), posttest_id=quiz.id, status="draft")
    for wanted in (quiz, pre):
        listed = [(c, t) for q, c, t in scope.participant_quizzes(user) if q.id == wanted.id]
        assert scope.quiz_contexts(user, wanted) == listed
    assert [t.slug for _, t in scope.quiz_contexts(user, quiz)] == [newer.slug, older.slug]
    assert scope.quiz_contexts(stranger, quiz) == []


def test_the_attempt_page_and_saves_reuse_the_snapshot_kept_at_start(app, client, auth, make_user, frozen,
                                                                      monkeypatch, tmp_path):
    from lms.quizzes.services import attempts

    _sync(tmp_path / "v1", T0)
    decoded = []
    original = attempts.entries_from_json
    monkeypatch.setattr(attempts, "entries_from_json", lambda data: decoded.append(len(data)) or original(data))
    user = make_user()
    put_in_training(user)
    auth.login_as(user)
    start = client.post("/quizzes/uji-mesin/start")
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    attempt_id = int(re.search(r"/attempts/(\d+)", start.headers["Location"]).group(1))
    reply = client.post(f"/quizzes/attempts/{attempt_id}/answers",
                        json={"question": "isian", "value": "5W+1H", "revision": 0})
    assert "Soal 5" in page and reply.status_code == 200 and decoded == []  # the start's own questions

    services.forget_decoded_attempts()  # another process, or a restarted one: read from the database once
    first = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    again = client.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    assert decoded == [5] and "Soal 5" in first and "Soal 5" in again
    stored = db.session.get(Attempt, attempt_id)
    assert [e.id for e in services.attempt_questions(stored)] == [q["q"]["id"] for q in stored.questions]


def test_a_start_rolled_back_leaves_nothing_cached(app, make_user, tmp_path):
    from lms.quizzes.services import attempts

    _sync(tmp_path / "v1", T0)
    user = make_user()
    put_in_training(user)
    attempt = services.start_attempt(user, services.get_quiz("uji-mesin"), T0)
    key = attempts._snapshot_key(attempt)
    db.session.rollback()
    assert key not in attempts._decoded_attempts
    attempt = services.start_attempt(user, services.get_quiz("uji-mesin"), T0)
    key = attempts._snapshot_key(attempt)
    db.session.commit()
    assert key in attempts._decoded_attempts
