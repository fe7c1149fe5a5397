"""The reader and the progress report through the test client."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.courses import services
from lms.courses.content import load_courses
from lms.courses.models import LessonProgress
from lms.db_types import utcnow
from lms.extensions import db
from tests.conftest import create_training

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"


@pytest.fixture
def course(app):
    courses, errors = load_courses(FIXTURES)
    assert errors == []
    services.sync_courses(courses, utcnow())
    db.session.commit()
    original = app.config["COURSES_DIR"]
    app.config["COURSES_DIR"] = FIXTURES
    yield services.get_course("kursus-baik")
    app.config["COURSES_DIR"] = original


@pytest.fixture
def participant(auth, make_user, course):
    user = make_user(full_name="Peserta Baca")
    create_training(courses=(course,), users=(user,))
    auth.login_as(user)
    return user


def test_participant_reads_only_courses_of_their_trainings(client, auth, make_user, course):
    auth.login_as(make_user())
    assert "Belum ada modul" in client.get("/courses/").get_data(as_text=True)
    assert client.get("/courses/kursus-baik").status_code == 404
    assert client.get("/courses/kursus-baik/pembuka").status_code == 404


def test_my_modules_lists_courses_with_progress(client, course, participant):
    page = client.get("/courses/").get_data(as_text=True)
    assert "Modul Saya" in page and "Kursus Uji" in page and "0 dari 2 pelajaran selesai" in page


def test_course_page_and_resume(client, course, participant):
    page = client.get("/courses/kursus-baik").get_data(as_text=True)
    assert "Mulai: Pembuka" in page and "± 7 menit" in page and "2 JP" in page
    lesson = client.get("/courses/kursus-baik/lanjut").get_data(as_text=True)
    assert 'action="/courses/kursus-baik/lanjut/viewed" data-viewed' in lesson and "lesson.js" in lesson
    assert "Mulai: Pembuka" in client.get("/courses/kursus-baik").get_data(as_text=True)  # a GET records nothing
    assert client.post("/courses/kursus-baik/lanjut/viewed").status_code == 204  # what lesson.js posts
    page = client.get("/courses/kursus-baik").get_data(as_text=True)
    assert "Lanjutkan: Lanjutan" in page
    assert client.post("/courses/kursus-baik/tidak-ada/viewed").status_code == 404


def test_lesson_page_renders_links_and_asset(client, course, participant):
    page = client.get("/courses/kursus-baik/pembuka").get_data(as_text=True)
    assert "Pelajaran 1 dari 2" in page and "± 3 menit baca" in page
    assert 'href="lanjut#bagian"' in page and 'src="assets/contoh.png"' in page
    asset = client.get("/courses/kursus-baik/assets/contoh.png")
    assert asset.status_code == 200 and asset.mimetype == "image/png"
    asset.close()
    assert client.get("/courses/kursus-baik/assets/../course.toml").status_code == 404
    assert client.get("/courses/kursus-baik/tidak-ada").status_code == 404


def test_mark_done_moves_on_and_completes_the_course(client, course, participant):
    response = client.post("/courses/kursus-baik/pembuka/complete", data={"done": "1"})
    assert response.headers["Location"] == "/courses/kursus-baik/lanjut"
    assert "1 dari 2 pelajaran selesai (50%)" in client.get("/courses/kursus-baik").get_data(as_text=True)
    response = client.post("/courses/kursus-baik/lanjut/complete", data={"done": "1"}, follow_redirects=True)
    assert "semua pelajaran modul ini sudah selesai" in response.get_data(as_text=True)
    assert "Selesai" in client.get("/courses/").get_data(as_text=True)
    client.post("/courses/kursus-baik/lanjut/complete", data={"done": "0"})
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == participant.id)).all()
    assert sorted(bool(r.completed_at) for r in rows) == [False, True]


def test_marking_done_twice_keeps_one_row(client, course, participant):
    client.post("/courses/kursus-baik/pembuka/complete", data={"done": "1"})
    client.post("/courses/kursus-baik/pembuka/complete", data={"done": "1"})
    assert len(db.session.scalars(select(LessonProgress)).all()) == 1


def test_participant_cannot_see_progress_report(client, course, participant):
    assert client.get("/courses/kursus-baik/progress").status_code == 403


def seed_progress(make_user, course, count):
    lessons = services.current_lessons(course)
    users = [make_user(full_name=f"Peserta {n:03d}") for n in range(count)]
    for n, user in enumerate(users):
        for lesson in lessons[: n % 3]:
            db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id,
                                          completed_at=utcnow(), last_viewed_at=utcnow()))
    db.session.commit()
    return users


def test_progress_report_shows_each_participant(client, auth, make_user, course):
    users = seed_progress(make_user, course, 4)
    trainer = make_user(role="trainer")
    create_training(courses=(course,), users=tuple(users), trainers=(trainer,))
    make_user(full_name="Peserta Lain Kegiatan")
    auth.login_as(trainer)
    page = client.get("/courses/kursus-baik/progress").get_data(as_text=True)
    assert "Peserta 000" in page and "Peserta 003" in page and "2/2" in page and "1/2" in page
    assert "Peserta Lain Kegiatan" not in page


def test_progress_report_query_count_does_not_grow(app, client, auth, make_user, course, count_queries):
    app.config["PAGE_SIZE"] = 500
    try:
        seed_progress(make_user, course, 10)
        auth.login_as(make_user(role="admin"))
        with count_queries() as small:
            assert client.get("/courses/kursus-baik/progress").status_code == 200
        seed_progress(make_user, course, 290)
        with count_queries() as large:
            page = client.get("/courses/kursus-baik/progress").get_data(as_text=True)
        assert page.count("<tr>") == 1 + 300
        assert large.count == small.count
    finally:
        app.config["PAGE_SIZE"] = 50


@pytest.fixture
def stocked_course(app, tmp_path, course, participant):
    """The fixture course with files dropped into assets/ after the check (or with it bypassed)."""
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "kursus-baik", root / "kursus-baik")
    assets = root / "kursus-baik" / "assets"
    (assets / "page.html").write_text("<script>alert(document.cookie)</script>")
    (assets / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    (assets / "modul.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (assets / "data.csv").write_text("nama,opd\n")
    (assets / "skrip.js").write_text("alert(1)")
    (assets / ".env").write_text("SECRET=1")
    app.config["COURSES_DIR"] = root
    yield assets


@pytest.mark.parametrize("name, mime, disposition", [
    ("contoh.png", "image/png", "inline; filename=contoh.png"),
    ("modul.pdf", "application/pdf", "attachment; filename=modul.pdf"),
    ("data.csv", "text/csv", "attachment; filename=data.csv"),
])
def test_allowlisted_assets_are_served_with_their_type(client, stocked_course, name, mime, disposition):
    with client.get(f"/courses/kursus-baik/assets/{name}") as response:
        assert response.status_code == 200 and response.mimetype == mime
        assert response.headers.get("Content-Disposition") == disposition
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "skrip.js", ".env", "tidak-ada.png"])
def test_other_assets_are_not_served(client, stocked_course, name):
    response = client.get(f"/courses/kursus-baik/assets/{name}")
    assert response.status_code == 404 and "alert" not in response.get_data(as_text=True)
