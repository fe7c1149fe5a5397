"""Each 500 a fuzz run found, as a regression test: the input is refused with a 4xx or ignored."""

import pytest

from lms.attendance import services as attendance
from lms.extensions import db
from lms.forms import Form
from tests.conftest import create_training
from tests.formclasses import app_form_classes

HUGE = "9" * 40


@pytest.fixture
def admin(auth, make_user):
    user = make_user(role="admin")
    auth.login_as(user)
    return user


def test_every_form_class_inherits_the_base_form(app):
    found = app_form_classes()
    assert found and [c.__name__ for c in found if not issubclass(c, Form)] == []


@pytest.mark.parametrize("body", ["[]", '"s"', "12", '{"name": 12}', '{"name": ["a", "b"]}'])
def test_json_body_to_a_form_endpoint_is_a_400(client, admin, body):
    response = client.post("/admin/agencies", data=body, content_type="application/json")
    assert response.status_code == 400


def test_form_posted_as_a_form_still_works(client, admin):
    response = client.post("/admin/agencies", data={"name": "Dinas Sosial"})
    assert response.status_code == 302


def test_attendance_mark_with_a_huge_session_id_is_a_400(client, admin):
    training = create_training()
    attendance.generate_sessions(training, admin)
    db.session.commit()
    response = client.post(f"/trainings/{training.slug}/attendance/mark",
                           data={"session_id": HUGE, "user_id": "1", "status": "hadir"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", [HUGE, "9" * 5000, "-1", "١٢٣"])
def test_one_time_passwords_ignore_ids_beyond_range(client, admin, value):
    response = client.post("/admin/users/one-time-passwords", data={"user_ids": value, "confirm": "y"})
    assert response.status_code == 302  # back to the list with "Pilih minimal satu pengguna."


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31"])
def test_audit_filter_with_far_dates_is_ignored(client, admin, query):
    assert client.get(f"/admin/audit/?{query}").status_code == 200


def test_training_quota_beyond_an_integer_is_a_form_error(client, admin):
    training = create_training()
    page = client.get(f"/trainings/{training.slug}/edit").get_data(as_text=True)
    assert 'name="quota"' in page
    from tests.test_fuzz import PageParser

    parser = PageParser()
    parser.feed(page)
    method, action, fields = next(f for f in parser.forms if f[0] == "post" and "quota" in f[2])
    data = {name: spec.default for name, spec in fields.items() if spec.kind not in ("submit", "checkbox")}
    data.update(quota=HUGE, start_date="2026-08-17", end_date="2026-08-19", title="Bimtek Tes", slug=training.slug)
    response = client.post(f"/trainings/{training.slug}/edit", data=data)
    assert response.status_code == 200 and "Angka harus antara 1 dan 100000" in response.get_data(as_text=True)
