"""The confirm page (lms/confirm.py) without JavaScript: it asks, changes nothing, and re-posts once confirmed."""

import re

from sqlalchemy import select

from lms.extensions import db
from lms.trainings.models import Enrollment
from tests.conftest import create_training


def text(response):
    return response.get_data(as_text=True)


def hidden_fields(page):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def enrolled(training):
    return list(db.session.scalars(select(Enrollment.user_id).where(Enrollment.training_id == training.id)))


def setup(auth, make_user, role="admin"):
    staff = make_user(role=role, email="penyelenggara@contoh.go.id")
    person = make_user(full_name="Ani Peserta")
    training = create_training("bimtek-spbe", users=(person,), trainers=(staff,) if role == "trainer" else ())
    auth.login_as(staff)
    return training, person


def test_an_unconfirmed_post_renders_the_confirm_page_and_changes_nothing(client, auth, make_user):
    training, person = setup(auth, make_user)
    url = f"/trainings/bimtek-spbe/participants/{person.id}/remove?dari=daftar"
    page = text(client.post(url, data={"catatan": "pindah kelas"}))
    assert "Keluarkan Ani Peserta dari Bimtek Tes?" in page
    assert "Ia tidak lagi tercantum sebagai peserta" in page
    assert "Ya, lanjutkan" in page and 'href="/trainings/bimtek-spbe/participants">Batal</a>' in page
    assert f'action="{url}"' in page  # the same address, query string included
    assert {k: v for k, v in hidden_fields(page).items() if k != "csrf_token"} == {"catatan": "pindah kelas",
                                                                                "confirmed": "1"}
    assert enrolled(training) == [person.id]
    # "Ya, lanjutkan" posts exactly those fields: now the action is done.
    fields = {k: v for k, v in hidden_fields(page).items() if k != "csrf_token"}
    done = client.post(url, data=fields)
    assert done.status_code == 302 and enrolled(training) == []


def test_the_confirm_page_checks_the_first_posts_token_and_carries_a_fresh_one(app, client, auth, make_user):
    training, person = setup(auth, make_user)
    url = f"/trainings/bimtek-spbe/participants/{person.id}/remove"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url).status_code == 400  # a forged post never reaches a "Ya" button
        participants = text(client.get("/trainings/bimtek-spbe/participants"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', participants)[1]
        page = text(client.post(url, data={"csrf_token": token}))
        fresh = hidden_fields(page)["csrf_token"]
        assert fresh and "Ya, lanjutkan" in page and enrolled(training) == [person.id]
        assert client.post(url, data={"csrf_token": fresh, "confirmed": "1"}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert enrolled(training) == []


def test_a_json_post_without_confirmation_gets_409(client, auth, make_user):
    training, person = setup(auth, make_user)
    response = client.post(f"/trainings/bimtek-spbe/participants/{person.id}/remove", data={"x": "1"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 409 and response.get_json()["error"] == "confirmation_required"
    assert enrolled(training) == [person.id]


def test_no_confirm_page_for_a_trainer_of_another_training(client, auth, make_user):
    """The question names the participant: the ownership check comes before it."""
    setup(auth, make_user, role="trainer")
    other = make_user(full_name="Citra Rahasia")
    create_training("bimtek-lain", users=(other,))
    response = client.post(f"/trainings/bimtek-lain/participants/{other.id}/remove")
    assert response.status_code in (403, 404) and "Citra Rahasia" not in text(response)


def test_confirm_dialog_script_is_loaded_and_forms_carry_the_question(client, auth, make_user):
    training, person = setup(auth, make_user)
    page = text(client.get("/trainings/bimtek-spbe/participants"))
    assert re.search(r'<script src="/assets/lms/[0-9a-f]+/confirm.js"></script>', page)
    assert 'data-confirm="Keluarkan Ani Peserta dari Bimtek Tes?"' in page
    response = client.get("/static/confirm.js")
    script = text(response)
    response.close()
    assert 'mark.name = "confirmed"' in script and "showModal" in script
