"""The typed check-in code limit holds per account, whatever the participant does to the session."""

from lms.attendance.views import checkin_limit_key
from tests.conftest import PASSWORD


def test_password_change_does_not_reset_the_code_limit(client, auth, make_user):
    user = make_user()
    auth.login_as(user)
    for _ in range(10):
        assert client.post("/checkin", data={"code": "000000"}).status_code == 200
    assert client.post("/checkin", data={"code": "000000"}).status_code == 429
    changed = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "kopi-pagi-di-aula", "confirm": "kopi-pagi-di-aula"})
    assert changed.status_code == 302 and client.get("/").status_code == 200
    response = client.post("/checkin", data={"code": "000000"})
    assert response.status_code == 429 and "Terlalu banyak" in response.get_data(as_text=True)


def test_code_limit_key_is_a_keyed_hash_of_the_account(app, make_user):
    user = make_user()
    kind, _, digest = checkin_limit_key(user.id).partition(":")
    assert kind == "checkin" and len(digest) == 32 and int(digest, 16) >= 0
    assert checkin_limit_key(user.id) == f"checkin:{digest}" != checkin_limit_key(user.id + 1)
