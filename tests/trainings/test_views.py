"""Trainings through the test client: setup form, agenda, participants, walk-ins and who may see what."""

from __future__ import annotations

import io
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Agency, User, UserImport
from lms.attendance import services as attendance
from lms.extensions import db
from lms.quizzes import services as quiz_services
from lms.quizzes.definitions import load_quizzes
from lms.trainings import scope, services
from lms.trainings.models import AgendaItem, Enrollment, Training
from tests.conftest import create_training
from tests.exportread import read_csv, read_xlsx, xlsx_cells
from tests.trainings.factory import START, agency, full_agenda, wib

ENGINE = Path(__file__).resolve().parent.parent / "fixtures" / "engine"

FORM = {"title": "Bimtek Tata Kelola SPBE", "slug": "bimtek-spbe", "start_date": "2026-08-17",
        "end_date": "2026-08-19", "venue": "Aula Kantor Bupati", "city": "Kabupaten Contoh",
        "time_zone": "Asia/Jakarta", "status": "open", "minutes_per_jp": "45", "min_attendance_percent": "80",
        "late_after_minutes": "15", "late_counts_present": "y", "require_posttest_pass": "y",
        "require_courses_complete": "y", "pretest_id": "0", "posttest_id": "0"}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(auth, make_user):
    user = make_user(role="admin", full_name="Admin Diskominfo")
    auth.login_as(user)
    return user


# ---------------------------------------------------------------- setup form


def test_admin_creates_a_training_then_lands_on_its_agenda(client, admin, make_user):
    trainer = make_user(role="trainer", full_name="Narasumber Wahyuni")
    response = client.post("/trainings/new", data=dict(FORM, trainers=[str(trainer.id)], quota="40"))
    assert response.status_code == 302 and response.headers["Location"] == "/trainings/bimtek-spbe/agenda"
    page = text(client.get("/trainings/bimtek-spbe/agenda"))
    assert "Kegiatan dibuat. Lanjutkan dengan menyusun agenda." in page
    assert "Jumlah: <strong>0 JP</strong> (1 JP = 45 menit)" in page
    training = scope.get_training("bimtek-spbe")
    assert (training.quota, training.status, [t.full_name for t in training.trainers]) == \
        (40, "open", ["Narasumber Wahyuni"])
    index = text(client.get("/trainings/"))
    assert "Bimtek Tata Kelola SPBE" in index and "17–19 Agustus 2026" in index and "0 peserta" in index


@pytest.mark.parametrize("changes, message", [
    ({"end_date": "2026-08-16"}, "Tanggal selesai tidak boleh sebelum tanggal mulai."),
    ({"title": ""}, "Wajib diisi."),
    ({"start_date": ""}, "Isi tanggal yang sah."),
    ({"slug": "Bimtek SPBE"}, "Slug hanya boleh huruf kecil, angka, dan tanda hubung."),
    ({"venue_network": "aula-wifi"}, "Jaringan lokasi harus berbentuk CIDR, mis. 192.168.1.0/24."),
    ({"min_attendance_percent": "120"}, "Angka harus antara 0 dan 100."),
    ({"quota": "empat puluh"}, "Isi dengan angka bulat."),
    ({"end_date": "2026-02-30"}, "Isi tanggal yang sah."),
    ({"time_zone": "Europe/Paris"}, "Pilihan tidak tersedia."),
    ({"title": "x" * 301}, "Paling banyak 300 karakter."),
])
def test_setup_form_errors_shown_in_indonesian(client, admin, changes, message):
    response = client.post("/trainings/new", data=dict(FORM, **changes))
    page = text(response)
    assert response.status_code == 200 and message in page and "is-invalid" in page
    for english in ("Not a valid", "This field is required", "Number must be", "Field cannot be"):
        assert english not in page
    assert db.session.scalar(select(func.count(Training.id))) == 0


def test_duplicate_slug_named_on_the_form(client, admin):
    create_training("bimtek-spbe")
    page = text(client.post("/trainings/new", data=FORM))
    assert "Slug &#34;bimtek-spbe&#34; sudah dipakai kegiatan lain." in page
    assert db.session.scalar(select(func.count(Training.id))) == 1


