"""Quiz definitions: the real quizzes/ folder, TOML errors with lines, snapshots and hashes."""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from lms.quizzes.definitions import ContentError, QuizDefinition, load_quiz, load_quizzes
from lms.quizzes.gift import parse_gift
from lms.quizzes.grading import best_fraction
from lms.quizzes.questions.checks import weight_fraction
from lms.quizzes.questions.codec import question_from_snapshot, question_to_snapshot
from lms.quizzes.questions.model import Answer, Pair, Question, QuizSettings, ReviewPolicy
from lms.quizzes.questions.types import question_problems

F = Fraction
REPO = Path(__file__).resolve().parents[2]
QUIZZES = REPO / "quizzes"
FOLDER = REPO / "tests" / "fixtures" / "quizzes" / "folder"
GIFT = REPO / "tests" / "fixtures" / "quizzes" / "gift" / "ppid-medsos.gift"
REAL_FILES = sorted(QUIZZES.glob("*.toml"))


def write(folder: Path, name: str, text: str) -> Path:
    """Write a dedented file into folder and return its path."""
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# --- the project's real quizzes -----------------------------------------------------------------

def test_there_are_seven_real_quiz_files() -> None:
    assert len(REAL_FILES) == 7


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.stem)
def test_real_quiz_loads_without_errors(path: Path) -> None:
    quiz, errors, skipped = load_quiz(path)
    assert (errors, skipped) == ([], [])
    assert quiz is not None and quiz.slug == path.stem
    assert quiz.questions
    assert all(best_fraction(q) == 1 for q in quiz.questions)


def test_real_quiz_folder() -> None:
    quizzes, errors, skipped = load_quizzes(QUIZZES)
    assert (errors, skipped) == ([], [])
    by_slug = {q.slug: q for q in quizzes}
    assert sorted(by_slug) == [p.stem for p in REAL_FILES]
    post = by_slug["posttest-bimtek-medsos"].settings
    pre = by_slug["pretest-bimtek-medsos"].settings
    assert (post.kind, post.pretest, post.attempts) == ("posttest", "pretest-bimtek-medsos", 2)
    assert (pre.kind, pre.grading) == ("pretest", "first")
    assert pre.review.after_submit == frozenset({"score"})


def test_real_quiz_details() -> None:
    quiz, _, _ = load_quiz(QUIZZES / "kuis-media-monitoring-isu-strategis.toml")
    assert quiz is not None
    rate = next(q for q in quiz.questions if q.id == "hitung-engagement-rate")
    assert [(a.value, a.tolerance, a.fraction) for a in rate.answers] == [
        (Decimal("3"), Decimal("0.05"), F(1)), (Decimal("0.03"), Decimal("0.001"), F(0)),
        (Decimal("2.69"), Decimal("0.01"), F(0))]
    assert quiz.settings.course == "media-monitoring-isu-strategis"
    assert quiz.settings.pass_mark == 70


# --- every key, every type ----------------------------------------------------------------------

