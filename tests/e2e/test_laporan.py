"""An admin on a phone fills a narrative from its draft, saves it and downloads the Laporan as PDF and DOCX."""

from __future__ import annotations

import io

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import Role
from lms.extensions import db
from lms.reports.models import TrainingReport
from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_admin_edits_and_downloads_the_report_on_a_phone(live_server, phone, make_user, tmp_path):
    admin = make_user(role=Role.ADMIN.value, email="admin@contoh.go.id")
    people = [make_user(full_name=f"Peserta {n}") for n in (1, 2, 3)]
    create_training("bimtek-laporan", users=tuple(people), title="Bimtek Laporan Uji")
    phone.goto(f"{live_server}/trainings/bimtek-laporan/laporan")
    log_in(phone, admin.email or "")
    section = phone.locator("#bagian-kesimpulan")
    section.locator("summary").click()  # opens the section
    section.get_by_role("link", name="Isi dengan draf otomatis").click()
    field = phone.get_by_label("Kesimpulan")
    assert "diikuti oleh 3 peserta" in field.input_value()
    field.fill(field.input_value() + "\n\nCatatan dari **admin**.")
    phone.get_by_role("button", name="Simpan narasi").click()
    phone.get_by_text("Narasi laporan disimpan.").wait_for()
    db.session.commit()
    report = db.session.scalar(select(TrainingReport))
    assert report is not None and report.kesimpulan.endswith("Catatan dari **admin**.")
    with phone.expect_download() as pdf_download:
        phone.get_by_role("link", name="Unduh PDF").click()
    pdf = (tmp_path / "laporan.pdf")
    pdf_download.value.save_as(pdf)
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Catatan dari admin." in " ".join(text.split())
    with phone.expect_download() as word_download:
        phone.get_by_role("link", name="Unduh Word (DOCX)").click()
    word = tmp_path / "laporan.docx"
    word_download.value.save_as(word)
    assert any("Catatan dari admin." in p.text for p in docx.Document(str(word)).paragraphs)
