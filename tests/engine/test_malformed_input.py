"""Malformed answers to the attempt endpoints are a 400 with a message, never a 500."""

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.quizzes.errors import MalformedAnswer
from lms.quizzes.models import Attempt, Response
from lms.quizzes.payload import answer_payload, revision


@pytest.fixture
def attempt(client, auth, make_user, quiz, enroll_in_training):
    user = make_user(full_name="Peserta Kuis")
    enroll_in_training(user)
    auth.login_as(user)
    response = client.post(f"/quizzes/{quiz.slug}/start")
    return db.session.get(Attempt, int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1)))


@pytest.mark.parametrize("body", [
    "[1]", '"s"', "1", "null",
    '{"question": "isian", "value": "x", "revision": 1e999}',
    '{"question": "isian", "value": "x", "revision": 99999999999999999999999}',
    '{"question": "isian", "value": "x", "revision": -1}',
    '{"question": "isian", "value": "x", "revision": 1.5}',
    '{"question": "isian", "value": "x", "revision": true}',
    '{"question": ["isian"], "value": "x", "revision": 0}',
])
def test_malformed_autosave_body_is_a_400_with_a_message(client, attempt, body):
    response = client.post(f"/quizzes/attempts/{attempt.id}/answers", data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request" and response.get_json()["message"]
    assert db.session.scalars(select(Response)).all() == []


def test_deeply_nested_json_is_a_400(client, attempt):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(f"/quizzes/attempts/{attempt.id}/answers", data=body,
                           content_type="application/json")
    assert response.status_code == 400 and "terlalu dalam" in response.get_json()["message"]


@pytest.mark.parametrize("rev", ["abc", "1e999", "", "99999999999999999999", "-1", "１"])
def test_non_integer_revision_on_the_no_javascript_form_is_a_400(client, attempt, rev):
    form = {"page": "1", "q-1-shown": "1", "q-1-rev": rev, "q-1": "jawaban"}
    response = client.post(f"/quizzes/attempts/{attempt.id}/page", data=form)
    assert response.status_code == 400
    assert "Nomor revisi jawaban (q-1-rev) harus bilangan bulat" in response.get_data(as_text=True)
    assert db.session.scalars(select(Response)).all() == []


def test_page_numbers_beyond_range_are_404_not_500(client, attempt):
    response = client.post(f"/quizzes/attempts/{attempt.id}/page", data={"page": "9" * 30, "goto": "1"})
    assert response.status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt.id}?page={'9' * 30}").status_code == 404
    assert client.get(f"/quizzes/attempts/{attempt.id}?page=99").status_code == 200  # in range: last page


@pytest.mark.parametrize("value, expected", [(0, 0), (7, 7), ("12", 12), (" 3 ", 3), (2**31 - 1, 2**31 - 1)])
def test_revision_accepts_integers_and_their_digits(value, expected):
    assert revision(value, "revision") == expected


@pytest.mark.parametrize("value", [2**31, -1, 1.0, True, None, "1" * 5000, "٣", [], {}])
def test_revision_refuses_everything_else(value):
    with pytest.raises(MalformedAnswer, match="bilangan bulat 0–2147483647"):
        revision(value, "revision")


def test_answer_payload_reads_the_three_keys():
    assert answer_payload({"question": "isian", "value": ["a"], "revision": 2}) == ("isian", ["a"], 2)
    assert answer_payload({}) == ("", None, 0)
