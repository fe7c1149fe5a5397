"""Answers that survive the venue Wi-Fi, in a real browser on a 360×800 phone: offline answers
wait in the outbox and arrive when the connection returns, through page switches, reloads and a
closed tab; the attempt resumes on its page; a stale answer gives way to the server's; handing
in never loses an answer; the option rows are tap targets of at least 44 px."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.services import ensure_institution
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes
from lms.quizzes.models import Attempt, Response
from lms.trainings.models import Enrollment, Training
from tests.e2e.conftest import _watched_page, log_in

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WAITING = "{} jawaban belum terkirim — akan dikirim otomatis saat tersambung"
ALL_SAVED = "Semua jawaban tersimpan"


@pytest.fixture
def phone800(browser):
    yield from _watched_page(browser.new_context(viewport={"width": 360, "height": 800},
                                                 device_scale_factor=2, locale="id-ID",
                                                 is_mobile=True, has_touch=True))


def participant(live_server, page, make_user, folder="paging", slug="uji-halaman"):
    """Enrol a participant in a training whose post-test is the fixture quiz, log in, start it."""
    definitions, errors, _ = load_quizzes(FIXTURES / folder)
    assert errors == []
    services.sync_quizzes(definitions, utcnow())
    quiz = services.get_quiz(slug)
    training = Training(institution_id=ensure_institution().id, slug="bimtek-wifi", title="Bimtek Wi-Fi",
                        start_date=date(2026, 8, 17), end_date=date(2026, 8, 18), status="open",
                        posttest_id=quiz.id)
    db.session.add(training)
    user = make_user(email="peserta@contoh.go.id", full_name="Peserta Kuis")
    db.session.flush()
    db.session.add(Enrollment(training_id=training.id, user_id=user.id))
    db.session.commit()
    page.goto(live_server + "/login")
    log_in(page, "peserta@contoh.go.id")
    page.goto(f"{live_server}/quizzes/{slug}?training=bimtek-wifi")
    page.get_by_role("button", name="Mulai mengerjakan").click()
    page.wait_for_selector("fieldset.question")
    page.wait_for_load_state("load")  # attempt.js is listening
    return user, int(re.search(r"/attempts/(\d+)", page.url).group(1))


def answer(page, question, label):
    page.locator(f"fieldset[data-question={question}]").get_by_text(label, exact=True).click()


def saved_answers(attempt_id):
    db.session.rollback()  # a fresh read: the live server wrote in its own transactions
    return {r.question_id: r.value for r in db.session.scalars(
        select(Response).where(Response.attempt_id == attempt_id))}


def outbox_emptied(page, attempt_id):
    page.wait_for_function(f"window.localStorage.getItem('lms-outbox-{attempt_id}') === null")


def status_line(page):
    return page.locator("#outbox-status")


def shown_page(page):
    return page.locator("fieldset.attempt-page:not([hidden])").get_attribute("data-page")


def screenshot(page, name):
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=False)


def test_answers_given_offline_arrive_when_the_connection_returns(live_server, phone800, make_user):
    page = phone800
    _, attempt_id = participant(live_server, page, make_user)
    assert status_line(page).inner_text() == ALL_SAVED and shown_page(page) == "1"
    page.evaluate("window.__samePage = true")  # gone if any click below loaded a page
    page.context.set_offline(True)
    answer(page, "soal-01", "Salah")
    page.get_by_role("button", name="Berikutnya »").click()
    assert shown_page(page) == "2" and page.get_by_text("Halaman 2 dari 3").is_visible()
    answer(page, "soal-06", "Benar")
    page.get_by_role("button", name="« Sebelumnya").click()
    assert page.locator("fieldset[data-question=soal-01]").get_by_label("Salah").is_checked()
    page.get_by_role("button", name="Berikutnya »").click()
    page.get_by_role("button", name="Berikutnya »").click()
    answer(page, "soal-12", "Benar")
    assert status_line(page).inner_text() == WAITING.format(3)
    assert page.locator("#answered-count").inner_text() == "3"
    assert page.evaluate("window.__samePage") is True and shown_page(page) == "3"
    screenshot(page, "quiz-outbox-offline.png")
    assert saved_answers(attempt_id) == {}
    page.context.set_offline(False)  # the Wi-Fi returns: the 'online' event sends the outbox
    status_line(page).get_by_text(ALL_SAVED).wait_for()
    outbox_emptied(page, attempt_id)
    assert saved_answers(attempt_id) == {"soal-01": "false", "soal-06": "true", "soal-12": "true"}
    page.goto(f"{live_server}/quizzes/attempts/{attempt_id}")  # re-opened: resumes on page 3
    assert shown_page(page) == "3" and page.get_by_text("Halaman 3 dari 3").is_visible()
    assert page.locator("fieldset[data-question=soal-12]").get_by_label("Benar").is_checked()
    assert page.locator("fieldset[data-question=soal-06]").get_by_label("Benar").is_checked()


def test_unsent_answers_are_restored_after_a_reload_and_sent_later(live_server, phone800, make_user):
    page = phone800
    _, attempt_id = participant(live_server, page, make_user)
    page.route("**/answers", lambda route: route.abort())  # the save requests never arrive
    answer(page, "soal-02", "Benar")
    page.get_by_role("button", name="Berikutnya »").click()
    answer(page, "soal-07", "Salah")
    status_line(page).get_by_text(WAITING.format(2)).wait_for()
    page.reload()
    page.wait_for_load_state("load")
    assert shown_page(page) == "2"
    assert page.locator("fieldset[data-question=soal-07]").get_by_label("Salah").is_checked()
    assert page.locator("fieldset[data-question=soal-02]").get_by_label("Benar").is_checked()
    assert status_line(page).inner_text() == WAITING.format(2)
    assert page.locator("#answered-count").inner_text() == "2"
    assert page.locator("#save-banner").get_by_text("Koneksi terputus").is_visible()
    assert saved_answers(attempt_id) == {}
    page.unroute("**/answers")
    page.context.set_offline(True)
    page.context.set_offline(False)  # back online: sent at once, not at the next retry
    status_line(page).get_by_text(ALL_SAVED).wait_for()
    assert saved_answers(attempt_id) == {"soal-02": "true", "soal-07": "false"}


def test_a_tab_closed_offline_loses_nothing(live_server, phone800, make_user):
    page = phone800
    _, attempt_id = participant(live_server, page, make_user)
    context = page.context
    context.set_offline(True)
    answer(page, "soal-03", "Salah")
    answer(page, "soal-04", "Benar")
    status_line(page).get_by_text(WAITING.format(2)).wait_for()
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{live_server}/quizzes/attempts/{attempt_id}")
    status_line(again).get_by_text(ALL_SAVED).wait_for()
    outbox_emptied(again, attempt_id)
    assert saved_answers(attempt_id) == {"soal-03": "false", "soal-04": "true"}


def test_a_stale_answer_gives_way_to_the_servers(live_server, phone800, make_user):
    page = phone800
    user, attempt_id = participant(live_server, page, make_user)
    box = page.locator("fieldset[data-question=soal-05]")
    answer(page, "soal-05", "Benar")
    box.locator(".save-state", has_text="Tersimpan").wait_for()
    attempt = db.session.get(Attempt, attempt_id)
    services.save_answer(user, attempt, "soal-05", "false", 1, utcnow())  # another phone: rev 2
    services.save_answer(user, attempt, "soal-05", "true", 2, utcnow())  # and again: rev 3
    db.session.commit()
    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 409):
        answer(page, "soal-05", "Salah")  # based on revision 1: refused as stale
    box.locator(".save-state", has_text="jawaban terbaru ditampilkan").wait_for()
    assert box.get_by_label("Benar").is_checked() and not box.get_by_label("Salah").is_checked()
    assert page.locator("#save-banner").get_by_text("Jawaban soal 5 sudah diubah").is_visible()
    assert status_line(page).inner_text() == ALL_SAVED
    assert box.get_attribute("data-revision") == "3"
    assert saved_answers(attempt_id) == {"soal-05": "true"}
    answer(page, "soal-05", "Salah")  # now on the server's revision: saved
    box.locator(".save-state", has_text="Tersimpan").wait_for()
    assert saved_answers(attempt_id) == {"soal-05": "false"}


def test_handing_in_offline_keeps_the_attempt_open(live_server, phone800, make_user):
    page = phone800
    _, attempt_id = participant(live_server, page, make_user)
    page.context.set_offline(True)
    answer(page, "soal-01", "Benar")
    page.get_by_role("button", name="Kumpulkan").click()
    page.locator("#save-banner").get_by_text("belum dikumpulkan dan tetap terbuka").wait_for()
    assert "/attempts/" in page.url and "confirm" not in page.url
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status == "in_progress"
    page.context.set_offline(False)
    status_line(page).get_by_text(ALL_SAVED).wait_for()
    page.get_by_role("button", name="Kumpulkan").click()
    page.get_by_role("button", name="Ya, kumpulkan sekarang").click()
    page.wait_for_url("**/review")
    screenshot(page, "quiz-review-retry-allowed.png")
    assert page.get_by_text("Nilai 8,3", exact=True).is_visible()  # 1 of 12
    assert page.get_by_text("Anda masih dapat mengerjakan kuis ini lagi").is_visible()
    assert page.locator(".badge", has_text="Benar").count() == 0  # a second attempt is allowed
    assert saved_answers(attempt_id) == {"soal-01": "true"}


def test_option_rows_are_tap_targets_of_at_least_44_px(live_server, phone800, make_user):
    page = phone800
    participant(live_server, page, make_user, folder="engine", slug="uji-mesin")
    rows = page.locator("fieldset.attempt-page:not([hidden]) .option-row")
    boxes = [rows.nth(i).bounding_box() for i in range(rows.count())]
    assert len(boxes) >= 7  # single (2+), multiple (3+), true/false (2)
    for box in boxes:
        assert box["height"] >= 44 and box["width"] >= 44 and box["x"] + box["width"] <= 360
    for upper, lower in zip(boxes, boxes[1:]):
        if lower["y"] > upper["y"]:  # stacked, not side by side: never closer than a tap
            assert lower["y"] - upper["y"] >= 44 and lower["y"] >= upper["y"] + upper["height"]
    for name in ("Kumpulkan", "Simpan", "Berikutnya »"):
        button = page.get_by_role("button", name=name)
        if button.is_visible():
            assert button.bounding_box()["height"] >= 44
    tf = page.locator("fieldset[data-question=benar-salah] .option-row").first
    tf.scroll_into_view_if_needed()
    box = tf.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 6, box["y"] + box["height"] - 6)  # the row's corner
    assert tf.locator("input").is_checked()
    page.locator("fieldset[data-question=benar-salah] .save-state", has_text="Tersimpan").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "quiz-option-rows.png")


def test_text_typed_just_before_leaving_the_page_is_kept(live_server, phone800, make_user):
    page = phone800
    _, attempt_id = participant(live_server, page, make_user, folder="engine", slug="uji-mesin")
    page.route("**/answers", lambda route: route.abort())
    page.locator("fieldset[data-question=isian] input[type=text]").fill("5W+1H")
    page.goto(live_server + "/quizzes/")  # at once, before the typing pause would have saved it
    assert saved_answers(attempt_id) == {}
    page.unroute("**/answers")
    page.goto(f"{live_server}/quizzes/attempts/{attempt_id}")
    assert page.locator("fieldset[data-question=isian] input[type=text]").input_value() == "5W+1H"
    status_line(page).get_by_text(ALL_SAVED).wait_for()
    assert saved_answers(attempt_id) == {"isian": "5W+1H"}
