"""The SIASN-ready JP export: columns and dates against a fixed file, what is left out, filters, ZIP, CLI, access."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts.models import User
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.exports import write_csv, write_xlsx
from lms.extensions import db
from lms.reports import siasn
from lms.trainings.models import Training
from tests.exportread import read_csv, read_xlsx, xlsx_cells
from tests.reports.conftest import ANI, FAJAR, HANA, NOW, pdf_of

FIXTURES = Path(__file__).parent.parent / "fixtures" / "siasn"
EXPECTED = (FIXTURES / "siasn-2025.csv").read_bytes()
EXPECTED_OTHERS = (FIXTURES / "siasn-2025-non-asn.csv").read_bytes()


def year_export(year: int = 2025, agency: str = "") -> siasn.SiasnExport:
    return siasn.export_for(siasn.scope_for(None, year, agency))


def test_year_export_matches_the_fixed_expected_files(siasn_data):
    sheet, others = year_export().tables()
    assert write_csv(sheet) == EXPECTED
    assert write_csv(others) == EXPECTED_OTHERS


def test_xlsx_has_the_same_rows_nip_as_text_and_the_others_on_sheet_two(siasn_data):




    data = write_xlsx(list(year_export().tables()))
    sheets = read_xlsx(data)
    assert list(sheets) == ["SIASN Riwayat Kursus", "Tanpa NIP (non-ASN)"]
    expected = read_csv(EXPECTED)
    assert sheets["SIASN Riwayat Kursus"][0] == expected[0]
    hana = sheets["SIASN Riwayat Kursus"][1]
    assert hana == [HANA.nip, "Bimbingan Teknis", "Teknis", "Bimtek Keterbukaan Informasi Publik",
                    "Dinas Komunikasi dan Informatika Kabupaten Contoh", 12, "001/BIMTEK-KIP/DISKOMINFO/2025",
                    "30-12-2024", "02-01-2025", 2025, "Hana Pertiwi", "Dinas Pendidikan"]
    nip, jam, start = (xlsx_cells(data)[1][i] for i in (0, 5, 7))
    assert (nip.data_type, nip.number_format) == ("s", "@")
    assert (jam.data_type, start.data_type, start.number_format) == ("n", "s", "@")
    assert [r[0] for r in sheets["Tanpa NIP (non-ASN)"][1:]] == ["Citra Dewi", "Eko Prasetyo"]


def test_revoked_certificates_and_other_years_are_left_out(siasn_data):
    export = year_export()
    names = [e.holder_name for e in export.entries]
    assert "Dedi Kurniawan" not in names and "Gita Maharani" not in names  # revoked; JP year 2026
    assert (export.trainings, len(export.rows), len(export.others), export.total_jp) == (3, 5, 2, 92)
    assert [e.holder_name for e in year_export(2026).rows] == ["Gita Maharani"]


def test_the_jp_year_is_the_training_end_dates_year(siasn_data):
    # Bimtek KIP began on 30 December 2024 and ended on 2 January 2025: it counts for 2025.
    assert "Hana Pertiwi" in [e.holder_name for e in year_export(2025).rows]
    with pytest.raises(siasn.NothingToExport, match="tahun 2024"):
        year_export(2024)


def test_values_come_from_the_frozen_certificate_not_todays_rows(siasn_data):
    training = db.session.get(Training, siasn_data["trainings"]["bimtek-medsos"].id)
    training.title = "Judul Baru Setelah Terbit"
    ani = db.session.get(User, siasn_data["users"][ANI.name].id)
    ani.full_name, ani.nip = "Ani Berganti Nama", "198503142010011999"
    db.session.commit()
    export = siasn.export_for(siasn.scope_for("bimtek-medsos", None))
    first = export.rows[0]
    assert (first.holder_name, first.nip, first.course) == (ANI.name, ANI.nip, "Bimtek Pengelolaan Media Sosial")


def test_per_training_and_opd_filters(siasn_data):
    export = siasn.export_for(siasn.scope_for("bimtek-ppid", None))
    assert [e.holder_name for e in export.rows] == [ANI.name, FAJAR.name] and export.trainings == 1
    social = year_export(agency="  dinas   SOSIAL ")
    assert {e.agency for e in social.entries} == {"Dinas Sosial"}
    assert [e.holder_name for e in social.rows] == ["Budi Séptian", FAJAR.name]
    assert [e.holder_name for e in social.others] == ["Eko Prasetyo"]
    assert social.agencies == ["Dinas Kesehatan", "Dinas Pendidikan", "Dinas Sosial"]
    assert social.scope.basename == "siasn-2025-dinas-sosial"
    with pytest.raises(siasn.NothingToExport, match="OPD Dinas Perikanan"):
        year_export(agency="Dinas Perikanan")


def test_zip_holds_the_stored_pdfs_named_by_nip(siasn_data):
    target = io.BytesIO()
    assert siasn.write_pdfs(year_export(), target) == 5
    archive = zipfile.ZipFile(target)
    assert archive.namelist() == [f"{HANA.nip}.pdf", f"{ANI.nip}.pdf", "199001012015031002.pdf",
                                  f"{ANI.nip}_2.pdf", f"{FAJAR.nip}.pdf"]
    assert archive.read(f"{ANI.nip}_2.pdf") == pdf_of("007/BIMTEK-PPID/DISKOMINFO/2025")


def test_scope_needs_one_training_or_one_year(siasn_data):
    with pytest.raises(siasn.NothingToExport, match="bukan keduanya"):
        siasn.scope_for("bimtek-ppid", 2025)
    with pytest.raises(siasn.NothingToExport, match="bukan keduanya"):
        siasn.scope_for(None, None)
    with pytest.raises(siasn.NothingToExport, match="Kegiatan tidak-ada tidak ditemukan"):
        siasn.scope_for("tidak-ada", None)


# ---------------------------------------------------------------- CLI


def test_cli_writes_xlsx_and_zip(runner, siasn_data, tmp_path):
    out, pdfs = tmp_path / "jp-2025.xlsx", tmp_path / "jp-2025.zip"
    result = runner.invoke(args=["reports", "siasn", "--year", "2025", "-o", str(out), "--pdfs", str(pdfs)])
    assert result.exit_code == 0, result.output
    assert "5 baris SIASN (92 JP) dari 3 kegiatan" in result.output
    assert "2 peserta tanpa NIP yang sah dicatat terpisah (lembar 2)" in result.output
    assert "5 PDF sertifikat (bernama NIP)" in result.output
    assert load_workbook(out).sheetnames == ["SIASN Riwayat Kursus", "Tanpa NIP (non-ASN)"]
    assert len(zipfile.ZipFile(pdfs).namelist()) == 5


def test_cli_writes_csv_with_the_others_in_a_second_file(runner, siasn_data, tmp_path):
    out = tmp_path / "siasn.csv"
    result = runner.invoke(args=["reports", "siasn", "--year", "2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == EXPECTED and (tmp_path / "siasn-non-asn.csv").read_bytes() == EXPECTED_OTHERS


def test_cli_one_training_and_opd(runner, siasn_data, tmp_path):
    out = tmp_path / "ppid.csv"
    result = runner.invoke(args=["reports", "siasn", "bimtek-ppid", "--opd", "Dinas Sosial", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [r[-2] for r in read_csv(out.read_bytes())[1:]] == [FAJAR.name]
    assert not (tmp_path / "ppid-non-asn.csv").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["tidak-ada"], "Kegiatan tidak-ada tidak ditemukan."),
    (["--year", "2031"], "Tidak ada kegiatan yang berakhir pada tahun 2031; pilih tahun lain."),
    ([], "Pilih satu kegiatan atau satu tahun (bukan keduanya)."),
    (["bimtek-ppid", "--year", "2025"], "Pilih satu kegiatan atau satu tahun (bukan keduanya)."),
    (["bimtek-ppid", "--opd", "Dinas Perikanan"], "Tidak ada sertifikat sah untuk OPD Dinas Perikanan"),
])
def test_cli_refuses_with_a_clear_message(runner, siasn_data, tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["reports", "siasn", *args, "-o", str(out)])
    assert result.exit_code == 1 and message in result.output and not out.exists()


def test_cli_refuses_an_unknown_output_type(runner, siasn_data, tmp_path):
    result = runner.invoke(args=["reports", "siasn", "--year", "2025", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "harus berakhiran .xlsx atau .csv" in result.output


# ---------------------------------------------------------------- web


def test_admin_page_previews_counts_and_downloads(client, auth, make_user, siasn_data):
    auth.login_as(make_user(role="admin"))
    page = client.get("/laporan/siasn/?tahun=2025").get_data(as_text=True)
    assert "baris SIASN (ASN)" in page and ">5<" in page and ">92<" in page
    assert "Eko Prasetyo (Dinas Sosial), Bimtek Pengelolaan Media Sosial: NIP pada sertifikat bukan 18 digit" in page
    assert ANI.nip not in page  # the preview names people, never shows or links their NIP
    response = client.get("/laporan/siasn/unduh?format=csv&tahun=2025")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=siasn-2025.csv"
    assert response.get_data() == EXPECTED
    assert client.get("/laporan/siasn/unduh?format=non-asn&tahun=2025").get_data() == EXPECTED_OTHERS
    xlsx = client.get("/laporan/siasn/unduh?format=xlsx&tahun=2025&opd=Dinas+Sosial")
    assert xlsx.headers["Content-Disposition"] == "attachment; filename=siasn-2025-dinas-sosial.xlsx"
    assert [r[0] for r in read_xlsx(xlsx.get_data())["SIASN Riwayat Kursus"][1:]] == [
        "199001012015031002", FAJAR.nip]
    with client.get("/laporan/siasn/unduh?format=zip&tahun=2025&kegiatan=bimtek-ppid") as archive:  # closes the spool
        assert archive.headers["Content-Disposition"] == "attachment; filename=siasn-bimtek-ppid-sertifikat.zip"
        names = zipfile.ZipFile(io.BytesIO(archive.get_data())).namelist()
    assert names == [f"{ANI.nip}.pdf", f"{FAJAR.nip}.pdf"]


def test_admin_page_filters_and_says_what_is_missing(client, auth, make_user, siasn_data):
    auth.login_as(make_user(role="admin"))
    page = client.get("/laporan/siasn/?tahun=2026").get_data(as_text=True)
    assert "Bimtek Konten Kreatif" in page and "Bimtek PPID" not in page  # the year's trainings only
    page = client.get("/laporan/siasn/?tahun=2025&opd=Dinas+Perikanan").get_data(as_text=True)
    assert "Tidak ada sertifikat sah untuk OPD Dinas Perikanan" in page
    assert client.get("/laporan/siasn/unduh?format=csv&tahun=2025&opd=Dinas+Perikanan").status_code == 404


def test_page_without_certificates(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    page = client.get("/laporan/siasn/").get_data(as_text=True)
    assert "Belum ada sertifikat sah yang diterbitkan." in page


@pytest.mark.parametrize("role", ["trainer", "participant"])
def test_only_admins_reach_the_export(client, auth, make_user, siasn_data, role):
    auth.login_as(make_user(role=role))
    for path in ("/laporan/siasn/?tahun=2025", "/laporan/siasn/unduh?format=xlsx&tahun=2025",
                 "/laporan/siasn/unduh?format=zip&tahun=2025"):
        assert client.get(path).status_code == 403


def test_anonymous_is_sent_to_login(client, siasn_data):
    response = client.get("/laporan/siasn/unduh?format=csv&tahun=2025")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_revoking_removes_the_row(client, auth, make_user, siasn_data):
    certificate = db.session.scalars(select(Certificate).where(Certificate.number.like("008/%"))).one()
    certificate.status = "revoked"
    db.session.commit()
    assert FAJAR.name not in [e.holder_name for e in year_export().rows]


def test_certificates_issued_for_real_export_as_issued(finished):
    issued = certificates.issue_all(finished, None, NOW, commit=db.session.commit)
    export = siasn.export_for(siasn.scope_for(finished.slug, None))
    assert len(export.entries) == len(issued) > 0
    by_number = {c.number: c for c in issued}
    for item in export.rows:
        certificate = by_number[item.number]
        assert (item.nip, item.jp, item.end, item.year) == (
            certificate.user.nip, finished.total_jp, finished.end_date, finished.end_date.year)
    target = io.BytesIO()
    siasn.write_pdfs(export, target)
    first = export.rows[0]
    assert zipfile.ZipFile(target).read(f"{first.nip}.pdf") == certificates.pdf_bytes(by_number[first.number])


def test_queries_do_not_grow_with_the_certificates(siasn_data, count_queries, make_user):
    ppid = siasn_data["trainings"]["bimtek-ppid"].id

    def measure() -> tuple[int, int]:
        db.session.commit()  # each measure opens its own transaction
        with count_queries() as rows:
            export = year_export()
        with count_queries() as archive:
            siasn.write_pdfs(export, io.BytesIO())
        return rows.count, archive.count

    before = measure()
    training = db.session.get(Training, ppid)
    template = db.session.scalars(select(Certificate).where(Certificate.number.like("008/%"))).one()
    for n in range(30):
        person = make_user(nip=f"1992030320190311{n:02d}")
        number = f"{100 + n}/BIMTEK-PPID/DISKOMINFO/2025"
        db.session.add(Certificate(
            institution_id=template.institution_id, training_id=training.id, user_id=person.id, number=number,
            year=2025, seq=100 + n, code=f"EXTRA{n:03d}", status="valid", issued_at=template.issued_at,
            issue_date=template.issue_date, jp=16, jp_year=2025, pdf=pdf_of(number), pdf_sha256="0" * 64,
            data=dict(template.data, number=number, nip=person.nip, holder_name=person.full_name)))
    db.session.commit()
    assert measure() == before