def test_edit_keeps_values_and_saves(client, admin):
    client.post("/trainings/new", data=dict(FORM, venue_network="192.168.1.0/24"))
    page = text(client.get("/trainings/bimtek-spbe/edit"))
    assert 'value="Bimtek Tata Kelola SPBE"' in page and 'value="192.168.1.0/24"' in page
    changed = dict(FORM, title="Bimtek SPBE 2026", late_counts_present="")
    response = client.post("/trainings/bimtek-spbe/edit", data=changed)
    assert response.headers["Location"] == "/trainings/bimtek-spbe"
    training = scope.get_training("bimtek-spbe")
    assert training.title == "Bimtek SPBE 2026" and training.present_statuses == ["hadir"]


def test_only_admins_create_trainings(client, auth, make_user):
    auth.login_as(make_user(role="trainer"))
    assert client.get("/trainings/new").status_code == 403
    assert client.post("/trainings/new", data=FORM).status_code == 403


# ---------------------------------------------------------------- agenda


def agenda_form(**changes):
    return dict({"day": "2026-08-17", "start_time": "08:00", "end_time": "09:30",
                 "topic": "Etika media sosial instansi", "trainer_id": "0", "trainer_name": "", "jp": ""}, **changes)


def test_agenda_add_edit_delete_and_print(client, admin, make_user):
    trainer = make_user(role="trainer", full_name="Dra. Wahyuni")
    create_training("bimtek-spbe", trainers=(trainer,))
    response = client.post("/trainings/bimtek-spbe/agenda", data=agenda_form(trainer_id=str(trainer.id)))
    assert response.headers["Location"] == "/trainings/bimtek-spbe/agenda"
    client.post("/trainings/bimtek-spbe/agenda", data=agenda_form(
        day="2026-08-18", start_time="13:00", end_time="14:00", topic="Praktik caption",
        trainer_name="Tamu dari Kominfo", jp="3"))
    page = text(client.get("/trainings/bimtek-spbe/agenda"))
    assert "Materi ditambahkan ke agenda." in page
    assert "Jumlah: <strong>5 JP</strong>" in page
    assert "08.00–09.30" in page and "Dra. Wahyuni" in page and "Tamu dari Kominfo" in page
    assert "(diisi manual)" in page
    assert "Senin, 17 Agustus 2026" in page and "Rabu, 19 Agustus 2026" in page

    item = db.session.scalars(select(AgendaItem).where(AgendaItem.topic == "Praktik caption")).one()
    edit_page = text(client.get(f"/trainings/bimtek-spbe/agenda/{item.id}/edit"))
    assert 'value="Praktik caption"' in edit_page and 'value="3"' in edit_page
    response = client.post(f"/trainings/bimtek-spbe/agenda/{item.id}/edit",
                           data=agenda_form(day="2026-08-18", start_time="13:00", end_time="14:30",
                                            topic="Praktik caption OPD"))
    assert response.headers["Location"] == "/trainings/bimtek-spbe/agenda"
    assert db.session.get(AgendaItem, item.id).jp == 2  # back to the computed JP

    printed = text(client.get("/trainings/bimtek-spbe/agenda/print"))
    assert "JADWAL KEGIATAN" in printed and "Praktik caption OPD" in printed
    assert "Jumlah: 4 JP" in printed and "Selasa, 18 Agustus 2026" in printed

    response = client.post(f"/trainings/bimtek-spbe/agenda/{item.id}/delete")
    assert response.headers["Location"] == "/trainings/bimtek-spbe/agenda"
    page = text(client.get("/trainings/bimtek-spbe/agenda"))
    assert "Materi dihapus dari agenda." in page and "Praktik caption OPD" not in page
    assert "Jumlah: <strong>2 JP</strong>" in page


