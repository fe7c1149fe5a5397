"""A trainer on a 360 px phone makes a training-only assignment without JavaScript: a rubric row added with
"Tambah kriteria", a typo in a level's points named on its field, then saved; it is given and in the review queue.

With LMS_SCREENSHOTS set to a folder, the list and the form (empty, with errors) are saved there at 360 and
1366 px.
"""

from __future__ import annotations

import os
from datetime import time

import pytest
from sqlalchemy import select

from lms.accounts.models import Agency
from lms.accounts.services import ensure_institution
from lms.assignments import definitions, services
from lms.assignments.models import Assignment
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.trainings.scope import participants
from tests.assignments.conftest import BEFORE_DUE, DEFINITION, make_assignment
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e
NOW = BEFORE_DUE


def _shot(page, name):
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=True)


@pytest.fixture
def no_js_phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="id-ID",
                                  is_mobile=True, has_touch=True, java_script_enabled=False)
    yield context.new_page()
    context.close()


def _setup(make_user):
    course = Course(slug="caption-dan-interaksi-warganet", title="Caption dan interaksi warganet",
                    content_hash="x", position=1)
    db.session.add(course)
    db.session.flush()
    db.session.add(Lesson(course_id=course.id, slug="membalas-komentar", title="Membalas komentar", body="x",
                          content_hash="x", position=1))
    opd = Agency(institution_id=ensure_institution().id, name="Dinas Kesehatan", name_key="dinas kesehatan")
    db.session.add(opd)
    db.session.commit()
    ani = make_user(full_name="Ani Lestari", agency_id=opd.id)
    trainer = make_user(role="trainer", full_name="Narasumber Satu", email="narasumber@contoh.go.id")
    training = create_training("bimtek-caption", courses=(course,), users=(ani,), trainers=(trainer,),
                               title="Bimtek Caption Kabupaten Contoh", time_zone="Asia/Makassar")
    assignment = make_assignment(due_time=time(16, 0))
    submission = services.start(ani, training, assignment, NOW)
    services.save_draft(ani, submission, "Bupati membuka acara.", ["https://instagram.com/p/x"], None, NOW)
    services.submit(ani, submission, None, NOW)
    db.session.commit()
    return training, trainer


def test_trainer_adds_a_training_only_assignment_on_a_phone_without_javascript(live_server, no_js_phone,
                                                                                make_user, monkeypatch):
    monkeypatch.setattr("lms.assignments.manage_views.utcnow", lambda: NOW)
    training, trainer = _setup(make_user)
    page = no_js_phone
    page.goto(f"{live_server}/login")
    log_in(page, "narasumber@contoh.go.id")
    page.goto(f"{live_server}/trainings/{training.slug}/tugas")
    assert page.get_by_text("Hari ke-2, 16.00 WITA").is_visible()
    _shot(page, "list-360.png")
    page.get_by_role("link", name="Tambah tugas khusus kegiatan").click()
    _shot(page, "form-360.png")
    page.get_by_label("Judul tugas").fill("Balas tiga komentar warganet")
    page.get_by_label("Pelajaran yang dilatih").select_option("caption-dan-interaksi-warganet/membalas-komentar")
    page.get_by_label("Teks", exact=True).check()
    page.get_by_label("Jumlah karakter teks paling banyak").fill("1500")
    page.get_by_role("button", name="Tambah kriteria").click()
    assert page.get_by_role("group", name="Kriteria 3", exact=True).count() == 1
    for row, (title, levels) in enumerate((("Sopan", (("Baik", "5"), ("Kurang", "l"))),
                                           ("Tindak lanjut", (("Ada", "3"), ("Tidak", "0"))))):
        page.locator(f"#criteria-{row}-title").fill(title)
        for number, (label, points) in enumerate(levels):
            page.locator(f"#criteria-{row}-levels-{number}-label").fill(label)
            page.locator(f"#criteria-{row}-levels-{number}-points").fill(points)
    page.get_by_label("Nilai lulus").fill("6")
    page.get_by_role("button", name="Simpan tugas").click()
    assert page.get_by_text("Kriteria 1, tingkat 2: poin harus bilangan bulat").first.is_visible()
    _shot(page, "form-errors-360.png")
    page.locator("#criteria-0-levels-1-points").fill("1")
    page.get_by_role("button", name="Simpan tugas").click()
    assert page.get_by_text("Tugas \"Balas tiga komentar warganet\" disimpan.").is_visible()
    db.session.commit()  # a new transaction: see what the server wrote
    own = db.session.scalars(select(Assignment).where(Assignment.training_id == training.id)).one()
    assert [c["title"] for c in own.rubric] == ["Sopan", "Tindak lanjut"] and own.max_points == 8
    page.goto(f"{live_server}/trainings/{training.slug}/penilaian-tugas")
    assert page.get_by_role("link", name="Balas tiga komentar warganet").is_visible()


