"""Pictures and downloads of the lessons: the sanitiser's rules for <img>, the SVG check, what
`content check` reports with file and line, the asset route, and the bundled pictures and files."""

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from PIL import Image

from lms.courses import services
from lms.courses.content import IMAGE_MAX_BYTES, IMAGE_TYPES, load_course, load_courses
from lms.courses.svgcheck import svg_problem
from lms.db_types import utcnow
from lms.extensions import db
from lms.markdown import render
from tests.conftest import create_training

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
BUNDLED = Path(__file__).resolve().parents[2] / "courses"
PLAIN_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
             '<title>Kotak</title><defs><marker id="m"><path d="M0 0 L1 1"/></marker></defs>'
             '<rect width="10" height="10" fill="#1b7f5c" marker-end="url(#m)"/><text x="1" y="8">A</text></svg>')
_LINK = re.compile(r"(!?)\[([^\]]*)\]\((assets/[^)\s?#]+)")


# ---------------------------------------------------------------- the sanitiser


def test_an_image_from_the_course_assets_is_kept_with_alt_and_lazy_loading():
    html = str(render('![Bagan alur aduan](assets/alur-aduan.svg "Alur")'))
    assert html == ('<p><img alt="Bagan alur aduan" src="assets/alur-aduan.svg" title="Alur" loading="lazy" '
                    'decoding="async"></p>')


@pytest.mark.parametrize("source", [
    "![Bagan](https://contoh.example/bagan.png)",          # another site: tracking, nothing offline
    "![Bagan](//contoh.example/bagan.png)",
    "![Bagan](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![Bagan](javascript:alert(1))",
    "![Bagan](assets/../../../etc/passwd.png)",
    "![Bagan](assets/.rahasia.png)",
    "![Bagan](/courses/lain/assets/bagan.png)",
    "![Bagan](bagan.png)",
    "![](assets/bagan.png)",                                # no alt text
    "![   ](assets/bagan.png)",
    '<img src="assets/bagan.png">',
    '<img alt="x" src="https://contoh.example/x.png">',
])
def test_every_other_image_is_dropped(source):
    assert "<img" not in str(render(source))


def test_raw_img_keeps_only_its_safe_attributes():
    html = str(render('<img src="assets/a.png" alt="Foto" onerror="alert(1)" srcset="https://x.example/a.png 2x" '
                      'style="position:fixed">'))
    assert html == '<p><img src="assets/a.png" alt="Foto" loading="lazy" decoding="async"></p>'


def test_alt_text_with_quotes_and_brackets_survives():
    html = str(render('![Kotak "A" > kotak B](assets/a.svg)'))
    assert 'alt="Kotak &quot;A&quot; &gt; kotak B"' in html and 'loading="lazy"' in html


def test_inline_svg_and_links_are_as_before():
    assert "<svg" not in str(render('<svg onload="alert(1)"><script>alert(1)</script></svg>'))
    assert str(render("[Situs](https://contoh.example/)")) == \
        '<p><a href="https://contoh.example/" rel="noopener noreferrer">Situs</a></p>'


# ---------------------------------------------------------------- the SVG check


def test_a_plain_drawing_passes():
    assert svg_problem(PLAIN_SVG.encode()) is None


