from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.identity import normalize_nip
from lms.accounts.models import Agency, Institution, User
from lms.extensions import db


def test_user_create_with_password_stdin(runner, client):
    result = runner.invoke(args=["user", "create", "--email", "Admin@Contoh.go.id", "--name", "Admin Satu",
                                 "--role", "admin", "--password-stdin"], input="sandi-kantor-kuat\n")
    assert result.exit_code == 0, result.output
    assert "Pengguna dibuat: admin@contoh.go.id (admin)" in result.output
    response = client.post("/login", data={"identifier": "admin@contoh.go.id", "password": "sandi-kantor-kuat"})
    assert response.status_code == 302


def test_user_create_refuses_bad_input(runner):
    result = runner.invoke(args=["user", "create", "--nip", "1,98501E+17", "--name", "X", "--password-stdin"],
                           input="sandi-yang-kuat\n")
    assert result.exit_code != 0 and "angka ilmiah" in result.output
    result = runner.invoke(args=["user", "create", "--email", "a@contoh.go.id", "--name", "X",
                                 "--password-stdin"], input="pendek\n")
    assert result.exit_code != 0 and "minimal 8 karakter" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_set_password_rescues_and_ends_sessions(runner, make_user, client, auth):
    user = make_user(nip="198503142010011001", email="")
    auth.login_as(user)
    result = runner.invoke(args=["user", "set-password", "198503142010011001", "--password-stdin"],
                           input="sandi-baru-sekali\n")
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302
    assert auth.login("198503142010011001", "sandi-baru-sekali").status_code == 302


def test_set_password_unknown_user(runner):
    result = runner.invoke(args=["user", "set-password", "tidak@ada.go.id", "--password-stdin"], input="x\n")
    assert result.exit_code != 0 and "tidak ditemukan" in result.output


def test_demo_fills_an_empty_database_once(app, runner):
    result = runner.invoke(args=["demo", "--participants", "12", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "admin@diskominfo.contoh.go.id" in result.output
    institution = db.session.scalars(select(Institution)).one()
    assert institution.name == "Dinas Komunikasi dan Informatika Kabupaten Contoh"
    agencies = db.session.scalars(select(Agency.name)).all()
    assert len(agencies) >= 10 and "Dinas Kesehatan Kabupaten Contoh" in agencies
    participants = db.session.scalars(select(User).where(User.role == "participant")).all()
    assert len(participants) == 12 and len({p.agency_id for p in participants}) >= 10
    assert all(normalize_nip(p.nip) == p.nip for p in participants)
    assert db.session.scalar(select(func.count(User.id)).where(User.role == "trainer")) == 2
    logins = (Path(app.instance_path) / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
    assert len(logins) == 1 + 1 + 2 + 12
    role, name, login, password = logins[1].split("\t")
    assert role == "admin" and password in result.output
    client = app.test_client()
    assert client.post("/login", data={"identifier": login, "password": password}).status_code == 302
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "sudah berisi pengguna" in again.output
    quiet = runner.invoke(args=["demo", "--if-empty"])
    assert quiet.exit_code == 0 and f"Login admin demo: {login}  kata sandi: {password}" in quiet.output


def test_user_list(runner, make_user):
    make_user(role="trainer", full_name="Narasumber Satu")
    result = runner.invoke(args=["user", "list", "--role", "trainer"])
    assert "trainer\tpengguna" in result.output and "Narasumber Satu" in result.output