def test_complete_fixture_quiz() -> None:
    quiz, errors, skipped = load_quiz(FOLDER / "kuis-lengkap.toml")
    assert (errors, skipped) == ([], [])
    assert quiz is not None
    wita = timezone(timedelta(hours=8))
    assert quiz.settings == QuizSettings(
        title="Kuis Lengkap PPID dan Media Sosial",
        description="Kuis contoh untuk pengujian pemuat.",
        kind="practice", course="branding-layanan-publik", pass_mark=F(125, 2), attempts=3,
        time_limit_minutes=15, grace_seconds=30, grading="average", shuffle_questions=True,
        shuffle_answers=False, draw=6,
        review=ReviewPolicy(frozenset({"score"}), frozenset({"score", "answers"})),
        open_at=datetime(2025, 3, 1, 8, tzinfo=wita),
        close_at=datetime(2025, 3, 31, 17, tzinfo=wita))
    questions = {q.id: q for q in quiz.questions}
    assert [q.type for q in quiz.questions] == [
        "single", "multiple", "truefalse", "short", "numerical", "matching", "missingword"]
    single = questions["pilihan-tunggal"]
    assert (single.points, single.text_format, single.line) == (F(2), "plain", 23)
    assert single.answers[1] == Answer("a2", "Admin yang membuatnya", F(0), "Keliru.")
    assert [a.fraction for a in questions["banyak-jawaban"].answers] == [
        F(1, 3), F(1, 3), F(1, 3), F(-1, 2)]
    assert questions["benar-salah"].correct_bool is False
    assert [a.fraction for a in questions["jawaban-singkat"].answers] == [F(1), F(1, 2)]
    rentang = questions["numerik-rentang"].answers
    assert (rentang[0].low, rentang[0].high, rentang[1].fraction) == (Decimal(1), Decimal(7), F(0))
    assert questions["menjodohkan"].pairs[2] == Pair("p3", "", "Hapus tanpa dibalas")
    assert questions["isian"].text == "Porsi terbesar pola 70:20:10 adalah konten {_}."


def test_defaults() -> None:
    quiz, errors, _ = load_quiz(FOLDER / "pretest-contoh.toml")
    assert errors == [] and quiz is not None
    settings = quiz.settings
    assert (settings.pass_mark, settings.time_limit_minutes) == (70, 0)
    assert (settings.grace_seconds, settings.draw) == (60, 0)
    assert settings.review == ReviewPolicy(
        frozenset({"score"}), frozenset({"score", "correctness", "answers", "feedback"}))
    assert QuizSettings("x").review.after_submit == frozenset({"score", "correctness", "feedback"})
    assert quiz.questions[0].text_format == "markdown"


def test_inline_tables_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "kuis-inline.toml", """
        title = "Kuis"
        [[questions]]
        id = "q1"
        type = "single"
        text = "Pilih."
        answers = [{text = "Ya", correct = true}, {text = "Tidak"}]
    """)
    quiz, errors, _ = load_quiz(path)
    assert errors == [] and quiz is not None
    assert quiz.questions[0].answers[0].fraction == 1


# --- GIFT through TOML, bare GIFT, folders ------------------------------------------------------

def test_folder_with_toml_gift_and_readme() -> None:
    quizzes, errors, skipped = load_quizzes(FOLDER)
    assert errors == []
    assert [q.slug for q in quizzes] == [
        "kuis-lengkap", "latihan-hoaks", "posttest-contoh", "pretest-contoh"]
    assert skipped == [ContentError(str(FOLDER / "soal-posttest.gift"), 6,
                                    "pertanyaan esai tidak dapat dinilai otomatis, dilewati")]
    post = next(q for q in quizzes if q.slug == "posttest-contoh")
    assert [q.id for q in post.questions] == ["prinsip-kredibel", "batas-ppid"]
    assert post.source == str(FOLDER / "posttest-contoh.toml")


def test_bare_gift_gets_default_settings() -> None:
    quiz, errors, _ = load_quiz(FOLDER / "latihan-hoaks.gift")
    assert errors == [] and quiz is not None
    assert quiz.settings == QuizSettings(title="Latihan hoaks")
    assert [q.type for q in quiz.questions] == ["single", "short"]


def test_gift_with_same_stem_as_toml_is_not_a_second_quiz(tmp_path: Path) -> None:
    shutil.copy(GIFT, tmp_path / "kuis-a.gift")
    write(tmp_path, "kuis-a.toml", 'title = "A"\nquestions_from = "kuis-a.gift"\n')
    shutil.copy(GIFT, tmp_path / "kuis-b.gift")
    quizzes, errors, skipped = load_quizzes(tmp_path)
    assert errors == []
    assert [(q.slug, q.settings.title) for q in quizzes] == [("kuis-a", "A"), ("kuis-b", "Kuis b")]
    assert len(skipped) == 4  # a description and an essay in each of the two GIFT files


