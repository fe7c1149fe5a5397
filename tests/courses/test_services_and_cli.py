"""Catalog sync (idempotent, all or nothing, retiring) and the content commands."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.courses import services
from lms.courses.content import load_courses
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
NOW = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 7, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def root(tmp_path):
    shutil.copytree(FIXTURES / "kursus-baik", tmp_path / "kursus-baik")
    shutil.copytree(FIXTURES / "kursus-baik", tmp_path / "kursus-dua")
    return tmp_path


def sync(root, now=NOW):
    courses, errors = load_courses(root)
    assert errors == []
    report = services.sync_courses(courses, now)
    db.session.commit()
    return report


def test_sync_is_idempotent(app, root):
    first = sync(root)
    assert sorted(first.created) == ["kursus-baik", "kursus-dua"]
    second = sync(root, LATER)
    assert second.unchanged == ["kursus-baik", "kursus-dua"] and not second.changed
    assert db.session.scalar(select(func.count(Lesson.id))) == 4
    assert {c.synced_at for c in db.session.scalars(select(Course))} == {NOW}


def test_removed_course_and_lesson_are_retired_and_progress_survives(app, root, make_user):
    sync(root)
    user = make_user()
    lesson = db.session.scalars(select(Lesson).join(Course).where(Course.slug == "kursus-dua",
                                                                 Lesson.slug == "pembuka")).one()
    services.set_completed(user, lesson, True, NOW)
    db.session.commit()
    shutil.rmtree(root / "kursus-dua")
    report = sync(root, LATER)
    assert report.retired == ["kursus-dua"]
    course = db.session.scalars(select(Course).where(Course.slug == "kursus-dua")).one()
    assert course.retired_at == LATER and services.get_course("kursus-dua") is None
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 1
    shutil.copytree(FIXTURES / "kursus-baik", root / "kursus-dua")
    assert sync(root).updated == ["kursus-dua"]
    assert services.courses_for(user, [course.id])[0].completed == 1


def test_lesson_removed_from_course_is_retired_not_counted(app, root, make_user):
    sync(root)
    (root / "kursus-baik" / "02-lanjutan.md").unlink()
    (root / "kursus-baik" / "01-pembuka.md").write_text(
        "+++\ntitle = \"Pembuka\"\nminutes = 3\n+++\nTanpa tautan.\n", encoding="utf-8")
    sync(root, LATER)
    course = services.get_course("kursus-baik")
    assert [lesson.slug for lesson in services.current_lessons(course)] == ["pembuka"]
    retired = db.session.scalars(select(Lesson).where(Lesson.slug == "lanjut", Lesson.course_id == course.id)).one()
    assert retired.retired_at == LATER


def test_content_check_command(runner, root, tmp_path):
    result = runner.invoke(args=["content", "check", str(root / "kursus-baik")])
    assert result.exit_code == 0 and "OK: 1 kursus, 2 pelajaran" in result.output
    (root / "kursus-dua" / "course.toml").write_text('title = "Dua"\njp = "enam"\n')
    result = runner.invoke(args=["content", "check", str(root / "kursus-dua" / "course.toml")])
    assert result.exit_code != 0
    assert f"{root / 'kursus-dua' / 'course.toml'}:2: \"jp\" harus bilangan bulat" in result.output
    result = runner.invoke(args=["content", "check", str(tmp_path / "tidak-ada")])
    assert result.exit_code != 0 and "tidak ada" in result.output


def test_content_sync_is_all_or_nothing(app, runner, root, tmp_path_factory):
    app.config["COURSES_DIR"] = root
    app.config["QUIZZES_DIR"] = tmp_path_factory.mktemp("no-quizzes")
    try:
        assert runner.invoke(args=["content", "sync"]).exit_code == 0
        (root / "kursus-baik" / "01-pembuka.md").write_text("+++\ntitle = \"Baru\"\nminutes = 2\n+++\nIsi baru\n")
        (root / "kursus-dua" / "02-lanjutan.md").write_text("tanpa front matter\n")
        result = runner.invoke(args=["content", "sync"])
        assert result.exit_code != 0 and "tidak ada yang dimuat" in result.output
        assert "02-lanjutan.md:1:" in result.output
        titles = db.session.scalars(select(Lesson.title).where(Lesson.slug == "pembuka")).all()
        assert titles == ["Pembuka", "Pembuka"]
        result = runner.invoke(args=["content", "sync"])
        assert result.exit_code != 0
    finally:
        app.config["COURSES_DIR"] = Path(app.root_path).parent / "courses"
        app.config["QUIZZES_DIR"] = Path(app.root_path).parent / "quizzes"


def test_the_real_courses_are_valid_and_substantial():
    root = Path(__file__).resolve().parents[2] / "courses"
    courses, errors = load_courses(root)
    assert [str(e) for e in errors] == []
    assert {c.slug for c in courses} == {"branding-layanan-publik", "caption-dan-interaksi-warganet",
                                         "media-monitoring-isu-strategis", "tools-ai-konten-pemerintah",
                                         "komunikasi-krisis-hoaks-hukum"}
    for course in courses:
        assert len(course.lessons) >= 5, course.slug
        for lesson in course.lessons:
            assert lesson.word_count >= 600, (course.slug, lesson.slug, lesson.word_count)
            assert "## Praktik" in lesson.body, (course.slug, lesson.slug)


def test_content_check_lists_a_refused_asset(runner, root):
    page = root / "kursus-dua" / "assets" / "page.html"
    page.write_text("<script>alert(document.cookie)</script>")
    result = runner.invoke(args=["content", "check", str(root)])
    assert result.exit_code != 0 and "1 kesalahan ditemukan." in result.output
    assert f"{page}: halaman HTML (.html) tidak diizinkan di assets/" in result.output