@pytest.mark.parametrize("svg, line, message", [
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script></svg>', 2, "elemen <script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 1, "atribut \"onload\""),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n\n<style>@import url(x.css)</style></svg>', 3, "elemen <style>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', 1, "elemen <foreignObject>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.example/a.png"/></svg>', 1, "elemen <image>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><use '
     'x:href="https://x.example/a.svg#b"/></svg>', 1, "hanya boleh menunjuk ke dalam berkas"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"/></svg>', 1, "elemen <a>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://x.example/#p)"/></svg>', 1, "url() ke luar"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:red"/></svg>', 1, "atribut \"style\""),
    ('<?xml-stylesheet href="x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>', 1, "instruksi pemrosesan"),
    ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', 1, "DOCTYPE"),
    ('<svg><rect/></svg>', 1, "akar berkas harus <svg xmlns"),
    ('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', 1, "akar berkas"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', 1, "SVG bukan XML yang sah"),
    ("", 1, "SVG bukan XML yang sah"),
])
def test_anything_but_a_plain_drawing_is_refused_with_its_line(svg, line, message):
    problem = svg_problem(svg.encode())
    assert problem is not None and problem.line == line and message in problem.message, problem


# ---------------------------------------------------------------- content check


@pytest.fixture
def course_dir(tmp_path):
    target = tmp_path / "kursus-baik"
    shutil.copytree(FIXTURES / "kursus-baik", target)
    return target


def _lesson_line(course_dir: Path, line: str) -> Path:
    """Put line as line 10 of the first lesson (the fixture has 8 lines and a blank one)."""
    path = course_dir / "01-pembuka.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + line + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line, message", [
    ("![Bagan](assets/tidak-ada.svg)", 'gambar "assets/tidak-ada.svg" tidak ditemukan'),
    ("![](assets/contoh.png)", 'gambar "assets/contoh.png" tanpa teks alternatif'),
    ("![ ](assets/contoh.png)", "tanpa teks alternatif"),
    ("![Bagan](assets/../course.toml)", "tidak ditemukan"),
    ("![Bagan](assets/lembar.xlsx)", '"assets/lembar.xlsx" bukan gambar'),
    ("[Kalender](assets/kalender.xlsx)", 'unduhan "assets/kalender.xlsx" tidak ditemukan'),
    ("[SOP](assets/materi/sop.docx#bagian)", 'unduhan "assets/materi/sop.docx" tidak ditemukan'),
    ("[SK](assets/../../rahasia.docx)", 'unduhan "assets/../../rahasia.docx" tidak ditemukan'),
])
def test_content_check_reports_image_and_download_problems_with_file_and_line(course_dir, line, message):
    (course_dir / "assets" / "lembar.xlsx").write_bytes(b"x")
    path = _lesson_line(course_dir, line)
    course, errors = load_course(course_dir)
    assert course is None
    assert [str(e) for e in errors if message in e.message] == [str(e) for e in errors]
    (error,) = errors
    assert str(error).startswith(f"{path}:10: ")


def test_an_image_over_150_kb_is_an_error_on_its_line(course_dir):
    (course_dir / "assets" / "besar.png").write_bytes(b"\x89PNG" + b"\0" * IMAGE_MAX_BYTES)
    path = _lesson_line(course_dir, "![Foto besar](assets/besar.png)")
    _, errors = load_course(course_dir)
    assert [str(e) for e in errors] == [f"{path}:10: gambar \"besar.png\" berukuran 150 KB, melebihi batas 150 KB: "
                                        "perkecil atau kompres gambarnya agar ringan dibuka di ponsel"]
    (course_dir / "assets" / "besar.png").write_bytes(b"\x89PNG" + b"\0" * (IMAGE_MAX_BYTES - 4))
    assert load_course(course_dir)[1] == []  # exactly at the limit passes


def test_an_unsafe_svg_is_an_error_with_its_own_line(course_dir):
    (course_dir / "assets" / "bagan.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg">\n'
                                                     '<rect onclick="alert(1)"/></svg>')
    _, errors = load_course(course_dir)
    assert [str(e) for e in errors] == [f"{course_dir / 'assets' / 'bagan.svg'}:2: gambar SVG ditolak: <rect>: "
                                        "atribut \"onclick\" tidak diizinkan"]


def test_downloads_are_labelled_with_type_and_size_and_images_linked_are_downloaded(course_dir):
    (course_dir / "assets" / "kalender.xlsx").write_bytes(b"x" * 3000)
    (course_dir / "assets" / "templat.svg").write_text(PLAIN_SVG)
    _lesson_line(course_dir, "Unduh [kalender](assets/kalender.xlsx) dan [templat](assets/templat.svg), "
                             "lihat ![Templat kosong](assets/templat.svg).")
    course, errors = load_course(course_dir)
    assert errors == [] and course is not None
    assert ("Unduh [kalender (XLSX, 3 KB)](assets/kalender.xlsx) dan "
            "[templat (SVG, 1 KB)](assets/templat.svg?unduh=1), "
            "lihat ![Templat kosong](assets/templat.svg).") in course.lessons[0].body


def test_a_changed_asset_changes_the_course_hash(course_dir):
    (course_dir / "assets" / "kalender.xlsx").write_bytes(b"satu")
    before = load_course(course_dir)[0]
    (course_dir / "assets" / "kalender.xlsx").write_bytes(b"dua, lebih panjang")
    after = load_course(course_dir)[0]
    assert before and after and before.content_hash != after.content_hash


# ---------------------------------------------------------------- the asset route


