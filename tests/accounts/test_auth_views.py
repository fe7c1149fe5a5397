"""Login, sessions and passwords through the test client."""

import time

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD


def test_login_page_is_indonesian(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Masuk ke LMS Bimtek" in page and "NIP atau surel" in page and 'lang="id"' in page


def test_login_with_email_or_nip(client, auth, make_user):
    user = make_user(nip="198503142010011001", email="budi@contoh.go.id")
    response = auth.login("BUDI@contoh.go.id")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    auth.logout()
    response = auth.login("19850314 201001 1 001")
    assert response.status_code == 302
    assert "Selamat datang, " + user.full_name in client.get("/").get_data(as_text=True)
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth, make_user):
    make_user(email="budi@contoh.go.id")
    for login, password in (("budi@contoh.go.id", "salah-sandi"), ("tidakada@contoh.go.id", PASSWORD)):
        page = auth.login(login, password).get_data(as_text=True)
        assert "NIP/surel atau kata sandi salah." in page
    assert client.get("/").status_code == 302


def test_deactivated_account_is_told_so(auth, make_user):
    user = make_user(email="nonaktif@contoh.go.id")
    user.active = False
    db.session.commit()
    page = auth.login("nonaktif@contoh.go.id").get_data(as_text=True)
    assert "Akun Anda dinonaktifkan" in page


def test_user_without_password_cannot_log_in(auth, make_user):
    make_user(email="baru@contoh.go.id", password=None)
    page = auth.login("baru@contoh.go.id", "apa-saja-123")
    assert page.status_code == 200 and "kata sandi salah" in page.get_data(as_text=True)


def test_next_parameter_is_kept_only_when_local(client, make_user):
    make_user(email="budi@contoh.go.id")
    form = {"identifier": "budi@contoh.go.id", "password": PASSWORD}
    response = client.post("/login?next=/account", data=form)
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    response = client.post("/login?next=https://jahat.example/", data=form)
    assert response.headers["Location"] == "/"


def test_anonymous_page_visit_redirects_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")


def test_logout_needs_post_and_ends_session(client, auth, make_user):
    auth.login_as(make_user())
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_address_rate_limit(app, client, auth, make_user):
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "3 per minute"
    try:
        for n in range(3):
            auth.login(f"orang{n}@contoh.go.id", "salah-sandi")
        assert auth.login("lain@contoh.go.id", "salah-sandi").status_code == 429
    finally:
        app.config["RATELIMIT_LOGIN_ADDRESS"] = "300 per 15 minutes"


def test_password_change_ends_other_sessions(app, client, auth, make_user):
    user = make_user(email="budi@contoh.go.id")
    other_device = app.test_client()
    other_device.post("/login", data={"identifier": "budi@contoh.go.id", "password": PASSWORD})
    auth.login_as(user)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "sandi-baru-yang-kuat", "confirm": "sandi-baru-yang-kuat"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session lives on
    assert other_device.get("/").status_code == 302  # the other one has ended
    assert auth.logout().status_code == 302
    assert auth.login("budi@contoh.go.id", "sandi-baru-yang-kuat").status_code == 302


def test_password_change_errors(client, auth, make_user):
    user = make_user(nip="198503142010011001", email="")
    auth.login_as(user)
    cases = [
        ({"current_password": "salah", "password": "sandi-baru-123", "confirm": "sandi-baru-123"},
         "Kata sandi saat ini salah."),
        ({"current_password": PASSWORD, "password": "pendek", "confirm": "pendek"}, "minimal 8 karakter"),
        ({"current_password": PASSWORD, "password": "198503142010011001",
          "confirm": "198503142010011001"}, "Jangan memakai nama, NIP"),
        ({"current_password": PASSWORD, "password": "sandi-baru-123", "confirm": "lain-lagi-123"},
         "tidak sama"),
    ]
    for form, message in cases:
        page = client.post("/account/password", data=form).get_data(as_text=True)
        assert message in page


def test_deactivation_ends_sessions(client, auth, make_user):
    user = make_user()
    auth.login_as(user)
    user.active = False
    user.session_version += 1
    db.session.commit()
    assert client.get("/").status_code == 302


