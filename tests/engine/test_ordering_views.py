"""An ordering question through the pages: position selects (no script), autosave, no-JS, review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes
from lms.quizzes.models import Attempt, Response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ordering"
RIGHT = {"a1": 1, "a2": 2, "a3": 3, "a4": 4}


@pytest.fixture
def attempt(client, auth, make_user):
    definitions, errors, _ = load_quizzes(FIXTURES)
    assert errors == []
    services.sync_quizzes(definitions, utcnow())
    db.session.commit()
    auth.login_as(make_user(role="admin"))
    response = client.post("/quizzes/uji-urutan/start")
    return db.session.get(
        Attempt, int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    )


def test_the_page_offers_a_position_select_per_step_in_the_shown_order(client, attempt):
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    shown = attempt.questions[0]["choices"]
    assert re.findall(r'data-step="(a\d)"', page) == shown and shown != sorted(shown)
    assert page.count("Urutan ke-4</option>") == 4 and "Mengurutkan" in page
    assert 'for="q-1-a1"' in page and "Beri setiap langkah nomor urutannya, 1 sampai 4." in page
    assert (
        "<script>" not in page and " style=" not in page
    )  # the CSP forbids inline script and style


def test_autosave_then_review_shows_partial_credit_and_the_right_order(client, attempt):
    swapped = {"a1": 2, "a2": 1, "a3": 3, "a4": 4}
    saved = client.post(
        f"/quizzes/attempts/{attempt.id}/answers",
        json={"question": "alur-persetujuan", "value": swapped, "revision": 0},
    )
    assert saved.status_code == 200
    refused = client.post(
        f"/quizzes/attempts/{attempt.id}/answers",
        json={"question": "alur-persetujuan", "value": {"a1": 9}, "revision": 1},
    )
    assert refused.status_code == 400 and "1–4" in refused.get_json()["message"]
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert '<option value="2" selected>' in page
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Sebagian benar" in review and "Nilai 83,3" in review
    mine = review.index("Urutan Anda")
    right = review.index("Urutan yang benar")
    assert (
        review.index("Telaah oleh kepala seksi", mine)
        < review.index("Penyusunan draf konten", mine)
        < right
    )
    assert (
        review.index("Penyusunan draf konten", right)
        < review.index("Telaah oleh kepala seksi", right)
        < review.index("Persetujuan Kepala Dinas", right)
        < review.index("Publikasi di akun resmi OPD", right)
    )


def test_a_page_posted_without_javascript_saves_the_positions(client, attempt):
    form = {
        "page": "1",
        "goto": "1",
        "q-1-shown": "1",
        "q-1-rev": "0",
        **{f"q-1-{step}": str(position) for step, position in RIGHT.items()},
    }
    assert client.post(f"/quizzes/attempts/{attempt.id}/page", data=form).status_code == 302
    assert db.session.scalars(select(Response.value)).one() == RIGHT
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).percent == 100