def test_gift_errors_carry_the_gift_path(tmp_path: Path) -> None:
    write(tmp_path, "soal.gift", "Baik {T}\n\nRusak {=a\n")
    toml = write(tmp_path, "kuis-gift.toml", 'title = "Kuis"\nquestions_from = "soal.gift"\n')
    quiz, errors, _ = load_quiz(toml)
    assert quiz is None
    assert errors == [
        ContentError(str(tmp_path / "soal.gift"), 3, "kurung kurawal \"{\" tidak ditutup")]


def test_empty_gift_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "kosong.gift", "// hanya komentar\n\nCatatan.\n")
    quiz, errors, skipped = load_quiz(path)
    assert quiz is None
    assert errors == [ContentError(str(tmp_path / "kosong.gift"), 0,
                                   "berkas GIFT tidak memuat pertanyaan yang dapat dinilai")]
    assert len(skipped) == 1


def test_pretest_must_exist_and_be_a_pretest(tmp_path: Path) -> None:
    write(tmp_path, "latihan.toml", one_question("truefalse", TF))
    for name, target in (("post-a.toml", "tidak-ada"), ("post-b.toml", "latihan")):
        write(tmp_path, name, f'title = "P"\nkind = "posttest"\npretest = "{target}"\n'
                              'questions_from = "x.gift"\n')
    write(tmp_path, "x.gift", "Soal {T}\n")
    quizzes, errors, _ = load_quizzes(tmp_path)
    assert [q.slug for q in quizzes] == ["latihan"]
    assert errors == [
        ContentError(str(tmp_path / "post-a.toml"), 3,
                     "kuis pretest \"tidak-ada\" tidak ditemukan"),
        ContentError(str(tmp_path / "post-b.toml"), 3,
                     "kuis \"latihan\" bukan pretest (kind = \"practice\")")]


def test_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada"
    error = ContentError(str(missing), 0, "folder kuis tidak ada")
    assert load_quizzes(missing) == ([], [error], [])


# --- errors, each with its line -----------------------------------------------------------------

QUESTION = """
[[questions]]
id = "q1"
type = "single"
text = "Pilih."

[[questions.answers]]
text = "Ya"
correct = true

[[questions.answers]]
text = "Tidak"
"""


def top(lines: str) -> str:
    """Return a quiz whose lines 2, 3, ... are the given settings, with one good question."""
    return 'title = "K"\n' + lines + QUESTION


def one_question(qtype: str, body: str = "") -> str:
    """Return a quiz with one question: [[questions]] on line 2, id 3, type 4, text 5, body 6+."""
    return f'title = "K"\n[[questions]]\nid = "q1"\ntype = "{qtype}"\ntext = "Soal {{_}}?"\n{body}'


def rows(table: str, *bodies: str) -> str:
    """Return one [[questions.<table>]] per body, with no blank lines between them."""
    return "".join(f"[[questions.{table}]]\n{body}\n" for body in bodies)


