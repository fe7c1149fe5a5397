"""Quiz pages and the autosave API through the test client."""

import re

from sqlalchemy import select

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.models import Attempt, Response
from tests.engine.conftest import entry_ids, key_answers
from tests.exportread import read_csv, read_xlsx


def start(client, quiz):
    response = client.post(f"/quizzes/{quiz.slug}/start")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    return db.session.get(Attempt, attempt_id)


def save(client, attempt, question, value, revision=0):
    return client.post(f"/quizzes/attempts/{attempt.id}/answers",
                       json={"question": question, "value": value, "revision": revision})


def test_quiz_page_then_start_and_resume(client, quiz, taker):
    page = client.get("/quizzes/uji-mesin").get_data(as_text=True)
    assert "Kuis Uji Mesin" in page and "10 menit" in page and "2 kali (sisa 2)" in page
    attempt = start(client, quiz)
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert "Soal 1" in page and ">0</span> dari 5 dijawab" in page and 'role="timer"' in page
    assert start(client, quiz).id == attempt.id
    assert "Lanjutkan mengerjakan" in client.get("/quizzes/uji-mesin").get_data(as_text=True)


def test_autosave_api(client, quiz, taker):
    attempt = start(client, quiz)
    response = save(client, attempt, "isian", "5W+1H")
    assert response.status_code == 200 and response.get_json()["revision"] == 1
    stale = save(client, attempt, "isian", "lama", revision=0)
    assert stale.status_code == 409 and stale.get_json()["value"] == "5W+1H"
    assert save(client, attempt, "tunggal", "a99").status_code == 400
    assert save(client, attempt, "soal-lain", "a1").status_code == 400
    assert client.post(f"/quizzes/attempts/{attempt.id}/answers", data="bukan json").status_code == 400
    page = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert 'value="5W+1H"' in page and ">1</span> dari 5 dijawab" in page


def test_another_users_attempt_is_forbidden(client, auth, quiz, make_user, enroll_in_training):
    owner = make_user()
    attempt = services.start_attempt(owner, quiz, services_now())
    db.session.commit()
    intruder = make_user()
    enroll_in_training(intruder)
    auth.login_as(intruder)
    assert save(client, attempt, "isian", "x").status_code == 403
    assert client.get(f"/quizzes/attempts/{attempt.id}").status_code == 403
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 403
    assert db.session.scalars(select(Response)).all() == []


def services_now():
    from lms.db_types import utcnow
    return utcnow()


def test_session_end_is_a_json_401_not_a_redirect(client, quiz, taker):
    attempt = start(client, quiz)
    client.post("/logout")
    response = save(client, attempt, "isian", "x")
    assert response.status_code == 401 and response.is_json


def test_no_javascript_flow_pages_and_submit(client, quiz, taker):
    attempt = start(client, quiz)
    entries = entry_ids(attempt)
    order = [e["q"]["id"] for e in attempt.questions]
    answers = key_answers(attempt)
    form = {"page": "1", "goto": "1"}
    for index, qid in enumerate(order, start=1):
        form[f"q-{index}-shown"] = "1"
        form[f"q-{index}-rev"] = "0"
        value = answers[qid]
        if isinstance(value, dict):
            form.update({f"q-{index}-{pid}": right for pid, right in value.items()})
        else:
            form[f"q-{index}"] = value
    assert entries  # the attempt has its questions
    response = client.post(f"/quizzes/attempts/{attempt.id}/page", data=form)
    assert response.status_code == 302
    saved = {r.question_id: r.value for r in db.session.scalars(select(Response))}
    assert saved["isian"] == "5w 1h" and sorted(saved) == sorted(order)
    response = client.post(f"/quizzes/attempts/{attempt.id}/page", data=dict(form, action="submit"))
    confirm = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anda menjawab 5 dari 5 soal" in confirm
    response = client.post(f"/quizzes/attempts/{attempt.id}/submit")
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nilai 100" in review and "Lulus" in review
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 302  # harmless again
    assert save(client, attempt, "isian", "ubah", 1).status_code == 409


def test_review_follows_policy(client, quiz, taker):
    attempt = start(client, quiz)
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    # A second attempt is allowed: only the score until it is used (tests/engine/test_review_policy.py).
    assert "Nilai 0" in page and ">Salah</span>" not in page and "10 hari kerja, dapat" not in page
    second = start(client, quiz)
    client.post(f"/quizzes/attempts/{second.id}/submit")
    page = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Nilai 0" in page and ">Salah</span>" in page and "kunci</span>" not in page
    assert "10 hari kerja, dapat diperpanjang" in page  # general feedback shown after submit