@pytest.fixture
def stocked(app, tmp_path):
    """The fixture course, synced, with an SVG, an unsafe SVG and two downloads in its assets/."""
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "kursus-baik", root / "kursus-baik")
    assets = root / "kursus-baik" / "assets"
    (assets / "bagan.svg").write_text(PLAIN_SVG)
    (assets / "kalender.xlsx").write_bytes(b"PK\x03\x04 lembar")
    (assets / "sop.docx").write_bytes(b"PK\x03\x04 dokumen")
    lesson = root / "kursus-baik" / "02-lanjutan.md"
    links = ("Unduh [kalender](assets/kalender.xlsx), [SOP](assets/sop.docx) dan [bagan](assets/bagan.svg); "
             "[kalender](assets/kalender.xlsx) sekali lagi.")
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n" + links + "\n", encoding="utf-8")
    courses, errors = load_courses(root)
    assert errors == []
    services.sync_courses(courses, utcnow())
    db.session.commit()
    (assets / "jahat.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')  # after the check
    original = app.config["COURSES_DIR"]
    app.config["COURSES_DIR"] = root
    yield services.get_course("kursus-baik")
    app.config["COURSES_DIR"] = original


@pytest.fixture
def reader(auth, make_user, stocked):
    user = make_user(full_name="Peserta Gambar")
    create_training(courses=(stocked,), users=(user,))
    auth.login_as(user)
    return user


@pytest.mark.parametrize("name, mime, disposition", [
    ("bagan.svg", "image/svg+xml", "inline; filename=bagan.svg"),
    ("bagan.svg?unduh=1", "image/svg+xml", "attachment; filename=bagan.svg"),
    ("contoh.png?unduh=1", "image/png", "attachment; filename=contoh.png"),
    ("kalender.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "attachment; filename=kalender.xlsx"),
    ("sop.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "attachment; filename=sop.docx"),
])
def test_assets_are_served_with_type_disposition_nosniff_and_private_caching(client, reader, name, mime, disposition):
    with client.get(f"/courses/kursus-baik/assets/{name}") as response:
        assert response.status_code == 200 and response.mimetype == mime
        assert response.headers["Content-Disposition"] == disposition
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert set(response.headers["Cache-Control"].split(", ")) == {"private", "max-age=3600"}
        etag = response.headers["ETag"]
    with client.get(f"/courses/kursus-baik/assets/{name}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


@pytest.mark.parametrize("name", [
    "jahat.svg",                       # an SVG dropped in after the check is still never served
    "tidak-ada.svg", "tidak-ada.xlsx",
    "../course.toml", "..%2Fcourse.toml", "%2E%2E/01-pembuka.md", "../../kursus-baik/assets/bagan.svg",
    "/etc/passwd", ".rahasia.png",
])
def test_unsafe_missing_and_outside_files_are_404(client, reader, name):
    with client.get(f"/courses/kursus-baik/assets/{name}", follow_redirects=True) as response:
        assert response.status_code == 404 and b"alert" not in response.data and b"+++" not in response.data


def test_anonymous_reader_is_sent_to_login(client, stocked):
    response = client.get("/courses/kursus-baik/assets/bagan.svg")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_participant_of_no_training_with_the_course_gets_404(client, auth, make_user, stocked):
    auth.login_as(make_user(full_name="Peserta Lain"))
    for name in ("bagan.svg", "kalender.xlsx"):
        with client.get(f"/courses/kursus-baik/assets/{name}") as response:
            assert response.status_code == 404


def test_the_lesson_page_shows_the_picture_from_the_asset_route(client, reader):
    page = client.get("/courses/kursus-baik/pembuka").get_data(as_text=True)
    assert '<img alt="contoh" src="assets/contoh.png" loading="lazy" decoding="async">' in page
    with client.get("/courses/kursus-baik/assets/contoh.png") as response:  # where src resolves
        assert response.status_code == 200


def test_the_course_page_lists_each_download_once_with_its_lesson(client, reader):
    page = client.get("/courses/kursus-baik").get_data(as_text=True)
    assert '<h2 class="h5 mt-4">Unduhan</h2>' in page
    assert page.count('href="/courses/kursus-baik/assets/kalender.xlsx">kalender (XLSX, 1 KB)</a>') == 1
    assert 'href="/courses/kursus-baik/assets/sop.docx">SOP (DOCX, 1 KB)</a>' in page
    assert 'href="/courses/kursus-baik/assets/bagan.svg?unduh=1">bagan (SVG, 1 KB)</a>' in page
    assert page.count('Dibahas di <a href="/courses/kursus-baik/lanjut">Lanjutan</a>') == 3
    assert "contoh.png" not in page  # a picture shown in a lesson is not a download


def test_a_course_without_downloads_shows_no_list(client, course_without_downloads):
    assert "Unduhan" not in client.get("/courses/kursus-baik").get_data(as_text=True)


@pytest.fixture
def course_without_downloads(app, auth, make_user):
    courses, errors = load_courses(FIXTURES)
    assert errors == []
    services.sync_courses(courses, utcnow())
    db.session.commit()
    auth.login_as(make_user(role="admin"))


# ---------------------------------------------------------------- the bundled content


def _bundled_links() -> list[tuple[Path, int, str, str, str]]:
    found = []
    for lesson in sorted(BUNDLED.glob("*/[0-9]*.md")):
        for number, line in enumerate(lesson.read_text(encoding="utf-8").splitlines(), start=1):
            for bang, label, target in _LINK.findall(line):
                found.append((lesson, number, bang, label, target))
    return found


def test_bundled_pictures_have_alt_text_are_light_and_plain():
    images = [(lesson, n, label, lesson.parent / target) for lesson, n, bang, label, target in _bundled_links() if bang]
    assert len(images) >= 10
    for lesson, number, alt, path in images:
        where = f"{lesson}:{number}"
        assert len(alt.split()) >= 8, f"{where}: alt text says too little"
        assert path.stat().st_size <= IMAGE_MAX_BYTES, where
        if path.suffix == ".svg":
            assert svg_problem(path.read_bytes()) is None, where
            root = ElementTree.fromstring(path.read_bytes())
            ns = "{http://www.w3.org/2000/svg}"
            assert root.find(f"{ns}title") is not None and root.find(f"{ns}desc") is not None, where
            assert root.get("viewBox") and root.get("width") and root.get("height"), where
    shown = {path for *_, path in images}
    for picture in BUNDLED.glob("*/assets/*"):
        if picture.suffix in IMAGE_TYPES and picture.name not in {"templat-feed-opd.png", "templat-feed-opd.svg"}:
            assert picture in shown, f"{picture}: an image no lesson shows"


def test_bundled_downloads_exist_open_and_are_linked():
    downloads = {lesson.parent / target for lesson, _, bang, _, target in _bundled_links() if not bang}
    names = {path.name for path in downloads}
    assert {"kalender-konten-kabupaten-contoh.xlsx", "log-aduan-dan-permohonan.xlsx",
            "draf-sk-tim-pengelola-media-sosial.docx", "sop-membalas-komentar-dan-aduan.docx",
            "templat-feed-opd.png", "templat-feed-opd.svg"} <= names
    for path in downloads:
        assert path.is_file(), path
        if path.suffix == ".xlsx":
            assert load_workbook(path, read_only=True).sheetnames, path
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None
                body = ElementTree.fromstring(archive.read("word/document.xml"))
            assert len("".join(body.itertext()).split()) > 300, path
        elif path.suffix == ".png":
            with Image.open(path) as image:
                assert image.size == (1080, 1350)
        elif path.suffix == ".svg":
            assert svg_problem(path.read_bytes()) is None


def _header(path: Path, sheet: str) -> list[str]:
    workbook = load_workbook(path)
    return [str(cell.value).lower() for cell in workbook[sheet][1]]


def test_the_calendar_and_the_complaint_log_have_the_columns_the_lessons_teach():
    calendar = _header(BUNDLED / "branding-layanan-publik/assets/kalender-konten-kabupaten-contoh.xlsx",
                       "Kalender Agustus 2025")
    for column in ("tanggal", "hari", "pilar konten", "format", "judul", "caption", "penanggung jawab", "status"):
        assert any(h.startswith(column) for h in calendar), column
    log = _header(BUNDLED / "caption-dan-interaksi-warganet/assets/log-aduan-dan-permohonan.xlsx", "Log aduan")
    for column in ("tanggal", "kanal", "pelapor (inisial)", "isi aduan", "kategori", "opd / unit tujuan",
                   "batas waktu", "status", "tindak lanjut"):
        assert any(h.startswith(column) for h in log), column


def test_the_calendar_month_has_two_posts_every_working_day_and_correct_weekdays():
    workbook = load_workbook(BUNDLED / "branding-layanan-publik/assets/kalender-konten-kabupaten-contoh.xlsx")
    rows = list(workbook["Kalender Agustus 2025"].iter_rows(min_row=2, values_only=True))
    days = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    assert all(row[1] == days[row[0].weekday()] for row in rows)
    working = [row[0] for row in rows if row[0].weekday() < 5]
    assert all(working.count(day) == 2 for day in working) and len(set(working)) == 21
    pillars = {"Informasi layanan", "Edukasi", "Cerita dan interaksi", "Kegiatan dan capaian", "Kampanye pemerintah"}
    for monday in sorted({day for day in working if day.weekday() == 0}):  # every full week has every pillar
        assert {row[3] for row in rows if 0 <= (row[0] - monday).days < 5} == pillars, monday
    # Varied, not one week copied four times: only the weekly routine posts repeat.
    titles = [row[5] for row in rows]
    assert {t for t in titles if titles.count(t) > 1} == {"Jadwal posyandu pekan ini per kecamatan",
                                                          "Jam layanan puskesmas akhir pekan"}