def test_agenda_overlap_and_bad_day_shown_on_the_form(client, admin):
    create_training("bimtek-spbe")
    client.post("/trainings/bimtek-spbe/agenda", data=agenda_form())
    clash = agenda_form(start_time="09:00", end_time="10:00", topic="Caption")
    page = text(client.post("/trainings/bimtek-spbe/agenda", data=clash))
    assert "Bertabrakan dengan &#34;Etika media sosial instansi&#34; (08.00–09.30)." in page
    page = text(client.post("/trainings/bimtek-spbe/agenda", data=agenda_form(day="2026-08-25")))
    assert "Pilihan tidak tersedia." in page and "Not a valid" not in page
    page = text(client.post("/trainings/bimtek-spbe/agenda", data=agenda_form(start_time="jam 8", jp="dua")))
    assert "Isi jam yang sah." in page and "Isi dengan angka bulat." in page and "Not a valid" not in page
    backwards = agenda_form(start_time="10:00", end_time="09:00")
    page = text(client.post("/trainings/bimtek-spbe/agenda", data=backwards))
    assert "Jam selesai harus setelah jam mulai." in page
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 1


def test_agenda_item_of_another_training_is_404(client, admin):
    other = create_training("bimtek-lain")
    create_training("bimtek-spbe")
    item = services.save_agenda_item(other, None, services.AgendaData(START, time(8), time(9), "Materi lain"), admin)
    db.session.commit()
    assert client.get(f"/trainings/bimtek-spbe/agenda/{item.id}/edit").status_code == 404
    assert client.post(f"/trainings/bimtek-spbe/agenda/{item.id}/delete").status_code == 404
    assert db.session.get(AgendaItem, item.id) is not None


# ---------------------------------------------------------------- participants


def test_participants_add_one_and_a_whole_opd(client, admin, make_user):
    create_training("bimtek-spbe")
    health = agency("Dinas Kesehatan")
    make_user(full_name="Ani Dinkes", agency_id=health.id)
    make_user(full_name="Budi Dinkes", agency_id=health.id)
    make_user(full_name="Citra Lain", nip="198503142010011001", email="")
    response = client.post("/trainings/bimtek-spbe/participants/add", data={"login": "19850314 201001 1 001"})
    assert response.headers["Location"] == "/trainings/bimtek-spbe/participants"
    assert "1 peserta ditambahkan." in text(client.get("/trainings/bimtek-spbe/participants"))
    client.post("/trainings/bimtek-spbe/participants/add", data={"login": "tidak@ada.go.id"})
    assert "Tidak ada pengguna dengan NIP/surel itu." in text(client.get("/trainings/bimtek-spbe/participants"))
    client.post("/trainings/bimtek-spbe/participants/agency", data={"agency_id": str(health.id)})
    page = text(client.get("/trainings/bimtek-spbe/participants"))
    assert "2 peserta dari OPD itu ditambahkan." in page and "3 peserta" in page
    assert "Ani Dinkes" in page and "Budi Dinkes" in page and "Citra Lain" in page


def test_quota_refusal_shown(client, admin, make_user):
    training = create_training("bimtek-spbe", quota=1)
    services.enroll(training, [make_user()], "manual", admin)
    db.session.commit()
    make_user(email="kedua@contoh.go.id")
    client.post("/trainings/bimtek-spbe/participants/add", data={"login": "kedua@contoh.go.id"})
    page = text(client.get("/trainings/bimtek-spbe/participants"))
    assert "Kuota kegiatan 1 peserta akan terlampaui (sudah 1, ditambah 1)." in page


CSV_HEADER = "nama;nip;pangkat_golongan;jabatan;opd;email;no_hp\n"


def upload(client, body: str, name: str = "peserta.csv"):
    return client.post("/trainings/bimtek-spbe/participants/import",
                       data={"file": (io.BytesIO(body.encode("utf-8")), name)}, content_type="multipart/form-data")