TF = "answer = true\n"
CHOICES = rows("answers", 'text = "a"\ncorrect = true', 'text = "b"')
ERROR_CASES = [
    pytest.param('title = "Kuis"\nattempts = \n', [(2, "TOML tidak valid")], id="syntax"),
    pytest.param(top("shufle_questions = true\n"),
                 [(2, "kunci \"shufle_questions\" tidak dikenal (salah ketik?)")],
                 id="top-key-typo"),
    pytest.param(QUESTION, [(0, "kunci \"title\" wajib diisi")], id="missing-title"),
    pytest.param('title = "  "\n' + QUESTION, [(1, "nilai \"title\" tidak boleh kosong")],
                 id="empty-title"),
    pytest.param(top('kind = "kuis"\n'), [(2, "nilai \"kind\" tidak dikenal: \"kuis\"")],
                 id="unknown-kind"),
    pytest.param(top('grading = "best"\n'), [(2, "pilihan: highest, last, first, average")],
                 id="unknown-grading"),
    pytest.param(top('attempts = "3"\n'), [(2, "nilai \"attempts\" harus berupa bilangan bulat")],
                 id="text-as-int"),
    pytest.param(top("draw = true\n"), [(2, "nilai \"draw\" harus berupa bilangan bulat")],
                 id="bool-as-int"),
    pytest.param(top("time_limit_minutes = -5\n"), [(2, "tidak boleh negatif")], id="negative"),
    pytest.param(top("pass_mark = 120\n"), [(2, "antara 0 dan 100")], id="pass-mark"),
    pytest.param(top('shuffle_answers = "ya"\n'), [(2, "harus berupa true atau false")],
                 id="text-as-bool"),
    pytest.param(top('course = "Modul 1"\n'), [(2, "harus berupa slug")], id="course-slug"),
    pytest.param(top("open_at = 2025-03-01T08:00:00\n"), [(2, "harus memuat zona waktu")],
                 id="naive-datetime"),
    pytest.param(top("close_at = 2025-03-01\n"), [(2, "harus berupa tanggal dan waktu")],
                 id="date-only"),
    pytest.param(top("open_at = 2025-03-02T08:00:00+07:00\nclose_at = 2025-03-01T08:00:00+07:00\n"),
                 [(3, "harus setelah")], id="close-before-open"),
    pytest.param(top('pretest = "pre"\n'),
                 [(2, "kunci \"pretest\" hanya berlaku untuk kuis dengan kind = \"posttest\"")],
                 id="pretest-on-practice"),
    pytest.param(top("draw = 2\n"), [(2, "nilai \"draw\" (2) melebihi jumlah pertanyaan (1)")],
                 id="draw-too-many"),
    pytest.param(top('[review]\nafter_finish = ["score"]\n'),
                 [(3, "kunci \"after_finish\" tidak dikenal")], id="review-key"),
    pytest.param(top('[review]\nafter_close = ["score", "nilai"]\n'),
                 [(3, "isi \"after_close\" tidak dikenal: \"nilai\"")], id="review-item"),
    pytest.param(top('[review]\nafter_submit = "score"\n'), [(3, "harus berupa daftar teks")],
                 id="review-not-list"),
    pytest.param('title = "K"\n', [(0, "kuis tidak memiliki pertanyaan")], id="no-questions"),
    pytest.param(top('questions_from = "a.gift"\n'), [(2, "tidak keduanya")], id="both-sources"),
    pytest.param('title = "K"\nquestions_from = "tidak-ada.gift"\n',
                 [(2, "berkas \"tidak-ada.gift\" pada \"questions_from\" tidak ditemukan")],
                 id="gift-missing"),
    pytest.param('title = "K"\nquestions_from = "../soal.gift"\n',
                 [(2, "nama berkas .gift di folder yang sama")], id="gift-elsewhere"),
    pytest.param(one_question("esai"), [(4, "nilai \"type\" tidak dikenal: \"esai\"")],
                 id="unknown-type"),
    pytest.param('title = "K"\n[[questions]]\nid = "q1"\ntext = "?"\n',
                 [(2, "kunci \"type\" wajib diisi")], id="missing-type"),
    pytest.param('title = "K"\n[[questions]]\ntype = "truefalse"\ntext = "?"\nanswer = true\n',
                 [(2, "kunci \"id\" wajib diisi")], id="missing-id"),
    pytest.param('title = "K"\n[[questions]]\nid = "q1"\ntype = "truefalse"\nanswer = true\n',
                 [(2, "kunci \"text\" wajib diisi")], id="missing-text"),
    pytest.param(one_question("truefalse", TF + 'feedbak_true = "x"\n'),
                 [(7, "kunci \"feedbak_true\" tidak dikenal (salah ketik?)")],
                 id="question-key-typo"),
    pytest.param(one_question("truefalse", TF + rows("pairs", 'left = "a"\nright = "b"')),
                 [(7, "kunci \"pairs\" tidak berlaku untuk pertanyaan jenis \"truefalse\"")],
                 id="key-of-another-type"),
    pytest.param(one_question("truefalse", TF + "points = 0\n"), [(7, "harus lebih dari 0")],
                 id="points-zero"),
    pytest.param(one_question("truefalse", TF + "section = 3\n"),
                 [(7, "nilai \"section\" harus berupa teks")], id="section-not-text"),
    pytest.param(one_question("truefalse", TF + 'text_format = "rtf"\n'),
                 [(7, "nilai \"text_format\" tidak dikenal")], id="text-format"),
    pytest.param(one_question("truefalse"), [(2, "kunci \"answer\" wajib diisi")],
                 id="truefalse-no-answer"),
    pytest.param(one_question("truefalse", 'answer = "salah"\n'),
                 [(6, "nilai \"answer\" harus berupa true atau false")],
                 id="truefalse-text-answer"),
    pytest.param(one_question("multiple", rows("answers", 'text = "a"\nweigth = 50',
                                               'text = "b"\nweight = 100')),
                 [(8, "kunci \"weigth\" tidak dikenal (salah ketik?)")], id="answer-key-typo"),
    pytest.param(one_question("multiple", rows("answers", 'text = "a"\ncorrect = true',
                                               'text = "b"\nweight = 100')),
                 [(8, "kunci \"correct\" tidak berlaku untuk pertanyaan jenis \"multiple\"")],
                 id="correct-on-multiple"),
    pytest.param(one_question("single"), [(2, "kunci \"answers\" wajib diisi")], id="no-answers"),
    pytest.param(one_question("single", rows("answers", 'text = "a"', 'text = "b"')),
                 [(3, "tidak ada jawaban benar")], id="single-without-correct"),
    pytest.param(one_question("single", rows("answers", 'text = "a"\ncorrect = true',
                                             'text = "b"\ncorrect = true')),
                 [(3, "ada 2 jawaban benar")], id="single-with-two-correct"),
    pytest.param(one_question("single", rows("answers", 'text = "a"\ncorrect = true')),
                 [(3, "minimal dua jawaban")], id="single-with-one-answer"),
    pytest.param(one_question("single", rows("answers", 'text = "a"\ncorrect = true', 'text = ""')),
                 [(10, "nilai \"text\" tidak boleh kosong")], id="empty-answer-text"),
    pytest.param(one_question("multiple", rows("answers", 'text = "a"\nweight = 50',
                                               'text = "b"\nweight = 40')),
                 [(3, "jumlah bobot positif harus tepat 100 agar nilai penuh dapat dicapai; "
                      "saat ini 90")],
                 id="multiple-short-of-100"),
    pytest.param(one_question("multiple", rows("answers", *['text = "x"\nweight = 33.3'] * 3)),
                 [(3, "saat ini 99.9")], id="multiple-thirds-rounded-too-far"),
    pytest.param(one_question("short", rows("answers", 'text = "a"\nweight = 150')),
                 [(8, "bobot harus antara -100 dan 100")], id="weight-out-of-range"),
    pytest.param(one_question("short", rows("answers", 'text = "a"\nweight = 50')),
                 [(3, "minimal satu jawaban dengan bobot 100")], id="short-without-full-credit"),
    pytest.param(one_question("numerical", rows("answers", "value = 17\nweight = 0")),
                 [(3, "minimal satu jawaban dengan bobot 100")],
                 id="numerical-without-full-credit"),
    pytest.param(one_question("numerical", rows("answers", "min = 5\nmax = 1")),
                 [(7, "nilai \"min\" tidak boleh lebih besar dari \"max\"")], id="min-above-max"),
    pytest.param(one_question("numerical", rows("answers", "value = 5\nmax = 7")),
                 [(8, "tidak keduanya")], id="value-and-range"),
    pytest.param(one_question("numerical", rows("answers", "weight = 100")),
                 [(6, "jawaban numerik memerlukan nilai: gunakan \"value\"")],
                 id="numerical-no-value"),
    pytest.param(one_question("numerical", rows("answers", "min = 1\nmax = 2\ntolerance = 1")),
                 [(9, "hanya berlaku bersama \"value\"")], id="tolerance-with-range"),
    pytest.param(one_question("numerical", rows("answers", "value = 5\ntolerance = -1")),
                 [(8, "tidak boleh negatif")], id="negative-tolerance"),
    pytest.param(one_question("numerical", rows("answers", 'value = "lima"')),
                 [(7, "nilai \"value\" harus berupa angka")], id="text-value"),
    pytest.param(one_question("matching", rows("pairs", 'left = "a"\nright = "b"',
                                               'left = ""\nright = "c"')),
                 [(3, "minimal dua pasangan")], id="matching-one-pair"),
    pytest.param(one_question("matching", rows("pairs", 'left = "a"', 'left = "b"\nright = "c"')),
                 [(6, "kunci \"right\" wajib diisi")], id="matching-without-right"),
    pytest.param(one_question("missingword", CHOICES).replace("Soal {_}?", "Tanpa rumpang"),
                 [(3, "tepat satu penanda {_}; ditemukan 0")], id="missingword-without-blank"),
    pytest.param(one_question("missingword", CHOICES).replace("Soal {_}?", "{_} dan {_}"),
                 [(3, "ditemukan 2")], id="missingword-with-two-blanks"),
    pytest.param(one_question("truefalse", TF + one_question("truefalse", TF).split("\n", 1)[1]),
                 [(8, "id pertanyaan \"q1\" sudah dipakai pada baris 3")], id="duplicate-id"),
    pytest.param(one_question("truefalse", TF).replace('"q1"', '"' + "x" * 121 + '"'),
                 [(3, "id pertanyaan terlalu panjang (121 karakter, paling banyak 120)")],
                 id="id-too-long"),
]


