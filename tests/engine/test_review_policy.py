"""The review shows correctness and keys only when the quiz's review policy allows it now:
never while the participant may still take the quiz again (unless the policy says so), and a
pre-test never shows more than the score."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lms.extensions import db
from lms.quizzes import presenters, services
from lms.quizzes.definitions import load_quizzes
from lms.quizzes.models import Attempt
from lms.quizzes.questions.codec import settings_from_json, settings_to_json
from lms.quizzes.questions.model import DEFAULT_REVIEW, EVERYTHING, ReviewPolicy
from tests.conftest import Clock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "review"
REPOSITORY = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 8, 17, 1, 0, tzinfo=UTC)  # the fixtures close at 05:00 UTC (12.00 WIB)
BADGES = re.compile(r'badge text-bg-(?:success|danger|warning)">(?:Benar|Salah|Sebagian benar)<')
KEY = 'badge text-bg-success">kunci<'
FEEDBACK = "Sepuluh hari kerja"


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(T0)
    monkeypatch.setattr("lms.quizzes.views.utcnow", clock)
    return clock


@pytest.fixture
def taker(client, auth, make_user, clock):
    definitions, errors, _ = load_quizzes(FIXTURES)
    assert errors == []
    services.sync_quizzes(definitions, T0)
    db.session.commit()
    user = make_user(role="admin")  # staff take any quiz on its own; their own review is a participant's
    auth.login_as(user)
    return user


def take(client, slug, answer="10 hari kerja"):
    """Start an attempt of slug, answer its question with the answer named, submit it."""
    response = client.post(f"/quizzes/{slug}/start")
    attempt = db.session.get(Attempt, int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1)))
    entry = attempt.questions[0]["q"]
    chosen = next(a["id"] for a in entry["answers"] if a["text"] == answer)
    assert client.post(f"/quizzes/attempts/{attempt.id}/answers",
                       json={"question": "tunggal", "value": chosen, "revision": 0}).status_code == 200
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 302
    return attempt


def review(client, attempt):
    return client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)


def test_correctness_stays_hidden_while_another_attempt_is_allowed(client, taker):
    first = take(client, "uji-tinjauan", "3 hari kerja")
    page = review(client, first)
    assert "Nilai 0" in page  # the score, as while_retry (default: score) allows
    assert not BADGES.search(page) and KEY not in page and FEEDBACK not in page
    assert "poin</p>" not in page  # per-question points would tell right from wrong too
    assert "Anda masih dapat mengerjakan kuis ini lagi" in page


def test_correctness_shows_once_no_attempt_is_left(client, taker):
    first = take(client, "uji-tinjauan", "3 hari kerja")
    take(client, "uji-tinjauan")
    third = take(client, "uji-tinjauan")  # attempts = 3: none left now
    for attempt in (first, third):
        page = review(client, attempt)
        assert BADGES.search(page) and FEEDBACK in page  # after_submit: score, correctness, feedback
        assert KEY not in page and "Anda masih dapat" not in page  # answers only after close
    assert 'badge text-bg-danger">Salah<' in review(client, first)


def test_a_running_attempt_hides_the_correctness_of_the_earlier_ones(client, taker):
    first = take(client, "uji-tinjauan", "3 hari kerja")
    take(client, "uji-tinjauan")
    client.post("/quizzes/uji-tinjauan/start")  # the last attempt, open: it must not see the key
    assert not BADGES.search(review(client, first))


def test_after_close_everything_the_policy_allows_shows(client, taker, clock):
    first = take(client, "uji-tinjauan", "3 hari kerja")
    clock.advance(hours=5)  # past 05:00 UTC: the quiz closed, no attempt can start any more
    page = review(client, first)
    assert BADGES.search(page) and KEY in page and FEEDBACK in page
    assert "Anda masih dapat" not in page


def test_a_policy_may_allow_correctness_during_retries(client, taker):
    first = take(client, "uji-tinjauan-latihan", "3 hari kerja")  # while_retry: score, correctness
    page = review(client, first)
    assert 'badge text-bg-danger">Salah<' in page and "0 / 1 poin" in page
    assert KEY not in page and FEEDBACK not in page and "Anda masih dapat" in page


def test_a_pretest_shows_only_the_score_even_after_close(client, taker, clock):
    attempt = take(client, "uji-tinjauan-pra", "3 hari kerja")  # its policy asks for everything
    for _ in range(2):
        page = review(client, attempt)
        assert "Nilai 0" in page and not BADGES.search(page) and KEY not in page and FEEDBACK not in page
        assert "Belum lulus" not in page and "nilai minimal" not in page
        clock.advance(hours=5)  # then after the quiz closed


def test_staff_reviewing_someone_else_see_everything(client, auth, taker, make_user):
    first = take(client, "uji-tinjauan", "3 hari kerja")
    first.user_id = make_user(full_name="Peserta Lain").id  # the attempt of someone else
    db.session.commit()
    page = review(client, first)
    assert BADGES.search(page) and KEY in page


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(lambda a, q: None, True, id="attempts-left"),
    pytest.param(lambda a, q: setattr(q, "retired_at", T0), False, id="retired"),
    pytest.param(lambda a, q: setattr(a, "window_close_at", T0 - timedelta(minutes=1)), False,
                 id="window-closed"),
])
def test_may_retry(taker, change, expected):
    quiz = services.get_quiz("uji-tinjauan")
    attempt = services.start_attempt(taker, quiz, T0)
    services.submit(taker, attempt, T0)
    change(attempt, quiz)
    assert services.may_retry(attempt, T0) is expected


def test_may_retry_counts_the_attempts_and_the_open_one(taker):
    quiz = services.get_quiz("uji-tinjauan")
    attempts = []
    for _ in range(3):
        attempts.append(services.start_attempt(taker, quiz, T0))
        assert services.may_retry(attempts[0], T0) is True  # one is open: still "retrying"
        services.submit(taker, attempts[-1], T0)
    assert services.may_retry(attempts[0], T0) is False


def test_participant_review_says_what_is_held_back(taker):
    quiz = services.get_quiz("uji-tinjauan")
    attempt = services.start_attempt(taker, quiz, T0)
    services.submit(taker, attempt, T0)
    state = services.attempt_state(attempt, T0)
    assert presenters.participant_review(state, T0) == (frozenset({"score"}), True)
    closed = T0 + timedelta(hours=5)
    assert presenters.participant_review(services.attempt_state(attempt, closed), closed) == (EVERYTHING, False)


@pytest.mark.parametrize(("policy", "shown", "expected"), [
    (DEFAULT_REVIEW, frozenset({"score", "correctness", "feedback"}), frozenset({"score"})),
    (ReviewPolicy(frozenset(), frozenset(), frozenset({"score", "correctness"})),
     frozenset({"score", "correctness", "answers"}), frozenset({"score", "correctness"})),
    (ReviewPolicy(frozenset(), frozenset(), frozenset()), frozenset({"score"}), frozenset()),
])
def test_while_retrying_keeps_only_what_the_policy_allows(policy, shown, expected):
    assert policy.while_retrying(shown) == expected


def test_while_retry_is_stored_only_when_set():
    definitions, _, _ = load_quizzes(FIXTURES)
    by_slug = {d.slug: d for d in definitions}
    plain, practice = by_slug["uji-tinjauan"].settings, by_slug["uji-tinjauan-latihan"].settings
    assert "while_retry" not in settings_to_json(plain)  # the hash of such quizzes is unchanged
    assert settings_from_json(settings_to_json(plain)).review == plain.review
    assert settings_to_json(practice)["while_retry"] == ["correctness", "score"]
    assert settings_from_json(settings_to_json(practice)).review.while_retry == {"score", "correctness"}


def test_a_bad_while_retry_item_is_a_content_error(tmp_path):
    source = (FIXTURES / "uji-tinjauan.toml").read_text(encoding="utf-8")
    (tmp_path / "rusak.toml").write_text(source.replace(
        'after_close = ["score"', 'while_retry = ["kunci"]\nafter_close = ["score"'), encoding="utf-8")
    _, errors, _ = load_quizzes(tmp_path)
    assert any('isi "while_retry" tidak dikenal: "kunci"' in str(e) for e in errors)


def test_the_bundled_pretest_shows_only_its_score():
    definitions, errors, _ = load_quizzes(REPOSITORY / "quizzes")
    assert errors == []
    pretests = [d for d in definitions if d.settings.kind == "pretest"]
    assert pretests and all(d.settings.review.after_submit | d.settings.review.after_close == {"score"}
                            for d in pretests)
