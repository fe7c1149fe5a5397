"""Privacy by default: no personal data in URLs, rate-limit keys or error logs; anonymising; purging."""

import logging
import re
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lms import create_app
from lms.accounts import privacy
from lms.accounts.models import LoginSession, User, UserImport
from lms.accounts.services import ensure_institution
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.audit.models import AuditEvent
from lms.db_types import utcnow
from lms.extensions import db, limiter
from lms.redaction import redact
from lms.trainings.models import Enrollment
from tests.conftest import PASSWORD, TEST_DATABASE_URL, create_training, settings_for

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
NIP = "198503142010012005"
EMAIL = "siti.rahma@contoh.go.id"
DEVICE = {"client_address": "192.168.10.23", "user_agent": "Mozilla/5.0 (Android 14)", "device_id": "hp-siti"}


@pytest.fixture
def admin(auth, make_user):
    user = make_user(role="admin", email="admin@contoh.go.id")
    auth.login_as(user)
    return user


@pytest.fixture
def siti(make_user):
    return make_user(full_name="Siti Rahmawati, S.Sos.", nip=NIP, email=EMAIL, phone="081234567890",
                     pangkat_golongan="Penata (III/c)", jabatan="Pranata Humas")


def attendance(user, marked_at, training=None, **device):
    """Give user one attendance record marked at marked_at, with the check-in's device data."""
    training = training or create_training(users=(user,))
    session = AttendanceSession(training_id=training.id, day=training.start_date, label="Pagi",
                                starts_at=marked_at - timedelta(hours=1), ends_at=marked_at + timedelta(hours=3),
                                secret="rahasia")
    db.session.add(session)
    db.session.flush()
    record = AttendanceRecord(session_id=session.id, user_id=user.id, status="hadir", method="qr",
                              marked_at=marked_at, **(device or DEVICE))
    db.session.add(record)
    db.session.commit()
    return record


def links(page):
    return re.findall(r'(?:href|action|src)="([^"]*)"', page)


# ---------------------------------------------------------------- no NIP or e-mail in URLs


def test_created_user_redirect_names_the_id_not_the_nip_or_email(client, admin):
    response = client.post("/admin/users/new", data={
        "full_name": "Siti Rahmawati, S.Sos.", "nip": NIP, "email": EMAIL, "pangkat_golongan": "", "jabatan": "",
        "phone": "", "agency_id": "0", "role": "participant"})
    user = db.session.scalars(select(User).where(User.nip == NIP)).one()
    location = response.headers["Location"]
    assert response.status_code == 302 and location == f"/admin/users?id={user.id}"
    assert NIP not in location and "siti" not in location.lower()
    page = client.get(location).get_data(as_text=True)
    assert "1 pengguna ditemukan" in page and "Hanya pengguna yang baru ditambahkan" in page
    assert "Siti Rahmawati" in page


def test_own_links_carry_no_nip_or_email(client, admin, siti):
    create_training(users=(siti,))
    for url in ("/admin/users", f"/admin/users/{siti.id}/edit", "/trainings/bimtek-tes/participants",
                f"/admin/users/{siti.id}/anonymise"):
        page = client.get(url).get_data(as_text=True)
        assert NIP in page or "Siti" in page, url
        for link in links(page):
            assert NIP not in link and EMAIL not in link and "siti" not in link.lower(), (url, link)


# ---------------------------------------------------------------- rate-limit keys and error logs


def test_rate_limit_keys_hold_no_address_nip_or_email(client, siti):
    limiter.reset()
    address = {"REMOTE_ADDR": "203.0.113.77"}
    client.get("/verify/ABCD-EFGH-JKMN-PQRS-TVWX", environ_base=address)
    client.post("/login", data={"identifier": NIP, "password": "salah-sekali"}, environ_base=address)
    client.post("/login", data={"identifier": EMAIL, "password": "salah-sekali"}, environ_base=address)
    storage = limiter.storage
    keys = " ".join(list(getattr(storage, "storage", {})) + list(getattr(storage, "events", {})))
    assert "address:" in keys  # the verification limit counted this client
    for secret in ("203.0.113.77", NIP, EMAIL, "siti"):
        assert secret not in keys, secret


def test_sql_errors_and_their_logs_carry_no_parameters(app, siti, caplog):
    assert db.engine.hide_parameters is True
    db.session.add(User(institution_id=ensure_institution().id, full_name="Orang Lain", nip=NIP))
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    if db.engine.dialect.name == "sqlite":
        assert NIP not in str(caught.value)
    assert NIP not in redact(str(caught.value))
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError("pembungkus") from caught.value
        except RuntimeError:
            app.logger.exception("Exception on /admin/users/new [POST]")
        logging.getLogger("huey").error("Unhandled exception in task: %s", caught.value)
    assert "IntegrityError" in caplog.text and "SQL parameters hidden" in caplog.text
    assert NIP not in caplog.text