@pytest.mark.parametrize("text, expected", ERROR_CASES)
def test_error_lines(tmp_path: Path, text: str, expected: list[tuple[int, str]]) -> None:
    path = write(tmp_path, "kuis-uji.toml", text)
    (tmp_path / "a.gift").write_text("Soal {T}\n", encoding="utf-8")
    quiz, errors, _ = load_quiz(path)
    assert quiz is None
    assert [e.line for e in errors] == [line for line, _ in expected], errors
    for error, (_, message) in zip(errors, expected):
        assert message in error.message
        assert error.path == str(path)


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    text = one_question("truefalse", TF + "points = -1\n")
    text = text.replace('title = "K"\n', 'titel = "K"\nkind = "kuis"\n')
    quiz, errors, _ = load_quiz(write(tmp_path, "kuis-uji.toml", text))
    assert quiz is None
    assert [e.line for e in errors] == [0, 1, 2, 8]


def test_bad_slug_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "Kuis_Satu.toml", 'title = "K"\n' + QUESTION)
    quiz, errors, _ = load_quiz(path)
    assert quiz is None
    assert errors == [ContentError(str(path), 0,
                                   "nama berkas \"Kuis_Satu.toml\" tidak dapat menjadi slug: "
                                   "gunakan huruf kecil, angka, dan tanda hubung")]


