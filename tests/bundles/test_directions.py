"""Both directions: a bimtek prepared on the server goes to the laptop before the event and comes back after it."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from lms import create_app
from lms.accounts.models import User
from lms.attendance import services as attendance
from lms.attendance.models import AttendanceRecord
from lms.bundles import services as bundles
from lms.catalog import load_all, sync
from lms.courses.models import Course
from lms.extensions import db
from lms.trainings import services as trainings
from lms.trainings.models import Enrollment
from lms.trainings.scope import get_training
from tests.bundles.conftest import NOW, inside, reports
from tests.conftest import create_training, settings_for


def test_server_to_laptop_and_back_keeps_one_copy_of_everyone(app, server_catalog, make_user, tmp_path):
    admin = make_user("admin")
    trainer = make_user("trainer")
    people = [make_user(nip=f"19800101200501101{n}") for n in range(3)] + [make_user()]
    training = create_training("bimtek-desa-wisata", courses=tuple(db.session.scalars(select(Course).limit(1))),
                               users=tuple(people), trainers=(trainer,), start_date=date(2026, 9, 1),
                               end_date=date(2026, 9, 2))
    trainings.save_agenda_item(training, None, trainings.AgendaData(
        day=date(2026, 9, 1), start_time=time(8, 0), end_time=time(9, 30), topic="Pembukaan",
        trainer_id=trainer.id), admin)
    attendance.add_session(training, date(2026, 9, 1), "Pagi", time(8, 0), time(12, 0), admin)
    db.session.commit()
    to_laptop = tmp_path / "ke-laptop.zip"
    bundles.export(training, to_laptop, NOW, admin)
    db.session.commit()

    laptop = _fresh_laptop(tmp_path / "laptop")
    back = tmp_path / "ke-server.zip"
    with inside(laptop):
        plan = bundles.apply(to_laptop, NOW, None)
        db.session.commit()
        assert plan.participants["new"] == 4 and plan.counts["attendance_sessions"].new == 1
        copy = get_training("bimtek-desa-wisata")
        session = attendance.sessions_of(copy)[0]
        for index, person in enumerate(db.session.scalars(select(User).where(User.role == "participant"))):
            attendance.set_status(session, person.id, "hadir" if index else "terlambat", "", None,
                                  session.starts_at + timedelta(minutes=5), "roster")
        db.session.commit()
        expected = reports("bimtek-desa-wisata")
        bundles.export(copy, back, NOW + timedelta(days=1), None)
        db.session.commit()

    users_before = db.session.scalar(select(func.count(User.id)))
    plan = bundles.apply(back, NOW + timedelta(days=1), admin)
    db.session.commit()
    assert plan.participants["total"] == 4 and plan.participants["new"] == 0
    assert plan.counts["attendance_records"].new == 4 and plan.counts["trainings"].new == 0
    assert db.session.scalar(select(func.count(User.id))) == users_before
    assert db.session.scalar(select(func.count(Enrollment.id))) == 4
    assert db.session.scalar(select(func.count(AttendanceRecord.id))) == 4
    assert reports("bimtek-desa-wisata") == expected


def test_accounts_made_by_an_import_have_no_usable_password(app, laptop, server_catalog, import_file, tmp_path):
    from tests.bundles.conftest import FINISHED, export_from

    import_file(export_from(laptop, FINISHED, tmp_path / "bundel.zip"))
    made = list(db.session.scalars(select(User)))
    assert made and all(user.password_hash is None for user in made)
    assert {user.role for user in made} == {"participant", "trainer"}  # the laptop's admin came as a narasumber


def _fresh_laptop(folder: Path):
    folder.mkdir()
    laptop = create_app(settings_for(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'laptop.sqlite3'}"))
    with inside(laptop):
        db.create_all()
        config = laptop.config
        sync(load_all(Path(config["COURSES_DIR"]), Path(config["QUIZZES_DIR"])), NOW)
        db.session.commit()
    return laptop