def test_redaction_keeps_the_error_and_drops_the_values():
    message = ('(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint "uq_users_nip"\n'
               f'DETAIL:  Key (nip)=({NIP}) already exists.\n[SQL: INSERT INTO users ...]\n'
               f"[parameters: ('{EMAIL}', '{NIP}')]")
    cleaned = redact(message)
    assert "uq_users_nip" in cleaned and "DETAIL: [disembunyikan]" in cleaned
    assert NIP not in cleaned and EMAIL not in cleaned


# ---------------------------------------------------------------- anonymising an account


def test_anonymise_removes_identifiers_and_keeps_the_records(siti, make_user):
    admin = make_user(role="admin")
    record = attendance(siti, NOW)
    before = siti.session_version
    privacy.anonymise_user(siti, admin, NOW)
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, siti.id)
    assert user.full_name == f"Peserta Dianonimkan #{siti.id}"
    assert (user.nip, user.email, user.phone, user.pangkat_golongan, user.jabatan) == (None, None, "", "", "")
    assert user.password_hash is None and not user.active and user.anonymised_at == NOW
    assert user.session_version == before + 1
    kept = db.session.get(AttendanceRecord, record.id)
    assert kept.user_id == siti.id and kept.status == "hadir"
    assert (kept.client_address, kept.user_agent, kept.device_id) == (None, None, None)
    assert db.session.scalars(select(Enrollment).where(Enrollment.user_id == siti.id)).one()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.anonymise")).one()
    assert event.actor_id == admin.id and event.object_id == str(siti.id)
    assert NIP not in str(event.details) and "Siti" not in str(event.details)


def test_admin_anonymises_after_confirming_and_the_owner_is_logged_out(app, client, admin, siti):
    owner = app.test_client()
    assert owner.post("/login", data={"identifier": NIP, "password": PASSWORD}).status_code == 302
    assert owner.get("/account/data").status_code == 200
    page = client.get(f"/admin/users/{siti.id}/anonymise").get_data(as_text=True)
    assert "Peserta Dianonimkan #" in page and "data pemegang yang dibekukan" in page
    refused = client.post(f"/admin/users/{siti.id}/anonymise", data={})
    assert "Centang konfirmasi" in refused.get_data(as_text=True)
    assert db.session.get(User, siti.id).nip == NIP
    response = client.post(f"/admin/users/{siti.id}/anonymise", data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{siti.id}/edit"
    assert "dianonimkan pada" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.get(User, siti.id).nip is None
    assert owner.get("/account/data").status_code == 302  # the owner's session ended
    ended = db.session.scalars(select(LoginSession).where(LoginSession.user_id == siti.id)).all()
    assert ended and all(item.revoked_at is not None for item in ended)
    again = owner.post("/login", data={"identifier": NIP, "password": PASSWORD})
    assert again.status_code == 200 and "salah" in again.get_data(as_text=True)


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_staff_accounts_are_not_anonymised(client, admin, make_user, role):
    staff = make_user(role=role, nip=NIP)
    page = client.post(f"/admin/users/{staff.id}/anonymise", data={"confirm": "y"}).get_data(as_text=True)
    assert "tidak dapat dianonimkan" in page
    db.session.expire_all()
    assert db.session.get(User, staff.id).nip == NIP and db.session.get(User, staff.id).anonymised_at is None


def test_admin_cannot_anonymise_themself_and_trainers_cannot_at_all(client, auth, admin, make_user, siti):
    page = client.post(f"/admin/users/{admin.id}/anonymise", data={"confirm": "y"}).get_data(as_text=True)
    assert "akun Anda sendiri" in page
    assert db.session.get(User, admin.id).anonymised_at is None
    auth.logout()
    auth.login_as(make_user(role="trainer"))
    assert client.post(f"/admin/users/{siti.id}/anonymise", data={"confirm": "y"}).status_code == 403
    assert db.session.get(User, siti.id).anonymised_at is None


# ---------------------------------------------------------------- purging after the retention period


def test_purge_empties_old_device_data_and_deletes_old_previews(app, siti, make_user):
    old = attendance(siti, NOW - timedelta(days=91))
    other = make_user()
    recent = attendance(other, NOW - timedelta(days=89), training=create_training(slug="bimtek-baru", users=(other,)))
    for status, age in (("pending", 91), ("pending", 89), ("applied", 91), ("cancelled", 100)):
        db.session.add(UserImport(created_by_id=siti.id, filename="peserta.csv", status=status,
                                  rows=[{"nip": NIP}] if status != "applied" else None,
                                  created_at=NOW - timedelta(days=age)))
    db.session.commit()
    result = privacy.purge_personal_data(NOW)
    db.session.commit()
    db.session.expire_all()
    assert (result.attendance_records, result.import_previews) == (1, 2)
    assert result.cutoff == NOW - timedelta(days=90)
    purged = db.session.get(AttendanceRecord, old.id)
    assert (purged.client_address, purged.user_agent, purged.device_id) == (None, None, None)
    assert purged.status == "hadir" and purged.marked_at == NOW - timedelta(days=91)
    kept = db.session.get(AttendanceRecord, recent.id)
    assert (kept.client_address, kept.user_agent, kept.device_id) == tuple(DEVICE.values())
    left = sorted((i.status, (NOW - i.created_at).days) for i in db.session.scalars(select(UserImport)))
    assert left == [("applied", 91), ("pending", 89)]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge")).one()
    assert event.details["attendance_records"] == 1 and event.details["import_previews"] == 2
    assert privacy.purge_personal_data(NOW) == privacy.PurgeResult(NOW - timedelta(days=90), 0, 0)
    db.session.commit()
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge")).all()) == 1


def test_purge_period_follows_the_configuration(app, siti, monkeypatch):
    record = attendance(siti, NOW - timedelta(days=31))
    monkeypatch.setitem(app.config, "PERSONAL_DATA_RETENTION_DAYS", 30)
    assert privacy.purge_personal_data(NOW).attendance_records == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AttendanceRecord, record.id).client_address is None