def test_headers_inside_multiline_strings_do_not_confuse_lines(tmp_path: Path) -> None:
    fake = 'description = """\n[[questions]]\nid = "palsu"\n"""\n'
    text = one_question("truefalse", "answer = 1\n")
    text = text.replace('title = "K"\n', 'title = "K"\n' + fake)
    _, errors, _ = load_quiz(write(tmp_path, "kuis-uji.toml", text))
    assert [(e.line, e.message) for e in errors] == [
        (10, "nilai \"answer\" harus berupa true atau false")]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "kuis-uji.toml"
    path.write_bytes(b'title = "\xff"\n')
    assert load_quiz(path) == (None, [ContentError(str(path), 0, "berkas bukan teks UTF-8")], [])


def test_content_error_text() -> None:
    assert str(ContentError("quizzes/a.toml", 7, "pesan")) == "quizzes/a.toml:7: pesan"
    assert str(ContentError("quizzes/a.toml", 0, "pesan")) == "quizzes/a.toml: pesan"


# --- shared rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("percent, fraction", [
    ("100", F(1)), ("50", F(1, 2)), ("-25", F(-1, 4)), ("37", F(37, 100)), ("12.5", F(1, 8)),
    ("33.33333", F(1, 3)), ("66.66667", F(2, 3)), ("14.28571", F(1, 7)), ("16.66667", F(1, 6)),
    ("-33.33333", F(-1, 3)), ("33.3", F(333, 1000)), ("12.345", F(12345, 100000)),
])
def test_weight_fraction(percent: str, fraction: Fraction) -> None:
    assert weight_fraction(Decimal(percent)) == fraction


