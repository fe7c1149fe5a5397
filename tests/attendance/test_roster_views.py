"""The one-tap roster through the test client: cells by fetch, bulk changes and undo, session states,
the projector screen by state and venue address, the participant's own sessions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.attendance import marking, services
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.attendance.conftest import run_training, text
from tests.conftest import Clock, create_training
from tests.trainings.factory import START, bulk_enroll, bulk_participants, bulk_records, wib

JSON = {"Accept": "application/json"}
ROSTER = "/trainings/bimtek-medsos/attendance"


@pytest.fixture
def clock(monkeypatch):
    now = Clock(wib(START, 8, 5))
    monkeypatch.setattr("lms.attendance.views.utcnow", now)
    monkeypatch.setattr("lms.trainings.views.utcnow", now)
    return now


@pytest.fixture
def setup(make_user):
    return run_training(make_user, [make_user(full_name=n) for n in ("Ani Lestari", "Budi Santoso", "Citra Dewi")])


def statuses(session: AttendanceSession) -> dict[int, str]:
    db.session.expire_all()
    return {r.user_id: r.status for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id == session.id))}


def cells(client, session, users, status):
    return client.post(f"{ROSTER}/cells", json={"session": session.id, "users": [u.id for u in users],
                                                "status": status}, headers=JSON)


# ---------------------------------------------------------------- cells by fetch


def test_a_cell_is_saved_by_json_and_the_answer_says_so(client, auth, clock, setup):
    ani = setup["people"][0]
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    response = cells(client, morning, [ani], "terlambat")
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "status": "terlambat", "label": "Terlambat",
                                   "percent": {str(ani.id): "16,7%"}}
    assert statuses(morning) == {ani.id: "terlambat"}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.mark")).one()
    assert event.details["new"] == "terlambat" and event.actor_id == setup["trainer"].id
    page = text(client.get(ROSTER))
    assert f'<tr id="p{ani.id}" data-u="{ani.id}">' in page and 'data-v="terlambat">Terlambat</td>' in page


def test_a_bulk_selection_by_json_answers_its_undo(client, auth, clock, setup):
    ani, budi, citra = setup["people"]
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    answer = cells(client, morning, [ani, budi], "izin").get_json()
    assert answer["message"] == "2 peserta ditandai Izin pada sesi Pagi." and answer["undo"]
    assert answer["percent"] == {str(ani.id): "0%", str(budi.id): "0%"}
    assert statuses(morning) == {ani.id: "izin", budi.id: "izin"}
    undone = client.post(f"{ROSTER}/undo", data={"event_id": answer["undo"]}, headers=JSON).get_json()
    assert undone == {"undone": True, "message": "Dibatalkan: 2 catatan presensi dikembalikan.",
                      "session": morning.id, "cells": {str(ani.id): None, str(budi.id): None},
                      "percent": {str(ani.id): "0%", str(budi.id): "0%"}}
    assert statuses(morning) == {}
    again = client.post(f"{ROSTER}/undo", data={"event_id": answer["undo"]}, headers=JSON)
    assert again.status_code == 400
    assert again.get_json()["error"] == "Hanya perubahan massal terakhir yang dapat dibatalkan, dan hanya sekali."


def test_cells_refuse_participants_and_sessions_of_other_trainings(client, auth, clock, setup, make_user):
    ani = setup["people"][0]
    outsider = make_user(full_name="Bukan Peserta")
    other = create_training("bimtek-lain", users=(outsider,), trainers=(setup["trainer"],))
    foreign = services.add_session(other, START, "Pagi", wib(START, 8).time(), wib(START, 9).time(),
                                   setup["admin"])
    db.session.commit()
    auth.login_as(setup["trainer"])
    morning = setup["sessions"][0]
    response = cells(client, morning, [outsider], "hadir")
    assert response.status_code == 400 and response.get_json() == {"error": "Peserta tidak terdaftar di kegiatan ini."}
    response = cells(client, morning, [ani, outsider], "hadir")
    assert response.get_json() == {"error": "Ada peserta yang tidak terdaftar di kegiatan ini."}
    response = cells(client, foreign, [ani], "hadir")
    assert response.get_json() == {"error": "Sesi ini milik kegiatan lain."}
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


@pytest.mark.parametrize(("payload", "message"), [
    ([1, 2], "Kirim data sebagai JSON."),
    ({"session": "x", "users": [1], "status": "hadir"}, "Sesi atau peserta tidak sah: pilih peserta dan sesi lagi."),
    ({"session": 1, "users": [], "status": "hadir"}, "Sesi atau peserta tidak sah: pilih peserta dan sesi lagi."),
    ({"session": 1, "users": "1", "status": "hadir"}, "Sesi atau peserta tidak sah: pilih peserta dan sesi lagi."),
    ({"session": 1, "users": [2**40], "status": "hadir"}, "Sesi atau peserta tidak sah: pilih peserta dan sesi lagi."),
    ({"session": 1, "users": [1], "status": "bolos"}, "Status presensi tidak dikenal."),
    ({"session": 999, "users": [1], "status": "hadir"}, "Sesi presensi tidak ditemukan."),
])
def test_cells_refuse_bad_payloads_with_a_message(client, auth, clock, setup, payload, message):
    auth.login_as(setup["trainer"])
    response = client.post(f"{ROSTER}/cells", json=payload, headers=JSON)
    assert response.status_code == 400 and response.get_json() == {"error": message}


def test_a_trainer_of_another_training_and_a_participant_get_403(client, auth, clock, setup, make_user):
    morning = setup["sessions"][0]
    auth.login_as(make_user(role="trainer"))
    assert cells(client, morning, setup["people"][:1], "hadir").status_code == 403
    bulk = {"session_id": morning.id, "status": "hadir", "all": "y"}
    assert client.post(f"{ROSTER}/bulk", data=bulk).status_code == 403
    assert client.post(f"/attendance/sessions/{morning.id}/state", data={"change": "close"}).status_code == 403
    auth.logout()
    auth.login_as(setup["people"][0])
    assert cells(client, morning, setup["people"][:1], "hadir").status_code == 403
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


# ---------------------------------------------------------------- without JavaScript


def test_the_bulk_form_without_script_ticked_rows_or_all(client, auth, clock, setup):
    ani, budi, citra = setup["people"]
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    unconfirmed = client.post(f"{ROSTER}/bulk", data={"session_id": morning.id, "status": "sakit",
                                                      "user_ids": [ani.id, citra.id]})
    assert "Ubah status 2 peserta menjadi Sakit?" in text(unconfirmed) and statuses(morning) == {}
    response = client.post(f"{ROSTER}/bulk", data={"session_id": morning.id, "status": "sakit",
                                                   "user_ids": [ani.id, citra.id], "confirmed": "1"})
    assert response.headers["Location"] == ROSTER
    page = text(client.get(ROSTER))
    assert "2 peserta ditandai Sakit pada sesi Pagi." in page
    assert statuses(morning) == {ani.id: "sakit", citra.id: "sakit"}
    client.post(f"{ROSTER}/bulk", data={"session_id": morning.id, "status": "hadir", "all": "y", "confirmed": "1"})
    assert statuses(morning) == {ani.id: "hadir", budi.id: "hadir", citra.id: "hadir"}
    client.post(f"{ROSTER}/bulk", data={"session_id": morning.id, "status": "izin", "confirmed": "1"})
    assert "Pilih minimal satu peserta." in text(client.get(ROSTER))


def test_semua_hadir_then_batalkan_from_the_page(client, auth, clock, setup):
    ani, budi, citra = setup["people"]
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    client.post(f"{ROSTER}/mark", data={"session_id": morning.id, "user_id": ani.id, "status": "izin", "note": "Tugas"})
    asked = text(client.post(f"{ROSTER}/{morning.id}/all-present"))
    assert "sebagai Hadir?" in asked and "Ya, lanjutkan" in asked
    assert statuses(morning) == {ani.id: "izin"}  # the confirm page changed nothing
    client.post(f"{ROSTER}/{morning.id}/all-present", data={"confirmed": "1"})
    page = text(client.get(ROSTER))
    assert statuses(morning) == {ani.id: "izin", budi.id: "hadir", citra.id: "hadir"}
    event_id = re.search(r'name="event_id" value="(\d+)"><button[^>]*>Batalkan</button>', page).group(1)
    client.post(f"{ROSTER}/undo", data={"event_id": event_id})
    page = text(client.get(ROSTER))
    assert "Dibatalkan: 2 catatan presensi dikembalikan." in page and "Perubahan massal terakhir" not in page
    assert statuses(morning) == {ani.id: "izin"}


def test_the_participant_edit_page_posts_each_session_back_to_the_row(client, auth, clock, setup, make_user):
    ani = setup["people"][0]
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    page = text(client.get(f"{ROSTER}/p/{ani.id}"))
    assert page.count('action="/trainings/bimtek-medsos/attendance/mark"') == 6
    assert "— belum tercatat —" in page and "17 Agustus 2026 · Pagi" in page and "Dibuka" in page
    response = client.post(f"{ROSTER}/mark", data={"session_id": morning.id, "user_id": ani.id, "status": "sakit",
                                                   "note": "Surat dokter"})
    assert response.headers["Location"] == f"{ROSTER}#p{ani.id}"
    assert 'value="Surat dokter"' in text(client.get(f"{ROSTER}/p/{ani.id}"))
    assert client.get(f"{ROSTER}/p/{make_user().id}").status_code == 404  # not enrolled here


# ---------------------------------------------------------------- session states


def test_open_close_and_extend_from_the_roster_audited(client, auth, clock, setup):
    tomorrow = setup["sessions"][2]
    auth.login_as(setup["trainer"])
    page = text(client.get(ROSTER))
    assert page.count('class="badge state-belum_dibuka">Belum dibuka') >= 1 and "Buka sekarang" in page
    response = client.post(f"/attendance/sessions/{tomorrow.id}/state", data={"change": "open"})
    assert response.headers["Location"] == f"{ROSTER}#s{tomorrow.id}"
    db.session.expire_all()
    assert services.state_of(tomorrow, clock.now).value == "dibuka" and tomorrow.starts_at == clock.now
    page = text(client.get(ROSTER))
    assert "Sesi Pagi dibuka." in page
    client.post(f"/attendance/sessions/{tomorrow.id}/state", data={"change": "extend", "minutes": 15})
    client.post(f"/attendance/sessions/{tomorrow.id}/state", data={"change": "close"})
    db.session.expire_all()
    assert services.state_of(tomorrow, clock.now).value == "ditutup"
    page = text(client.get(ROSTER))
    assert "Sesi Pagi ditutup." in page and "Buka lagi" in page
    client.post(f"/attendance/sessions/{tomorrow.id}/state", data={"change": "close"})
    assert "Sesi Pagi sudah ditutup." in text(client.get(ROSTER))
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(tomorrow.id),
                                                                      AuditEvent.object_type == "attendance_session")
                                      .order_by(AuditEvent.id)))
    assert actions[-3:] == ["attendance.session_open", "attendance.session_extend", "attendance.session_close"]
    assert client.post(f"/attendance/sessions/{tomorrow.id}/state",
                       data={"change": "extend", "minutes": 17}).status_code == 302
    assert "Perubahan sesi tidak dikenal." in text(client.get(ROSTER))


def test_a_closed_session_shows_no_qr_and_refuses_check_in(client, auth, clock, setup):
    morning = setup["sessions"][0]
    ani = setup["people"][0]
    token = services.current_token(morning, clock.now)[0]
    auth.login_as(setup["trainer"])
    screen = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    assert "<svg" in screen and 'id="code"' in screen and "ditutup dalam" in screen
    client.post(f"/attendance/sessions/{morning.id}/state", data={"change": "close", "back": "screen"})
    screen = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    assert "<svg" not in screen and 'id="code"' not in screen and "Ditutup" in screen
    assert "Presensi sesi ini sudah ditutup. Kode QR dan kode ketik tidak berlaku lagi." in screen
    live = client.get(f"/attendance/sessions/{morning.id}/live.json").get_json()
    assert live["state"] == "ditutup" and live["svg"] is None and live["code"] is None and live["url"] is None
    auth.logout()
    auth.login_as(ani)
    response = client.get(f"/c/{morning.id}/{token}")
    assert response.status_code == 400 and "Sesi ini sudah ditutup" in text(response)


def test_a_session_not_yet_open_shows_when_it_opens(client, auth, clock, setup):
    tomorrow = setup["sessions"][2]
    auth.login_as(setup["trainer"])
    screen = text(client.get(f"/attendance/sessions/{tomorrow.id}/screen"))
    assert "<svg" not in screen and "Belum dibuka" in screen
    assert "Presensi dibuka pukul 07.00, atau saat narasumber membukanya." in screen
    response = client.post(f"/attendance/sessions/{tomorrow.id}/state",
                           data={"change": "open", "back": "screen", "alamat": "10.8.0.5"})
    assert response.headers["Location"] == f"/attendance/sessions/{tomorrow.id}/screen?alamat=10.8.0.5"
    assert "<svg" in text(client.get(response.headers["Location"]))


def test_the_participant_page_shows_the_real_state_of_each_session(client, auth, clock, setup):
    ani = setup["people"][0]
    morning, afternoon = setup["sessions"][0], setup["sessions"][1]
    services.check_in(ani, morning, wib(START, 8), {"address": "", "device": "a"})
    db.session.commit()
    clock.now = wib(START, 16, 30)  # the day's sessions are over; Siang closed without her
    auth.login_as(ani)
    page = text(client.get("/trainings/bimtek-medsos"))
    rows = re.findall(r'(\d+ Agustus 2026) · (\w+)\s*<span class="small text-body-secondary">[^<]*</span></span>\s*'
                      r'<span class="badge [^"]+">([^<]+)</span>', page)
    assert rows[:3] == [("17 Agustus 2026", "Pagi", "Hadir"), ("17 Agustus 2026", "Siang", "Ditutup — tidak presensi"),
                        ("18 Agustus 2026", "Pagi", "Belum dibuka")]
    clock.now = wib(START, 13, 5)
    assert "Dibuka — belum presensi" in text(client.get("/trainings/bimtek-medsos"))
    assert afternoon.label == "Siang"


# ---------------------------------------------------------------- venue addresses


def test_the_screen_on_loopback_lists_the_venue_addresses_and_uses_the_chosen_one(client, auth, clock, setup):
    morning = setup["sessions"][0]
    auth.login_as(setup["trainer"])
    screen = text(client.get(f"/attendance/sessions/{morning.id}/screen"))
    assert "Alamat laptop ini di jaringan lokasi:" in screen
    assert f'href="/attendance/sessions/{morning.id}/screen?alamat=192.168.1.23">192.168.1.23</a>' in screen
    assert f'href="/attendance/sessions/{morning.id}/screen?alamat=10.8.0.5">10.8.0.5</a>' in screen
    assert "127.0.0.1" not in screen
    live = client.get(f"/attendance/sessions/{morning.id}/live.json?alamat=10.8.0.5").get_json()
    assert live["url"].startswith("http://10.8.0.5/c/") and live["base"] == "http://10.8.0.5"
    forged = client.get(f"/attendance/sessions/{morning.id}/live.json?alamat=evil.example").get_json()
    assert forged["url"].startswith("http://192.168.1.23/c/")
    chosen = text(client.get(f"/attendance/sessions/{morning.id}/screen?alamat=10.8.0.5"))
    assert "http://10.8.0.5/checkin" in chosen
    assert f'data-live="/attendance/sessions/{morning.id}/live.json?alamat=10.8.0.5"' in chosen


def test_the_screen_over_the_network_lists_no_addresses(client, auth, clock, setup):
    morning = setup["sessions"][0]
    auth.login(setup["trainer"].login_name, base_url="http://192.168.1.23:5000")
    screen = text(client.get(f"/attendance/sessions/{morning.id}/screen", base_url="http://192.168.1.23:5000"))
    assert "Alamat laptop ini" not in screen and "http://192.168.1.23:5000/checkin" in screen


# ---------------------------------------------------------------- size


def test_roster_queries_are_the_same_at_5_and_40_participants(client, auth, clock, make_user, count_queries):
    trainer = make_user(role="trainer")
    counts, sizes = [], []
    for size in (5, 40):
        training = create_training(f"bimtek-{size}", trainers=(trainer,))
        ids = bulk_participants(size, prefix=f"Peserta {size}")
        bulk_enroll(training, ids)
        services.generate_sessions(training, trainer)
        sessions = services.sessions_of(training)
        bulk_records(sessions[:2], ids)
        db.session.commit()
        marking.all_present(training, sessions[2], trainer, wib(START, 8))  # a last bulk change to offer
        db.session.commit()
        counts.append(0)
        if size == 5:
            auth.login_as(trainer)
            client.get(f"/trainings/bimtek-{size}/attendance")  # warm-up
        with count_queries() as counted:
            page = text(client.get(f"/trainings/bimtek-{size}/attendance"))
        counts[-1] = counted.count
        sizes.append(len(page.encode()))
        assert page.count('data-v="hadir">Hadir</td>') == 3 * size and "Perubahan massal terakhir" in page
    assert counts[0] == counts[1], counts
    # Compact: each further participant adds well under 600 bytes (6 cells, name, checkbox, %).
    assert (sizes[1] - sizes[0]) / 35 < 600, sizes
