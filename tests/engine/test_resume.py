"""Re-opening an attempt shows the page the participant was on; every page is in the HTML for
attempt.js, the ones not shown hidden and disabled so the no-JavaScript form posts its own page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.quizzes import services
from lms.quizzes.definitions import load_quizzes
from lms.quizzes.models import Attempt, Response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "paging"


@pytest.fixture
def attempt(client, auth, make_user):
    definitions, errors, _ = load_quizzes(FIXTURES)
    assert errors == []
    services.sync_quizzes(definitions, services_now())
    db.session.commit()
    auth.login_as(make_user(role="admin"))
    response = client.post("/quizzes/uji-halaman/start")
    return db.session.get(Attempt, int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1)))


def services_now():
    from lms.db_types import utcnow
    return utcnow()


def shown_page(html):
    """Return the number of the page the HTML shows (the one fieldset not hidden)."""
    visible = [int(n) for n, rest in re.findall(r'<fieldset class="attempt-page" data-page="(\d+)"([^>]*)>', html)
               if "hidden" not in rest]
    assert len(visible) == 1, visible
    return visible[0]


def position(client, attempt, body):
    return client.post(f"/quizzes/attempts/{attempt.id}/position", json=body)


def test_a_new_attempt_opens_on_page_one_with_every_page_in_the_html(client, attempt):
    html = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert shown_page(html) == 1 and "Halaman 1 dari 3" in html
    assert html.count('class="attempt-page"') == 3 and html.count("fieldset class=\"card") == 12
    assert re.search(r'data-page="2" aria-label="Halaman 2" hidden disabled>', html)
    assert 'data-pages="3"' in html and f'data-attempt="{attempt.id}"' in html


def test_the_page_switched_to_in_the_browser_is_where_the_attempt_resumes(client, attempt):
    response = position(client, attempt, {"page": 3})
    assert response.status_code == 200 and response.get_json() == {"saved": True, "page": 3}
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).current_page == 3
    html = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert shown_page(html) == 3 and "Halaman 3 dari 3" in html and 'data-page="3" data-pages' in html
    assert shown_page(client.get(f"/quizzes/attempts/{attempt.id}?page=2").get_data(as_text=True)) == 2
    assert "Lanjutkan mengerjakan" in client.get("/quizzes/uji-halaman").get_data(as_text=True)


def test_a_stored_page_beyond_the_last_opens_the_last(client, attempt):
    assert position(client, attempt, {"page": 9}).status_code == 200
    assert shown_page(client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)) == 3


def test_the_no_javascript_form_remembers_the_page_it_goes_to(client, attempt):
    form = {"page": "1", "goto": "2", "q-1-shown": "1", "q-1-rev": "0", "q-1": "true"}
    response = client.post(f"/quizzes/attempts/{attempt.id}/page", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("page=2")
    html = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert shown_page(html) == 2
    saved = db.session.scalars(select(Response)).all()
    assert [(r.value, r.revision) for r in saved] == [("true", 1)]


@pytest.mark.parametrize("body", [{"page": 0}, {"page": "2"}, {"page": True}, {}, ["page"]])
def test_a_malformed_position_is_a_json_400_naming_the_field(client, attempt, body):
    response = position(client, attempt, body)
    assert response.status_code == 400 and "Nomor halaman (page)" in response.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).current_page == 1


def test_a_position_for_a_finished_attempt_is_refused(client, attempt):
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    response = position(client, attempt, {"page": 2})
    assert response.status_code == 409 and "sudah dikumpulkan" in response.get_json()["message"]
    assert response.get_json()["review"].endswith("/review")


def test_another_users_attempt_position_is_forbidden(client, auth, attempt, make_user):
    auth.logout()
    auth.login_as(make_user(email="lain@contoh.go.id"))
    response = position(client, attempt, {"page": 2})
    assert response.status_code == 403 and response.is_json
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).current_page == 1


def test_a_position_needs_a_login(client, auth, attempt):
    auth.logout()
    response = position(client, attempt, {"page": 2})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_opening_the_attempt_writes_nothing(client, attempt, watch_writes):
    position(client, attempt, {"page": 2})
    with watch_writes() as seen:
        html = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert seen.writes == [] and shown_page(html) == 2


def test_a_position_needs_the_pages_form_token(app, client, attempt):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = position(client, attempt, {"page": 2})
        html = client.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        accepted = client.post(f"/quizzes/attempts/{attempt.id}/position", json={"page": 2},
                               headers={"X-CSRFToken": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    assert accepted.status_code == 200
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).current_page == 2
