"""A participant fills the evaluation on a 360 px phone, with and without JavaScript."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from lms.evaluations.models import EvaluationAnswer, EvaluationSubmission
from lms.extensions import db
from tests.e2e.conftest import log_in
from tests.evaluations.conftest import clock, setup  # noqa: F401

pytestmark = pytest.mark.e2e

ITEMS = ("informasi", "jadwal", "materi", "tempat", "konsumsi", "fasilitas", "pelayanan_panitia")


def screenshot(page, name: str) -> None:
    if os.environ.get("LMS_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["LMS_SCREENSHOTS"], name), full_page=True)


def fill_on(page, base, person) -> None:
    page.goto(base + "/login")
    log_in(page, person.email)
    page.get_by_role("link", name="Isi evaluasi").click()
    page.get_by_role("link", name="Evaluasi Penyelenggaraan").click()
    screenshot(page, "evaluasi-form.png")
    for item in ITEMS:
        label = page.locator(f'label[for="{item}-4"]')
        box = label.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 300  # a large tap target on 360 px
        label.click()
    page.locator("#saran").fill("Ruangan dingin sekali")
    page.get_by_role("button", name="Kirim evaluasi").click()
    assert "Terima kasih, evaluasi Anda tersimpan." in page.content()
    screenshot(page, "evaluasi-daftar.png")


def test_participant_fills_the_evaluation_on_a_phone(live_server, phone, setup, clock):  # noqa: F811
    fill_on(phone, live_server, setup["people"][0])
    db.session.rollback()  # read what the server wrote, not this session's snapshot
    assert db.session.scalar(select(func.count(EvaluationSubmission.id))) == 1
    assert db.session.scalar(select(func.count(EvaluationAnswer.id)).where(EvaluationAnswer.value == 4)) == 7


def test_the_form_works_without_javascript(live_server, browser, setup, clock):  # noqa: F811
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    try:
        fill_on(page, live_server, setup["people"][1])
    finally:
        context.close()
    db.session.rollback()
    assert db.session.scalar(select(EvaluationAnswer.text).where(EvaluationAnswer.item_id == "saran")) == \
        "Ruangan dingin sekali"


def test_evaluations_reach_the_admin_dashboard_and_the_report(live_server, browser, phone, setup, clock,  # noqa: F811
                                                              tmp_path):
    """Five participants evaluate on phones; the admin reads the averages on the dashboard and in the PDF."""
    import io

    from pypdf import PdfReader

    for person in setup["people"][:5]:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
        try:
            fill_on(context.new_page(), live_server, person)
        finally:
            context.close()
    slug = setup["training"].slug
    phone.goto(f"{live_server}/login")
    log_in(phone, setup["admin"].email)
    phone.goto(f"{live_server}/trainings/{slug}")
    overview = phone.locator("#evaluasi table")
    row = overview.locator("tbody tr").first  # the training's own evaluation comes first
    assert row.locator("th").inner_text() == setup["training"].title
    assert [cell.inner_text() for cell in row.locator("td").all()] == ["5", "4 dari 4"]
    assert phone.locator("#evaluasi-1 svg[role=img]").count() == 1  # the chart beside its table
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    phone.goto(f"{live_server}/trainings/{slug}/laporan")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Unduh PDF").click()
    target = tmp_path / "laporan.pdf"
    download.value.save_as(target)
    text = " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(target.read_bytes())).pages)
    section = text[text.index("E. Evaluasi Penyelenggaraan dan Narasumber"):]
    assert section.startswith("E. Evaluasi Penyelenggaraan dan Narasumber Evaluasi penyelenggaraan (5 tanggapan) "
                              "Rata-rata seluruh butir 4 dari skala 4."), section[:300]
    assert "Pelayanan panitia 5 4" in section  # the table of the chart: item, responses, mean
