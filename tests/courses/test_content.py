"""The course parser on good and bad fixture folders (never the real content)."""

import shutil
from pathlib import Path

import pytest

from lms.courses.content import asset_type, load_course, load_courses

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"


@pytest.fixture
def course_dir(tmp_path):
    target = tmp_path / "kursus-baik"
    shutil.copytree(FIXTURES / "kursus-baik", target)
    return target


def test_good_course_is_read(course_dir):
    course, errors = load_course(course_dir)
    assert errors == []
    assert (course.slug, course.title, course.jp, course.order, course.version) == (
        "kursus-baik", "Kursus Uji", 2, 5, "2.1")
    assert [(lesson.slug, lesson.title, lesson.minutes, lesson.position) for lesson in course.lessons] == [
        ("pembuka", "Pembuka", 3, 1), ("lanjut", "Lanjutan", 4, 2)]
    assert "[pelajaran kedua](lanjut#bagian)" in course.lessons[0].body
    assert "[pembuka](pembuka)" in course.lessons[1].body
    assert "![contoh](assets/contoh.png)" in course.lessons[0].body


def test_renumbering_keeps_slugs_and_changes_hash(course_dir):
    before, _ = load_course(course_dir)
    (course_dir / "01-pembuka.md").rename(course_dir / "03-pembuka.md")
    _, errors = load_course(course_dir)
    assert any("02-lanjutan.md:9: tautan ke \"01-pembuka.md\"" in str(e) for e in errors)
    second = course_dir / "02-lanjutan.md"
    second.write_text(second.read_text().replace("01-pembuka.md", "03-pembuka.md"))
    after, errors = load_course(course_dir)
    assert errors == [] and [lesson.slug for lesson in after.lessons] == ["lanjut", "pembuka"]
    assert after.content_hash != before.content_hash


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name, text, expected", [
    ("course.toml", 'title = "X"\njp = 2\njudul = "typo"\n', "course.toml:3: kunci \"judul\" tidak dikenal"),
    ("course.toml", 'title = "X"\njp = \n', "course.toml:2: TOML tidak valid"),
    ("course.toml", 'summary = "tanpa judul"\n', "course.toml:1: \"title\" wajib diisi"),
    ("course.toml", 'title = "X"\njp = -1\n', "course.toml:2: \"jp\" harus bilangan bulat"),
    ("course.toml", 'title = "X"\nlessons = ["01-pembuka.md", "09-hilang.md"]\n',
     "pelajaran \"09-hilang.md\" tercantum tetapi berkasnya tidak ada"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nminutes = 3\n", "front matter tidak ditutup"),
    ("01-pembuka.md", "# Tanpa front matter\n", "01-pembuka.md:1: pelajaran harus diawali front matter"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nmenit = 3\n+++\nIsi\n", "01-pembuka.md:3: kunci \"menit\" tidak dikenal"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\n+++\nIsi\n", "\"minutes\" wajib diisi"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nminutes = 3\nid = \"lanjut\"\n+++\nIsi\n", "slug \"lanjut\" sudah dipakai"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nminutes = 3\nid = \"assets\"\n+++\nIsi\n",
     "slug pelajaran \"assets\" tidak sah"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nminutes = 3\n+++\n\nLihat [x](05-tidak-ada.md).\n",
     "01-pembuka.md:6: tautan ke \"05-tidak-ada.md\" tidak menunjuk"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nminutes = 3\n+++\n![g](assets/hilang.png)\n",
     "01-pembuka.md:5: gambar \"assets/hilang.png\" tidak ditemukan"),
    ("01-pembuka.md", "+++\ntitle = \"P\"\nminutes = 3\n+++\n[x](javascript:alert(1))\n",
     "skema \"javascript:\" tidak diizinkan"),
    ("pembuka-tanpa-nomor.md", "+++\ntitle = \"P\"\nminutes = 3\n+++\nIsi\n", "harus diawali nomor urut"),
])
def test_bad_files_are_reported_with_path_and_line(course_dir, name, text, expected):
    write(course_dir, name, text)
    course, errors = load_course(course_dir)
    assert course is None
    assert any(expected in str(e) for e in errors), [str(e) for e in errors]


def test_lessons_key_orders_and_requires_every_file(course_dir):
    write(course_dir, "course.toml", 'title = "X"\nlessons = ["02-lanjutan.md", "01-pembuka.md"]\n')
    course, errors = load_course(course_dir)
    assert errors == [] and [lesson.slug for lesson in course.lessons] == ["lanjut", "pembuka"]
    write(course_dir, "course.toml", 'title = "X"\nlessons = ["02-lanjutan.md"]\n')
    _, errors = load_course(course_dir)
    assert any("tidak tercantum" in str(e) for e in errors)


def test_load_courses_reports_every_course(tmp_path):
    shutil.copytree(FIXTURES / "kursus-baik", tmp_path / "satu")
    shutil.copytree(FIXTURES / "kursus-baik", tmp_path / "Dua_Salah")
    courses, errors = load_courses(tmp_path)
    assert [c.slug for c in courses] == ["satu"]
    assert any("nama folder \"Dua_Salah\"" in str(e) for e in errors)


@pytest.mark.parametrize("name, expected", [
    ("page.html", "halaman HTML (.html) tidak diizinkan di assets/: isinya dapat menjalankan skrip"),
    ("lama/PAGE.HTM", "halaman HTML (.htm) tidak diizinkan"),
    ("logo.svgz", "gambar SVG terkompresi (.svgz) tidak diizinkan"),  # an SVG is checked: tests/courses/test_assets.py
    ("skrip.js", "jenis berkas \".js\" tidak diizinkan di assets/. Jenis yang diizinkan: csv, docx, gif"),
    ("tanpa-ekstensi", "berkas tanpa ekstensi tidak diizinkan"),
])
def test_assets_other_than_allowlisted_types_are_refused(course_dir, name, expected):
    target = course_dir / "assets" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("isi")
    course, errors = load_course(course_dir)
    assert course is None
    (error,) = errors
    assert str(error).startswith(f"{target}: {expected}")


def test_allowlisted_assets_and_hidden_files_pass(course_dir):
    for name in ("foto.JPG", "materi/modul.pdf", "lembar.xlsx", "data.csv", "catatan.txt", ".gitkeep"):
        (course_dir / "assets" / name).parent.mkdir(parents=True, exist_ok=True)
        (course_dir / "assets" / name).write_bytes(b"x")
    course, errors = load_course(course_dir)
    assert errors == [] and course is not None


@pytest.mark.parametrize("name, mime", [
    ("contoh.png", "image/png"), ("Foto.JPEG", "image/jpeg"), ("a/b.webp", "image/webp"),
    ("modul.pdf", "application/pdf"), ("data.csv", "text/csv"), ("arsip.zip", "application/zip"),
    ("page.html", None), ("logo.svg", "image/svg+xml"), ("logo.svgz", None), ("x.png.html", None),
    (".rahasia.png", None),
    ("a/.git/config.txt", None), ("tanpa-ekstensi", None),
])
def test_asset_type_is_an_explicit_allowlist(name, mime):
    assert asset_type(name) == mime