def test_question_problems_accepts_a_good_question() -> None:
    good = Question("q", "truefalse", "Benar?", correct_bool=True)
    assert question_problems(good) == []
    assert question_problems(Question("q", "essay", "")) == [
        "jenis pertanyaan \"essay\" tidak dikenal; pilihan: single, multiple, truefalse, short, "
        "numerical, matching, missingword, ordering", "teks pertanyaan kosong"]


# --- snapshots and hashes -----------------------------------------------------------------------

def all_fixture_questions() -> list[Question]:
    """Return every question the real quizzes and the fixtures hold."""
    quizzes = load_quizzes(QUIZZES)[0] + load_quizzes(FOLDER)[0]
    gift_questions = parse_gift(GIFT.read_text(encoding="utf-8"), str(GIFT))[0]
    return [q for quiz in quizzes for q in quiz.questions] + gift_questions


def test_snapshot_round_trip_is_exact() -> None:
    questions = all_fixture_questions()
    assert len(questions) > 100
    for question in questions:
        snapshot = json.loads(json.dumps(question_to_snapshot(question)))
        assert question_from_snapshot(snapshot) == question


def test_snapshot_is_json_safe_text() -> None:
    answer = Answer("a1", "3 ± 0.05", F(-1, 3), "umpan", Decimal("3"), Decimal("0.05"))
    question = Question("q", "numerical", "Berapa?", points=F(5, 2), answers=(answer,), line=9)
    snapshot = question_to_snapshot(question)
    assert snapshot["points"] == "5/2"
    assert snapshot["answers"][0] == {
        "id": "a1", "text": "3 ± 0.05", "fraction": "-1/3", "feedback": "umpan", "value": "3",
        "tolerance": "0.05", "low": None, "high": None}
    assert question_from_snapshot(snapshot) == question
    plain = Question("q", "truefalse", "?", correct_bool=True)
    assert question_to_snapshot(plain)["points"] == "1/1"


def test_content_hash_ignores_positions_but_not_content(tmp_path: Path) -> None:
    source = (FOLDER / "kuis-lengkap.toml").read_text(encoding="utf-8")
    original = load_quiz(write(tmp_path, "kuis-a.toml", source))[0]
    moved = load_quiz(write(tmp_path, "kuis-b.toml", "# komentar baru\n\n" + source))[0]
    edited = load_quiz(write(tmp_path, "kuis-c.toml", source.replace("dimiliki oleh", "milik")))[0]
    retimed_source = source.replace("grace_seconds = 30", "grace_seconds = 45")
    retimed = load_quiz(write(tmp_path, "kuis-d.toml", retimed_source))[0]
    assert original and moved and edited and retimed
    assert moved.questions[0].line == original.questions[0].line + 2
    assert len(original.content_hash) == 64
    assert moved.content_hash == original.content_hash
    assert edited.content_hash != original.content_hash
    assert retimed.content_hash != original.content_hash


def test_content_hash_is_stable() -> None:
    questions = (Question("q", "truefalse", "?", correct_bool=True),)
    quiz = QuizDefinition("k", QuizSettings("Judul"), questions, "k.toml")
    elsewhere = QuizDefinition("k", QuizSettings("Judul"), questions, "lain.toml")
    assert quiz.content_hash == elsewhere.content_hash
