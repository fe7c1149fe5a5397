"""The Laporan Pelaksanaan Kegiatan: its sections, its numbers, its edits, its access, its files."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import docx
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.accounts.services import create_agency, ensure_institution
from lms.attendance import services as attendance
from lms.audit.models import AuditEvent
from lms.certificates import services as certificates
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.numbers import decimal_text, percent_text
from lms.reports import laporan, laporan_docx, services
from lms.reports.models import ReportPhoto, TrainingReport
from lms.reports.narrative import blocks
from lms.reports.regulations import legal_basis, mentioned
from lms.reports.training_facts import training_facts
from lms.trainings.scope import get_training
from tests.conftest import create_training

NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
CHAPTERS = ("BAB I", "PENDAHULUAN", "BAB II", "PELAKSANAAN KEGIATAN", "BAB III", "HASIL KEGIATAN", "BAB IV",
            "KENDALA DAN SOLUSI", "BAB V", "PENUTUP", "LAMPIRAN")
SECTIONS = ("A. Latar Belakang", "B. Dasar Hukum", "C. Maksud dan Tujuan", "D. Sasaran", "A. Waktu dan Tempat",
            "B. Peserta", "C. Narasumber", "D. Agenda dan Jam Pelajaran", "A. Kehadiran",
            "B. Pre-test dan Post-test", "C. Penyelesaian Modul", "D. Tugas",
            "E. Evaluasi Penyelenggaraan dan Narasumber", "F. Sertifikat", "G. Rekap per Perangkat Daerah",
            "A. Kesimpulan",
            "B. Rekomendasi", "1. Daftar Peserta", "2. Rekap Presensi", "3. Daftar Sertifikat",
            "4. Dokumentasi Kegiatan")


def pdf_text(pdf: bytes) -> str:
    """Every page's text, whitespace collapsed, so wrapped lines read as one."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def finished(app: Any) -> Any:
    """The demo's finished bimtek (twelve participants, six of whom answered the evaluations), certificates issued."""
    create_demo(12, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    training = get_training(FINISHED_SLUG)
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    certificates.issue_all(training, admin, NOW, commit=db.session.commit)
    db.session.commit()
    return training


@pytest.fixture
def bare(app: Any, make_user: Any) -> dict[str, Any]:
    """A training with two participants and nothing else: no agenda, no sessions, no tests."""
    agency = create_agency("Badan " + "Perencanaan Pembangunan Penelitian dan Pengembangan Daerah " * 2
                           + "Kabupaten Contoh Raya", None)
    people = [make_user(agency_id=agency.id, full_name=f"Peserta Uji {n}") for n in (1, 2)]
    admin = make_user(role=Role.ADMIN.value)
    trainer = make_user(role=Role.TRAINER.value)
    other = make_user(role=Role.TRAINER.value)
    training = create_training("bimtek-kosong", users=tuple(people), trainers=(trainer,))
    create_training("bimtek-lain", trainers=(other,))
    return {"training": training, "people": people, "admin": admin, "trainer": trainer, "other": other,
            "agency": agency}


# ---------------------------------------------------------------- the PDF


def test_pdf_holds_every_chapter_and_section_with_the_data_numbers(finished):
    pdf = laporan.render(finished, NOW, "pdf", laporan.office_viewer())
    text = pdf_text(pdf)
    for heading in CHAPTERS + SECTIONS:
        assert heading in text, heading
    people = laporan.gather(finished, NOW, laporan.office_viewer()).people
    assert f"Kegiatan diikuti oleh {len(people)} peserta" in text
    for opd, count in Counter(u.agency.name for u in people if u.agency).items():
        assert re.search(rf"{re.escape(opd)} {count}\b", text), opd
    assert f"Jumlah {finished.total_jp}" in text  # the agenda's total JP row
    sessions, _, cells = attendance.grid(finished)
    present = set(finished.present_statuses)
    first = sum(1 for u in people if (c := cells.get((u.id, sessions[0].id))) and c.status in present)
    assert f"{sessions[0].label} {first} " in text
    issued = laporan.gather(finished, NOW, laporan.office_viewer()).certificates
    assert issued and all(c.number in text for c in issued)
    assert "Halaman 1 dari" in text and "LAPORAN PELAKSANAAN KEGIATAN" in text


def test_chapter_three_prints_the_training_facts_with_every_figure(finished):
    admin = laporan.office_viewer()
    facts = training_facts(finished, NOW, admin)
    text = pdf_text(laporan.render(finished, NOW, "pdf", admin))
    for number in range(1, 7):
        assert f"Grafik {number}." in text, number
    assert f"Kehadiran rata-rata {percent_text(facts.mean_attendance)} dari {len(facts.sessions)} sesi" in text
    assert f"Sebanyak {facts.meeting_minimum} dari {facts.participants} peserta memenuhi" in text
    scores = facts.scores
    assert (f"nilai rata-rata naik dari {decimal_text(scores.paired_mean_pre)} menjadi "
            f"{decimal_text(scores.paired_mean_post)}") in text
    assert f"Gain ternormalisasi rata-rata {decimal_text(scores.mean_gain, 2)}" in text
    assert f"Sertifikat diterbitkan untuk {facts.certificates.issued} dari {facts.participants} peserta" in text
    organiser = next(t for t in facts.evaluations if t.about_training)
    assert f"Rata-rata seluruh butir {decimal_text(organiser.mean, 2)} dari skala {organiser.scale}" in text
    passed, expected = facts.assignments_passed
    assert f"{passed} dari {expected} tugas" in text
    # The draft of the conclusion quotes the same numbers.
    assert f"Kehadiran rata-rata {percent_text(facts.mean_attendance)} dari {len(facts.sessions)} sesi." in text


def test_a_trainer_downloads_only_their_own_evaluation_results(finished):
    trainer = finished.trainers[0]
    others = [t.full_name for t in finished.trainers[1:]]
    text = pdf_text(laporan.render(finished, NOW, "pdf", trainer))
    assert f"Butir: {trainer.full_name}" in text or "minimal 5 tanggapan" in text
    assert others and all(f"Butir: {name}" not in text for name in others)
    assert "Evaluasi penyelenggaraan (" not in text  # the organiser's results are the admins'


def test_pdf_of_a_training_without_sessions_or_tests_says_so(bare):
    text = pdf_text(laporan.render(bare["training"], NOW, "pdf", laporan.office_viewer()))
    for heading in CHAPTERS:
        assert heading in text
    assert "Agenda kegiatan belum disusun." in text
    assert "tidak memiliki sesi presensi" in text
    assert "Kegiatan ini tidak memiliki pre-test maupun post-test." in text
    assert "Kegiatan ini tidak memiliki tugas." in text
    assert "Belum ada sertifikat yang diterbitkan." in text
    assert "Belum ada foto dokumentasi" in text


def test_pdf_of_a_training_with_sessions_and_a_pre_test_but_no_post_test_says_so(built, make_user):
    from tests.reports.conftest import NOW as BUILT_NOW

    make_user(role=Role.ADMIN.value)  # the report reads the evaluations as an admin sees them
    built.posttest_id = None
    db.session.commit()
    text = pdf_text(laporan.render(built, BUILT_NOW, "pdf", laporan.office_viewer()))
    for heading in CHAPTERS:
        assert heading in text
    assert "Kegiatan ini tidak memiliki post-test, sehingga peningkatan nilai tidak dapat diukur." in text
    assert "Pre-test 4 dari 5 67,5" in text and "Post-test tidak ada" in text
    assert "tidak memiliki sesi presensi" not in text


def test_opd_names_of_120_characters_wrap_whole(bare):
    name = bare["agency"].name
    assert len(name) >= 120
    text = pdf_text(laporan.render(bare["training"], NOW, "pdf", laporan.office_viewer()))
    assert " ".join(name.split()) in text


def test_long_narrative_paginates(bare):
    paragraph = "Kalimat panjang tentang kendala di lapangan yang diulang untuk menguji halaman. " * 40
    long_text = "\n\n".join(f"{n}. {paragraph}" for n in range(1, 16)) + "\n\nAKHIR-NARASI"
    services.save_narratives(bare["training"], {"kendala_solusi": long_text}, bare["admin"], NOW)
    short = pages(laporan.render(bare["training"], NOW, "pdf", laporan.office_viewer()))
    services.save_narratives(bare["training"], {}, bare["admin"], NOW)
    assert pages(laporan.render(bare["training"], NOW, "pdf", laporan.office_viewer())) < short
    services.save_narratives(bare["training"], {"kendala_solusi": long_text + "x" * 3000}, bare["admin"], NOW)
    text = pdf_text(laporan.render(bare["training"], NOW, "pdf", laporan.office_viewer()))
    assert "AKHIR-NARASI" in text  # a word longer than the page's width is split, not lost


def test_saved_narrative_replaces_the_draft_and_script_never_reaches_the_pdf(bare):
    training = bare["training"]
    draft = pdf_text(laporan.render(training, NOW, "pdf", laporan.office_viewer()))
    assert "Undang-Undang Nomor 20 Tahun 2023" in draft
    services.save_narratives(training, {"dasar_hukum": "1. **Peraturan Bupati** Nomor 7 Tahun 2026;\n"
                                                      "<script>alert('x')</script>"}, bare["admin"], NOW)
    text = pdf_text(laporan.render(training, NOW, "pdf", laporan.office_viewer()))
    assert "Peraturan Bupati Nomor 7 Tahun 2026" in text
    assert "alert" not in text and "script" not in text
    assert "Undang-Undang Nomor 20 Tahun 2023" not in text


# ---------------------------------------------------------------- the DOCX


def test_docx_opens_with_the_headings_and_tables(finished):
    document = docx.Document(io.BytesIO(laporan.render(finished, NOW, "docx", laporan.office_viewer())))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "BAB I — PENDAHULUAN" in headings and "LAMPIRAN" in headings
    for section in SECTIONS:
        assert section in headings, section
    tables = {t.rows[0].cells[1].text: t for t in document.tables if len(t.rows[0].cells) > 1}
    data = laporan.gather(finished, NOW, laporan.office_viewer())
    people = data.people
    assert len(tables["Nama"].rows) - 1 in (len(people), len(data.certificates))
    assert tables["Perangkat Daerah (OPD)"].rows[-1].cells[-1].text == str(len(people))
    # Each chart is a picture when ReportLab's bitmap renderer is installed, else a line that says so.
    captions = [p.text for p in document.paragraphs if p.text.startswith("Grafik ")]
    assert captions and (len(document.inline_shapes) >= len(captions)
                         or all(laporan_docx.NO_CHART_IMAGE in c for c in captions))


# ---------------------------------------------------------------- drafts and regulations


def test_regulations_are_found_however_written_and_superseded_ones_left_out():
    assert mentioned("lihat UU 14/2008 dan **Undang-Undang Nomor 27 Tahun 2022** serta Perki No. 1 Tahun 2021") == {
        ("UU", 14, 2008), ("UU", 27, 2022), ("Perki", 1, 2021)}
    found = [r.citation for r in legal_basis(["PermenPANRB 83/2012", "Permenkominfo Nomor 8 Tahun 2019",
                                              "UU 11/2012 (contoh kasus anak)", "Inpres 9/2015"])]
    assert found == [
        "Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara",
        "Instruksi Presiden Nomor 9 Tahun 2015 tentang Pengelolaan Komunikasi Publik",
        "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 83 Tahun 2012 tentang "
        "Pedoman Pemanfaatan Media Sosial Instansi Pemerintah"]


def test_drafts_are_written_from_the_data(finished):
    data = laporan.gather(finished, NOW, laporan.office_viewer())
    drafts = laporan.drafts_of(data)
    assert "PermenPANRB" not in drafts["dasar_hukum"]  # cited in full
    assert "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 83 Tahun 2012" in \
        drafts["dasar_hukum"]
    opds = {u.agency.name for u in data.people if u.agency}
    assert f"{len(data.people)} orang" in drafts["sasaran"] and all(name in drafts["sasaran"] for name in opds)
    assert all(course.title in drafts["maksud_tujuan"] for course in finished.courses)
    assert f"{len(data.certificates)} peserta memperoleh sertifikat" in drafts["kesimpulan"]


def test_narrative_blocks_keep_lists_and_emphasis_and_drop_scripts():
    found = blocks("Teks **tebal** <img src=x onerror=alert(1)>\n\n1. satu\n2. dua\n    - anak\n\n<script>x()</script>")
    assert [(b.kind, b.marker, b.text) for b in found] == [("p", "", "Teks tebal"), ("li", "1.", "satu"),
                                                           ("li", "2.", "dua"), ("li", "•", "anak")]
    assert found[0].runs[1].bold and found[3].level == 2


# ---------------------------------------------------------------- the page


def test_admin_saves_narratives_with_an_audit_entry_and_sanitised_preview(client, auth, bare):
    auth.login_as(bare["admin"])
    url = "/trainings/bimtek-kosong/laporan"
    page = client.get(url)
    assert page.status_code == 200 and "Isi dengan draf otomatis" in page.get_data(as_text=True)
    preview = client.post(url, data={"kesimpulan": "Hasil **baik** <script>alert('x')</script>", "preview": "1"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<strong>baik</strong>" in html and "alert('x')" not in html
    assert db.session.scalar(select(TrainingReport)) is None  # a preview saves nothing
    response = client.post(url, data={"kesimpulan": "Hasil **baik** <script>alert('x')</script>", "submit": "1"})
    assert response.status_code == 302
    report = db.session.scalar(select(TrainingReport))
    assert report is not None and report.kesimpulan.startswith("Hasil **baik**")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.update")).one()
    assert event.details == {"fields": ["kesimpulan"]}
    shown = client.get(url).get_data(as_text=True)
    assert "<strong>baik</strong>" in shown and "<script>alert" not in shown


def test_narrative_form_needs_its_csrf_token(app, client, auth, bare):
    auth.login_as(bare["admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/trainings/bimtek-kosong/laporan", data={"kesimpulan": "x", "submit": "1"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert db.session.scalar(select(TrainingReport)) is None


def test_too_long_narrative_is_refused_naming_its_section(client, auth, bare):
    auth.login_as(bare["admin"])
    response = client.post("/trainings/bimtek-kosong/laporan",
                           data={"sasaran": "a" * (services.MAX_NARRATIVE + 1), "submit": "1"})
    assert response.status_code == 400
    assert "Sasaran: paling banyak 60.000 karakter" in response.get_data(as_text=True)


def test_draft_link_fills_the_field_without_saving(client, auth, bare, watch_writes):
    auth.login_as(bare["admin"])
    with watch_writes() as watch:
        html = client.get("/trainings/bimtek-kosong/laporan?draf=dasar_hukum").get_data(as_text=True)
    assert not watch.writes
    field = re.search(r'<textarea[^>]*name="dasar_hukum"[^>]*>(.*?)</textarea>', html, re.S)
    assert field and "Undang-Undang Nomor 20 Tahun 2023" in field.group(1)


@pytest.mark.parametrize("who, status", [("trainer", 200), ("other", 403), ("participant", 403)])
def test_who_may_open_the_report(client, auth, bare, who, status):
    user = bare["people"][0] if who == "participant" else bare[who]
    auth.login_as(user)
    for path in ("/trainings/bimtek-kosong/laporan", "/trainings/bimtek-kosong/laporan.pdf"):
        assert client.get(path).status_code == status, path
    # Trainers read the report; only admins write it.
    assert client.post("/trainings/bimtek-kosong/laporan", data={"sasaran": "x"}).status_code == 403
    if who == "trainer":
        assert "Isi dengan draf otomatis" not in client.get("/trainings/bimtek-kosong/laporan").get_data(as_text=True)


def test_downloads_are_pdf_and_docx(client, auth, bare):
    auth.login_as(bare["admin"])
    pdf = client.get("/trainings/bimtek-kosong/laporan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    word = client.get("/trainings/bimtek-kosong/laporan.docx")
    assert word.status_code == 200 and word.data[:2] == b"PK"
    assert client.get("/trainings/bimtek-kosong/laporan.odt").status_code == 404


# ---------------------------------------------------------------- photos


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (640, 480), "teal")
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photo_is_stored_without_exif_and_printed_with_its_caption(client, auth, bare):
    auth.login_as(bare["admin"])
    response = client.post("/trainings/bimtek-kosong/laporan/foto",
                           data={"photo": (io.BytesIO(jpeg_with_exif()), "foto.jpg"),
                                 "caption": "Sesi praktik caption"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.scalars(select(ReportPhoto)).one()
    assert b"KameraRahasia" not in photo.data
    text = pdf_text(laporan.render(bare["training"], NOW, "pdf", laporan.office_viewer()))
    assert "Sesi praktik caption" in text and "Belum ada foto dokumentasi" not in text
    assert client.get(f"/trainings/bimtek-kosong/laporan/foto/{photo.id}").data == photo.data
    refused = client.post("/trainings/bimtek-kosong/laporan/foto",
                          data={"photo": (io.BytesIO(b"bukan gambar"), "x.jpg"), "caption": ""},
                          content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "bukan gambar JPEG" in html and "Keterangan foto wajib diisi" in html
    assert client.post(f"/trainings/bimtek-kosong/laporan/foto/{photo.id}/hapus").status_code == 302
    assert db.session.scalar(select(ReportPhoto)) is None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"report.photo_add", "report.photo_delete"} <= actions


def test_trainer_of_another_training_cannot_reach_its_photos(client, auth, bare):
    photo = services.add_photo(bare["training"], jpeg_with_exif(), "Pembukaan", bare["admin"], NOW)
    db.session.commit()
    auth.login_as(bare["other"])
    assert client.get(f"/trainings/bimtek-kosong/laporan/foto/{photo.id}").status_code == 403
    assert client.get(f"/trainings/bimtek-lain/laporan/foto/{photo.id}").status_code == 404


# ---------------------------------------------------------------- the command line


def test_cli_writes_pdf_or_docx_and_names_an_unknown_slug(runner, bare, tmp_path, cli_clock):
    cli_clock(NOW)
    target = tmp_path / "laporan.pdf"
    result = runner.invoke(args=["reports", "laporan", "bimtek-kosong", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF") and "1 September 2026" in pdf_text(target.read_bytes())
    word = tmp_path / "laporan.docx"
    assert runner.invoke(args=["reports", "laporan", "bimtek-kosong", "-o", str(word)]).exit_code == 0
    assert docx.Document(str(word)).paragraphs
    missing = runner.invoke(args=["reports", "laporan", "tidak-ada", "-o", str(target)])
    assert missing.exit_code == 1 and 'Kegiatan dengan slug "tidak-ada" tidak ditemukan' in missing.output
    wrong = runner.invoke(args=["reports", "laporan", "bimtek-kosong", "-o", str(tmp_path / "x.txt")])
    assert wrong.exit_code == 2 and "gunakan akhiran .pdf atau .docx" in wrong.output


def test_signature_block_names_the_institution_head_and_the_date(bare):
    institution = ensure_institution()
    institution.city, institution.head_name, institution.head_title = "Contoh", "Dr. Kepala Dinas", "Kepala Dinas"
    institution.head_nip = "197205141998031004"
    db.session.commit()
    day = datetime(2026, 8, 25, 2, 0, tzinfo=UTC)
    text = pdf_text(laporan.render(bare["training"], day, "pdf", laporan.office_viewer()))
    assert "Contoh, 25 Agustus 2026" in text and "Dr. Kepala Dinas" in text and "NIP. 19720514 199803 1 004" in text
    assert date(2026, 8, 25).year == 2026


def test_report_queries_do_not_grow_with_participants(bare, make_user, count_queries):
    from lms.attendance.models import AttendanceRecord, AttendanceSession

    training = bare["training"]
    session = AttendanceSession(training_id=training.id, day=date(2026, 8, 17), label="Pagi", secret="s",
                                starts_at=datetime(2026, 8, 17, 1, tzinfo=UTC), ends_at=datetime(2026, 8, 17, 4,
                                                                                                  tzinfo=UTC))
    db.session.add(session)
    db.session.commit()

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            laporan.build(training, NOW, laporan.office_viewer())
        return counter.count

    few = queries()
    from lms.trainings.models import Enrollment

    for n in range(12):
        agency = create_agency(f"Dinas Uji {n}", None)
        user = make_user(agency_id=agency.id)
        db.session.add(Enrollment(training_id=training.id, user_id=user.id))
        db.session.add(AttendanceRecord(session_id=session.id, user_id=user.id, status="hadir"))
    db.session.commit()
    assert queries() == few
