"""Ids beyond what the database holds are 404; NUL characters anywhere are a 400 that names where."""

import pytest
from werkzeug.exceptions import NotFound

from lms.accounts.models import Agency
from lms.extensions import db
from lms.routing import MAX_ID, bounded_int, bounded_ints

HUGE = ["2147483648", "9223372036854775808", "9" * 40]


@pytest.fixture
def admin(auth, make_user):
    user = make_user(role="admin")
    auth.login_as(user)
    return user


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("path", [
    "/admin/users/{n}/edit", "/admin/agencies/{n}/edit", "/certificates/{n}.pdf",
    "/quizzes/attempts/{n}", "/attendance/sessions/{n}/live.json", "/c/{n}/token",
])
def test_ids_beyond_an_integer_column_are_404(client, admin, path, number):
    assert client.get(path.format(n=number)).status_code == 404


def test_largest_integer_id_is_still_routed(client, admin):
    assert client.get(f"/admin/users/{MAX_ID}/edit").status_code == 404  # routed, no such row


QUERIES = ["/admin/users?opd={n}", "/admin/users?page={n}", "/admin/users?id={n}", "/admin/audit/?actor={n}",
           "/admin/audit/?page={n}", "/attendance/records/history?session={n}&user=1"]


@pytest.mark.parametrize("number", HUGE + ["-" + HUGE[2], "9" * 5000])
@pytest.mark.parametrize("path", QUERIES)
def test_integer_query_parameters_beyond_range_are_404(client, admin, path, number):
    assert client.get(path.format(n=number)).status_code == 404


@pytest.mark.parametrize("path", QUERIES[:5])
def test_integer_query_parameters_that_are_no_number_are_ignored(client, admin, path):
    assert client.get(path.format(n="x")).status_code == 200


@pytest.mark.parametrize("value, expected", [("0", 0), ("-5", -5), (" 7 ", 7), (str(MAX_ID), MAX_ID)])
def test_bounded_int_parses_within_range(value, expected):
    assert bounded_int(value) == expected


@pytest.mark.parametrize("value", [str(MAX_ID + 1), str(-MAX_ID - 1), "9" * 5000])
def test_bounded_int_beyond_range_is_not_found(value):
    with pytest.raises(NotFound):
        bounded_int(value)


@pytest.mark.parametrize("value", ["1e3", "", "x"])
def test_bounded_int_refuses_what_is_no_integer(value):
    with pytest.raises(ValueError):
        bounded_int(value)


def test_bounded_ints_keeps_only_usable_ids():
    assert bounded_ints(["3", "x", str(MAX_ID + 1), "9" * 5000, " 4"]) == [3, 4]


def test_nul_in_a_search_is_a_400_that_names_the_parameter(client, admin):
    response = client.get("/admin/users?q=Budi%00")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Isian tidak boleh berisi karakter NUL (pada parameter &#34;q&#34;)." in page


def test_nul_in_a_form_field_is_a_400_and_nothing_is_saved(client, admin):
    response = client.post("/admin/agencies", data={"name": "Dinas\x00Sosial"})
    assert response.status_code == 400
    assert "karakter NUL (pada kolom &#34;name&#34;)" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Agency)).all() == []


def test_nul_in_the_login_form_and_the_path(client):
    response = client.post("/login", data={"identifier": "admin\x00", "password": "x"})
    assert response.status_code == 400 and "karakter NUL" in response.get_data(as_text=True)
    response = client.get("/verify/ABCD%00EFGH")
    assert response.status_code == 400 and "alamat halaman" in response.get_data(as_text=True)
    response = client.get("/verify?code=AB%00")
    assert response.status_code == 400


def test_nul_in_json_is_a_json_400_naming_the_key(client, admin):
    response = client.post("/quizzes/attempts/1/answers", json={"question": "q", "value": {"a": ["x\x00"]}})
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request",
                                   "message": "Isian tidak boleh berisi karakter NUL (pada JSON.value.a[0])."}


def test_nul_in_an_upload_file_name(client, admin):
    import io

    response = client.post("/admin/import", data={"file": (io.BytesIO(b"nama,opd\n"), "a\x00.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "nama berkas" in response.get_data(as_text=True)