def test_import_csv_preview_then_confirm_creates_and_enrolls(client, admin, make_user):
    create_training("bimtek-spbe")
    existing = make_user(full_name="Budi Lama", nip="198503142010011001", email="")
    body = CSV_HEADER + ("Budi Santoso;198503142010011001;;Pranata Humas;Dinas Kesehatan;;\n"
                         "Sari Dewi;;;;Dinas Sosial;sari@contoh.go.id;\n")
    page = text(upload(client, body))
    assert "Semua 2 baris valid" in page and "1 peserta baru, 1 peserta lama diperbarui" in page
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0  # nothing before confirmation
    pending = db.session.scalars(select(UserImport)).one()
    assert f'action="/trainings/bimtek-spbe/participants/import/{pending.id}"' in page
    response = client.post(f"/trainings/bimtek-spbe/participants/import/{pending.id}")
    assert response.headers["Location"] == "/trainings/bimtek-spbe/participants"
    page = text(client.get("/trainings/bimtek-spbe/participants"))
    assert "Impor selesai: 1 akun baru, 2 peserta didaftarkan ke kegiatan." in page
    assert "Sari Dewi" in page and "Budi Santoso" in page and "Belum punya kata sandi" in page
    training = scope.get_training("bimtek-spbe")
    assert existing.id in scope.participant_ids(training) and len(scope.participant_ids(training)) == 2


