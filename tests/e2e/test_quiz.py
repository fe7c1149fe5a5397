"""Answer half a quiz in a real browser, reload, find the answers, submit, see the score."""

import os
import re
from pathlib import Path

import pytest

from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes
from tests.e2e.conftest import log_in
from tests.engine.conftest import put_in_training

pytestmark = pytest.mark.e2e
ENGINE = Path(__file__).resolve().parents[1] / "fixtures" / "engine"


def engine_participant(live_server, page, make_user):
    """Load the engine quiz, enrol a participant in its training and log them in on page."""
    definitions, errors, _ = load_quizzes(ENGINE)
    assert errors == []
    services.sync_quizzes(definitions, utcnow())
    db.session.commit()
    put_in_training(make_user(email="peserta@contoh.go.id", full_name="Peserta Kuis"))
    page.goto(live_server + "/login")
    log_in(page, "peserta@contoh.go.id")
    return page


def test_autosaved_answers_survive_a_reload(live_server, phone, make_user):
    page = engine_participant(live_server, phone, make_user)
    page.goto(live_server + "/quizzes/uji-mesin")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_selector("fieldset.question")
    page.wait_for_load_state("load")  # attempt.js listens before the first answer is typed
    box = page.locator("fieldset[data-question=isian]")
    box.get_by_placeholder("Ketik jawaban Anda").fill("5W+1H")
    box.locator(".save-state", has_text="Tersimpan").wait_for()
    tf = page.locator("fieldset[data-question=benar-salah]")
    tf.get_by_label("Salah").check()
    tf.locator(".save-state", has_text="Tersimpan").wait_for()
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "quiz-phone.png"), full_page=True)
    page.reload()
    assert page.locator("fieldset[data-question=isian] input[type=text]").input_value() == "5W+1H"
    assert page.locator("fieldset[data-question=benar-salah]").get_by_label("Salah").is_checked()
    assert page.locator("#answered-count").inner_text() == "2"
    page.get_by_role("button", name="Kumpulkan").click()
    page.get_by_role("button", name="Ya, kumpulkan sekarang").click()
    page.wait_for_url("**/review")
    assert page.get_by_text("Nilai 40").is_visible()
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "quiz-review.png"), full_page=True)


def test_the_start_answers_with_the_page_and_a_reload_opens_the_attempt(live_server, phone, make_user):
    page = engine_participant(live_server, phone, make_user)
    page.goto(live_server + "/quizzes/uji-mesin")
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url.replace(live_server, ""))))
    with page.expect_response(lambda r: r.url.endswith("/start")) as started:
        page.get_by_role("button", name="Mulai mengerjakan").click()
    assert started.value.status == 200  # the page itself, no redirect and second request
    page.wait_for_selector("fieldset.question")
    page.wait_for_load_state("load")
    shown = re.fullmatch(rf"{re.escape(live_server)}/quizzes/attempts/(\d+)\?page=1", page.url)
    assert shown, page.url  # the attempt's own address, put there by attempt.js
    page.locator("fieldset[data-question=benar-salah]").get_by_label("Salah").check()
    page.locator("fieldset[data-question=benar-salah] .save-state", has_text="Tersimpan").wait_for()
    page.reload()
    page.wait_for_selector("fieldset.question")
    assert [m for m, u in sent if u.endswith("/start")] == ["POST"]  # the reload did not post the form again
    assert ("GET", f"/quizzes/attempts/{shown.group(1)}?page=1") in sent
    assert page.locator("fieldset[data-question=benar-salah]").get_by_label("Salah").is_checked()
    assert page.locator("#page-label").inner_text() == "Halaman 1 dari 1"


def test_the_attempt_page_sends_heartbeats_only_while_visible(live_server, phone, make_user):
    page = engine_participant(live_server, phone, make_user)
    page.clock.install()
    page.goto(live_server + "/quizzes/uji-mesin")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_selector("fieldset.question")
    page.wait_for_load_state("load")  # attempt.js has run and set its interval on the fake clock
    beats: list[str] = []
    page.on("requestfinished", lambda r: beats.append(r.method) if r.url.endswith("/heartbeat") else None)
    with page.expect_response(lambda r: r.url.endswith("/heartbeat")) as answered:
        page.clock.run_for(61_000)
    assert answered.value.status == 200 and answered.value.json()["finished"] is False
    page.evaluate("Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true})")
    page.clock.run_for(5 * 61_000)
    page.wait_for_timeout(300)  # let any request the page did send arrive
    assert beats == ["POST"]


def test_an_ordering_question_on_a_phone(live_server, phone, make_user):
    definitions, errors, _ = load_quizzes(ENGINE.parent / "ordering")
    assert errors == []
    services.sync_quizzes(definitions, utcnow())
    db.session.commit()
    make_user(role="admin", email="penyelenggara@contoh.go.id")
    page = phone
    page.goto(live_server + "/login")
    log_in(page, "penyelenggara@contoh.go.id")
    page.goto(live_server + "/quizzes/uji-urutan")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    box = page.locator("fieldset[data-question=alur-persetujuan]")
    box.wait_for()
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    steps = ["Penyusunan draf konten", "Telaah oleh kepala seksi", "Persetujuan Kepala Dinas",
             "Publikasi di akun resmi OPD"]
    for position, step in enumerate(steps, start=1):
        box.get_by_label(step).select_option(str(position))
        box.locator(".save-state", has_text="Tersimpan").wait_for()
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], "quiz-ordering-phone.png"), full_page=True)
    page.reload()
    assert box.get_by_label("Publikasi di akun resmi OPD").input_value() == "4"
    page.get_by_role("button", name="Kumpulkan").click()
    page.get_by_role("button", name="Ya, kumpulkan sekarang").click()
    page.wait_for_url("**/review")
    assert page.get_by_text("Nilai 100").is_visible() and page.get_by_text("Urutan yang benar").is_visible()
