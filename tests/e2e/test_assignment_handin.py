"""A participant hands in a photo and a caption on a 360 px phone through the hand-in page, the trainer
returns it for revision, the participant revises, the trainer passes it, and the certificate becomes
issuable: every step in the browser, JavaScript on (autosave and live Cek Caption).
"""

from __future__ import annotations

import os
from fractions import Fraction

import pytest

from lms.accounts.models import Agency
from lms.accounts.services import ensure_institution
from lms.assignments.models import Submission
from lms.certificates import services as certificates
from lms.courses.models import Course
from lms.extensions import db
from tests.assignments.conftest import BEFORE_DUE, make_assignment, photo_bytes
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
NOW = BEFORE_DUE
FIRST = "Kegiatan rakor dlm rangka follow up layanan publik di Aula Diskominfo."
REVISED = ("Bupati Contoh, Drs. H. Andi Seto, M.Si., membuka Bimbingan Teknis Pengelolaan Media Sosial di Aula "
           "Diskominfo Kabupaten Contoh, Senin (17/8/2026) pukul 08.30 WIB. Hadir 40 admin media sosial OPD.")


def _shot(page, name):
    folder = os.environ.get("LMS_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def _phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=2, locale="id-ID",
                                  is_mobile=True, has_touch=True)
    return context, context.new_page()


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page overflows a 360 px screen ({width} px)"


def test_hand_in_revise_and_pass_on_a_phone(live_server, browser, make_user, monkeypatch, tmp_path):
    for module in ("lms.assignments.views", "lms.assignments.review_views", "lms.core"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)
    course = Course(slug="caption-dan-interaksi-warganet", title="Caption", content_hash="x", position=1)
    opd = Agency(institution_id=ensure_institution().id, name="Dinas Kesehatan", name_key="dinas kesehatan")
    db.session.add_all([course, opd])
    db.session.commit()
    ani = make_user(full_name="Ani Lestari", agency_id=opd.id, email="ani@contoh.go.id")
    trainer = make_user(role="trainer", full_name="Narasumber Satu", email="narasumber@contoh.go.id")
    training = create_training("bimtek-caption", courses=(course,), users=(ani,), trainers=(trainer,),
                               require_posttest_pass=False, require_courses_complete=False)
    make_assignment()
    from lms.attendance import services as attendance

    monkeypatch.setattr(attendance, "percentages_of", lambda training, user_ids: {ani.id: Fraction(100)})

    def issuable() -> bool:
        db.session.commit()  # a new transaction: see what the server wrote
        return certificates.eligibility_table(training, NOW, only=ani.id)[0].may_issue

    photo = tmp_path / "kegiatan.jpg"
    photo.write_bytes(photo_bytes((800, 600), exif=True))

    participant_context, page = _phone(browser)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/login")
    log_in(page, "ani@contoh.go.id")
    _fits(page)
    _shot(page, "handin-home-phone.png")
    page.get_by_role("link", name="Tugas saya (1 belum selesai)").tap()
    page.get_by_text("Batas 18 Agustus 2026 23.59 WIB").wait_for()
    _fits(page)
    _shot(page, "handin-list-phone.png")
    page.get_by_role("link", name="Caption kegiatan OPD").tap()
    page.get_by_role("heading", name="Caption kegiatan OPD").wait_for()
    _fits(page)
    _shot(page, "handin-empty-phone.png")

    page.wait_for_load_state("load")  # the link was tapped: assignment.js must listen before the typing
    page.get_by_label("Caption", exact=True).fill(FIRST)
    page.locator("[data-save-state]", has_text="Draf tersimpan 10.00.").wait_for()
    page.locator(".cc-finding").first.wait_for()
    assert page.locator("a.cc-mark", has_text="follow up").count() == 1
    db.session.commit()
    assert db.session.scalars(db.select(Submission)).one().text == FIRST  # autosaved, no button pressed
    page.get_by_label("Ambil foto dengan kamera").set_input_files(str(photo))
    page.get_by_role("button", name="Unggah berkas").tap()
    page.get_by_text("1 berkas diunggah.").wait_for()
    image = page.get_by_role("img", name="Foto 1 Anda")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise("
                          "done => img.addEventListener('load', () => done(img.naturalWidth)))") == 800
    page.locator(".cc-finding").first.wait_for()
    _fits(page)
    _shot(page, "handin-draft-caption-phone.png")
    page.set_viewport_size({"width": 1366, "height": 900})
    _shot(page, "handin-draft-caption-desktop.png")
    page.set_viewport_size({"width": 360, "height": 800})
    page.get_by_role("button", name="Kumpulkan", exact=True).tap()
    page.get_by_text("Tugas dikumpulkan.").wait_for()
    assert not issuable()

    trainer_context, staff = _phone(browser)
    staff.goto(live_server + "/login")
    log_in(staff, "narasumber@contoh.go.id")
    staff.goto(f"{live_server}/trainings/{training.slug}/penilaian-tugas")
    staff.get_by_role("link", name="Menunggu penilaian 1").click()
    staff.get_by_role("link", name="Ani Lestari").click()
    assert staff.get_by_text("Cek Caption atas teks ini").is_visible()
    assert staff.locator("a.cc-mark", has_text="follow up").count() == 1  # the same checks Ani saw
    _fits(staff)
    _shot(staff, "review-caption-phone.png")
    staff.locator("label.level-card", has_text="Belum").tap()
    staff.locator("label.level-card", has_text="Rapi").tap()
    staff.get_by_label("Komentar untuk Unsur wajib").fill("Sebutkan pejabat, waktu, dan siapa yang hadir.")
    staff.get_by_label("Komentar umum").fill("Lengkapi unsur wajibnya, lalu kumpulkan lagi.")
    staff.get_by_role("button", name="Kembalikan untuk revisi").tap()
    staff.get_by_text("Tugas dikembalikan kepada peserta untuk revisi.").wait_for()
    assert not issuable()

    page.reload()
    page.get_by_text("Hasil penilaian: Dikembalikan untuk revisi").wait_for()
    assert page.get_by_text("Sebutkan pejabat, waktu, dan siapa yang hadir.").is_visible()
    _fits(page)
    _shot(page, "handin-revision-phone.png")
    page.get_by_label("Caption", exact=True).fill(REVISED)
    page.get_by_role("button", name="Kumpulkan revisi").tap()
    page.get_by_text("Tugas dikumpulkan.").wait_for()
    assert page.get_by_text("Revisi menunggu penilaian").first.is_visible()

    staff.reload()
    staff.get_by_text("Penilaian putaran 1: dikembalikan untuk revisi").wait_for()
    assert staff.get_by_text(REVISED).is_visible()
    staff.locator("label.level-card", has_text="Lengkap").tap()
    staff.locator("label.level-card", has_text="Rapi").tap()
    assert staff.locator("[data-verdict]").text_content() == "Lulus"
    staff.get_by_role("button", name="Beri nilai akhir").tap()
    staff.get_by_text("Nilai akhir diberikan.").wait_for()
    assert issuable()

    page.reload()
    page.get_by_text("Hasil penilaian putaran 2: Lulus").wait_for()
    _fits(page)
    _shot(page, "handin-passed-phone.png")
    assert errors == []
    participant_context.close()
    trainer_context.close()


