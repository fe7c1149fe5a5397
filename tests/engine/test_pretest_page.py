"""The pre-test page is consistent: no pass mark under a line saying the score decides nothing,
and its review shows the score only."""

from __future__ import annotations

from pathlib import Path

from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes

REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_pretest_start_page_shows_no_pass_mark(client, quiz, taker):
    page = client.get("/quizzes/uji-pre").get_data(as_text=True)
    assert "Jumlah soal" in page and "Nilai minimal lulus" not in page
    post = client.get("/quizzes/uji-mesin").get_data(as_text=True)
    assert "Nilai minimal lulus" in post and "60%" in post


def test_the_bundled_pretest_page_says_the_score_decides_nothing_and_shows_no_pass_mark(client, auth, make_user):
    definitions, errors, _ = load_quizzes(REPOSITORY / "quizzes")
    assert errors == []
    services.sync_quizzes(definitions, utcnow())
    db.session.commit()
    auth.login_as(make_user(role="admin"))
    page = client.get("/quizzes/pretest-bimtek-medsos").get_data(as_text=True)
    assert "tidak</strong> menentukan kelulusan" in page and "Nilai minimal lulus" not in page
    post = client.get("/quizzes/posttest-bimtek-medsos").get_data(as_text=True)
    assert "Nilai minimal lulus" in post


def test_a_pretest_review_shows_the_score_but_never_the_answers(client, quiz, taker):
    pre = services.get_quiz("uji-pre")  # no [review] table: the default would show correctness
    response = client.post("/quizzes/uji-pre/start")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/quizzes/attempts/{attempt_id}/answers",
                json={"question": "satu", "value": "false", "revision": 0})
    client.post(f"/quizzes/attempts/{attempt_id}/submit")
    page = client.get(f"/quizzes/attempts/{attempt_id}/review").get_data(as_text=True)
    assert pre.kind == "pretest" and "Nilai 0" in page
    assert ">Salah</span>" not in page and "Kunci:" not in page and "Jawaban Anda" not in page
    assert "Belum lulus" not in page and "nilai minimal" not in page
