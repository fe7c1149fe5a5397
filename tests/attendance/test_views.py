"""Attendance through the test client: QR scan and typed code, the screen, the roster, reports, PDF."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.trainings import scope as trainings
from lms.trainings.models import Training
from tests.attendance.conftest import run_training, text
from tests.conftest import PASSWORD, Clock, create_training
from tests.exportread import read_csv, read_xlsx, xlsx_cells
from tests.trainings.factory import (
    START,
    agency,
    bulk_enroll,
    bulk_participants,
    bulk_records,
    bulk_sessions,
    wib,
)

PENDING = "/checkin/pending"



@pytest.fixture
def clock(monkeypatch):
    now = Clock(wib(START, 8, 5))
    monkeypatch.setattr("lms.attendance.views.utcnow", now)
    return now


@pytest.fixture
def setup(make_user):
    """An open training with its agenda and six sessions, a trainer, and three participants in two OPDs."""
    health, social = agency("Dinas Kesehatan"), agency("Dinas Sosial")
    return run_training(make_user, [
        make_user(full_name="Ani Lestari", agency_id=health.id, nip="198503142010011001", email=""),
        make_user(full_name="Budi Santoso", agency_id=health.id),
        make_user(full_name="Citra Dewi", agency_id=social.id)])


def scan_url(session: AttendanceSession, at: datetime) -> str:
    token = services.current_token(session, at)[0]
    return f"/c/{session.id}/{token}"


def check_in(client, url: str, **kwargs):
    """Open a scanned (or the pending) address as a phone does, then send the form its page posts at once."""
    page = client.get(url, **kwargs)
    assert page.status_code == 200 and "Mencatat presensi" in text(page), text(page)
    action = re.search(r'<form method="post" action="([^"]+)" data-checkin>', text(page)).group(1)
    return client.post(action, **kwargs)


def records(user: User) -> list[AttendanceRecord]:
    return list(db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.user_id == user.id)))


# ---------------------------------------------------------------- QR scan


def test_scan_logged_out_survives_the_login_and_completes(client, auth, clock, setup):
    ani, morning = setup["people"][0], setup["sessions"][0]
    response = client.get(scan_url(morning, clock.now))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/checkin/pending"
    device = client.get_cookie("lms_device")
    assert device is not None and len(device.value) == 32
    login_page = text(client.get("/login?next=/checkin/pending"))
    assert "Masuk dulu untuk menyelesaikan presensi." in login_page
    assert records(ani) == []  # nothing recorded before the login
    clock.advance(minutes=2)
    response = client.post("/login?next=/checkin/pending",
                           data={"identifier": "198503142010011001", "password": PASSWORD})
    assert response.headers["Location"] == PENDING
    assert records(ani) == []  # opening the pending page records nothing either
    page = text(check_in(client, PENDING))
    assert "Presensi tercatat" in page and "Sesi Pagi · 17 Agustus 2026" in page
    assert "Status: <strong>Hadir</strong> pukul 08.07" in page
    (record,) = records(ani)
    assert (record.session_id, record.status, record.method, record.device_id) == \
        (morning.id, "hadir", "qr", device.value)
    assert record.client_address == "127.0.0.1" and record.user_agent.startswith("Werkzeug")
    again = client.get(PENDING)  # the pending check-in is used once
    assert again.status_code == 400 and "Presensi tertunda sudah kedaluwarsa" in text(again)


def test_pending_check_in_lasts_fifteen_minutes(client, auth, clock, setup):
    """Fourteen minutes (a first login and a password change on a phone) still count the scan."""
    client.get(scan_url(setup["sessions"][0], clock.now))
    clock.advance(minutes=14, seconds=59)
    client.post("/login", data={"identifier": "198503142010011001", "password": PASSWORD})
    assert "Presensi tercatat" in text(check_in(client, PENDING))
    assert len(records(setup["people"][0])) == 1


def test_pending_check_in_expires_after_fifteen_minutes(client, auth, clock, setup):
    client.get(scan_url(setup["sessions"][0], clock.now))
    clock.advance(minutes=15, seconds=1)
    client.post("/login", data={"identifier": "198503142010011001", "password": PASSWORD})
    response = client.get(PENDING)
    assert response.status_code == 400
    assert "Presensi tertunda sudah kedaluwarsa. Pindai lagi kode QR di layar." in text(response)
    assert records(setup["people"][0]) == []


def test_scan_when_logged_in_late_and_twice(client, auth, clock, setup):
    budi, morning = setup["people"][1], setup["sessions"][0]
    auth.login_as(budi)
    clock.now = wib(START, 8, 20)
    response = check_in(client, scan_url(morning, clock.now))
    page = text(response)
    assert response.status_code == 200 and "Presensi tercatat" in page
    assert "Status: <strong>Terlambat</strong> pukul 08.20" in page
    clock.advance(minutes=10)
    page = text(check_in(client, scan_url(morning, clock.now)))
    assert "Anda sudah presensi" in page and "Terlambat</strong> pukul 08.20" in page
    assert len(records(budi)) == 1


@pytest.mark.parametrize("case, message", [
    ("expired", "Kode QR sudah kedaluwarsa atau tidak sah. Pindai kode yang sedang tampil di layar."),
    ("forged", "Kode QR sudah kedaluwarsa atau tidak sah."),
    ("other session", "Kode QR sudah kedaluwarsa atau tidak sah."),
    ("unknown session", "Sesi presensi tidak ditemukan."),
    ("closed", "Sesi ini sudah ditutup; presensi tidak dapat dicatat lagi. Hubungi narasumber."),
    ("future", "Presensi untuk sesi ini belum dibuka."),
    ("unicode", "Kode QR sudah kedaluwarsa atau tidak sah."),
])
def test_bad_scans_refused_with_the_reason(client, clock, setup, case, message):
    morning, afternoon = setup["sessions"][0], setup["sessions"][1]
    url = scan_url(morning, clock.now)
    if case == "expired":
        url = scan_url(morning, clock.now - timedelta(seconds=45))
    elif case == "forged":
        url = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    elif case == "other session":
        url = f"/c/{morning.id}/" + scan_url(afternoon, clock.now).rsplit("/", 1)[1]
    elif case == "unknown session":
        url = url.replace(f"/c/{morning.id}/", "/c/999999/")
    elif case == "closed":
        clock.now = wib(START, 12)
        url = scan_url(morning, clock.now)
    elif case == "future":
        url = scan_url(setup["sessions"][2], clock.now)
    else:
        url = url.rsplit(".", 1)[0] + ".%C3%A9" + "a" * 15
    response = client.get(url)
    assert response.status_code == 400
    page = text(response)
    assert "Presensi tidak tercatat" in page and message in page
    assert response.headers.get("Location") is None  # refused before asking to log in
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_scan_by_someone_not_enrolled_refused(client, auth, clock, setup, make_user):
    auth.login_as(make_user(full_name="Orang Lain"))
    response = check_in(client, scan_url(setup["sessions"][0], clock.now))
    assert response.status_code == 400
    assert "Anda tidak terdaftar sebagai peserta kegiatan ini." in text(response)


def test_scan_outside_the_venue_network_refused(client, auth, clock, setup):
    training = db.session.get(Training, setup["training"].id)
    training.venue_network = "10.20.0.0/16"
    db.session.commit()
    auth.login_as(setup["people"][0])
    url = scan_url(setup["sessions"][0], clock.now)
    response = check_in(client, url)
    assert response.status_code == 400
    assert "Presensi hanya dapat dilakukan dari jaringan Wi-Fi lokasi kegiatan." in text(response)
    response = check_in(client, url, environ_base={"REMOTE_ADDR": "10.20.3.4"})
    assert response.status_code == 200 and records(setup["people"][0])[0].client_address == "10.20.3.4"


def test_one_phone_for_two_accounts_is_flagged_on_the_roster_not_the_screen(client, auth, clock, setup):
    ani, budi, _ = setup["people"]
    morning = setup["sessions"][0]
    auth.login_as(ani)  # already logged in: this phone has no device cookie yet
    assert client.get_cookie("lms_device") is None
    assert check_in(client, scan_url(morning, clock.now)).status_code == 200
    device = client.get_cookie("lms_device").value
    auth.logout()
    auth.login_as(budi)
    clock.advance(seconds=30)
    assert check_in(client, scan_url(morning, clock.now)).status_code == 200
    assert {r.device_id for r in records(ani) + records(budi)} == {device}
    auth.logout()
    auth.login_as(setup["trainer"])
    live = client.get(f"/attendance/sessions/{morning.id}/live.json").get_json()
    assert "shared" not in live
    screen = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    assert "perangkat" not in screen.lower()  # the whole room sees the projected screen
    roster = text(client.get("/trainings/bimtek-medsos/attendance"))
    assert 'title="Perangkat yang sama dengan: Budi Santoso" class="dev"' in roster
    assert 'title="Perangkat yang sama dengan: Ani Lestari" class="dev"' in roster
    assert "⚠ 2 memakai perangkat yang sama dengan peserta lain" in roster
    report = text(client.get("/trainings/bimtek-medsos/attendance/report"))
    assert "⚠ Perangkat yang sama dengan peserta lain — 17 Agustus 2026 Pagi: Budi Santoso" in report
    history = text(client.get(f"/attendance/records/history?session={morning.id}&user={budi.id}"))
    assert "⚠ Perangkat yang sama dengan: Ani Lestari." in history
    person = text(client.get(f"/trainings/bimtek-medsos/attendance/p/{ani.id}"))
    assert "⚠ Perangkat yang sama dengan: Budi Santoso" in person


# ---------------------------------------------------------------- typed code


def test_typed_code_checks_in(client, auth, clock, setup):
    citra, morning = setup["people"][2], setup["sessions"][0]
    auth.login_as(citra)
    page = text(client.get("/checkin"))
    assert "Presensi dengan kode" in page and "Ketik 6 angka" in page
    code = services.current_token(morning, clock.now)[1]
    clock.advance(seconds=50)  # typing is slow: the code still counts
    page = text(client.post("/checkin", data={"code": f"{code[:3]} {code[3:]}"}))
    assert "Presensi tercatat" in page and "Status: <strong>Hadir</strong>" in page
    assert records(citra)[0].method == "code"


def test_wrong_code_shown_on_the_form_and_rate_limited(client, auth, clock, setup):
    auth.login_as(setup["people"][2])
    real = services.current_token(setup["sessions"][0], clock.now)[1]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    for _ in range(10):
        response = client.post("/checkin", data={"code": wrong})
        assert response.status_code == 200
        assert "Kode presensi salah atau sudah berganti." in text(response)
    response = client.post("/checkin", data={"code": real})
    assert response.status_code == 429 and "Terlalu banyak" in text(response)
    assert records(setup["people"][2]) == []


def test_code_page_tells_a_participant_without_a_running_training(client, auth, clock, make_user):
    auth.login_as(make_user())
    assert "Anda belum terdaftar pada kegiatan yang sedang berjalan." in text(client.get("/checkin"))


# ---------------------------------------------------------------- screen and live.json


def test_screen_and_live_json(client, auth, clock, setup):
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    page = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    token, code, _ = services.current_token(morning, clock.now)
    assert "Bimtek Pengelolaan Media Sosial OPD" in page and "Presensi Pagi · Senin, 17 Agustus 2026" in page
    assert f"{code[:3]} {code[3:]}" in page and "<svg" in page
    assert '<span id="count">0</span> / <span id="total">3</span> hadir' in page
    assert f'data-live="/attendance/sessions/{morning.id}/live.json"' in page

    trainings_session = db.session.get(AttendanceSession, morning.id)
    services.check_in(setup["people"][1], trainings_session, wib(START, 8, 3), {"address": "", "device": "a"})
    services.check_in(setup["people"][0], trainings_session, wib(START, 8, 25), {"address": "", "device": "b"})
    db.session.commit()
    live = client.get(f"/attendance/sessions/{morning.id}/live.json").get_json()
    # Opened on the laptop itself (localhost): the QR code carries the venue address phones reach.
    assert live["url"] == f"http://192.168.1.23/c/{morning.id}/{token}" and live["unreachable"] is False
    assert live["code"] == f"{code[:3]} {code[3:]}" and 0 < live["remaining"] <= 20
    assert live["count"] == 2 and live["total"] == 3
    assert live["present"] == [{"name": "Ani Lestari", "status": "Terlambat", "at": "08.25"},
                               {"name": "Budi Santoso", "status": "Hadir", "at": "08.03"}]
    assert live["absent"] == ["Citra Dewi"] and live["state"] == "dibuka" and live["state_label"] == "Dibuka"
    assert live["closes_in"] == (morning.ends_at - clock.now).total_seconds()
    assert live["svg"].startswith("<svg")
    clock.advance(seconds=20)
    assert client.get(f"/attendance/sessions/{morning.id}/live.json").get_json()["url"] != live["url"]


def test_screen_warns_when_the_laptop_has_no_network(client, auth, clock, setup, monkeypatch):
    monkeypatch.setattr("lms.network.venue_address", lambda: "127.0.0.1")
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    page = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    assert "Laptop ini belum terhubung ke jaringan" in page and "http://127.0.0.1/checkin" in page
    assert client.get(f"/attendance/sessions/{morning.id}/live.json").get_json()["unreachable"] is True


def test_screen_warns_when_the_server_listens_on_the_laptop_only(app, client, auth, clock, setup, monkeypatch):
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    assert "Server hanya melayani laptop ini" not in text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    monkeypatch.setitem(app.config, "LISTEN_HOST", "127.0.0.1")
    page = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    assert "Server hanya melayani laptop ini" in page and "make run HOST=0.0.0.0" in page


def test_live_json_logged_out_is_json_401(client, setup):
    response = client.get(f"/attendance/sessions/{setup['sessions'][0].id}/live.json")
    assert response.status_code == 401 and response.is_json


# ---------------------------------------------------------------- roster


def test_roster_marks_and_shows_the_audit_trail(client, auth, clock, setup):
    ani, budi, citra = setup["people"]
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    page = text(client.get("/trainings/bimtek-medsos/attendance"))
    assert "Peserta (3)" in page and "Ani Lestari" in page and "Semua hadir" in page
    assert page.count("<td>—</td>") == 18
    assert f'<a id="n{ani.id}" href="/trainings/bimtek-medsos/attendance/p/{ani.id}">Ani Lestari</a>' in page
    assert ('data-confirm="Tandai semua peserta yang belum tercatat pada sesi Pagi 17 Agustus 2026 '
            'sebagai Hadir?"') in page

    response = client.post("/trainings/bimtek-medsos/attendance/mark", data={
        "session_id": morning.id, "user_id": ani.id, "status": "izin", "note": "Surat tugas"})
    assert response.headers["Location"] == f"/trainings/bimtek-medsos/attendance#p{ani.id}"
    response = client.post("/trainings/bimtek-medsos/attendance/mark", headers={"Accept": "application/json"},
                           data={"session_id": morning.id, "user_id": ani.id, "status": "hadir"})
    assert response.get_json() == {"saved": True, "label": "Hadir"}
    response = client.post(f"/trainings/bimtek-medsos/attendance/{morning.id}/all-present", data={"confirmed": "1"})
    assert response.headers["Location"] == "/trainings/bimtek-medsos/attendance"
    page = text(client.get("/trainings/bimtek-medsos/attendance"))
    assert "2 peserta ditandai Hadir pada sesi Pagi." in page
    assert page.count('data-v="hadir"') == 3
    assert "Perubahan massal terakhir (08.05): 2 peserta ditandai Hadir pada sesi Pagi 17 Agustus 2026." in page

    history = text(client.get(f"/attendance/records/history?session={morning.id}&user={ani.id}"))
    assert "Riwayat perubahan" in history and "daftar narasumber" in history
    assert "17 Agustus 2026 08.05 WIB — Narasumber Wahyuni:\n  Izin → Hadir" in history
    assert "17 Agustus 2026 08.05 WIB — Narasumber Wahyuni:\n  belum tercatat → Izin" in history
    assert history.index("Izin → Hadir") < history.index("belum tercatat → Izin")  # newest first
    empty = text(client.get(f"/attendance/records/history?session={setup['sessions'][1].id}&user={budi.id}"))
    assert "Belum ada perubahan." in empty


def test_mark_refusals_flashed_and_nothing_saved(client, auth, clock, setup, make_user):
    outsider = make_user(full_name="Bukan Peserta")
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    client.post("/trainings/bimtek-medsos/attendance/mark", data={
        "session_id": morning.id, "user_id": outsider.id, "status": "hadir"})
    assert "Peserta tidak terdaftar di kegiatan ini." in text(client.get("/trainings/bimtek-medsos/attendance"))
    response = client.post("/trainings/bimtek-medsos/attendance/mark", headers={"Accept": "application/json"},
                           data={"session_id": morning.id, "user_id": outsider.id, "status": "hadir"})
    assert response.status_code == 400 and response.get_json() == {"error": "Peserta tidak terdaftar di kegiatan ini."}
    ani = setup["people"][0]
    response = client.post("/trainings/bimtek-medsos/attendance/mark", data={
        "session_id": morning.id, "user_id": ani.id, "status": "bolos"})
    assert response.headers["Location"] == f"/trainings/bimtek-medsos/attendance/p/{ani.id}"
    assert "Periksa isian: Status: Pilihan tidak tersedia." in text(client.get(response.headers["Location"]))
    assert client.post("/trainings/bimtek-medsos/attendance/mark", data={
        "session_id": "x", "user_id": ani.id, "status": "hadir"}).status_code == 400
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_session_of_another_training_refused_on_this_roster(client, auth, clock, setup, make_user):
    other = create_training("bimtek-lain", trainers=(setup["trainer"],))
    foreign = services.add_session(other, START, "Pagi", wib(START, 8).time(), wib(START, 9).time(),
                                   setup["admin"])
    db.session.commit()
    auth.login_as(setup["trainer"])
    client.post(f"/trainings/bimtek-medsos/attendance/{foreign.id}/all-present", data={"confirmed": "1"})
    assert "Sesi ini milik kegiatan lain." in text(client.get("/trainings/bimtek-medsos/attendance"))
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_sessions_generated_added_and_deleted_from_the_roster(client, auth, clock, make_user):
    trainer = make_user(role="trainer")
    create_training("bimtek-medsos", trainers=(trainer,))
    auth.login_as(trainer)
    assert "Belum ada sesi presensi." in text(client.get("/trainings/bimtek-medsos/attendance"))
    client.post("/trainings/bimtek-medsos/attendance/sessions", data={"generate": "1"})
    page = text(client.get("/trainings/bimtek-medsos/attendance"))
    assert "3 sesi presensi dibuat dari agenda." in page and page.count("Hari penuh") >= 3
    client.post("/trainings/bimtek-medsos/attendance/sessions", data={
        "day": "2026-08-19", "label": "Penutupan", "start_time": "16:00", "end_time": "17:00"})
    assert "Sesi presensi ditambahkan." in text(client.get("/trainings/bimtek-medsos/attendance"))
    client.post("/trainings/bimtek-medsos/attendance/sessions", data={
        "day": "2026-08-19", "label": "Malam", "start_time": "20:00", "end_time": "19:00"})
    assert "Jam selesai harus setelah jam mulai." in text(client.get("/trainings/bimtek-medsos/attendance"))
    training = trainings.get_training("bimtek-medsos")
    last = services.sessions_of(training)[-1]
    assert last.label == "Penutupan"
    client.post(f"/attendance/sessions/{last.id}/delete")
    assert "Sesi dihapus." in text(client.get("/trainings/bimtek-medsos/attendance"))
    assert len(services.sessions_of(training)) == 3


def build_roster(training: Training, count: int) -> None:
    ids = bulk_participants(count, prefix=f"Peserta {training.slug}")
    bulk_enroll(training, ids)
    sessions = bulk_sessions(training, 6)
    bulk_records(sessions[:4], ids)
    db.session.commit()


def test_roster_query_count_does_not_grow_with_the_roster(client, auth, clock, make_user, count_queries):
    trainer = make_user(role="trainer")
    small = create_training("bimtek-kecil", trainers=(trainer,))
    big = create_training("bimtek-besar", trainers=(trainer,))
    build_roster(small, 10)
    build_roster(big, 300)
    auth.login_as(trainer)
    client.get("/trainings/bimtek-kecil/attendance")  # warm-up
    with count_queries() as few:
        page = text(client.get("/trainings/bimtek-kecil/attendance"))
    assert page.count('data-v="hadir">Hadir</td>') == 40
    with count_queries() as many:
        page = text(client.get("/trainings/bimtek-besar/attendance"))
    assert "Peserta (300)" in page and page.count('data-v="hadir">Hadir</td>') == 1200
    assert many.count == few.count, (few.count, many.count)
    assert many.count <= 10


# ---------------------------------------------------------------- reports


def test_report_page_and_exports(client, auth, clock, setup):
    ani, budi, citra = setup["people"]
    sessions = setup["sessions"]
    for session in sessions:
        services.mark(setup["training"], session, ani.id, "hadir", "", setup["admin"], session.starts_at)
    for session in sessions[:2]:
        services.mark(setup["training"], session, budi.id, "terlambat", "", setup["admin"], session.starts_at)
    services.mark(setup["training"], sessions[0], citra.id, "sakit", "", setup["admin"], sessions[0].starts_at)
    db.session.commit()
    auth.login_as(setup["trainer"])
    page = text(client.get("/trainings/bimtek-medsos/attendance/report"))
    assert "semua 6 sesi" in page and "Dihitung hadir: Hadir, Terlambat. Minimal 80%." in page
    assert "Dinas Kesehatan" in page and "Dinas Sosial" in page

    response = client.get("/trainings/bimtek-medsos/attendance/report?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=presensi-bimtek-medsos.csv"
    rows = read_csv(response.get_data())
    assert rows[0][:5] == ["No", "Nama", "NIP", "OPD", "17/08 Pagi"]
    assert rows[0][-2:] == ["Kehadiran (%)", "Perangkat dipakai bersama"]
    assert rows[1] == ["1", "Ani Lestari", "19850314 201001 1 001", "Dinas Kesehatan"] + ["Hadir"] * 6 + ["100", ""]
    assert rows[2][4:6] == ["Terlambat", "Terlambat"] and rows[2][-2] == "33,3"  # as the page shows it
    assert rows[3][4] == "Sakit" and rows[3][-2] == "0"
    assert sum(1 for r in rows if r[0] == "No") == 1

    response = client.get("/trainings/bimtek-medsos/attendance/report?format=xlsx")
    assert response.headers["Content-Disposition"] == "attachment; filename=presensi-bimtek-medsos.xlsx"
    values = read_xlsx(response.get_data())["Rekap Kehadiran"]
    assert values[0][:4] == ["No", "Nama", "NIP", "OPD"]
    assert values[1][:4] == [1, "Ani Lestari", "198503142010011001", "Dinas Kesehatan"] and values[1][-2] == 100
    assert values[2][-2] == 33.3 and values[3][1] == "Citra Dewi"
    nip = xlsx_cells(response.get_data())[1][2]
    assert nip.data_type == "s" and nip.number_format == "@"


def test_xlsx_export_keeps_a_formula_looking_name_as_text(client, auth, clock, setup):
    person = db.session.get(User, setup["people"][2].id)
    person.full_name = "=HYPERLINK(\"http://contoh.invalid\")"
    db.session.commit()
    auth.login_as(setup["trainer"])
    response = client.get("/trainings/bimtek-medsos/attendance/report?format=xlsx")
    names = [row[1] for row in xlsx_cells(response.get_data())[1:]]
    formula = next(cell for cell in names if "HYPERLINK" in str(cell.value))
    assert formula.data_type == "s" and not str(formula.value).startswith("=")
    rows = read_csv(client.get("/trainings/bimtek-medsos/attendance/report?format=csv").get_data())
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_xlsx_export_keeps_a_formula_looking_training_title_as_text(client, auth, clock, setup):
    training = db.session.get(Training, setup["training"].id)
    training.title = '=HYPERLINK("http://contoh.invalid","Bimtek")'
    db.session.commit()
    auth.login_as(setup["trainer"])
    response = client.get("/trainings/bimtek-medsos/attendance/report?format=xlsx")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.properties.title == "'" + training.title
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_report_agency_average(client, auth, clock, setup):
    for session in setup["sessions"]:
        services.mark(setup["training"], session, setup["people"][0].id, "hadir", "", setup["admin"], session.starts_at)
    db.session.commit()
    auth.login_as(setup["admin"])
    page = text(client.get("/trainings/bimtek-medsos/attendance/report"))
    health_row = page.split("<td>Dinas Kesehatan</td>")[1].split("</tr>")[0]
    assert '<td class="text-end">2</td>' in health_row and "50" in health_row
    assert '<td class="text-end">1</td>' in health_row  # one of two meets 80 %


def test_daftar_hadir_pdf_lists_every_participant(client, auth, clock, make_user):
    trainer = make_user(role="trainer")
    training = create_training("bimtek-besar", title="Bimtek Tata Kelola SPBE", trainers=(trainer,))
    ids = bulk_participants(120, prefix="Peserta Daftar")
    bulk_enroll(training, ids)
    (session,) = bulk_sessions(training, 1)
    db.session.commit()
    auth.login_as(trainer)
    response = client.get(f"/attendance/sessions/{session.id}/daftar-hadir.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "inline; filename=daftar-hadir-bimtek-besar-2026-08-17-pagi.pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages]
    assert len(pages) >= 3 and all("Bimtek Tata Kelola SPBE" in p for p in pages)
    assert "Hari ke-1 · Sesi Pagi" in pages[0] and "Senin, 17 Agustus 2026" in pages[0]
    whole = "\n".join(pages)
    for n in range(1, 121):
        assert whole.count(f"Peserta Daftar {n:04d}") == 1, n
    assert f"Halaman {len(pages)} dari {len(pages)}" in pages[-1]


def test_daftar_hadir_of_a_session_with_any_label(client, auth, clock, setup):
    session = services.add_session(setup["training"], START, 'Sesi "Khusus" – Pembukaan', wib(START, 7).time(),
                                   wib(START, 7, 30).time(), setup["admin"])
    db.session.commit()
    auth.login_as(setup["trainer"])
    response = client.get(f"/attendance/sessions/{session.id}/daftar-hadir.pdf")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # a header must be Latin-1
    assert disposition == "inline; filename=daftar-hadir-bimtek-medsos-2026-08-17-sesi-khusus-pembukaan.pdf"


def test_every_mark_is_audited(client, auth, clock, setup):
    auth.login_as(setup["trainer"])
    morning = setup["sessions"][0]
    client.post("/trainings/bimtek-medsos/attendance/mark", data={
        "session_id": morning.id, "user_id": setup["people"][0].id, "status": "sakit", "note": "Demam"})
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.mark")).one()
    assert event.actor_id == setup["trainer"].id
    assert event.details == {"session_id": morning.id, "user_id": setup["people"][0].id, "old": None,
                             "new": "sakit", "method": "roster"}


def test_pending_check_in_survives_the_forced_password_change(client, auth, clock, setup, make_user):
    """A walk-in's slip password must be changed at first login; the scan made before must still count."""
    from lms.accounts.services import issue_one_time_passwords

    walk_in = setup["people"][1]
    (_, password), = issue_one_time_passwords([walk_in], setup["admin"])
    db.session.commit()
    client.get(scan_url(setup["sessions"][0], clock.now))
    response = client.post("/login?next=/checkin/pending", data={"identifier": walk_in.login_name,
                                                                  "password": password})
    response = client.get(response.headers["Location"])
    assert response.headers["Location"] == "/account/password?next=/checkin/pending"
    response = client.post(response.headers["Location"], data={"current_password": password,
                                                       "password": "sandi-baru-peserta-1",
                                                       "confirm": "sandi-baru-peserta-1"},
                           follow_redirects=True)
    assert "Kata sandi Anda sudah diganti." in text(response) and "Mencatat presensi" in text(response)
    assert "Presensi tercatat" in text(client.post(PENDING))


def test_scan_limit_counts_per_participant_not_per_address(client, auth, clock, setup):
    """A hall behind one NAT: the 61st scan from the address is another participant's, and passes."""
    ani, budi, _ = setup["people"]
    url = scan_url(setup["sessions"][0], clock.now)
    for _ in range(61):  # before login, a hall of phones shares one address
        assert client.get(url).status_code == 302
    auth.login_as(ani)
    for _ in range(60):
        assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429  # one participant is still limited
    auth.logout()
    auth.login_as(budi)
    response = check_in(client, url)
    assert response.status_code == 200 and "Presensi tercatat" in text(response)
