"""Attendance use cases with an injected clock: sessions, roster marks, self check-in, reports."""

from __future__ import annotations

from datetime import time, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from lms.attendance import services, tokens
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.audit.models import AuditEvent
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.trainings import services as trainings
from lms.trainings.models import Training
from tests.trainings.factory import DAYS, END, START, agency, training_data, wib

PHONE = {"address": "192.168.10.23", "user_agent": "Mozilla/5.0 (Linux; Android 14)", "device": "perangkat-1"}


@pytest.fixture
def people(training, admin, make_user):
    health, social = agency("Dinas Kesehatan"), agency("Dinas Sosial")
    found = [make_user(full_name="Ani Lestari", agency_id=health.id),
             make_user(full_name="Budi Santoso", agency_id=health.id),
             make_user(full_name="Citra Dewi", agency_id=social.id)]
    trainings.enroll(training, found, "manual", admin)
    db.session.commit()
    return found


def refused(call, *args, error=ValidationFailed):
    with pytest.raises(error) as info:
        call(*args)
    db.session.rollback()
    return info.value.message


# ---------------------------------------------------------------- sessions


def test_generate_morning_and_afternoon_sessions_from_the_agenda(training, admin):
    assert services.generate_sessions(training, admin) == 6
    db.session.commit()
    found = services.sessions_of(training)
    assert [(s.day, s.label) for s in found] == [(d, half) for d in DAYS for half in ("Pagi", "Siang")]
    morning, afternoon = found[0], found[1]
    assert (morning.starts_at, morning.ends_at) == (wib(START, 8), wib(START, 11, 15))
    assert (afternoon.starts_at, afternoon.ends_at) == (wib(START, 13), wib(START, 16, 15))
    assert len({s.secret for s in found}) == 6
    assert services.generate_sessions(training, admin) == 0  # running it again adds nothing


def test_generate_without_agenda_gives_a_full_day_each_day(admin):
    training = trainings.save_training(None, training_data(), admin)
    assert services.generate_sessions(training, admin) == 3
    first = services.sessions_of(training)[0]
    assert first.label == "Hari penuh" and (first.starts_at, first.ends_at) == (wib(START, 8), wib(START, 16))


def test_only_morning_agenda_gives_only_morning_sessions(admin):
    training = trainings.save_training(None, training_data(end_date=START), admin)
    trainings.save_agenda_item(training, None, trainings.AgendaData(START, time(8), time(10), "Pembukaan"), admin)
    assert services.generate_sessions(training, admin) == 1
    assert [s.label for s in services.sessions_of(training)] == ["Pagi"]


def test_add_session_by_hand_in_the_training_zone(admin):
    training = trainings.save_training(None, training_data(time_zone="Asia/Makassar"), admin)
    session = services.add_session(training, END, "Penutupan", time(19), time(21), admin)
    assert session.starts_at.hour == 11  # 19.00 WITA is 11.00 UTC
    assert refused(services.add_session, training, END + timedelta(days=1), "Pagi", time(8), time(9), admin) \
        == "Tanggal sesi harus di antara tanggal kegiatan."
    assert refused(services.add_session, training, END, "Pagi", time(9), time(8), admin) \
        == "Jam selesai harus setelah jam mulai."
    assert refused(services.add_session, training, END, " ", time(8), time(9), admin) == "Nama sesi wajib diisi."


def test_session_with_records_cannot_be_deleted(training, people, sessions, admin):
    services.mark(training, sessions[0], people[0].id, "hadir", "", admin, wib(START, 8))
    db.session.commit()
    assert refused(services.delete_session, sessions[0], admin) == \
        "Sesi yang sudah memiliki catatan presensi tidak dapat dihapus."
    services.delete_session(db.session.get(AttendanceSession, sessions[1].id), admin)
    db.session.commit()
    assert len(services.sessions_of(training)) == 5


def test_moving_training_dates_away_from_its_sessions_refused(training, sessions, admin):
    for item in list(db.session.get(Training, training.id).agenda):
        trainings.delete_agenda_item(item, admin)
    db.session.commit()
    message = refused(trainings.save_training, db.session.get(Training, training.id),
                      training_data(start_date=END), admin)
    assert message.startswith("Agenda atau sesi presensi masih ada pada 17 Agustus 2026")


