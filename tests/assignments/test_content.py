"""Assignments in content files: read from course.toml and tugas/*.toml, errors with file:line, sync."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.assignments import content
from lms.assignments.models import Assignment
from lms.catalog import check_paths, load_all, sync
from lms.extensions import db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
NOW = datetime(2026, 8, 1, tzinfo=UTC)
GOOD = '''[[tugas]]
id = "tugas-uji"
title = "Tugas uji"
lesson = "pembuka"
hand_in = ["text", "links"]
max_chars = 500
max_links = 2
max_points = 5
pass_points = 3

[[tugas.criteria]]
id = "isi"
title = "Isi"
[[tugas.criteria.levels]]
label = "Baik"
points = 5
[[tugas.criteria.levels]]
label = "Kurang"
points = 2
'''


@pytest.fixture
def course_dir(tmp_path):
    target = tmp_path / "courses" / "kursus-baik"
    shutil.copytree(FIXTURES / "kursus-baik", target)
    return target


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_assignment_in_tugas_folder_is_read(course_dir):
    _write(course_dir, "tugas/uji.toml", GOOD)
    found, errors = content.load_for_course(course_dir, "kursus-baik", ["pembuka", "lanjut"])
    assert errors == []
    assert [(a.slug, a.course_slug, a.lesson_slug, a.line, a.max_points) for a in found] == [
        ("tugas-uji", "kursus-baik", "pembuka", 1, 5)]


def test_an_assignment_in_course_toml_is_read(course_dir):
    toml = course_dir / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n" + GOOD, encoding="utf-8")
    found, errors = content.load_for_course(course_dir, "kursus-baik", ["pembuka"])
    assert errors == [] and [a.slug for a in found] == ["tugas-uji"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('label = "Baik"\npoints = 5', 'label = "Baik"\npoints = 4',
     "uji.toml:8: Level rubrik tidak berjumlah 5: nilai tertinggi tiap kriteria 4 = 4"),
    ('pass_points = 3', 'pass_points = 3\nlulus = 1', "uji.toml:10: Kunci \"lulus\" tidak dikenal"),
    ('lesson = "pembuka"', 'lesson = "hilang"', "uji.toml:4: lesson \"hilang\" bukan pelajaran kursus ini"),
    ('hand_in = ["text", "links"]', 'hand_in = ["text", "video"]', "uji.toml:5: hand_in: \"video\" tidak dikenal"),
    ('label = "Kurang"\npoints = 2', 'label = "Kurang"\npoints = 7', "uji.toml:14: Kriteria ke-1: urutkan level"),
    ('label = "Kurang"\npoints = 2', 'label = ""\npoints = 2', "uji.toml:18: Kriteria ke-1, level ke-2: label wajib"),
    ('id = "isi"', 'id = "Isi Caption"', "uji.toml:12: Kriteria ke-1: id \"Isi Caption\" harus huruf kecil"),
    ('max_chars = 500', 'max_chars = "lima ratus"', "uji.toml:6: max_chars harus bilangan bulat"),
    ('title = "Isi"', 'title = "Isi"\nbobot = 2', "uji.toml:14: Kriteria ke-1: kunci \"bobot\" tidak dikenal"),
    ('max_links = 2', 'max_links = 2\ndue_time = "jam 4"', "uji.toml:8: due_time \"jam 4\" harus jam:menit"),
    ('max_points = 5\n', 'max_points = 5\n[oops\n', "uji.toml:9: TOML tidak valid"),
])
def test_errors_have_their_line(course_dir, old, new, expected):
    assert old in GOOD
    _write(course_dir, "tugas/uji.toml", GOOD.replace(old, new, 1))
    found, errors = content.load_for_course(course_dir, "kursus-baik", ["pembuka", "lanjut"])
    messages = [str(e) for e in errors]
    assert found == []
    assert any(expected in m for m in messages), messages


def test_the_same_id_twice_names_both_places(course_dir):
    _write(course_dir, "tugas/a.toml", GOOD)
    _write(course_dir, "tugas/b.toml", GOOD)
    _, errors = content.load_for_course(course_dir, "kursus-baik", ["pembuka"])
    assert [str(e) for e in errors] == [f"{course_dir}/tugas/b.toml:1: id tugas \"tugas-uji\" sudah dipakai di "
                                        f"{course_dir}/tugas/a.toml:1"]


def test_a_stray_file_and_a_stray_key_are_errors(course_dir):
    _write(course_dir, "tugas/catatan.md", "x")
    _write(course_dir, "tugas/uji.toml", 'judul = "x"\n' + GOOD)
    _, errors = content.load_for_course(course_dir, "kursus-baik", ["pembuka"])
    messages = {str(e) for e in errors}
    assert f"{course_dir}/tugas/catatan.md: folder tugas/ hanya berisi berkas .toml" in messages
    assert any("uji.toml:1: kunci \"judul\" tidak dikenal di berkas tugas" in m for m in messages)


def test_content_check_on_a_tugas_file_checks_its_course(course_dir):
    bad = _write(course_dir, "tugas/uji.toml", GOOD.replace('label = "Baik"\npoints = 5', 'label = "Baik"\npoints = 4'))
    result = check_paths([bad], course_dir.parent, course_dir.parent.parent / "quizzes")
    assert any("uji.toml:8: Level rubrik tidak berjumlah 5" in str(e) for e in result.errors)


def test_the_bundled_content_has_an_assignment_per_course():
    root = Path(__file__).resolve().parents[2]
    result = load_all(root / "courses", root / "quizzes")
    assert result.errors == []
    per_course = {a.course_slug for a in result.assignments}
    assert per_course == {c.slug for c in result.courses}
    targets = [a for a in result.assignments if a.opd_target]
    assert [(a.slug, a.opd_target, a.required) for a in targets] == [("dua-konten-template-opd", 2, True)]


def test_sync_creates_updates_and_retires(app, course_dir):
    _write(course_dir, "tugas/uji.toml", GOOD)
    quizzes = course_dir.parent.parent / "quizzes"
    quizzes.mkdir()
    outcome = sync(load_all(course_dir.parent, quizzes), NOW)
    assert outcome.assignments.created == ["tugas-uji"]
    assert sync(load_all(course_dir.parent, quizzes), NOW).assignments.unchanged == ["tugas-uji"]
    _write(course_dir, "tugas/uji.toml", GOOD.replace('title = "Tugas uji"', 'title = "Tugas diganti"'))
    assert sync(load_all(course_dir.parent, quizzes), NOW).assignments.updated == ["tugas-uji"]
    (course_dir / "tugas" / "uji.toml").unlink()
    assert sync(load_all(course_dir.parent, quizzes), NOW).assignments.retired == ["tugas-uji"]
    row = db.session.scalars(select(Assignment)).one()
    assert (row.title, row.retired_at is not None) == ("Tugas diganti", True)
