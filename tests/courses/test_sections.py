"""A question's `section`: its form (an error), its target and untested sections (warnings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.catalog import check_paths, load_all
from lms.content_sections import lesson_headings
from lms.courses.content import load_course
from lms.markdown import render
from lms.quizzes.definitions import load_quiz

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"

LESSON = """\
+++
title = "Tiga bagian"
minutes = 5
+++

## Bagian *pertama*

Teks.

```
## bukan judul: di dalam blok kode
```

### Rincian A

## Bagian kedua

## Praktik

- [ ] Selesai.
"""


def quiz_text(*sections: str, kind: str = "practice", course: str | None = "kursus-baik") -> str:
    head = f'title = "Kuis"\nkind = "{kind}"\n' + (f'course = "{course}"\n' if course else "")
    body = ""
    for n, section in enumerate(sections, start=1):
        line = f"section = {section}\n" if section else ""
        body += (f'\n[[questions]]\nid = "s{n}"\ntype = "truefalse"\ntext = "Benar?"\n'
                 f"{line}answer = {'true' if n % 2 else 'false'}\n")
    return head + body


@pytest.fixture
def roots(tmp_path):
    courses, quizzes = tmp_path / "courses", tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "kursus-baik", courses / "kursus-baik")
    (courses / "kursus-baik" / "03-tiga-bagian.md").write_text(LESSON, encoding="utf-8")
    quizzes.mkdir()
    return courses, quizzes


def write_quiz(quizzes: Path, text: str, name: str = "kuis-baik.toml") -> Path:
    path = quizzes / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(result) -> list[str]:
    return [str(w) for w in result.warnings]


ALL = ['"kursus-baik/pembuka#mulai"', '"kursus-baik/lanjut#bagian"',
       '["kursus-baik/tiga-bagian#rincian-a", "kursus-baik/03-tiga-bagian#bagian-kedua"]']


def test_anchors_are_the_rendered_ids_with_their_lines(roots):
    course, errors = load_course(roots[0] / "kursus-baik")
    assert errors == []
    lesson = course.lessons[2]
    found = [(h.level, h.anchor, h.line, h.section) for h in lesson_headings(lesson)]
    # The fenced "## ..." is no heading; lines count the front matter (the file's own lines).
    assert found == [(2, "bagian-pertama", 6, "bagian-pertama"), (3, "rincian-a", 14, "bagian-pertama"),
                     (2, "bagian-kedua", 16, "bagian-kedua"), (2, "praktik", 18, "praktik")]
    html = str(render(lesson.body))
    assert all(f'id="{anchor}"' in html for _, anchor, _, _ in found)


def test_every_section_tested_gives_no_warning(roots):
    write_quiz(roots[1], quiz_text(*ALL))
    result = load_all(*roots)
    assert result.errors == [] and messages(result) == []


def test_untested_section_is_a_warning_on_its_heading_line(roots):
    write_quiz(roots[1], quiz_text(*ALL[:2]))
    result = load_all(*roots)
    lesson = roots[0] / "kursus-baik" / "03-tiga-bagian.md"
    assert result.errors == []
    assert messages(result) == [
        f'{lesson}:6: bagian "Bagian pertama" (#bagian-pertama) tidak diuji oleh soal mana pun di '
        'kuis latihan "kuis-baik"',
        f'{lesson}:16: bagian "Bagian kedua" (#bagian-kedua) tidak diuji oleh soal mana pun di '
        'kuis latihan "kuis-baik"']


def test_a_pretest_question_does_not_count_as_practice(roots):
    write_quiz(roots[1], quiz_text(*ALL[:2]))
    write_quiz(roots[1], quiz_text(ALL[2], kind="pretest", course=None), "pre.toml")
    assert len(load_all(*roots).warnings) == 2


def test_question_pointing_to_no_lesson_or_heading_is_a_warning_with_its_line(roots):
    path = write_quiz(roots[1], quiz_text(*ALL, '"kursus-baik/tidak-ada#mulai"',
                                          '"kursus-baik/pembuka#tidak-ada"', '"kursus-lain/pembuka#mulai"', ""))
    result = load_all(*roots)
    # Questions start at line 5, 12, 19, ... (7 lines each); `section` is a question's 4th line.
    assert messages(result) == [
        f'{path}:30: soal "s4": pelajaran "tidak-ada" pada "section" tidak ada di kursus "kursus-baik"',
        f'{path}:37: soal "s5": judul "#tidak-ada" pada "section" tidak ada di pelajaran "pembuka" '
        '(judul ## yang ada: #mulai)',
        f'{path}:44: soal "s6": kursus "kursus-lain" pada "section" tidak ada di courses/',
        f'{path}:47: soal "s7" tidak menyebut bagian pelajaran yang diujinya: tambahkan '
        'section = "<kursus>/<pelajaran>#<judul>"']


def test_quiz_of_no_module_needs_no_sections(roots):
    write_quiz(roots[1], quiz_text("", "", course=None))
    write_quiz(roots[1], quiz_text(*ALL), "kuis-baik-2.toml")
    assert messages(load_all(*roots)) == []


@pytest.mark.parametrize("value, expected", [
    ('"kursus-baik/pembuka"', 'nilai "section" "kursus-baik/pembuka" tidak berbentuk'),
    ('"Kursus/pembuka#mulai"', 'tidak berbentuk "<kursus>/<pelajaran>#<judul>"'),
    ("[]", 'nilai "section" harus berupa teks'),
    ("3", 'nilai "section" harus berupa teks'),
])
def test_malformed_section_is_an_error_on_its_line(roots, value, expected):
    path = write_quiz(roots[1], quiz_text(value))
    quiz, errors, _ = load_quiz(path)
    assert quiz is None and len(errors) == 1
    assert errors[0].line == 9 and expected in errors[0].message


def test_section_does_not_change_the_quiz_version(roots):
    with_section = load_quiz(write_quiz(roots[1], quiz_text(ALL[0])))[0]
    without = load_quiz(write_quiz(roots[1], quiz_text(""), "other.toml"))[0]
    assert with_section and without and with_section.content_hash == without.content_hash
    assert with_section.sections[0].targets == ("kursus-baik/pembuka#mulai",)


def test_check_paths_warns_about_the_checked_files_only(roots):
    quiz = write_quiz(roots[1], quiz_text(ALL[0], '"kursus-baik/pembuka#salah"'))
    on_quiz = check_paths([quiz], *roots)
    assert [(Path(w.path), w.line) for w in on_quiz.warnings] == [(quiz, 16)]
    on_course = check_paths([roots[0] / "kursus-baik"], *roots)
    assert {Path(w.path).name for w in on_course.warnings} == {"02-lanjutan.md", "03-tiga-bagian.md"}


def test_content_check_prints_warnings_and_still_passes(runner, app, roots):
    write_quiz(roots[1], quiz_text(*ALL[:2]))
    app.config.update(COURSES_DIR=str(roots[0]), QUIZZES_DIR=str(roots[1]))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "03-tiga-bagian.md:6: bagian \"Bagian pertama\"" in result.output
    assert "(peringatan)" in result.output and ", 2 peringatan." in result.output


REPO = Path(__file__).resolve().parents[2]


def test_bundled_content_passes_with_no_warnings():
    result = load_all(REPO / "courses", REPO / "quizzes")
    assert result.errors == [] and messages(result) == []
    practice = {q.settings.course for q in result.quizzes if q.settings.kind == "practice"}
    assert practice == {c.slug for c in result.courses}  # every module has its practice quiz


def test_every_bundled_lesson_ends_in_praktik_and_has_600_words():
    result = load_all(REPO / "courses", REPO / "quizzes")
    assert len(result.courses) >= 4
    for course in result.courses:
        for lesson in course.lessons:
            sections = [h.anchor for h in lesson_headings(lesson) if h.level == 2]
            assert sections and sections[-1] == "praktik", (course.slug, lesson.slug, sections[-1:])
            assert lesson.word_count >= 600, (course.slug, lesson.slug, lesson.word_count)


def test_a_course_changelog_is_not_a_lesson(roots):
    folder = roots[0] / "kursus-baik"
    (folder / "CHANGELOG.md").write_text("# Perubahan\n\n## 2.2\n\n- Catatan.\n", encoding="utf-8")
    course, errors = load_course(folder)
    assert errors == [] and course is not None
    assert [lesson.slug for lesson in course.lessons] == ["pembuka", "lanjut", "tiga-bagian"]
    (folder / "catatan.md").write_text("Bukan pelajaran.\n", encoding="utf-8")
    assert load_course(folder)[0] is None  # any other unnumbered file is still an error
