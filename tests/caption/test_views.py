"""The Cek Caption page and its JSON endpoint: login, CSRF, rate limit, odd input, escaping."""

import re
from html import unescape

import pytest

from lms.accounts.models import Role
from lms.caption.report import MAX_INPUT
from lms.caption.views import CHECK_LIMIT

BAD = "Kegiatan rakor dlm rangka sosialisasi. Warga bisa antri di kantor."


@pytest.fixture
def logged_in(client, auth, make_user):
    auth.login_as(make_user(Role.PARTICIPANT.value))
    return client


def test_anonymous_is_sent_to_login(client):
    page = client.get("/caption/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    answer = client.post("/caption/periksa.json", data={"text": BAD}, headers={"Accept": "application/json"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.TRAINER, Role.ADMIN])
def test_every_role_opens_the_page_from_the_menu(client, auth, make_user, role):
    auth.login_as(make_user(role.value))
    home = client.get("/").get_data(as_text=True)
    assert 'href="/caption/"' in home
    page = client.get("/caption/")
    assert page.status_code == 200 and "Tempelkan caption" in page.get_data(as_text=True)


def test_post_without_script_shows_findings_marked_and_linked(logged_in):
    page = logged_in.post("/caption/", data={"text": BAD, "platform": "instagram"})
    body = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert '"antri" tidak baku; tulis "antre"' in body
    assert re.search(r'<a class="cc-mark cc-ejaan" href="#cc-\d+"[^>]*>antri<sup>', body)
    assert ('href="/courses/caption-dan-interaksi-warganet/bahasa-jelas-dan-ejaan#kata-baku-yang-sering-tertukar"'
            in body)
    assert "Salah" in body and "Perlu dicek" in body


def test_json_endpoint_answers_findings_and_the_rendered_panel(logged_in):
    answer = logged_in.post("/caption/periksa.json", data={"text": BAD, "platform": "x", "prefix": "tugas-3"})
    data = answer.get_json()
    assert answer.status_code == 200 and data["platform"] == "x" and data["limit"] == 280
    ejaan = [f for f in data["findings"] if f["kind"] == "ejaan"]
    assert ejaan[0]["excerpt"] == "antri" and ejaan[0]["certainty"] == "salah"
    assert ejaan[0]["lesson"] == {"course": "caption-dan-interaksi-warganet", "lesson": "bahasa-jelas-dan-ejaan",
                                  "anchor": "kata-baku-yang-sering-tertukar", "title": "Kata baku yang sering tertukar"}
    assert 'id="tugas-3-1"' in data["html"] and f"{len(data['findings'])} temuan" in data["html"]


def test_a_clean_caption_says_so(logged_in):
    data = logged_in.post("/caption/periksa.json", data={"text": "Bawa buku KIA saat datang ke posyandu."}).get_json()
    assert data["findings"] == [] and "Tidak ada temuan" in data["html"]


def test_html_in_the_caption_is_escaped(logged_in):
    text = '<script>alert("x")</script> <img src=x onerror=alert(1)> antri'
    body = logged_in.post("/caption/", data={"text": text}).get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(" in body
    html = logged_in.post("/caption/periksa.json", data={"text": text}).get_json()["html"]
    assert "<script>" not in html and "<img" not in html and html.count("&lt;") == 3  # its words may be marked


@pytest.mark.parametrize("text", ["", "🙏" * 500, "مرحبا بكم في الدورة التدريبية", "\u202eterbalik\u202c antri",
                                  "\x01\x02 kontrol", "a" * MAX_INPUT])
def test_odd_input_never_breaks_the_page(logged_in, text):
    assert logged_in.post("/caption/", data={"text": text}).status_code == 200
    assert logged_in.post("/caption/periksa.json", data={"text": text}).status_code == 200


def test_a_nul_character_is_refused_as_everywhere(logged_in):
    answer = logged_in.post("/caption/periksa.json", data={"text": "a\x00b"})
    assert answer.status_code == 400 and "NUL" in answer.get_json()["message"]


def test_a_text_past_the_limit_is_refused_with_a_message_and_kept(logged_in):
    text = "antri " * 20_000  # 120 KB
    page = logged_in.post("/caption/", data={"text": text})
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and f"Paling banyak {MAX_INPUT} karakter." in body
    assert "antri antri antri" in body  # still in the text box
    answer = logged_in.post("/caption/periksa.json", data={"text": text})
    assert answer.status_code == 422 and f"Paling banyak {MAX_INPUT} karakter." in answer.get_json()["message"]


def test_an_unknown_platform_is_refused(logged_in):
    answer = logged_in.post("/caption/periksa.json", data={"text": "antri", "platform": "friendster"})
    assert answer.status_code == 422 and "Pilihan tidak tersedia." in answer.get_json()["message"]


def test_a_json_body_is_refused_not_a_server_error(logged_in):
    answer = logged_in.post("/caption/periksa.json", json={"text": "antri"})
    assert answer.status_code == 400


def test_csrf_is_required_and_the_panel_carries_the_token(app, logged_in, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = logged_in.post("/caption/periksa.json", data={"text": "antri"}, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    assert logged_in.post("/caption/", data={"text": "antri"}).status_code == 400
    page = logged_in.get("/caption/").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    answer = logged_in.post("/caption/periksa.json", data={"text": "antri"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.get_json()["findings"][0]["excerpt"] == "antri"


def test_checks_are_rate_limited_per_account(logged_in, client, auth, make_user):
    allowed = int(CHECK_LIMIT.split()[0])
    for number in range(allowed):
        path = "/caption/" if number % 2 else "/caption/periksa.json"  # one allowance for both
        assert logged_in.post(path, data={"text": "antri"}).status_code == 200
    limited = logged_in.post("/caption/periksa.json", data={"text": "antri"})
    assert limited.status_code == 429 and "Terlalu banyak" in limited.get_json()["message"]
    assert logged_in.post("/caption/", data={"text": "antri"}).status_code == 429
    assert logged_in.get("/caption/").status_code == 200  # reading the page is not counted
    auth.logout()
    auth.login_as(make_user(Role.PARTICIPANT.value))
    assert client.post("/caption/periksa.json", data={"text": "antri"}).status_code == 200


def test_the_caption_lessons_link_to_the_checker(client, auth, make_user, app):
    from lms.catalog import load_all, sync
    from lms.db_types import utcnow
    from lms.extensions import db

    loaded = load_all(app.config["COURSES_DIR"], app.config["QUIZZES_DIR"])
    sync(loaded, utcnow())
    db.session.commit()
    auth.login_as(make_user(Role.ADMIN.value))
    for lesson in ("unsur-wajib-unggahan-kegiatan", "bahasa-jelas-dan-ejaan"):
        body = client.get(f"/courses/caption-dan-interaksi-warganet/{lesson}").get_data(as_text=True)
        assert re.search(r'<a href="/caption/"[^>]*>Cek Caption</a>', body), lesson