def test_one_time_password_must_be_changed_first(client, auth, make_user):
    user = make_user()
    user.must_change_password = True
    db.session.commit()
    auth.login_as(user)
    response = client.get("/account")
    # The forced detour keeps where the person was going, and returns there afterwards.
    assert response.status_code == 302 and response.headers["Location"] == "/account/password?next=/account"
    assert "kata sandi sekali pakai" in client.get("/account/password").get_data(as_text=True)
    done = client.post("/account/password?next=/account", data={
        "current_password": PASSWORD, "password": "sandi-baru-123", "confirm": "sandi-baru-123"})
    assert done.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert db.session.get(User, user.id).must_change_password is False


def test_idle_timeout(app, client, auth, make_user):
    auth.login_as(make_user())
    with client.session_transaction() as session:
        session["seen"] = time.time() - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Sesi Anda telah berakhir" in client.get("/login").get_data(as_text=True)


def test_absolute_timeout(app, client, auth, make_user):
    auth.login_as(make_user())
    with client.session_transaction() as session:
        session["started"] = time.time() - app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - 5
    assert client.get("/").status_code == 302


def test_session_cookie_flags(client, auth, make_user):
    response = auth.login_as(make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    https = client.post("/login", base_url="https://lms.contoh.go.id",
                        data={"identifier": "x@contoh.go.id", "password": "x"})
    assert https.status_code == 200


def test_secure_cookie_over_https(app, make_user):
    user = make_user()
    client = app.test_client()
    response = client.post("/login", base_url="https://lms.contoh.go.id",
                           data={"identifier": user.login_name, "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_csrf_is_enforced(app, client, make_user):
    make_user(email="budi@contoh.go.id")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"identifier": "budi@contoh.go.id", "password": PASSWORD})
        assert response.status_code == 400
        assert "Formulir kedaluwarsa atau tidak sah" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _one_time_login(app, make_user):
    """Return a user given a one-time password, and a fresh browser logged in with it."""
    from lms.accounts.services import issue_one_time_passwords

    user = make_user(email="ani@contoh.go.id")
    admin = make_user(role="admin")
    (_, password), = issue_one_time_passwords([user], admin)
    db.session.commit()
    browser = app.test_client()
    response = browser.post("/login", data={"identifier": "ani@contoh.go.id", "password": password})
    assert response.status_code == 302
    return user, password, browser


def test_after_a_one_time_login_the_change_does_not_ask_for_it_again(app, make_user):
    user, password, browser = _one_time_login(app, make_user)
    page = browser.get("/account/password").get_data(as_text=True)
    assert "Kata sandi saat ini" not in page and "tidak perlu diisi lagi" in page
    same = browser.post("/account/password", data={"password": password, "confirm": password})
    assert "Kata sandi baru harus berbeda dari kata sandi sekali pakai." in same.get_data(as_text=True)
    done = browser.post("/account/password?next=/account",
                        data={"password": "kopi-pagi-di-aula", "confirm": "kopi-pagi-di-aula"})
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert db.session.get(User, user.id).must_change_password is False
    # Once replaced, the form asks for the (now own) current password again.
    assert "Kata sandi saat ini" in browser.get("/account/password").get_data(as_text=True)
    again = app.test_client().post("/login", data={"identifier": "ani@contoh.go.id",
                                                   "password": "kopi-pagi-di-aula"})
    assert again.status_code == 302


def test_another_session_cannot_skip_the_one_time_password(app, make_user):
    user, password, browser = _one_time_login(app, make_user)
    other = app.test_client()
    assert other.post("/login", data={"identifier": "ani@contoh.go.id", "password": password}).status_code == 302
    with browser.session_transaction() as first:
        first_sid = first["sid"]
    with other.session_transaction() as second:
        second.pop("one_time_login")  # a cookie without the mark of this login
    refused = other.post("/account/password", data={"password": "kopi-pagi-di-aula", "confirm": "kopi-pagi-di-aula"})
    assert refused.status_code == 200 and "Kata sandi saat ini" in refused.get_data(as_text=True)
    with other.session_transaction() as second:
        second["one_time_login"] = first_sid  # the mark of another browser's login
    refused = other.post("/account/password", data={"password": "kopi-pagi-di-aula", "confirm": "kopi-pagi-di-aula"})
    assert "Wajib diisi." in refused.get_data(as_text=True)
    assert db.session.get(User, user.id).must_change_password is True
