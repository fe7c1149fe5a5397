"""A trainer reviews a caption with a photo on a 360 px phone: returns it for revision, then passes it,
and the participant's certificate becomes issuable.

The participant's hand-in and revision go through the services (helper E's participant pages are
not on this branch yet); the trainer's side is the browser's, JavaScript on.
"""

from __future__ import annotations

import os
from fractions import Fraction

import pytest

from lms.accounts.models import Agency
from lms.accounts.services import ensure_institution
from lms.assignments import services
from lms.assignments.models import Submission
from lms.certificates import services as certificates
from lms.courses.models import Course
from lms.extensions import db
from tests.assignments.conftest import BEFORE_DUE, make_assignment, photo_bytes
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
NOW = BEFORE_DUE
CAPTION = "Bupati Contoh membuka bimtek media sosial di Aula Diskominfo, Senin (17/8/2026)."


def _shot(page, name):
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=True)


def test_return_for_revision_then_pass_makes_the_certificate_issuable(live_server, browser, make_user, monkeypatch):
    monkeypatch.setattr("lms.assignments.review_views.utcnow", lambda: NOW)
    course = Course(slug="caption-dan-interaksi-warganet", title="Caption", content_hash="x", position=1)
    db.session.add(course)
    opd = Agency(institution_id=ensure_institution().id, name="Dinas Kesehatan", name_key="dinas kesehatan")
    db.session.add(opd)
    db.session.commit()
    ani = make_user(full_name="Ani Lestari", agency_id=opd.id)
    trainer = make_user(role="trainer", full_name="Narasumber Satu", email="narasumber@contoh.go.id")
    training = create_training("bimtek-caption", courses=(course,), users=(ani,), trainers=(trainer,),
                               require_posttest_pass=False, require_courses_complete=False)
    assignment = make_assignment()
    from lms.attendance import services as attendance

    monkeypatch.setattr(attendance, "percentages_of", lambda training, user_ids: {ani.id: Fraction(100)})

    def issuable() -> bool:
        db.session.commit()  # a new transaction: see what the server wrote
        return certificates.eligibility_table(training, NOW, only=ani.id)[0].may_issue

    submission = services.start(ani, training, assignment, NOW)
    services.save_draft(ani, submission, CAPTION, [], None, NOW)
    services.add_file(ani, submission, photo_bytes((800, 600)), None, NOW)
    services.submit(ani, submission, None, NOW)
    db.session.commit()
    assert not issuable()

    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=2, locale="id-ID",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/login")
    log_in(page, "narasumber@contoh.go.id")
    page.goto(f"{live_server}/trainings/{training.slug}/penilaian-tugas")
    page.get_by_role("link", name="Menunggu penilaian 1").click()
    page.get_by_role("link", name="Ani Lestari").click()
    assert page.get_by_text(CAPTION).is_visible()
    photo = page.get_by_role("img", name="Foto 1 dari Ani Lestari")
    assert photo.evaluate("img => img.naturalWidth") == 800  # full size, not a thumbnail
    card = page.locator("label.level-card", has_text="Sebagian")
    assert card.bounding_box()["height"] >= 44
    card.tap()
    page.locator("label.level-card", has_text="Rapi").tap()
    assert page.locator("[data-score]").text_content() == "7"  # the running score, before saving
    page.get_by_label("Komentar untuk Unsur wajib").fill("Sebutkan siapa yang hadir.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "review-phone.png")
    page.get_by_role("button", name="Kembalikan untuk revisi").tap()
    page.get_by_text("Tugas dikembalikan kepada peserta untuk revisi.").wait_for()
    db.session.commit()
    submission = db.session.get(Submission, submission.id)
    assert submission.status == "revision_requested"
    assert not issuable()

    services.save_draft(ani, submission, CAPTION + " Hadir: Kepala Dinas Kesehatan.", None, None, NOW)
    services.submit(ani, submission, None, NOW)
    db.session.commit()

    page.reload()
    assert page.get_by_text("Penilaian putaran 1: dikembalikan untuk revisi").is_visible()
    page.locator("label.level-card", has_text="Lengkap").tap()
    page.locator("label.level-card", has_text="Rapi").tap()
    assert page.locator("[data-verdict]").text_content() == "Lulus"
    page.get_by_role("button", name="Beri nilai akhir").tap()
    page.get_by_text("Nilai akhir diberikan.").wait_for()
    db.session.commit()
    assert db.session.get(Submission, submission.id).status == "passed"
    assert issuable()
    context.close()
