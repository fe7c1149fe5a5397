"""The one certificate export: a ZIP of PDFs or one merged PDF, for the issuing page and the CLI."""

import io
import zipfile
from types import SimpleNamespace

from pypdf import PdfReader

from lms.certificates import services
from lms.certificates.export import certificate_filename, export_training, write_merged, write_zip
from lms.extensions import db
from tests.certificates.conftest import NOW
from tests.exportread import read_csv, read_xlsx, xlsx_cells


def test_filename_keeps_letters_digits_and_hyphens_only():
    assert certificate_filename(SimpleNamespace(number="001/BIMTEK/DISKOMINFO/XI/2026")) == \
        "001_BIMTEK_DISKOMINFO_XI_2026.pdf"
    assert certificate_filename(SimpleNamespace(number="/A-1 é/")) == "A-1.pdf"


def test_zip_and_merged_pdf_hold_every_valid_certificate_in_number_order(finished):
    certificates = services.issue_all(finished, None, NOW, commit=db.session.commit)
    services.revoke(certificates[1], "Nama peserta salah", None, NOW)
    db.session.commit()
    kept = [c for c in certificates if c.status == "valid"]

    archive = export_training(finished)
    assert (archive.mimetype, archive.count) == ("application/zip", 4)
    assert archive.filename == f"sertifikat-{finished.slug}.zip"
    names = zipfile.ZipFile(io.BytesIO(archive.body)).namelist()
    assert names == [certificate_filename(c) for c in sorted(kept, key=lambda c: c.seq)]
    assert zipfile.ZipFile(io.BytesIO(archive.body)).read(names[0]) == services.pdf_bytes(kept[0])

    merged = export_training(finished, merged=True)
    assert (merged.mimetype, merged.count) == ("application/pdf", 4)
    assert merged.filename == f"sertifikat-{finished.slug}.pdf"
    assert len(PdfReader(io.BytesIO(merged.body)).pages) == 2 * 4  # front page and transcript each


def test_writers_take_any_binary_target_and_count():
    target = io.BytesIO()
    assert write_zip([], target) == 0 and zipfile.ZipFile(target).namelist() == []
    merged = io.BytesIO()
    assert write_merged([], merged) == 0 and merged.getvalue().startswith(b"%PDF")


def test_certificate_list_as_csv_and_xlsx_revoked_ones_marked(finished, client, auth, make_user):
    certificates = services.issue_all(finished, None, NOW, commit=db.session.commit)
    services.revoke(certificates[1], "Nama peserta salah", None, NOW)
    db.session.commit()
    auth.login_as(make_user(role="admin"))
    response = client.get(f"/trainings/{finished.slug}/certificates/export?format=csv")
    assert response.headers["Content-Disposition"] == f"attachment; filename=daftar-sertifikat-{finished.slug}.csv"
    rows = read_csv(response.get_data())
    assert rows[0] == ["No", "Nomor Sertifikat", "Nama", "NIP", "OPD", "JP", "Nilai Post-test", "Predikat",
                       "Tanggal Terbit", "Status", "Alasan Pencabutan"]
    first = certificates[0]
    assert rows[1][:4] == ["1", first.number, first.data["holder_name"], rows[1][3]]
    assert rows[1][3].replace(" ", "") == first.data["nip"] and rows[1][6] == first.data["score"]
    assert rows[2][-2:] == ["Dicabut", "Nama peserta salah"] and len(rows) == 1 + len(certificates)
    body = client.get(f"/trainings/{finished.slug}/certificates/export?format=xlsx").get_data()
    sheet = read_xlsx(body)["Daftar Sertifikat"]
    assert sheet[1][3] == first.data["nip"] and xlsx_cells(body)[1][3].number_format == "@"
    assert sheet[1][6] == float(first.data["score"].replace(",", "."))
