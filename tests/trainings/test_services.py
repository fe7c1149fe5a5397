"""Training use cases: setup checks, agenda and JP, enrollment, walk-ins and scoping."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.services import UserData, authenticate
from lms.audit.models import AuditEvent
from lms.courses.models import Course
from lms.errors import ValidationFailed
from lms.extensions import db
from lms.quizzes.models import Quiz
from lms.trainings import scope, services
from lms.trainings.models import AgendaItem, Enrollment, Training
from tests.conftest import create_training
from tests.trainings.factory import END, START, agency, full_agenda, training_data, wib


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", full_name="Admin Diskominfo")


def refused(call, *args) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        call(*args)
    db.session.rollback()
    return info.value


# ---------------------------------------------------------------- training setup


def test_save_training_creates_with_rules_and_links(admin, make_user):
    trainer = make_user(role="trainer", full_name="Narasumber Satu")
    participant = make_user()
    training = services.save_training(None, training_data(trainer_ids=[trainer.id, participant.id]), admin)
    db.session.commit()
    assert training.min_attendance_percent == 80 and training.late_after_minutes == 15
    assert training.minutes_per_jp == 45 and training.present_statuses == ["hadir", "terlambat"]
    assert [t.full_name for t in training.trainers] == ["Narasumber Satu"]  # a participant is never a trainer
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "training.create")).one()
    assert event.actor_id == admin.id and "title" in event.details["fields"]


@pytest.mark.parametrize("fields, field, message", [
    ({"end_date": date(2026, 8, 16)}, "end_date", "Tanggal selesai tidak boleh sebelum tanggal mulai."),
    ({"end_date": date(2026, 9, 30)}, "end_date", "Kegiatan paling lama 31 hari."),
    ({"title": "  "}, "title", "Judul kegiatan wajib diisi."),
    ({"slug": "Bimtek Medsos"}, "slug", "Slug hanya boleh huruf kecil, angka, dan tanda hubung."),
    ({"venue_network": "192.168.1.300/24"}, "venue_network", "Jaringan lokasi harus berbentuk CIDR"),
    ({"venue_network": "wifi-aula"}, "venue_network", "Jaringan lokasi harus berbentuk CIDR"),
    ({"time_zone": "Europe/Paris"}, "time_zone", "Zona waktu tidak dikenal."),
    ({"min_attendance_percent": 101}, "min_attendance_percent", "harus 0–100"),
    ({"minutes_per_jp": 0}, "minutes_per_jp", "Menit per JP harus lebih dari 0."),
    ({"posttest_open_at": wib(END, 13), "posttest_close_at": wib(END, 12)}, "posttest_close_at",
     "Waktu tutup harus setelah waktu buka."),
])
def test_save_training_refuses_bad_input(admin, fields, field, message):
    error = refused(services.save_training, None, training_data(**fields), admin)
    assert error.field == field and message in error.message
    assert db.session.scalar(select(func.count(Training.id))) == 0


def test_venue_network_cidr_accepted(admin):
    for network in ("192.168.1.0/24", "10.10.0.0/16", "fd00::/8", "192.168.1.7"):
        services.save_training(None, training_data(slug=f"net-{len(network)}", venue_network=network), admin)
    assert db.session.scalar(select(func.count(Training.id))) == 4


def test_duplicate_slug_refused_but_own_slug_kept_on_edit(admin):
    first = services.save_training(None, training_data(), admin)
    db.session.commit()
    error = refused(services.save_training, None, training_data(title="Lain"), admin)
    assert error.field == "slug" and error.message == 'Slug "bimtek-medsos" sudah dipakai kegiatan lain.'
    first = db.session.get(Training, first.id)
    services.save_training(first, training_data(title="Judul Baru"), admin)
    db.session.commit()
    assert db.session.get(Training, first.id).title == "Judul Baru"


def test_update_audits_only_changed_fields(admin):
    training = services.save_training(None, training_data(), admin)
    services.save_training(training, training_data(venue="Hotel Contoh", quota=40), admin)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "training.update")).one()
    assert sorted(event.details["fields"]) == ["quota", "venue"]


# ---------------------------------------------------------------- agenda and JP


@pytest.fixture
def training(admin):
    item = services.save_training(None, training_data(), admin)
    db.session.commit()
    return item


def slot(day=START, start=(8, 0), end=(9, 30), topic="Etika media sosial", jp=None, **extra):
    return services.AgendaData(day=day, start_time=time(*start), end_time=time(*end), topic=topic, jp=jp, **extra)


@pytest.mark.parametrize("start, end, per_jp, expected", [
    ((8, 0), (9, 30), 45, 2),
    ((8, 0), (9, 29), 45, 1),    # floor: 89 minutes is one whole JP
    ((8, 0), (8, 44), 45, 0),
    ((13, 0), (16, 0), 45, 4),
    ((8, 0), (9, 30), 30, 3),
    ((8, 0), (12, 0), 60, 4),
])
def test_jp_defaults_to_whole_periods_of_the_duration(admin, start, end, per_jp, expected):
    training = services.save_training(None, training_data(minutes_per_jp=per_jp), admin)
    item = services.save_agenda_item(training, None, slot(start=start, end=end), admin)
    assert item.jp == expected and item.jp_manual is False


def test_jp_set_by_hand_kept(training, admin):
    item = services.save_agenda_item(training, None, slot(jp=3), admin)
    assert item.jp == 3 and item.jp_manual is True
    assert refused(services.save_agenda_item, training, None, slot(day=END, jp=-1), admin).field == "jp"


def test_training_jp_is_the_sum_of_its_agenda(training, admin):
    full_agenda(training, admin)
    services.save_agenda_item(training, None, slot(start=(16, 30), end=(17, 0), topic="Refleksi", jp=1), admin)
    db.session.commit()
    assert db.session.get(Training, training.id).total_jp == 25


def test_overlap_refused_naming_the_clashing_topic(training, admin):
    services.save_agenda_item(training, None, slot(topic="Etika media sosial"), admin)
    db.session.commit()
    error = refused(services.save_agenda_item, training, None, slot(start=(9, 0), end=(10, 0), topic="Caption"),
                    admin)
    assert error.field == "start_time"
    assert error.message == 'Bertabrakan dengan "Etika media sosial" (08.00–09.30).'
    # Touching ends and another day are fine.
    services.save_agenda_item(training, None, slot(start=(9, 30), end=(10, 0), topic="Caption"), admin)
    services.save_agenda_item(training, None, slot(day=END, topic="Caption lagi"), admin)
    db.session.commit()
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 3


def test_editing_an_item_does_not_clash_with_itself(training, admin):
    item = services.save_agenda_item(training, None, slot(), admin)
    db.session.commit()
    services.save_agenda_item(training, item, slot(start=(8, 15), end=(9, 45), topic="Etika (revisi)"), admin)
    db.session.commit()
    assert db.session.get(AgendaItem, item.id).topic == "Etika (revisi)"


@pytest.mark.parametrize("data, field, message", [
    (slot(day=date(2026, 8, 20)), "day", "Tanggal harus di antara tanggal mulai dan selesai kegiatan."),
    (slot(day=date(2026, 8, 16)), "day", "Tanggal harus di antara tanggal mulai dan selesai kegiatan."),
    (slot(start=(10, 0), end=(9, 0)), "end_time", "Jam selesai harus setelah jam mulai."),
    (slot(start=(10, 0), end=(10, 0)), "end_time", "Jam selesai harus setelah jam mulai."),
    (slot(topic=" "), "topic", "Materi wajib diisi."),
])
def test_agenda_bad_input_refused(training, admin, data, field, message):
    error = refused(services.save_agenda_item, training, None, data, admin)
    assert (error.field, error.message) == (field, message)
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 0


def test_minutes_per_jp_change_recomputes_all_but_manual_jp(training, admin):
    computed = services.save_agenda_item(training, None, slot(), admin)
    manual = services.save_agenda_item(training, None, slot(start=(10, 0), end=(11, 30), jp=5), admin)
    db.session.commit()
    services.save_training(db.session.get(Training, training.id), training_data(minutes_per_jp=30), admin)
    db.session.commit()
    assert db.session.get(AgendaItem, computed.id).jp == 3
    assert db.session.get(AgendaItem, manual.id).jp == 5
    assert db.session.get(Training, training.id).total_jp == 8


def test_shrinking_dates_past_the_agenda_refused(training, admin):
    services.save_agenda_item(training, None, slot(day=END), admin)
    db.session.commit()
    error = refused(services.save_training, db.session.get(Training, training.id),
                    training_data(end_date=date(2026, 8, 18)), admin)
    assert error.field == "end_date" and "19 Agustus 2026" in error.message
    assert db.session.get(Training, training.id).end_date == END


def test_delete_agenda_item(training, admin):
    item = services.save_agenda_item(training, None, slot(), admin)
    db.session.commit()
    services.delete_agenda_item(item, admin)
    db.session.commit()
    assert db.session.get(Training, training.id).total_jp == 0
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "agenda_item")).all() \
        == ["agenda.create", "agenda.delete"]


# ---------------------------------------------------------------- enrollment


def test_enroll_skips_duplicates_staff_and_inactive(training, admin, make_user):
    one, two = make_user(), make_user()
    inactive = make_user()
    inactive.active = False
    trainer = make_user(role="trainer")
    assert services.enroll(training, [one, two, inactive, trainer], "manual", admin) == 2
    assert services.enroll(training, [one, two], "manual", admin) == 0
    db.session.commit()
    assert sorted(scope.participant_ids(training)) == sorted([one.id, two.id])
    assert scope.enrolled_count(training) == 2


def test_quota_refuses_the_whole_batch(admin, make_user):
    training = services.save_training(None, training_data(quota=2), admin)
    db.session.commit()
    people = [make_user() for _ in range(3)]
    error = refused(services.enroll, training, people, "manual", admin)
    assert error.message == "Kuota kegiatan 2 peserta akan terlampaui (sudah 0, ditambah 3)."
    assert db.session.scalar(select(func.count(Enrollment.id))) == 0
    training = db.session.get(Training, training.id)
    assert services.enroll(training, people[:2], "manual", admin) == 2


def test_enroll_whole_agency(training, admin, make_user):
    health, social = agency("Dinas Kesehatan"), agency("Dinas Sosial")
    staff = [make_user(agency_id=health.id, full_name=f"Staf Dinkes {n}") for n in range(3)]
    make_user(agency_id=health.id).active = False
    make_user(agency_id=health.id, role="trainer")
    make_user(agency_id=social.id)
    assert services.enroll_agency(training, health.id, admin) == 3
    db.session.commit()
    assert [u.full_name for u in scope.participants(training)] == [u.full_name for u in staff]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "training.enroll")).one()
    assert event.details["source"] == "opd" and sorted(event.details["user_ids"]) == sorted(u.id for u in staff)


def test_unenroll(training, admin, make_user):
    person = make_user()
    services.enroll(training, [person], "manual", admin)
    services.unenroll(training, person.id, admin)
    db.session.commit()
    assert scope.participant_ids(training) == []
    assert refused(services.unenroll, training, person.id, admin).message == \
        "Peserta tidak terdaftar di kegiatan ini."


def test_walk_in_creates_a_participant_with_a_one_time_password(app, training, admin):
    health = agency("Dinas Kesehatan")
    result = services.walk_in(training, UserData(full_name="Rina Handayani", nip="198701012010012003",
                                                 agency_id=health.id), admin)
    db.session.commit()
    user, password = result.user, result.password
    assert result.created and result.newly_enrolled
    assert len(password) >= 8 and user.must_change_password is True
    assert scope.participant_ids(training) == [user.id]
    assert authenticate("198701012010012003", password, wib(START, 8)).id == user.id


def test_walk_in_finds_the_existing_person_by_nip_or_email_and_only_enrolls(training, admin, make_user):
    by_nip = make_user(full_name="Budi Santoso", nip="198503142010011001", email="")
    by_email = make_user(full_name="Sari Dewi", email="sari@contoh.go.id")
    hashes = (by_nip.password_hash, by_email.password_hash)
    first = services.walk_in(training, UserData(full_name="Budi S.", nip="19850314 201001 1 001"), admin)
    again = services.walk_in(training, UserData(full_name="Sari", email="SARI@contoh.go.id"), admin)
    db.session.commit()
    assert (first.user.id, again.user.id) == (by_nip.id, by_email.id)
    # Enrolled only: no new password, the name typed at the door is not written over theirs.
    assert (first.password, again.password) == (None, None) and first.newly_enrolled
    assert (by_nip.password_hash, by_email.password_hash) == hashes
    assert (by_nip.full_name, by_email.full_name) == ("Budi Santoso", "Sari Dewi")
    assert not services.walk_in(training, UserData(full_name="Budi", nip="198503142010011001"), admin).newly_enrolled
    assert db.session.scalar(select(func.count(User.id))) == 3  # admin and the two: nobody created
    assert sorted(scope.participant_ids(training)) == sorted([by_nip.id, by_email.id])


@pytest.mark.parametrize("role, active, message", [
    ("trainer", True, "NIP/surel ini milik akun narasumber atau penyelenggara; akun staf tidak dapat "
                      "didaftarkan sebagai peserta pengganti. Tidak ada yang diubah."),
    ("participant", False, "Akun ini dinonaktifkan; aktifkan dulu dari halaman Pengguna."),
])
def test_walk_in_refuses_staff_and_inactive(training, admin, make_user, role, active, message):
    make_user(email="tamu@contoh.go.id", role=role).active = active
    db.session.commit()
    error = refused(services.walk_in, training, UserData(full_name="Tamu", email="tamu@contoh.go.id"), admin)
    assert error.message == message
    assert scope.participant_ids(training) == []


def test_walk_in_bad_nip_names_the_field(training, admin):
    error = refused(services.walk_in, training, UserData(full_name="Tamu", nip="123"), admin)
    assert error.field == "nip"
    assert db.session.scalar(select(func.count(User.id))) == 1


# ---------------------------------------------------------------- scoping


def course(slug: str, position: int) -> Course:
    item = Course(slug=slug, title=slug.replace("-", " ").title(), content_hash="x", position=position)
    db.session.add(item)
    return item


def quiz(slug: str, kind: str, course_slug=None, retired=False) -> Quiz:
    item = Quiz(slug=slug, title=slug, kind=kind, course_slug=course_slug,
                retired_at=wib(START, 7) if retired else None)
    db.session.add(item)
    return item


@pytest.fixture
def world(admin, make_user):
    """Two trainings with their own courses, tests and trainers, and one participant in the first."""
    medsos, konten, hoaks = course("medsos", 1), course("konten", 2), course("hoaks", 3)
    pre, post, other_post = quiz("pre", "pretest"), quiz("post", "posttest"), quiz("post-lain", "posttest")
    latihan, lain = quiz("latihan-medsos", "practice", "medsos"), quiz("latihan-hoaks", "practice", "hoaks")
    quiz("latihan-lama", "practice", "medsos", retired=True)
    db.session.flush()
    trainer_a, trainer_b = make_user(role="trainer"), make_user(role="trainer")
    person, outsider = make_user(), make_user()
    first = create_training("bimtek-a", courses=(medsos, konten), users=(person,), trainers=(trainer_a,),
                            pretest_id=pre.id, posttest_id=post.id, start_date=date(2026, 8, 17))
    second = create_training("bimtek-b", courses=(hoaks,), users=(outsider,), trainers=(trainer_b,),
                             posttest_id=other_post.id, start_date=date(2026, 9, 1), end_date=date(2026, 9, 2))
    return {"admin": admin, "trainer_a": trainer_a, "trainer_b": trainer_b, "person": person,
            "outsider": outsider, "first": first, "second": second, "latihan": latihan, "lain": lain,
            "pre": pre, "post": post, "medsos": medsos, "konten": konten}


def slugs(trainings):
    return [t.slug for t in trainings]


def test_visible_trainings_per_role(world):
    assert slugs(scope.visible_trainings(world["admin"])) == ["bimtek-b", "bimtek-a"]  # newest first
    assert slugs(scope.visible_trainings(world["trainer_a"])) == ["bimtek-a"]
    assert slugs(scope.visible_trainings(world["trainer_b"])) == ["bimtek-b"]
    assert slugs(scope.visible_trainings(world["person"])) == ["bimtek-a"]
    assert slugs(scope.visible_trainings(world["outsider"])) == ["bimtek-b"]


def test_can_manage_only_assigned_trainings(world):
    first, second = world["first"], world["second"]
    assert scope.can_manage(world["admin"], first) and scope.can_manage(world["admin"], second)
    assert scope.can_manage(world["trainer_a"], first) and not scope.can_manage(world["trainer_a"], second)
    assert not scope.can_manage(world["person"], first)
    assert scope.can_view(world["person"], first) and not scope.can_view(world["person"], second)
    with pytest.raises(Exception, match="Anda tidak ditugaskan pada kegiatan ini."):
        scope.require_manager(world["trainer_b"], first)


def test_participant_sees_only_courses_and_quizzes_of_their_trainings(world):
    person = world["person"]
    assert scope.participant_course_ids(person) == sorted([world["medsos"].id, world["konten"].id])
    found = scope.participant_quizzes(person)
    assert sorted(q.slug for q, _, _ in found) == ["latihan-medsos", "post", "pre"]
    assert all(t.id == world["first"].id for _, _, t in found)
    contexts = {q.slug: c for q, c, _ in found}
    assert contexts["pre"].key == f"training:{world['first'].id}"


def test_draft_training_hidden_from_its_participants(world, admin):
    first = db.session.get(Training, world["first"].id)
    first.status = "draft"
    db.session.commit()
    person = world["person"]
    assert scope.participant_course_ids(person) == []
    assert scope.participant_quizzes(person) == []
    assert scope.visible_trainings(person) == []
    assert not scope.can_view(person, first)
    assert slugs(scope.visible_trainings(world["trainer_a"])) == ["bimtek-a"]  # staff still prepare it


def test_quiz_windows_come_from_the_training(world, admin):
    first = db.session.get(Training, world["first"].id)
    first.pretest_open_at, first.pretest_close_at = wib(START, 7), wib(START, 12)
    db.session.commit()
    context = scope.quiz_context(first, world["pre"])
    assert (context.open_at, context.close_at) == (wib(START, 7), wib(START, 12))