def test_results_item_analysis_gain_and_csv(client, auth, quiz, make_user):
    from lms.db_types import utcnow
    now = utcnow()
    pre = services.get_quiz("uji-pre")
    people = [make_user(full_name=name) for name in ("=HYPERLINK(\"x\")", "Budi", "Citra")]
    for person, pre_value, post_all in zip(people, ("true", "false", "true"), (True, False, True)):
        a = services.start_attempt(person, pre, now)
        services.save_answer(person, a, "satu", pre_value, 0, now)
        services.submit(person, a, now)
        b = services.start_attempt(person, quiz, now)
        answers = key_answers(b) if post_all else {"benar-salah": "false"}
        for qid, value in answers.items():
            services.save_answer(person, b, qid, value, 0, now)
        services.submit(person, b, now)
    db.session.commit()
    auth.login_as(make_user(role="admin"))
    page = client.get("/quizzes/uji-mesin/results").get_data(as_text=True)
    assert "3 peserta mengerjakan" in page and "Budi" in page
    assert "Pre-test dan post-test" in page and "0.20" in page  # Budi: (20 − 0) / (100 − 0)
    assert "Analisis butir soal" in page
    rows = read_csv(client.get("/quizzes/uji-mesin/results.csv").get_data())
    assert rows[0] == ["nama", "nip", "opd", "percobaan", "nilai", "lulus", "pre_test", "gain_ternormalisasi"]
    by_name = {r[0]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"x\")" in by_name and not any(c.startswith("=") for r in rows for c in r)
    assert by_name["Budi"][4:] == ["20", "tidak", "0", "0,20"]  # decimals with a comma, the gain with 2 places
    sheet = read_xlsx(client.get("/quizzes/uji-mesin/results.xlsx").get_data())["Hasil Kuis"]
    budi = next(r for r in sheet if r[0] == "Budi")
    assert sheet[0] == rows[0] and budi[3:] == [1, 20, "tidak", 0, 0.2]


def test_participant_cannot_see_results(client, quiz, taker):
    assert client.get("/quizzes/uji-mesin/results").status_code == 403
    assert client.get("/quizzes/uji-mesin/results.csv").status_code == 403


def test_participant_outside_the_training_cannot_take_its_test(client, auth, quiz, make_user):
    auth.login_as(make_user())
    assert client.get("/quizzes/uji-mesin").status_code == 403
    assert client.post("/quizzes/uji-mesin/start").status_code == 403
    assert "Belum ada kuis" in client.get("/quizzes/").get_data(as_text=True)


def test_training_window_closes_the_quiz(client, quiz, taker):
    from datetime import timedelta

    from lms.trainings.models import Training
    training = db.session.scalars(select(Training)).one()
    now = services_now()
    training.posttest_open_at, training.posttest_close_at = now - timedelta(hours=2), now - timedelta(hours=1)
    db.session.commit()
    page = client.get("/quizzes/uji-mesin?training=bimtek-uji").get_data(as_text=True)
    assert "sedang tidak dibuka" in page
    response = client.post("/quizzes/uji-mesin/start", data={"training": "bimtek-uji"}, follow_redirects=True)
    assert "Kuis sudah ditutup" in response.get_data(as_text=True)
    assert db.session.scalars(select(Attempt)).all() == []


def test_session_outlives_its_limits_while_an_attempt_is_open(app, client, quiz, taker):
    import time

    attempt = start(client, quiz)
    client.get(f"/quizzes/attempts/{attempt.id}")
    with client.session_transaction() as session:
        assert session["attempt_alive"]["id"] == attempt.id
        session["started"] = time.time() - app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - 60
        session["seen"] = time.time() - app.config["SESSION_IDLE_MINUTES"] * 60 - 60
    assert save(client, attempt, "isian", "5W+1H").status_code == 200
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    with client.session_transaction() as session:
        session["started"] = time.time() - app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - 60
    assert client.get("/quizzes/").status_code == 302


def test_a_pretest_shows_a_score_but_no_pass_or_fail(client, quiz, taker):
    pre = services.get_quiz("uji-pre")
    attempt = services.start_attempt(taker, pre, services_now(), context=_context_of(pre))
    services.save_answer(taker, attempt, "satu", "false", 0, services_now())
    services.submit(taker, attempt, services_now())
    db.session.commit()
    review = client.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Nilai 0" in review and "Belum lulus" not in review
    listing = client.get("/quizzes/").get_data(as_text=True)
    assert "Nilai 0%" in listing and listing.count("Belum lulus") == 0


def _context_of(quiz):
    from lms.trainings import scope as trainings
    from lms.trainings.models import Training

    return trainings.quiz_context(db.session.scalars(select(Training)).one(), quiz)
