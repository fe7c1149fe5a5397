"""Common and guessable passwords are refused at every password change, saying why in Indonesian."""

from __future__ import annotations

import pytest

from lms.accounts import passwords
from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD

PERSON = ["Budi Santoso, S.Kom.", "198503142010011001", "budi.santoso@contoh.go.id", "budi.santoso",
          "081234567890", "Dinas Komunikasi dan Informatika", "Kota Contoh"]


@pytest.mark.parametrize(("password", "reason"), [
    ("pendek", passwords.TOO_SHORT),
    ("12345678", passwords.COMMON),
    ("password123", passwords.COMMON),
    ("qwertyuiop", passwords.COMMON),
    ("rahasia123", passwords.COMMON),
    ("Indonesia1945", passwords.COMMON),
    ("abcabcabc", passwords.REPEAT),
    ("zzzzzzzzzz", passwords.REPEAT),
    ("17081945", passwords.DATE),
    ("198503142010011001", passwords.PERSONAL),
    ("budi.santoso@contoh", passwords.PERSONAL),
    ("santoso1985", passwords.PERSONAL),
    ("081234567890", passwords.PERSONAL),
    ("diskominfo2024", passwords.PERSONAL),
    ("bimtek2025!", passwords.PERSONAL),
])
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    problem = passwords.password_problem(password, PERSON)
    assert problem is not None and problem.startswith(reason)


@pytest.mark.parametrize("password", [PASSWORD, "kopi-pagi-di-aula", "sandi-baru-yang-kuat", "Lumbung padi 7 desa",
                                      "x" * 20 + "Tj8#qL"])
def test_strong_passwords_pass(password):
    assert passwords.password_problem(password, PERSON) is None


def test_a_long_password_is_judged_by_its_first_72_characters():
    assert passwords.password_problem("Lumbung padi 7 desa " * 10, PERSON) is None
    assert passwords.password_problem("a" * 200, PERSON).startswith(passwords.REPEAT)


def change(client, new: str, current: str = PASSWORD):
    return client.post("/account/password", data={"current_password": current, "password": new, "confirm": new})


def test_own_change_refuses_common_and_personal_passwords(client, auth, make_user):
    user = make_user(full_name="Sari Wulandari", nip="198503142010011001", email="sari@contoh.go.id")
    auth.login_as(user)
    for weak, reason in (("12345678", "Kata sandi ini termasuk yang paling sering dipakai"),
                         ("abcabcabc", "Pola berulang seperti &#34;abcabc&#34;"),
                         ("wulandari85", "Jangan memakai nama, NIP")):
        response = change(client, weak)
        assert response.status_code == 200 and reason in response.get_data(as_text=True), weak
    assert change(client, "kopi-pagi-di-aula").status_code == 302


def test_forced_change_after_a_one_time_password_refuses_weak_ones(client, auth, make_user):
    user = make_user()
    user.must_change_password = True
    db.session.commit()
    auth.login_as(user)
    page = change(client, "password123").get_data(as_text=True)
    assert "paling sering dipakai" in page
    assert db.session.get(User, user.id).must_change_password is True
    assert change(client, "kopi-pagi-di-aula").status_code == 302
    assert db.session.get(User, user.id).must_change_password is False


def test_cli_set_password_refuses_a_common_one(runner, make_user):
    make_user(email="admin@contoh.go.id", role="admin")
    result = runner.invoke(args=["user", "set-password", "admin@contoh.go.id", "--password-stdin"],
                           input="12345678\n")
    assert result.exit_code != 0 and "paling sering dipakai" in result.output