def test_two_tabs_show_the_conflict_and_keep_what_was_typed(live_server, browser, make_user, monkeypatch):
    monkeypatch.setattr("lms.assignments.views.utcnow", lambda: NOW)
    course = Course(slug="caption-dan-interaksi-warganet", title="Caption", content_hash="x", position=1)
    db.session.add(course)
    db.session.commit()
    ani = make_user(full_name="Ani Lestari", email="ani@contoh.go.id")
    training = create_training("bimtek-caption", courses=(course,), users=(ani,))
    assignment = make_assignment()
    context, first = _phone(browser)
    first.goto(live_server + "/login")
    log_in(first, "ani@contoh.go.id")
    url = f"{live_server}/tugas/{training.slug}/{assignment.id}"
    first.goto(url)
    second = context.new_page()
    second.goto(url)  # opened before either tab saved anything
    first.get_by_label("Caption", exact=True).fill("Teks dari tab pertama.")
    first.locator("[data-save-state]", has_text="Draf tersimpan").wait_for()
    second.get_by_label("Caption", exact=True).fill("Teks dari tab kedua.")
    second.get_by_role("alert").get_by_text("Isian yang tersimpan sekarang:").wait_for()
    assert second.get_by_role("alert").get_by_text("Teks dari tab pertama.").is_visible()
    assert second.get_by_label("Caption", exact=True).input_value() == "Teks dari tab kedua."
    _shot(second, "handin-conflict-phone.png")
    second.get_by_role("button", name="Simpan teks saya").tap()
    second.locator("[data-save-state]", has_text="Draf tersimpan").wait_for()
    db.session.commit()
    assert db.session.scalars(db.select(Submission)).one().text == "Teks dari tab kedua."
    context.close()
