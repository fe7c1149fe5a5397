"""The institution row: reads get its defaults without writing, the first write creates it."""

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import Institution
from lms.extensions import db


def rows() -> int:
    return db.session.scalar(select(func.count(Institution.id)))


def test_reading_before_set_up_gives_the_defaults_and_writes_nothing(app):
    blank = services.current_institution()
    assert (blank.id, blank.name, blank.city, blank.time_zone) == (None, "Dinas Komunikasi dan Informatika", "",
                                                                   "Asia/Jakarta")
    assert blank.certificate_pattern == "{seq:03d}/BIMTEK/DISKOMINFO/{month_roman}/{year}"
    assert (blank.verify_show_score, blank.head_name, blank.logo) == (False, "", None)
    assert blank not in db.session and not db.session.new
    db.session.commit()
    assert rows() == 0 and services.find_institution() is None


def test_the_first_write_creates_the_row_once(app):
    created = services.ensure_institution()
    assert created.id is not None and services.ensure_institution() is created
    db.session.commit()
    assert rows() == 1 and services.current_institution().id == created.id
    saved = db.session.scalars(select(Institution)).one()
    assert (saved.name, saved.time_zone, saved.verify_show_score) == ("Dinas Komunikasi dan Informatika",
                                                                      "Asia/Jakarta", False)