# ---------------------------------------------------------------- roster


def audit_trail(record_id):
    return [(e.actor_id, e.details["old"], e.details["new"]) for e in services.history([record_id])[record_id]]


def test_mark_records_status_note_and_audits_old_to_new(training, people, sessions, admin, make_user):
    trainer = make_user(role="trainer")
    first = services.mark(training, sessions[0], people[0].id, "izin", "Surat tugas ke provinsi", trainer,
                          wib(START, 8, 5))
    db.session.commit()
    again = services.mark(training, sessions[0], people[0].id, "hadir", "Datang setelah izin dibatalkan", admin,
                          wib(START, 9))
    db.session.commit()
    assert again.id == first.id
    record = db.session.get(AttendanceRecord, first.id)
    assert (record.status, record.note, record.method, record.marked_by_id) == \
        ("hadir", "Datang setelah izin dibatalkan", "roster", admin.id)
    assert audit_trail(record.id) == [(admin.id, "izin", "hadir"), (trainer.id, None, "izin")]  # newest first


@pytest.mark.parametrize("case, message", [
    ("unknown status", "Status presensi tidak dikenal."),
    ("not enrolled", "Peserta tidak terdaftar di kegiatan ini."),
    ("other training", "Sesi ini milik kegiatan lain."),
])
def test_mark_refusals(training, people, sessions, admin, make_user, case, message):
    session, user_id, status = sessions[0], people[0].id, "hadir"
    if case == "unknown status":
        status = "bolos"
    elif case == "not enrolled":
        user_id = make_user().id
    else:
        other = trainings.save_training(None, training_data(slug="bimtek-lain"), admin)
        session = services.add_session(other, START, "Pagi", time(8), time(12), admin)
    assert refused(services.mark, training, session, user_id, status, "", admin, wib(START, 9)) == message
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


# ---------------------------------------------------------------- self check-in


@pytest.mark.parametrize("at, status", [
    (wib(START, 7, 0), "hadir"),          # the check-in opens an hour early
    (wib(START, 8, 0), "hadir"),
    (wib(START, 8, 15), "hadir"),         # exactly 15 minutes: still on time
    (wib(START, 8, 15, 1), "terlambat"),
    (wib(START, 11, 15), "terlambat"),    # the last second of the session
])
def test_check_in_on_time_or_late_by_the_clock(people, sessions, at, status):
    record, created = services.check_in(people[0], sessions[0], at, PHONE)
    db.session.commit()
    assert created and record.status == status and record.method == "qr"
    assert (record.client_address, record.user_agent, record.device_id) == \
        ("192.168.10.23", "Mozilla/5.0 (Linux; Android 14)", "perangkat-1")
    assert record.marked_by_id == people[0].id and record.marked_at == at


def test_late_after_follows_the_training_rule(training, people, sessions):
    training.late_after_minutes = 30
    db.session.commit()
    record, _ = services.check_in(people[0], sessions[0], wib(START, 8, 29), PHONE)
    assert record.status == "hadir"


def test_checking_in_twice_is_harmless(people, sessions):
    first, created = services.check_in(people[0], sessions[0], wib(START, 8), PHONE)
    db.session.commit()
    again, created_again = services.check_in(people[0], sessions[0], wib(START, 9), PHONE)
    db.session.commit()
    assert created and not created_again and again.id == first.id
    assert (again.status, again.marked_at) == ("hadir", wib(START, 8))  # not turned into Terlambat
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "attendance.mark")) == 1


def test_check_in_after_being_marked_absent_records_presence(training, people, sessions, admin):
    services.mark(training, sessions[0], people[0].id, "tidak_hadir", "", admin, wib(START, 8, 30))
    record, created = services.check_in(people[0], sessions[0], wib(START, 8, 40), PHONE)
    db.session.commit()
    assert created and record.status == "terlambat"
    assert audit_trail(record.id)[0] == (people[0].id, "tidak_hadir", "terlambat")