def test_screenshots(live_server, browser, make_user, monkeypatch):
    """The list, the empty form, the form with errors and a locked edit, at 1366 and 360 px (screenshots only)."""
    if not os.environ.get("LMS_SCREENSHOTS"):
        pytest.skip("LMS_SCREENSHOTS tidak diisi: tangkapan layar tidak dibuat")
    training, trainer = _setup(make_user)
    definition, _ = definitions.parse({k: v for k, v in DEFINITION.items() if k != "opd_target"}
                                      | {"id": "tugas-sendiri", "title": "Balas tiga komentar", "lesson": ""})
    assert definition is not None
    own = services.save_training_assignment(training, None, definition, trainer, NOW)
    db.session.commit()
    person = participants(training)[0]
    submission = services.start(person, training, own, NOW)
    services.save_draft(person, submission, "Terima kasih atas masukannya.", None, None, NOW)
    services.submit(person, submission, None, NOW)
    db.session.commit()
    for width, height, mobile in ((1366, 800, False), (360, 740, True)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID",
                                      is_mobile=mobile, has_touch=mobile, device_scale_factor=2 if mobile else 1)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        log_in(page, "narasumber@contoh.go.id")
        page.goto(f"{live_server}/trainings/{training.slug}/tugas")
        _shot(page, f"list-{width}.png")
        page.goto(f"{live_server}/trainings/{training.slug}/tugas/baru")
        if width == 1366:
            _shot(page, f"form-{width}.png")
            page.locator("#criteria-0-levels-0-points").fill("x")
            page.get_by_label("Nilai lulus").fill("99")
            page.get_by_role("button", name="Simpan tugas").click()
            _shot(page, f"form-errors-{width}.png")
        page.goto(f"{live_server}/trainings/{training.slug}/tugas/{own.id}/ubah")
        _shot(page, f"edit-locked-{width}.png")
        context.close()


def test_with_javascript_rubric_rows_are_added_and_removed_in_place(live_server, phone, make_user, monkeypatch):
    monkeypatch.setattr("lms.assignments.manage_views.utcnow", lambda: NOW)
    training, trainer = _setup(make_user)
    page = phone
    page.goto(f"{live_server}/login")
    log_in(page, "narasumber@contoh.go.id")
    page.goto(f"{live_server}/trainings/{training.slug}/tugas/baru")
    page.evaluate("window.samePage = true")
    page.get_by_label("Judul tugas").fill("Log pemantauan sepekan")
    page.get_by_label("Teks", exact=True).check()
    page.get_by_label("Jumlah karakter teks paling banyak").fill("3000")
    first = page.locator("[data-criterion]").nth(0)
    first.get_by_role("button", name="Tambah tingkat").click()
    assert page.evaluate("window.samePage") is True  # no page load
    assert first.locator("[data-level]").count() == 4
    assert page.locator("#criteria-0-levels-3-label").evaluate("el => el === document.activeElement")
    page.locator("#criteria-0-title").fill("Kelengkapan log")
    for number, (label, points) in enumerate((("Lengkap", "6"), ("Sebagian", "4"), ("Sedikit", "2"),
                                              ("Kosong", "0"))):
        page.locator(f"#criteria-0-levels-{number}-label").fill(label)
        page.locator(f"#criteria-0-levels-{number}-points").fill(points)
    page.locator("[data-criterion]").nth(1).get_by_role("button", name="Hapus kriteria ini").click()
    assert page.locator("[data-criterion]:visible").count() == 1
    page.get_by_role("button", name="Tambah kriteria").click()
    assert page.evaluate("window.samePage") is True
    added = page.locator("[data-criterion]:visible").nth(1)
    assert added.locator("legend").first.inner_text() == "Kriteria 2"
    added.get_by_label("Nama kriteria").fill("Tindak lanjut")
    names = added.locator("input[name$='-label']").evaluate_all("els => els.map(e => e.name)")
    assert names == ["criteria-2-levels-0-label", "criteria-2-levels-1-label", "criteria-2-levels-2-label"]
    for number, (label, points) in enumerate((("Dicatat", "4"), ("Belum", "0"))):
        page.locator(f"#criteria-2-levels-{number}-label").fill(label)
        page.locator(f"#criteria-2-levels-{number}-points").fill(points)
    page.get_by_label("Nilai lulus").fill("6")
    page.get_by_role("button", name="Simpan tugas").click()
    assert page.get_by_text("Tugas \"Log pemantauan sepekan\" disimpan.").is_visible()
    db.session.commit()
    own = db.session.scalars(select(Assignment).where(Assignment.training_id == training.id)).one()
    assert [(c["title"], [lv["points"] for lv in c["levels"]]) for c in own.rubric] == [
        ("Kelengkapan log", [6, 4, 2, 0]), ("Tindak lanjut", [4, 0])]
    assert own.max_points == 10
