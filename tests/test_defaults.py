"""One home per default: model, form, view and service start a training the same way."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import MISSING, fields
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

import lms
from lms.accounts.models import Role, User
from lms.dates import DEFAULT_ZONE
from lms.extensions import db
from lms.training_defaults import TRAINING, TrainingDefaults
from lms.trainings.forms import TrainingForm
from lms.trainings.models import Training
from lms.trainings.services import TrainingData, save_training

NAMES = [f.name for f in fields(TrainingDefaults)]
PACKAGE = Path(lms.__file__).parent
# Only dates.py names a zone or writes a date/time format (migrations live outside lms/).
ZONE_NAME = re.compile(r"""["'](Asia|Etc|UTC)/?[A-Za-z_]*["']""")
DATE_FORMAT = re.compile(r"\{[^{}]*:%[A-Za-z]|strftime\(|strptime\(")


def test_the_defaults_are_those_of_a_bimtek() -> None:
    assert (TRAINING.minutes_per_jp, TRAINING.min_attendance_percent) == (45, 80)
    assert TRAINING.time_zone == DEFAULT_ZONE == "Asia/Jakarta"
    assert TRAINING.present_list() == ["hadir", "terlambat"]
    assert TRAINING.present_list() is not TRAINING.present_list()


@pytest.mark.parametrize("name", NAMES)
def test_the_model_column_defaults_are_the_defaults(name: str) -> None:
    default = Training.__table__.c[name].default
    value = default.arg(None) if default.is_callable else default.arg
    assert value == _expected(name)


@pytest.mark.parametrize("name", NAMES)
def test_the_service_data_defaults_are_the_defaults(name: str) -> None:
    field = next(f for f in fields(TrainingData) if f.name == name)
    value = field.default if field.default is not MISSING else field.default_factory()  # type: ignore[misc]
    assert value == _expected(name)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "present_statuses"])
def test_the_form_starts_from_the_defaults(app: Flask, name: str) -> None:
    with app.test_request_context():
        form = TrainingForm(meta={"csrf": False})
        assert getattr(form, name).data == getattr(TRAINING, name)
        assert form.late_counts_present.data == ("terlambat" in TRAINING.present_statuses)


def test_a_training_saved_without_choices_has_the_defaults(make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMIN.value)
    data = TrainingData(title="Bimtek Baru", slug="bimtek-baru", start_date=date(2026, 8, 17),
                        end_date=date(2026, 8, 17))
    training = save_training(None, data, admin)
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(Training, training.id)
    assert {name: getattr(saved, name) for name in NAMES} == {n: _expected(n) for n in NAMES}


def _expected(name: str) -> object:
    value = getattr(TRAINING, name)
    return list(value) if isinstance(value, tuple) else value


def _sources() -> list[tuple[Path, str]]:
    return [(path, path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))
            if path.name != "dates.py" or path.parent != PACKAGE]


def test_only_dates_py_names_a_time_zone() -> None:
    found = [f"{path.relative_to(PACKAGE)}: {match.group()}" for path, text in _sources()
             for match in ZONE_NAME.finditer(text)]
    assert found == []


def test_only_dates_py_writes_a_date_or_time_format() -> None:
    found = [f"{path.relative_to(PACKAGE)}: {match.group()}" for path, text in _sources()
             for match in DATE_FORMAT.finditer(text)]
    assert found == []


def test_only_dates_py_converts_between_zones() -> None:
    found = [f"{path.relative_to(PACKAGE)}: ZoneInfo(" for path, text in _sources() if "ZoneInfo(" in text]
    assert found == []


def test_the_checks_notice_a_zone_and_a_format() -> None:
    text = 'zone = "Asia/Makassar"\nstamp = f"{now:%H.%M}"\nday = when.strftime("%d")\n'
    assert ast.parse(text)
    assert len(ZONE_NAME.findall(text)) == 1 and len(DATE_FORMAT.findall(text)) == 2