@pytest.mark.parametrize("index, at, message", [
    (0, wib(START, 6, 59, 59), "Presensi untuk sesi ini belum dibuka."),
    (2, wib(START, 9), "Presensi untuk sesi ini belum dibuka."),          # tomorrow's session
    (0, wib(START, 11, 15, 1), "Sesi ini sudah ditutup; presensi tidak dapat dicatat lagi. Hubungi narasumber."),
])
def test_check_in_outside_the_session_refused(people, sessions, index, at, message):
    assert refused(services.check_in, people[0], sessions[index], at, PHONE, error=services.CheckInRefused) == message
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_check_in_not_enrolled_refused(sessions, make_user):
    message = refused(services.check_in, make_user(), sessions[0], wib(START, 8), PHONE, error=services.CheckInRefused)
    assert message == "Anda tidak terdaftar sebagai peserta kegiatan ini."


@pytest.mark.parametrize("network, address, accepted", [
    ("192.168.10.0/24", "192.168.10.23", True),
    ("192.168.10.0/24", "192.168.11.23", False),
    ("192.168.10.0/24", "", False),
    ("192.168.10.0/24", "bukan-alamat", False),
    ("fd00::/8", "fd00::1", True),
    ("", "203.0.113.9", True),
])
def test_venue_network(training, people, sessions, network, address, accepted):
    training.venue_network = network
    db.session.commit()
    client = dict(PHONE, address=address)
    if accepted:
        assert services.check_in(people[0], sessions[0], wib(START, 8), client)[1]
    else:
        assert refused(services.check_in, people[0], sessions[0], wib(START, 8), client,
                       error=services.CheckInRefused) == \
            "Presensi hanya dapat dilakukan dari jaringan Wi-Fi lokasi kegiatan."


def test_scan_token_and_typed_code_checked_against_the_session(app, training, sessions):
    session, now = sessions[0], wib(START, 8, 1)
    token, code, remaining = services.current_token(session, now)
    assert 0 < remaining <= 20 and len(code) == 6
    services.verify_scan(session, token, now)
    services.verify_scan(session, token, now + timedelta(seconds=20))
    for bad_token, at in ((token, now + timedelta(seconds=41)), (token + "x", now),
                          (services.current_token(sessions[1], now)[0], now)):
        with pytest.raises(services.CheckInRefused, match="Kode QR sudah kedaluwarsa atau tidak sah."):
            services.verify_scan(session, bad_token, at)
    late_token = services.current_token(session, wib(START, 12))[0]
    with pytest.raises(services.CheckInRefused, match="Sesi ini sudah ditutup"):
        services.verify_scan(session, late_token, wib(START, 12))
    assert services.find_session_by_code(training, code, now).id == session.id
    with pytest.raises(services.CheckInRefused, match="Kode presensi salah atau sudah berganti."):
        services.find_session_by_code(training, code, now + timedelta(minutes=5))
    tomorrow = services.current_token(sessions[2], now)[1]
    with pytest.raises(services.CheckInRefused):
        services.find_session_by_code(training, tomorrow, now)  # tomorrow's session is not open yet


def test_live_status_counts_and_the_roster_flags_a_shared_device(training, people, sessions):
    ani, budi, citra = people
    services.check_in(ani, sessions[0], wib(START, 8), dict(PHONE, device="hp-ani"))
    services.check_in(budi, sessions[0], wib(START, 8, 2), dict(PHONE, device="hp-ani"))
    services.check_in(ani, sessions[1], wib(START, 13), dict(PHONE, device="hp-ani"))  # alone there
    db.session.commit()
    status = services.live_status(sessions[0])
    assert [r.user_id for r in status.present] == [budi.id, ani.id]  # newest first
    assert [u.full_name for u in status.absent] == ["Citra Dewi"]
    assert services.roster(training).shared_devices() == {(ani.id, sessions[0].id): ["Budi Santoso"],
                                                          (budi.id, sessions[0].id): ["Ani Lestari"]}
    services.check_in(citra, sessions[0], wib(START, 8, 3), dict(PHONE, device="hp-citra"))
    db.session.commit()
    assert services.live_status(sessions[0]).absent == []
    assert len(services.roster(training).shared_devices()) == 2
    ani_records = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.user_id == ani.id)).all()
    assert services.device_flags(ani.id, ani_records) == {sessions[0].id: ["Budi Santoso"]}
    # The export carries the same flag in its last column, for each of the two, never for Citra.
    table = services.export_table(training)
    flags = {row[1]: row[table.header.index("Perangkat dipakai bersama")] for row in table.rows}
    assert flags["Ani Lestari"].endswith("Pagi: Budi Santoso") and flags["Budi Santoso"].endswith("Pagi: Ani Lestari")
    assert flags["Citra Dewi"] == ""