def test_import_xlsx_enrolls_and_creates_the_opd(client, admin):
    from openpyxl import Workbook

    create_training("bimtek-spbe")
    book = Workbook()
    book.active.append(["nama", "nip", "opd", "email"])
    book.active.append(["Dewi Permatasari", "198701012010012003", "Badan Kepegawaian Daerah", None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post("/trainings/bimtek-spbe/participants/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(buffer.getvalue()), "peserta.xlsx")})
    assert "Semua 1 baris valid" in text(response) and "1 OPD baru akan ditambahkan" in text(response)
    pending = db.session.scalars(select(UserImport)).one()
    client.post(f"/trainings/bimtek-spbe/participants/import/{pending.id}")
    page = text(client.get("/trainings/bimtek-spbe/participants"))
    assert "Impor selesai: 1 akun baru, 1 peserta didaftarkan ke kegiatan." in page
    assert "Dewi Permatasari" in page and "Badan Kepegawaian Daerah" in page


def test_import_with_bad_rows_saves_nothing(client, admin):
    create_training("bimtek-spbe")
    body = CSV_HEADER + ("Budi Santoso;198503142010011001;;;Dinas Kesehatan;;\n"
                         "Tanpa Login;;;;Dinas Sosial;;\n"
                         "Sari;12345;;;Dinas Sosial;;\n")
    page = text(upload(client, body))
    assert "2 masalah ditemukan." in page and "Tidak ada data yang disimpan." in page
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert db.session.scalar(select(func.count(Agency.id))) == 0
    assert db.session.scalar(select(func.count(UserImport.id))) == 0
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0


def test_import_unreadable_file_flashes_the_reason(client, admin):
    create_training("bimtek-spbe")
    response = upload(client, "   ")
    assert response.headers["Location"] == "/trainings/bimtek-spbe/participants"
    assert "Berkas kosong." in text(client.get("/trainings/bimtek-spbe/participants"))


def test_import_over_quota_rolls_back_the_new_accounts(client, admin):
    create_training("bimtek-spbe", quota=1)
    body = CSV_HEADER + "Ani;;;;Dinas Sosial;ani@contoh.go.id;\nBudi;;;;Dinas Sosial;budi@contoh.go.id;\n"
    upload(client, body)
    pending = db.session.scalars(select(UserImport)).one()
    client.post(f"/trainings/bimtek-spbe/participants/import/{pending.id}")
    assert "Kuota kegiatan 1 peserta akan terlampaui" in text(client.get("/trainings/bimtek-spbe/participants"))
    assert db.session.scalar(select(func.count(User.id))) == 1  # no account half-created
    assert db.session.scalar(select(func.count(Agency.id))) == 0


def test_walk_in_prints_a_slip_with_a_one_time_password(client, admin, auth):
    create_training("bimtek-spbe")
    health = agency("Dinas Kesehatan")
    db.session.commit()
    response = client.post("/trainings/bimtek-spbe/walk-in", data={
        "full_name": "Rina Handayani", "nip": "198701012010012003", "email": "", "jabatan": "Staf",
        "agency_id": str(health.id), "phone": ""})
    page = text(response)
    assert response.status_code == 200 and "Rina Handayani" in page and "Terdaftar sebagai peserta." in page
    assert "<code>198701012010012003</code>" in page and "Kata sandi ini sekali pakai" in page
    assert "http://192.168.1.23" in page  # opened on the laptop: the venue address, never localhost
    password = page.split('<code class="fs-4">')[1].split("</code>")[0]
    assert len(password) >= 8
    auth.logout()
    response = auth.login("198701012010012003", password)
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.nip == "198701012010012003")).one()
    assert user.must_change_password and user.id in scope.participant_ids(scope.get_training("bimtek-spbe"))


def test_walk_in_errors_show_all_at_once_and_keep_what_was_typed(client, admin):
    create_training("bimtek-spbe")
    response = client.post("/trainings/bimtek-spbe/walk-in", data={
        "full_name": "", "nip": "12345", "email": "bukan-surel", "phone": "12", "jabatan": "Staf Humas",
        "agency_id": "0"})
    page = text(response)
    assert response.status_code == 200 and "<details class=\"card card-body mb-3\" open>" in page
    assert page.count("invalid-feedback") >= 4  # name, NIP, e-mail and phone, in one submit
    assert "Wajib diisi." in page and "NIP harus 18 digit" in page
    assert 'value="Staf Humas"' in page and 'value="12345"' in page and 'value="bukan-surel"' in page
    response = client.post("/trainings/bimtek-spbe/walk-in", data={"full_name": "Tamu", "agency_id": "0"})
    assert "Isi NIP atau surel (salah satu wajib ada) untuk masuk." in text(response)
    assert 'value="Tamu"' in text(response)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_remove_participant(client, admin, make_user):
    person = make_user(full_name="Ani Keluar")
    create_training("bimtek-spbe", users=(person,))
    asked = client.post(f"/trainings/bimtek-spbe/participants/{person.id}/remove")
    assert asked.status_code == 200 and "Keluarkan Ani Keluar dari Bimtek Tes?" in text(asked)
    assert "Ani Keluar" in text(client.get("/trainings/bimtek-spbe/participants"))  # nothing done yet
    response = client.post(f"/trainings/bimtek-spbe/participants/{person.id}/remove", data={"confirmed": "1"})
    assert response.headers["Location"] == "/trainings/bimtek-spbe/participants"
    page = text(client.get("/trainings/bimtek-spbe/participants"))
    assert "Peserta dikeluarkan dari kegiatan." in page and "Belum ada peserta." in page


# ---------------------------------------------------------------- who may see what


@pytest.fixture
def two_trainings(make_user):
    """Training A (trainer A, participant A) with a session and a post-test; training B likewise."""
    admin = make_user(role="admin")
    trainer_a, trainer_b = make_user(role="trainer"), make_user(role="trainer")
    person_a, person_b = make_user(full_name="Peserta A"), make_user(full_name="Peserta B")
    definitions, errors, _ = load_quizzes(ENGINE)
    assert errors == []
    quiz_services.sync_quizzes(definitions, wib(START, 7))
    quiz = quiz_services.get_quiz("uji-mesin")
    first = create_training("bimtek-a", title="Bimtek A", users=(person_a,), trainers=(trainer_a,),
                            posttest_id=quiz.id)
    second = create_training("bimtek-b", title="Bimtek B", users=(person_b,), trainers=(trainer_b,))
    full_agenda(first, admin)
    attendance.generate_sessions(first, admin)
    db.session.commit()
    session = attendance.sessions_of(first)[0]
    item = first.agenda[0]
    return {"trainer_a": trainer_a, "trainer_b": trainer_b, "person_a": person_a, "person_b": person_b,
            "session": session.id, "item": item.id, "first": first, "second": second}


def manage_requests(ids):
    session, item = ids["session"], ids["item"]
    return [
        ("GET", "/trainings/bimtek-a/participants", None),
        ("POST", "/trainings/bimtek-a/participants/add", {"login": "x@contoh.go.id"}),
        ("POST", "/trainings/bimtek-a/participants/agency", {"agency_id": "1"}),
        ("POST", "/trainings/bimtek-a/walk-in", {"full_name": "Tamu", "email": "tamu@contoh.go.id"}),
        ("POST", "/trainings/bimtek-a/participants/slips", {}),
        ("POST", f"/trainings/bimtek-a/participants/{ids['person_a'].id}/remove", {}),
        ("POST", "/trainings/bimtek-a/agenda", agenda_form(start_time="17:00", end_time="18:00")),
        ("GET", f"/trainings/bimtek-a/agenda/{item}/edit", None),
        ("POST", f"/trainings/bimtek-a/agenda/{item}/delete", {}),
        ("GET", "/trainings/bimtek-a/quizzes/uji-mesin/results", None),
        ("GET", "/trainings/bimtek-a/attendance", None),
        ("POST", "/trainings/bimtek-a/attendance/mark",
         {"session_id": str(session), "user_id": str(ids["person_a"].id), "status": "hadir"}),
        ("POST", f"/trainings/bimtek-a/attendance/{session}/all-present", {}),
        ("POST", "/trainings/bimtek-a/attendance/sessions", {"generate": "1"}),
        ("GET", "/trainings/bimtek-a/attendance/report", None),
        ("GET", "/trainings/bimtek-a/attendance/report?format=xlsx", None),
        ("GET", f"/attendance/sessions/{session}/screen", None),
        ("GET", f"/attendance/sessions/{session}/live.json", None),
        ("GET", f"/attendance/sessions/{session}/daftar-hadir.pdf", None),
        ("GET", f"/attendance/records/history?session={session}&user={ids['person_a'].id}", None),
        ("POST", f"/attendance/sessions/{session}/delete", {}),
        ("GET", "/trainings/bimtek-a/participants?format=csv", None),
        ("GET", "/trainings/bimtek-a/participants?format=xlsx", None),
        ("GET", "/trainings/bimtek-a/quizzes/uji-mesin/results?format=xlsx", None),
    ]


@pytest.mark.parametrize("who", ["trainer_b", "person_a", "person_b"])
def test_every_manage_page_refused_to_others(client, auth, two_trainings, who):
    auth.login_as(two_trainings[who])
    for method, url, data in manage_requests(two_trainings):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url, response.status_code)
    assert db.session.scalar(select(func.count(Enrollment.id))) == 2
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 12
    assert len(attendance.sessions_of(two_trainings["first"])) == 6
    assert attendance.roster(two_trainings["first"]).records == {}


