"""Account takeover from a trainer's side: walk-ins and imports naming other people's accounts.

A trainer may create participants and enroll existing ones; nothing a trainer does changes another
account's password, sessions or data, and staff accounts are never touched.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.accounts.models import User, UserImport
from lms.audit.models import AuditEvent
from lms.errors import NotAllowed
from lms.extensions import db
from lms.trainings.models import Enrollment
from tests.conftest import PASSWORD, create_training
from tests.exportread import read_csv
from tests.trainings.factory import agency

ADMIN_NIP = "197901012005011002"
OTHER_TRAINER_NIP = "198002022006021003"
PARTICIPANT_NIP = "199003032015032004"
NEW_NIP = "199104042016041005"
CSV_HEADER = "nama;nip;pangkat_golongan;jabatan;opd;email;no_hp\n"
SLUG = "bimtek-spbe"


def text(response) -> str:
    """Return the page with runs of white space collapsed, as a reader sees it."""
    return " ".join(response.get_data(as_text=True).split())


def snapshot(user_id: int) -> dict[str, Any]:
    """Return everything a takeover would have to change: credentials, sessions, profile, role."""
    db.session.expire_all()
    user = db.session.get(User, user_id)
    return {key: getattr(user, key) for key in (
        "password_hash", "session_version", "must_change_password", "full_name", "email", "phone", "nip",
        "agency_id", "jabatan", "pangkat_golongan", "role", "active")}


@pytest.fixture
def people(app, make_user):
    """An admin, two trainers (one runs the training) and a participant, each with a password and data."""
    office = agency("Dinas Komunikasi dan Informatika")
    db.session.commit()
    common = {"phone": "081234567890", "agency_id": office.id, "jabatan": "Pranata Komputer"}
    found = {
        "admin": make_user(role="admin", full_name="Admin Diskominfo", nip=ADMIN_NIP, email="admin@contoh.go.id",
                           **common),
        "other_trainer": make_user(role="trainer", full_name="Narasumber Lain", nip=OTHER_TRAINER_NIP,
                                   email="lain@contoh.go.id", **common),
        "participant": make_user(full_name="Peserta Asli", nip=PARTICIPANT_NIP, email="asli@contoh.go.id",
                                 **common),
        "trainer": make_user(role="trainer", full_name="Narasumber Kegiatan", email="narasumber@contoh.go.id"),
    }
    create_training(SLUG, trainers=(found["trainer"],))
    return found


@pytest.fixture
def as_trainer(client, auth, people):
    auth.login_as(people["trainer"])
    return client


@pytest.fixture
def victim_client(app):
    """Log a person in from their own device; the session must survive what the trainer does."""
    def login(user: User):
        device = app.test_client()
        response = device.post("/login", data={"identifier": user.login_name, "password": PASSWORD})
        assert response.status_code == 302
        return device
    return login


def still_logged_in(device) -> bool:
    return device.get("/trainings/").status_code == 200


def can_log_in(user: User, password: str, app) -> bool:
    response = app.test_client().post("/login", data={"identifier": user.login_name, "password": password})
    return response.status_code == 302


def enrolled_ids() -> set[int]:
    return set(db.session.scalars(select(Enrollment.user_id)))


def walk_in(client, **fields: str):
    data = {"full_name": "Nama Lain Sekali", "nip": "", "email": "", "jabatan": "Staf Baru", "agency_id": "0",
            "phone": "089999999999"}
    data.update(fields)
    return client.post(f"/trainings/{SLUG}/walk-in", data=data)


# ---------------------------------------------------------------- walk-in


@pytest.mark.parametrize("victim, fields", [
    ("admin", {"nip": ADMIN_NIP}),
    ("admin", {"email": "admin@contoh.go.id"}),
    ("other_trainer", {"nip": OTHER_TRAINER_NIP}),
    ("other_trainer", {"nip": NEW_NIP, "email": "lain@contoh.go.id"}),
    ("admin", {"nip": PARTICIPANT_NIP, "email": "admin@contoh.go.id"}),  # a participant's NIP, the admin's mail
])
def test_walk_in_naming_a_staff_account_is_refused_and_changes_nothing(as_trainer, people, victim_client, app,
                                                                       victim, fields):
    target = people[victim]
    device = victim_client(target)
    before = {name: snapshot(user.id) for name, user in people.items()}
    users_before = db.session.scalar(select(func.count(User.id)))
    response = walk_in(as_trainer, **fields)
    page = text(response)  # the participants page again, the walk-in form as typed
    assert response.status_code == 200 and 'value="Nama Lain Sekali"' in page
    assert "milik akun narasumber atau penyelenggara" in page and "Tidak ada yang diubah." in page
    assert {name: snapshot(user.id) for name, user in people.items()} == before
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert enrolled_ids() == set()
    assert still_logged_in(device) and can_log_in(target, PASSWORD, app)


def test_walk_in_with_a_participants_nip_only_enrolls_them(as_trainer, people, victim_client, app):
    participant = people["participant"]
    device = victim_client(participant)
    before = snapshot(participant.id)
    response = walk_in(as_trainer, nip=PARTICIPANT_NIP, email="penyerang@contoh.go.id")
    page = text(response)
    assert response.status_code == 200 and "Peserta Asli" in page
    assert "Orang ini sudah memiliki akun." in page and "tidak ada kata sandi baru yang dibuat" in page
    assert "mintalah Penyelenggara (admin) mengatur ulang kata sandinya" in page
    assert '<code class="fs-4">' not in page and "Kata sandi ini sekali pakai" not in page
    assert snapshot(participant.id) == before  # not the typed name, e-mail, phone or job either
    assert enrolled_ids() == {participant.id}
    assert still_logged_in(device) and can_log_in(participant, PASSWORD, app)
    again = text(walk_in(as_trainer, nip=PARTICIPANT_NIP))
    assert "Sudah terdaftar di kegiatan ini sebelumnya." in again and snapshot(participant.id) == before


def test_walk_in_of_an_existing_participant_writes_only_the_enrollment_audit(as_trainer, people):
    walk_in(as_trainer, email="asli@contoh.go.id")
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == people["trainer"].id)))
    assert "training.enroll" in actions
    assert not actions & {"user.one_time_password", "user.update", "user.create", "user.password_set"}


def test_trainer_slips_never_reset_an_existing_password(as_trainer, people):
    participant = people["participant"]
    walk_in(as_trainer, nip=PARTICIPANT_NIP)
    before = snapshot(participant.id)
    response = as_trainer.post(f"/trainings/{SLUG}/participants/slips")
    assert response.headers["Location"] == f"/trainings/{SLUG}/participants"
    assert "Semua peserta sudah memiliki kata sandi." in text(as_trainer.get(f"/trainings/{SLUG}/participants"))
    with pytest.raises(NotAllowed, match="Hanya Penyelenggara yang dapat mengatur ulang"):
        accounts.issue_one_time_passwords([db.session.get(User, participant.id)], people["trainer"])
    db.session.rollback()
    assert snapshot(participant.id) == before


def test_trainer_cannot_reach_the_admin_reset(as_trainer, people):
    participant = people["participant"]
    before = snapshot(participant.id)
    response = as_trainer.post("/admin/users/one-time-passwords",
                               data={"user_ids": [str(participant.id)], "output": "csv", "confirm": "y"})
    assert response.status_code == 403 and snapshot(participant.id) == before


def test_walk_in_of_a_new_person_still_gets_a_slip(as_trainer, people, app):
    page = text(walk_in(as_trainer, full_name="Rina Handayani", nip=NEW_NIP))
    assert "Terdaftar sebagai peserta." in page and "Kata sandi ini sekali pakai" in page
    password = page.split('<code class="fs-4">')[1].split("</code>")[0]
    rina = db.session.scalars(select(User).where(User.nip == NEW_NIP)).one()
    assert rina.role == "participant" and rina.must_change_password and can_log_in(rina, password, app)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.one_time_password")).one()
    assert (event.object_id, event.details) == (str(rina.id), {"user_id": rina.id, "reset": False})


def test_admin_reset_is_audited_with_the_account_named(client, auth, people, victim_client, app):
    participant = people["participant"]
    device = victim_client(participant)
    auth.login_as(people["admin"])
    response = client.post("/admin/users/one-time-passwords",
                           data={"user_ids": [str(participant.id)], "output": "csv", "confirm": "y"})
    password = read_csv(response.get_data())[1][3]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.one_time_password")).one()
    assert (event.actor_id, event.object_type, event.object_id) == (people["admin"].id, "user", str(participant.id))
    assert event.details == {"user_id": participant.id, "reset": True}
    assert not still_logged_in(device) and can_log_in(participant, password, app)


# ---------------------------------------------------------------- import


def upload(client, body: str, path: str = f"/trainings/{SLUG}/participants/import"):
    return client.post(path, data={"file": (io.BytesIO(body.encode("utf-8")), "peserta.csv")},
                       content_type="multipart/form-data")


def confirm(client, path_prefix: str = f"/trainings/{SLUG}/participants/import"):
    pending = db.session.scalars(select(UserImport).order_by(UserImport.id.desc())).first()
    suffix = "/confirm" if path_prefix.startswith("/admin") else ""
    return client.post(f"{path_prefix}/{pending.id}{suffix}"), pending


HOSTILE_ROWS = (f"Diambil Alih;{ADMIN_NIP};;Penyusup;OPD Palsu;penyerang@contoh.go.id;089999999999\n"
                f"Trainer Diubah;{OTHER_TRAINER_NIP};;;OPD Palsu;;089999999998\n"
                f"Peserta Diubah;{PARTICIPANT_NIP};;;OPD Palsu;palsu@contoh.go.id;089999999997\n"
                f"Orang Baru;{NEW_NIP};;;Dinas Komunikasi dan Informatika;;\n")


def test_trainer_import_never_changes_an_existing_account(as_trainer, people, victim_client, app):
    devices = {name: victim_client(people[name]) for name in ("admin", "other_trainer", "participant")}
    before = {name: snapshot(user.id) for name, user in people.items()}
    page = text(upload(as_trainer, CSV_HEADER + HOSTILE_ROWS))
    assert "1 peserta baru, 0 peserta lama diperbarui, 1 sudah terdaftar (data tidak diubah), " \
           "2 ditolak (akun narasumber/penyelenggara)." in page
    assert page.count("Ditolak</span> Akun narasumber atau penyelenggara: tidak diubah") == 2
    assert "Sudah terdaftar, data tidak diubah." in page and "→" not in page
    assert "OPD Palsu" not in page.split("OPD baru akan ditambahkan")[-1].split("<table")[0]
    assert "Impor 2 peserta" in page
    response, pending = confirm(as_trainer)
    assert response.headers["Location"] == f"/trainings/{SLUG}/participants"
    flashed = text(as_trainer.get(f"/trainings/{SLUG}/participants"))
    assert "Impor selesai: 1 akun baru, 2 peserta didaftarkan ke kegiatan. " \
           "2 baris akun narasumber/penyelenggara dilewati." in flashed
    assert {name: snapshot(user.id) for name, user in people.items()} == before
    newcomer = db.session.scalars(select(User).where(User.nip == NEW_NIP)).one()
    assert enrolled_ids() == {people["participant"].id, newcomer.id}
    assert all(still_logged_in(d) for d in devices.values())
    assert all(can_log_in(people[name], PASSWORD, app) for name in devices)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.update")) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.apply")).one()
    assert event.details == {"creates": 1, "updates": 0, "unchanged": 1, "refused": 2, "new_agencies": 0}


def test_trainer_import_rechecks_at_confirmation(as_trainer, people):
    upload(as_trainer, CSV_HEADER + f"Orang Baru;{NEW_NIP};;;Dinas Komunikasi dan Informatika;;\n")
    # Before the trainer confirms, the NIP becomes an admin's: the previewed "create" no longer holds.
    staff = accounts.create_user(accounts.UserData(full_name="Admin Kedua", nip=NEW_NIP, role="admin"), None)
    db.session.commit()
    before = snapshot(staff.id)
    response, pending = confirm(as_trainer)
    page = text(as_trainer.get(response.headers["Location"]))
    assert "Data berubah sejak pratinjau: baris 2: akun yang cocok atau datanya berubah sejak pratinjau" in page
    assert snapshot(staff.id) == before and enrolled_ids() == set()
    assert db.session.get(UserImport, pending.id).status == "pending"


def test_admin_cannot_confirm_a_trainers_import(client, auth, as_trainer, people):
    upload(as_trainer, CSV_HEADER + HOSTILE_ROWS)
    auth.logout()
    auth.login_as(people["admin"])
    before = {name: snapshot(user.id) for name, user in people.items()}
    response, pending = confirm(client, "/admin/import")
    page = text(client.get(response.headers["Location"]))
    assert "Impor ini diunggah oleh pengguna lain" in page
    assert {name: snapshot(user.id) for name, user in people.items()} == before
    assert db.session.get(UserImport, pending.id).status == "pending"


def test_admin_import_updates_participants_only_and_shows_each_change(client, auth, people):
    auth.login_as(people["admin"])
    staff_before = {name: snapshot(people[name].id) for name in ("admin", "other_trainer", "trainer")}
    page = text(upload(client, CSV_HEADER + HOSTILE_ROWS, "/admin/import"))
    assert "1 peserta baru, 1 peserta lama diperbarui, 2 ditolak (akun narasumber/penyelenggara)." in page
    assert "Nama: Peserta Asli → Peserta Diubah" in page
    assert "Surel: asli@contoh.go.id → palsu@contoh.go.id" in page
    assert "No. HP: 081234567890 → 089999999997" in page
    assert "OPD: Dinas Komunikasi dan Informatika → OPD Palsu" in page
    assert "Jabatan:" not in page  # a blank cell changes nothing
    assert page.count("Ditolak</span>") == 2
    response, pending = confirm(client, "/admin/import")
    assert response.status_code == 302
    assert {name: snapshot(people[name].id) for name in staff_before} == staff_before
    participant = snapshot(people["participant"].id)
    assert (participant["full_name"], participant["email"], participant["phone"], participant["role"]) == \
        ("Peserta Diubah", "palsu@contoh.go.id", "089999999997", "participant")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert (event.object_type, event.object_id) == ("user", str(people["participant"].id))
    assert event.details == {"fields": ["full_name", "email", "phone", "agency_id"], "via": "import",
                             "import_id": pending.id}
    summary = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.apply")).one()
    assert summary.details == {"creates": 1, "updates": 1, "unchanged": 0, "refused": 2, "new_agencies": 1}
    assert "palsu" not in repr([e.details for e in db.session.scalars(select(AuditEvent))])


def test_admin_import_rechecks_when_a_participant_becomes_staff(client, auth, people):
    auth.login_as(people["admin"])
    upload(client, CSV_HEADER + f"Peserta Diubah;{PARTICIPANT_NIP};;;OPD Palsu;;\n", "/admin/import")
    promoted = db.session.get(User, people["participant"].id)
    promoted.role = "trainer"
    db.session.commit()
    before = snapshot(promoted.id)
    response, pending = confirm(client, "/admin/import")
    assert "Data berubah sejak pratinjau" in text(client.get(response.headers["Location"]))
    assert snapshot(promoted.id) == before and db.session.get(UserImport, pending.id).status == "pending"


def test_admin_import_refuses_a_row_whose_account_changed_since_preview(client, auth, people):
    auth.login_as(people["admin"])
    upload(client, CSV_HEADER + f"Peserta Asli;{PARTICIPANT_NIP};;;Dinas Komunikasi dan Informatika;;\n",
           "/admin/import")
    changed = db.session.get(User, people["participant"].id)
    changed.full_name = "Peserta Ganti Nama"  # the preview said "no change"; now the row would rename
    db.session.commit()
    response, pending = confirm(client, "/admin/import")
    assert "Data berubah sejak pratinjau" in text(client.get(response.headers["Location"]))
    assert snapshot(changed.id)["full_name"] == "Peserta Ganti Nama"
