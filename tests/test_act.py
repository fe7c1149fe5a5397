"""The one way views act: lms.forms.act commits or rolls back and tells the user."""

from flask import get_flashed_messages
from sqlalchemy import select
from wtforms import StringField

from lms.accounts.models import Agency
from lms.accounts.services import ensure_institution
from lms.errors import LmsError
from lms.extensions import db
from lms.forms import Form, act


class NameForm(Form):
    name = StringField("Nama")


def _add(name: str) -> Agency:
    agency = Agency(institution_id=ensure_institution().id, name=name, name_key=name.lower())
    db.session.add(agency)
    db.session.flush()
    return agency


def names() -> list[str]:
    db.session.expire_all()
    return [a.name for a in db.session.scalars(select(Agency).where(Agency.name.like("Dinas Uji%")))]


def test_success_commits_and_flashes_with_the_result(app):
    with app.test_request_context("/"):
        outcome = act(lambda: _add("Dinas Uji Satu"), success=lambda a: f"{a.name} ditambahkan.")
        assert outcome.ok and outcome.value.name == "Dinas Uji Satu" and outcome.error is None
        assert get_flashed_messages(with_categories=True) == [("success", "Dinas Uji Satu ditambahkan.")]
        db.session.rollback()  # nothing left to undo: the helper committed
    assert names() == ["Dinas Uji Satu"]


def test_domain_error_rolls_back_and_lands_on_the_named_field(app):
    def fails() -> Agency:
        _add("Dinas Uji Dua")
        raise LmsError("Nama sudah dipakai.", field="name")

    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = NameForm(meta={"csrf": False})
        outcome = act(fails, form=form, success="tidak terlihat")
        assert not outcome.ok and outcome.value is None and outcome.error.message == "Nama sudah dipakai."
        assert form.name.errors == ["Nama sudah dipakai."]
        assert get_flashed_messages() == []
    assert names() == []


def test_error_naming_no_field_is_flashed_in_the_chosen_category(app):
    def fails() -> None:
        raise LmsError("Sedang diproses.")

    with app.test_request_context("/"):
        outcome = act(fails, error_category="warning")
        assert not outcome.ok
        assert get_flashed_messages(with_categories=True) == [("warning", "Sedang diproses.")]


def test_error_without_a_category_is_only_returned(app):
    def fails() -> Agency:
        _add("Dinas Uji Tiga")
        raise LmsError("Peserta tidak terdaftar.", field="name")

    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = NameForm(meta={"csrf": False})
        outcome = act(fails, form=form, error_category=None)
        assert outcome.error.message == "Peserta tidak terdaftar." and form.name.errors == ()
        assert get_flashed_messages() == []
    assert names() == []
