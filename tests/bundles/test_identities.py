"""Stable identities: the migration gives existing rows a UUID, new rows get one, updates raise row_version."""

from datetime import UTC, date, datetime

import flask_migrate
from sqlalchemy import text, update

from lms import create_app
from lms.accounts.models import User
from lms.attendance import services as attendance
from lms.attendance.models import AttendanceRecord
from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL, create_training, settings_for

SCHEMA = "lms_bundle_migration_check"
BEFORE = "m3c4d5e6f703"


def _migrated_app(tmp_path):
    if TEST_DATABASE_URL.startswith("postgresql"):
        extra = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={SCHEMA}"}}}
    else:
        extra = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}"}
    return create_app(settings_for(tmp_path, **extra))


def test_migration_fills_a_distinct_uuid_for_existing_rows(tmp_path):
    app = _migrated_app(tmp_path)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        flask_migrate.upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO institutions (id, name, city, time_zone, address, head_name, "
                              "head_pangkat, head_nip, head_title, certificate_pattern, public_base_url, "
                              "verify_show_score, verify_show_pangkat, verify_show_jabatan, updated_at) VALUES "
                              "(1, 'Diskominfo', 'Contoh', 'Asia/Jakarta', '', '', '', '', '', 'p', '', "
                              "false, false, false, '2026-01-01 00:00:00+00:00')"))
            for n in (1, 2, 3):
                conn.execute(text("INSERT INTO users (id, institution_id, email, full_name, pangkat_golongan, "
                                  "jabatan, phone, role, active, must_change_password, session_version, created_at, "
                                  "updated_at) VALUES (:id, 1, :email, 'Peserta', '', '', '', 'participant', true, "
                                  "false, 1, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"),
                             {"id": n, "email": f"p{n}@contoh.go.id"})
            conn.execute(text("INSERT INTO trainings (id, institution_id, slug, title, description, venue, city, "
                              "start_date, end_date, time_zone, status, minutes_per_jp, min_attendance_percent, "
                              "require_posttest_pass, require_courses_complete, evaluation_days, require_evaluation, "
                              "late_after_minutes, present_statuses, venue_network, signatory_name, "
                              "signatory_pangkat, signatory_nip, signatory_title, predikat_bands, created_at) VALUES "
                              "(1, 1, 'bimtek', 'Bimtek', '', '', '', '2026-08-17', '2026-08-19', 'Asia/Jakarta', "
                              "'open', 45, 80, true, false, 3, false, 15, '[\"hadir\"]', '', '', '', '', '', '', "
                              "'2026-01-01 00:00:00+00:00')"))
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            users = [row[0] for row in conn.execute(text("SELECT uuid FROM users"))]
            training = conn.execute(text("SELECT uuid, row_version FROM trainings")).one()
            institution = conn.execute(text("SELECT uuid FROM institutions")).scalar_one()
        assert len(set(users)) == 3 and all(len(u) == 36 for u in users)
        assert len(training[0]) == 36 and training[1] == 1
        assert len(institution) == 36
        flask_migrate.downgrade(revision=BEFORE)
        db.engine.dispose()


def test_new_rows_get_a_uuid_and_updates_raise_the_row_version(app, make_user):
    admin = make_user("admin")
    person = make_user()
    training = create_training(users=(person,))
    assert len(training.uuid) == 36 and len(person.uuid) == 36 and person.uuid != admin.uuid
    session = attendance.add_session(training, date(2026, 8, 17), "Pagi", *_times(), admin)
    now = datetime(2026, 8, 17, 1, 0, tzinfo=UTC)
    attendance.set_status(session, person.id, "hadir", "", admin, now, "roster")
    db.session.commit()
    record = db.session.scalars(db.select(AttendanceRecord)).one()
    assert record.row_version == 1
    attendance.set_status(session, person.id, "izin", "Rapat", admin, now, "roster")
    db.session.commit()
    assert record.row_version == 2
    db.session.execute(update(AttendanceRecord).values(note="Core"))  # a bulk statement counts too
    db.session.commit()
    db.session.refresh(record)
    assert record.row_version == 3
    assert isinstance(db.session.get(User, person.id), User)


def _times():
    from datetime import time

    return time(8, 0), time(12, 0)