def test_purge_command(runner, siti, cli_clock):
    cli_clock(NOW)
    old = attendance(siti, NOW - timedelta(days=91))
    attendance(siti, NOW - timedelta(days=89), training=db.session.get(AttendanceSession, old.session_id).training)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert f"Data sebelum {NOW - timedelta(days=90):%Y-%m-%d %H:%M} UTC" in result.output
    assert "data perangkat pada 1 catatan presensi, 0 pratinjau impor" in result.output
    db.session.expire_all()
    kept = sorted(db.session.scalars(select(AttendanceRecord)), key=lambda r: r.marked_at)
    assert [r.device_id is None for r in kept] == [True, False]


def test_job_worker_purges_daily(app, siti):
    jobs = app.extensions["lms_jobs"]
    task, huey = jobs["purge_personal_data"], jobs["huey"]

    def due(hour, minute):  # what the consumer's scheduler asks each minute
        return [t.name for t in huey.read_periodic(datetime(2026, 11, 22, hour, minute))]

    assert "purge_personal_data" in due(2, 0)
    assert "purge_personal_data" not in due(3, 0) + due(2, 1)
    attendance(siti, utcnow() - timedelta(days=120))
    task()  # JOBS_IMMEDIATE in tests: runs at once, as the worker would at 02.00 UTC
    db.session.expire_all()
    assert db.session.scalars(select(AttendanceRecord)).one().user_agent is None


# ---------------------------------------------------------------- the migration, on a database with data


def test_privacy_migration_keeps_existing_rows(tmp_path):
    schema = "lms_privacy_migration"
    if TEST_DATABASE_URL.startswith("postgresql"):
        extra = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    else:
        extra = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'data.sqlite3'}"}
    app = create_app(settings_for(tmp_path, **extra))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {schema}"))
        flask_migrate.upgrade(revision="a1c3e5f70001")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO institutions (name, city, time_zone, address, head_name, head_pangkat, head_nip, "
                "head_title, certificate_pattern, updated_at) VALUES ('Diskominfo', 'Contoh', 'Asia/Jakarta', '', "
                "'', '', '', '', '{seq}/{year}', CURRENT_TIMESTAMP)"))
            conn.execute(text(
                "INSERT INTO users (institution_id, email, full_name, pangkat_golongan, jabatan, phone, role, active, "
                "must_change_password, session_version, created_at, updated_at) VALUES (1, 'a@contoh.go.id', 'Ani', "
                "'', '', '', 'participant', TRUE, FALSE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO audit_events (at, actor_id, action, object_type, object_id, details) "
                              "VALUES (CURRENT_TIMESTAMP, 1, 'user.create', 'user', '1', '{}')"))
        # SQLite recreates users (its CHECK changes) while audit_events points to it.
        flask_migrate.upgrade(revision="a1c3e5f70002")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT email FROM users")).scalar() == "a@contoh.go.id"
            assert conn.execute(text("SELECT COUNT(*) FROM audit_events")).scalar() == 1
            flags = conn.execute(text("SELECT verify_show_score, verify_show_pangkat, verify_show_jabatan "
                                      "FROM institutions")).one()
            assert not any(flags)
            conn.execute(text("UPDATE users SET email = NULL, anonymised_at = CURRENT_TIMESTAMP"))
        flask_migrate.downgrade(revision="a1c3e5f70001")
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT email FROM users")).scalar() == "dianonimkan-1@invalid"
        flask_migrate.downgrade(revision="base")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        db.engine.dispose()
