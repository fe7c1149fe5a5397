"""Bulk roster changes and their undo, with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attendance import marking, services
from lms.attendance.models import AttendanceRecord
from lms.audit.models import AuditEvent
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.trainings import services as trainings
from tests.trainings.factory import START, training_data, wib

PHONE = {"address": "192.168.10.23", "user_agent": "Android", "device": "hp-1"}


@pytest.fixture
def people(training, admin, make_user):
    found = [make_user(full_name=name) for name in ("Ani Lestari", "Budi Santoso", "Citra Dewi", "Dedi Kurnia")]
    trainings.enroll(training, found, "manual", admin)
    db.session.commit()
    return found


def state(session) -> dict[int, tuple]:
    """Every record of the session as (status, note, method, marked_at, marked_by_id), by participant."""
    db.session.expire_all()
    return {r.user_id: (r.status, r.note, r.method, r.marked_at, r.marked_by_id) for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id == session.id))}


def refused(call, *args):
    with pytest.raises(ValidationFailed) as info:
        call(*args)
    db.session.rollback()
    return info.value.message


def test_all_present_fills_only_the_unmarked(training, people, sessions, admin):
    services.mark(training, sessions[0], people[0].id, "sakit", "Surat dokter", admin, wib(START, 8))
    done = marking.all_present(training, sessions[0], admin, wib(START, 9))
    assert done.changed == 3 and done.message == "3 peserta ditandai Hadir pada sesi Pagi."
    assert marking.all_present(training, sessions[0], admin, wib(START, 9)).changed == 0
    db.session.commit()
    data = services.roster(training)
    assert [data.record(u, sessions[0]).status for u in data.people] == ["sakit", "hadir", "hadir", "hadir"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "attendance.mark")) == 4


def test_set_many_keeps_notes_and_skips_who_already_has_the_status(training, people, sessions, admin):
    ani, budi, citra, _ = people
    services.mark(training, sessions[0], ani.id, "izin", "Surat tugas", admin, wib(START, 8))
    services.mark(training, sessions[0], budi.id, "sakit", "", admin, wib(START, 8))
    done = marking.set_many(training, sessions[0], [ani.id, budi.id, citra.id, citra.id], "sakit", admin,
                            wib(START, 9))
    db.session.commit()
    assert done.changed == 2  # Budi was sakit already; Citra counted once
    after = state(sessions[0])
    assert after[ani.id][:2] == ("sakit", "Surat tugas") and after[citra.id][0] == "sakit"


@pytest.mark.parametrize(("ids", "status", "message"), [
    ([], "hadir", "Pilih minimal satu peserta."),
    (None, "hadir", "Ada peserta yang tidak terdaftar di kegiatan ini."),
    ([1], "bolos", "Status presensi tidak dikenal."),
])
def test_set_many_refusals_change_nothing(training, people, sessions, admin, make_user, ids, status, message):
    if ids is None:
        ids = [people[0].id, make_user(full_name="Orang Lain").id]  # one of another training
    assert refused(marking.set_many, training, sessions[0], ids, status, admin, wib(START, 9)) == message
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_set_many_refuses_a_session_of_another_training(training, people, sessions, admin):
    other = trainings.save_training(None, training_data(slug="bimtek-lain"), admin)
    foreign = services.add_session(other, START, "Pagi", wib(START, 8).time(), wib(START, 9).time(), admin)
    assert refused(marking.set_many, training, foreign, [people[0].id], "hadir", admin, wib(START, 9)) == \
        "Sesi ini milik kegiatan lain."


def test_undo_restores_exactly_the_state_before_including_missing_records(training, people, sessions, admin, make_user):
    ani, budi, citra, dedi = people
    trainer = make_user(role="trainer", full_name="Narasumber")
    services.mark(training, sessions[0], ani.id, "izin", "Surat tugas", trainer, wib(START, 7, 30))
    services.check_in(budi, sessions[0], wib(START, 7, 50), PHONE)
    db.session.commit()
    before = state(sessions[0])
    done = marking.set_many(training, sessions[0], [ani.id, budi.id, citra.id], "tidak_hadir", admin, wib(START, 9))
    db.session.commit()
    assert state(sessions[0])[citra.id][0] == "tidak_hadir"
    undone = marking.undo(training, done.event_id, admin, wib(START, 9, 5))
    db.session.commit()
    assert undone.statuses == {ani.id: "izin", budi.id: "hadir", citra.id: None}
    assert state(sessions[0]) == before  # Citra has no record again; Budi's check-in is a check-in again
    assert dedi.id not in state(sessions[0])
    budi_record = services.record_of(sessions[0], budi.id)
    assert (budi_record.device_id, budi_record.method) == ("hp-1", "qr")
    # Undone once: the same change cannot be undone again.
    assert refused(marking.undo, training, done.event_id, admin, wib(START, 9, 6)) == \
        "Hanya perubahan massal terakhir yang dapat dibatalkan, dan hanya sekali."


def test_undo_of_all_present_and_the_history_of_the_cell_survives(training, people, sessions, admin):
    ani = people[0]
    done = marking.all_present(training, sessions[0], admin, wib(START, 9))
    db.session.commit()
    marking.undo(training, done.event_id, admin, wib(START, 9, 1))
    db.session.commit()
    assert state(sessions[0]) == {}
    services.mark(training, sessions[0], ani.id, "sakit", "", admin, wib(START, 9, 2))
    db.session.commit()
    record = services.record_of(sessions[0], ani.id)
    trail = [(e.details.get("old"), e.details.get("new"), e.details.get("method"))
             for e in marking.cell_history(sessions[0].id, ani.id, record)]
    assert trail == [(None, "sakit", "roster"), ("hadir", None, "undo"), (None, "hadir", "roster")]
    other = marking.cell_history(sessions[0].id, people[1].id, None)
    assert [(e.details["old"], e.details["new"]) for e in other] == [("hadir", None), (None, "hadir")]


def test_undo_refused_when_a_record_changed_since(training, people, sessions, admin):
    done = marking.set_many(training, sessions[0], [p.id for p in people[:2]], "izin", admin, wib(START, 8))
    db.session.commit()
    services.check_in(people[1], sessions[0], wib(START, 8, 10), PHONE)  # Budi came after all
    db.session.commit()
    assert refused(marking.undo, training, done.event_id, admin, wib(START, 8, 11)) == \
        "Tidak dapat dibatalkan: sebagian catatan sudah diubah setelah perubahan massal itu."
    assert state(sessions[0])[people[1].id][0] == "hadir"


def test_only_the_last_bulk_change_of_the_training_is_undone(training, people, sessions, admin):
    first = marking.set_many(training, sessions[0], [people[0].id, people[1].id], "izin", admin, wib(START, 8))
    second = marking.set_many(training, sessions[1], [people[0].id, people[1].id], "sakit", admin, wib(START, 13))
    db.session.commit()
    assert refused(marking.undo, training, first.event_id, admin, wib(START, 13, 1)) == \
        "Hanya perubahan massal terakhir yang dapat dibatalkan, dan hanya sekali."
    other = trainings.save_training(None, training_data(slug="bimtek-lain"), admin)
    assert refused(marking.undo, other, second.event_id, admin, wib(START, 13, 1)) == \
        "Hanya perubahan massal terakhir yang dapat dibatalkan, dan hanya sekali."
    assert marking.undo(training, second.event_id, admin, wib(START, 13, 1)).session_id == sessions[1].id


def test_last_bulk_is_offered_for_two_hours_and_not_after_its_undo(training, people, sessions, admin):
    done = marking.set_many(training, sessions[0], [people[0].id, people[1].id], "izin", admin, wib(START, 8))
    db.session.commit()
    last = marking.last_bulk(training, wib(START, 9))
    assert last.event.id == done.event_id and last.count == 2 and last.status_label == "Izin"
    assert last.session.id == sessions[0].id
    assert marking.last_bulk(training, wib(START, 8) + marking.UNDO_OFFERED_FOR + timedelta(seconds=1)) is None
    marking.undo(training, done.event_id, admin, wib(START, 9))
    db.session.commit()
    assert marking.last_bulk(training, wib(START, 9)) is None