def test_no_device_id_is_not_a_shared_device(training, people, sessions):
    for person in people:
        services.check_in(person, sessions[0], wib(START, 8), dict(PHONE, device=""))
    assert services.roster(training).shared_devices() == {}


# ---------------------------------------------------------------- reports


def test_percentages_count_every_session_including_those_not_held(training, people, sessions, admin):
    ani, budi, citra = people
    for session in sessions[:4]:  # two of three days held
        services.mark(training, session, ani.id, "hadir", "", admin, session.starts_at)
        services.mark(training, session, budi.id, "terlambat", "", admin, session.starts_at)
    services.mark(training, sessions[0], citra.id, "izin", "", admin, sessions[0].starts_at)
    db.session.commit()
    assert services.percentages(training) == {ani.id: Fraction(200, 3), budi.id: Fraction(200, 3),
                                              citra.id: Fraction(0)}
    training.present_statuses = ["hadir"]
    db.session.commit()
    assert services.percentages(training)[budi.id] == 0


def test_export_table_and_agency_summary(training, people, sessions, admin):
    ani, budi, citra = people
    ani.nip = "198503142010011001"
    for session in sessions:
        services.mark(training, session, ani.id, "hadir", "", admin, session.starts_at)
        services.mark(training, session, citra.id, "hadir", "", admin, session.starts_at)
    services.mark(training, sessions[5], citra.id, "sakit", "", admin, sessions[5].starts_at)
    services.mark(training, sessions[0], budi.id, "terlambat", "", admin, sessions[0].starts_at)
    db.session.commit()
    table = services.export_table(training)
    header, rows = table.header, table.rows
    assert header == ["No", "Nama", "NIP", "OPD", "17/08 Pagi", "17/08 Siang", "18/08 Pagi", "18/08 Siang",
                      "19/08 Pagi", "19/08 Siang", "Kehadiran (%)", "Perangkat dipakai bersama"]
    assert rows[0] == [1, "Ani Lestari", "198503142010011001", "Dinas Kesehatan"] + ["Hadir"] * 6 + [100, ""]
    assert rows[1] == [2, "Budi Santoso", "", "Dinas Kesehatan", "Terlambat", "", "", "", "", "",
                       Fraction(50, 3), ""]
    assert rows[2][-3:] == ["Sakit", Fraction(250, 3), ""]
    assert [c.kind for c in table.columns][:3] == ["integer", "text", "nip"]
    data = services.roster(training)
    summary = services.agency_summary(training, data, services.percentages(training, data))
    assert summary == [
        {"agency": "Dinas Kesehatan", "participants": 2, "average": Fraction(175, 3), "meets": 1},
        {"agency": "Dinas Sosial", "participants": 1, "average": Fraction(250, 3), "meets": 1},
    ]


def test_agency_summary_groups_people_without_an_opd(training, admin, make_user, sessions):
    person = make_user(full_name="Tanpa Instansi")
    trainings.enroll(training, [person], "manual", admin)
    db.session.commit()
    data = services.roster(training)
    assert services.agency_summary(training, data, services.percentages(training, data))[0]["agency"] == "Tanpa OPD"


def test_tokens_module_margin_matches_the_issue():
    assert (tokens.PERIOD_SECONDS, tokens.MARGIN_STEPS) == (20, 1)