def test_assigned_trainer_opens_every_manage_page(client, auth, two_trainings):
    auth.login_as(two_trainings["trainer_a"])
    for method, url, _data in manage_requests(two_trainings):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_assigned_trainer_downloads_the_training_quiz_results_as_csv(client, auth, two_trainings):
    auth.login_as(two_trainings["trainer_a"])
    response = client.get("/trainings/bimtek-a/quizzes/uji-mesin/results?format=csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=hasil-bimtek-a-uji-mesin.csv"
    assert read_csv(response.get_data()) == [["nama", "nip", "opd", "percobaan", "nilai", "lulus"]]
    page = client.get("/trainings/bimtek-a/quizzes/uji-mesin/results").get_data(as_text=True)
    # The page links the trainer to this training's downloads, never to the admin-only quiz-wide one.
    assert "/trainings/bimtek-a/quizzes/uji-mesin/results?format=xlsx" in page and "results.csv" not in page
    response = client.get("/trainings/bimtek-a/quizzes/uji-mesin/results?format=xlsx")
    assert read_xlsx(response.get_data()) == {"Hasil Kuis": [["nama", "nip", "opd", "percobaan", "nilai", "lulus"]]}


def test_participant_list_exports_keep_nip_and_phone_as_text(client, auth, two_trainings):
    person = db.session.get(User, two_trainings["person_a"].id)
    person.nip, person.phone, person.jabatan = "198503142010011001", "081234567890", "-Analis; Data"
    db.session.commit()
    auth.login_as(two_trainings["trainer_a"])
    response = client.get("/trainings/bimtek-a/participants?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == "attachment; filename=peserta-bimtek-a.csv"
    rows = read_csv(response.get_data())
    assert rows == [["No", "Nama", "NIP", "Pangkat/Golongan", "Jabatan", "OPD", "No. HP/WA", "Surel"],
                    ["1", "Peserta A", "19850314 201001 1 001", "", "'-Analis; Data", "", "0812-3456-7890",
                     person.email]]
    body = client.get("/trainings/bimtek-a/participants?format=xlsx").get_data()
    assert read_xlsx(body)["Daftar Peserta"][1][:7] == [1, "Peserta A", "198503142010011001", None, "'-Analis; Data",
                                                         None, "081234567890"]
    nip, phone = xlsx_cells(body)[1][2], xlsx_cells(body)[1][6]
    assert (nip.number_format, phone.number_format, phone.data_type) == ("@", "@", "s")
    page = client.get("/trainings/bimtek-a/participants").get_data(as_text=True)
    assert "/trainings/bimtek-a/participants?format=xlsx" in page


def test_trainer_lists_and_opens_only_assigned_trainings(client, auth, two_trainings):
    auth.login_as(two_trainings["trainer_a"])
    page = text(client.get("/trainings/"))
    assert "Bimtek A" in page and "Bimtek B" not in page
    assert client.get("/trainings/bimtek-b").status_code == 403
    assert client.get("/trainings/bimtek-b/agenda").status_code == 403


def test_staff_page_links_todays_sessions(client, auth, two_trainings, monkeypatch):
    auth.login_as(two_trainings["trainer_a"])
    assert "Sesi hari ini" not in text(client.get("/trainings/bimtek-a"))
    monkeypatch.setattr("lms.trainings.views.utcnow", lambda: wib(START, 7, 30))
    page = text(client.get("/trainings/bimtek-a"))
    assert "Sesi hari ini" in page and "Pagi · 08.00–11.15" in page and "Siang · 13.00–16.15" in page
    assert f'href="/attendance/sessions/{two_trainings["session"]}/screen">Layar presensi QR' in page
    assert "24" in page and "JP dari agenda" in page


def test_participant_sees_only_their_own_trainings(client, auth, two_trainings):
    auth.login_as(two_trainings["person_a"])
    page = text(client.get("/trainings/"))
    assert "Bimtek A" in page and "Bimtek B" not in page
    own = text(client.get("/trainings/bimtek-a"))
    assert "Kehadiran Anda: <strong>0" in own and "(minimal 80%)" in own and "Lihat agenda" in own
    assert "Materi 17-1" in text(client.get("/trainings/bimtek-a/agenda"))
    assert "Tambah materi" not in text(client.get("/trainings/bimtek-a/agenda"))
    for url in ("/trainings/bimtek-b", "/trainings/bimtek-b/agenda", "/trainings/bimtek-b/agenda/print"):
        assert client.get(url).status_code == 403, url


def test_draft_training_not_shown_to_its_participant(client, auth, two_trainings):
    first = db.session.get(Training, two_trainings["first"].id)
    first.status = "draft"
    db.session.commit()
    auth.login_as(two_trainings["person_a"])
    assert "Bimtek A" not in text(client.get("/trainings/"))
    assert client.get("/trainings/bimtek-a").status_code == 403


def test_unknown_training_is_404_and_logged_out_goes_to_login(client, auth, two_trainings):
    response = client.get("/trainings/bimtek-a/attendance")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    auth.login_as(two_trainings["trainer_a"])
    assert client.get("/trainings/tidak-ada").status_code == 404
    assert client.get("/trainings/tidak-ada/attendance").status_code == 404


def test_home_lists_a_participants_trainings_and_modules(client, auth, make_user):
    from tests.conftest import create_training

    person = make_user(full_name="Peserta Beranda")
    create_training(slug="bimtek-beranda", title="Bimtek Beranda Kita", users=(person,))
    create_training(slug="bimtek-lain", title="Bimtek Orang Lain")
    auth.login_as(person)
    page = client.get("/").get_data(as_text=True)
    assert "Kegiatan Anda" in page and "Bimtek Beranda Kita" in page and "Bimtek Orang Lain" not in page
    assert "Presensi dengan kode" in page and "Sertifikat Saya" in page
