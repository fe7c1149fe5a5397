"""GIFT parser: Moodle's own example files, the project's fixture, and line-numbered errors."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from lms.contentfiles import ContentError
from lms.quizzes.gift import DESCRIPTION_NOTE, ESSAY_NOTE, parse_gift
from lms.quizzes.grading import best_fraction, grade_question
from lms.quizzes.questions.model import Answer, Pair, Question

F = Fraction
INTEROP = Path(__file__).resolve().parents[3] / "shared" / "interop"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quizzes" / "gift"


MoodleFixture = tuple[dict[int, Question], list[ContentError]]


def interop_file(name: str) -> Path:
    """Return a file from shared/interop beside the repository, or skip the test."""
    path = INTEROP / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: the Moodle interop samples live in shared/interop "
                    "beside the repository")
    return path


def parse_file(path: Path) -> tuple[list[Question], list[ContentError], list[ContentError]]:
    """Parse a GIFT file as the loader does."""
    return parse_gift(path.read_text(encoding="utf-8"), str(path))


def best_response(q: Question) -> object:
    """Return a response that earns the most a question allows."""
    if q.type == "multiple":
        return [a.id for a in q.answers if a.fraction > 0]
    if q.type == "truefalse":
        return "true" if q.correct_bool else "false"
    if q.type == "matching":
        return {p.id: p.right for p in q.pairs if p.left}
    best = max(q.answers, key=lambda a: a.fraction)
    if q.type == "short":
        return best.text.replace("*", "x")
    if q.type == "numerical":
        return str(best.value if best.value is not None else best.low)
    return best.id


def max_score(q: Question) -> Fraction:
    """Return the most points a question can give, and check a real response earns it."""
    top = q.points * best_fraction(q)
    assert grade_question(q, best_response(q)) == top
    return top


# --- Moodle's examples.txt ----------------------------------------------------------------------

# line -> (name, type, maximum score); None for unnamed questions.
MOODLE_EXAMPLES = {
    8: (None, "single", F(1)),
    10: (None, "missingword", F(1)),
    12: (None, "truefalse", F(1)),
    14: (None, "short", F(1)),
    16: (None, "numerical", F(1)),
    25: (None, "single", F(1)),
    27: (None, "missingword", F(1)),
    29: (None, "missingword", F(1)),
    35: (None, "single", F(1)),
    43: (None, "short", F(1)),
    45: (None, "short", F(1)),
    49: (None, "truefalse", F(1)),
    51: (None, "truefalse", F(1)),
    55: (None, "matching", F(1)),
    61: (None, "matching", F(1)),
    70: (None, "numerical", F(1)),
    72: (None, "numerical", F(1)),
    74: (None, "numerical", F(1)),
    76: (None, "numerical", F(1)),
    85: (None, "numerical", F(1)),
    90: ("Kanji Origins", "short", F(1)),
    93: ("Thanksgiving Date", "missingword", F(1)),
    98: (None, "single", F(1)),
    103: (None, "short", F(1)),
    108: (None, "short", F(1)),
    113: (None, "truefalse", F(1)),
    115: (None, "single", F(1)),
    117: ("Jesus' hometown", "missingword", F(1)),
    123: ("Jesus' hometown-2", "short", F(1)),
    130: (None, "multiple", F(1)),
    136: (None, "multiple", F(1)),
    143: (None, "single", F(1)),
    148: ("GIFT Control Characters", "single", F(1)),
    167: (None, "single", F(1)),
    169: (None, "missingword", F(1)),
    171: (None, "truefalse", F(1)),
    173: (None, "short", F(1)),
    175: (None, "numerical", F(1)),
    177: (None, "matching", F(1)),
    184: ("Grant's Tomb", "missingword", F(1)),
    190: (None, "single", F(1)),
    195: ("Jesus' hometown (Short answer ex.)", "short", F(1)),
    202: ("Numerical example", "numerical", F(1)),
}

# line -> (name, type, maximum score), and the essay that is skipped.
MOODLE_FIXTURE = {
    5: ("Moodle activities", "matching", F(1)),
    14: ("Q2", "single", F(1)),
    22: ("colours", "multiple", F(1)),
    31: ("Q5", "numerical", F(1)),
    34: ("Shortanswer", "short", F(1)),
    41: ("Q1", "truefalse", F(1)),
    46: ("2-08 TSL", "truefalse", F(1)),
    49: ("2-08 TSL-2", "truefalse", F(1)),
}


@pytest.fixture(scope="module")
def examples() -> dict[int, Question]:
    questions, errors, skipped = parse_file(interop_file("moodle-gift-examples.gift"))
    assert errors == []
    assert skipped == []
    return {q.line: q for q in questions}


@pytest.fixture(scope="module")
def moodle_fixture() -> MoodleFixture:
    questions, errors, skipped = parse_file(interop_file("moodle-gift-fixture.gift"))
    assert errors == []
    return {q.line: q for q in questions}, skipped


def test_every_moodle_example_is_in_the_table(examples: dict[int, Question]) -> None:
    assert sorted(examples) == sorted(MOODLE_EXAMPLES)


@pytest.mark.parametrize("line", sorted(MOODLE_EXAMPLES))
def test_moodle_example(examples: dict[int, Question], line: int) -> None:
    name, qtype, top = MOODLE_EXAMPLES[line]
    question = examples[line]
    assert (question.type, max_score(question)) == (qtype, top)
    if name is not None:
        assert question.id == name


def test_every_moodle_fixture_question_is_in_the_table(
        moodle_fixture: MoodleFixture) -> None:
    questions, skipped = moodle_fixture
    assert sorted(questions) == sorted(MOODLE_FIXTURE)
    path = str(INTEROP / "moodle-gift-fixture.gift")
    assert skipped == [ContentError(path, 2, ESSAY_NOTE)]


@pytest.mark.parametrize("line", sorted(MOODLE_FIXTURE))
def test_moodle_fixture_question(moodle_fixture: MoodleFixture,
                                 line: int) -> None:
    name, qtype, top = MOODLE_FIXTURE[line]
    question = moodle_fixture[0][line]
    assert (question.id, question.type, max_score(question)) == (name, qtype, top)


def test_moodle_control_characters(examples: dict[int, Question]) -> None:
    question = examples[148]
    assert [a.text for a in question.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert question.answers[5].fraction == 1
    assert question.answers[0].feedback == "~ is a control character."
    assert question.answers[5].feedback.startswith(
        "Correct! \\ (backslash) is not a control character. BUT,\n")
    assert [a.text for a in examples[143].answers] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]


def test_moodle_partial_weights_and_missing_word(examples: dict[int, Question]) -> None:
    hometown = examples[117]
    assert hometown.text == "Jesus Christ was from {_}."
    assert [(a.text, a.fraction) for a in hometown.answers] == [
        ("Jerusalem", F(0)), ("Bethlehem", F(1, 4)), ("Galilee", F(1, 2)), ("Nazareth", F(1))]
    assert grade_question(hometown, "a3") == F(1, 2)
    assert examples[29].text == ("The American holiday of Thanksgiving is celebrated on the {_} "
                                 "Thursday of November.")
    spelled = examples[123]
    assert [(a.text, a.fraction) for a in spelled.answers] == [
        ("Nazareth", F(1)), ("Nazereth", F(3, 4)), ("Bethlehem", F(1, 4))]
    assert examples[45].text == "Two plus two equals {_}."


def test_moodle_multiple_answers_with_negative_weights(examples: dict[int, Question]) -> None:
    question = examples[136]
    assert [a.fraction for a in question.answers] == [F(-1, 2), F(1, 2), F(1, 2), F(-1, 2)]
    assert grade_question(question, ["a2", "a3", "a4"]) == F(1, 2)
    assert grade_question(question, ["a1", "a2"]) == F(0)


def test_moodle_numerical_forms(examples: dict[int, Question]) -> None:
    born = examples[16].answers[0]
    assert (born.value, born.tolerance) == (Decimal("1822"), Decimal("1"))
    pi = examples[74].answers[0]
    assert (pi.low, pi.high) == (Decimal("3.141"), Decimal("3.142"))
    several = examples[202].answers
    assert [(a.value, a.tolerance, a.fraction) for a in several] == [
        (Decimal("1822"), Decimal("0"), F(1)), (Decimal("1822"), Decimal("2"), F(1, 2))]
    assert several[1].feedback == "He was born in 1822.\nYou get 50% credit for being close."
    assert grade_question(examples[202], "1824") == F(1, 2)


def test_moodle_feedback_and_formats(examples: dict[int, Question]) -> None:
    assert examples[108].text_format == "markdown"
    assert examples[108].text == "Who's buried in **Grant's tomb**?"
    assert examples[113].correct_bool is False
    assert examples[113].feedback_true == "No one is buried in Grant's tomb."
    assert [a.feedback for a in examples[98].answers] == [
        "feedback comment on the wrong answer", "feedback comment on this wrong answer",
        "Very good!"]
    assert examples[90].text == "Japanese characters originally\ncame from what country?"


def test_moodle_fixture_details(moodle_fixture: MoodleFixture) -> None:
    questions = moodle_fixture[0]
    activities = questions[5]
    assert activities.text_format == "html"
    assert activities.pairs[0] == Pair("p1", "An activity supporting asynchronous discussions.",
                                       "Forum")
    assert activities.pairs[3].left == "A collection of web pages that anyone can add to or edit."
    assert activities.pairs[4] == Pair("p5", "", "Chat")
    assert [a.feedback for a in questions[14].answers] == [
        "right; good!", "wrong, it's yellow", "wrong, it's yellow"]
    assert questions[14].answers[2].text == "blue"
    assert [a.fraction for a in questions[22].answers] == [F(1, 2), F(-1), F(1, 2), F(-1)]
    truth = questions[41]
    assert (truth.correct_bool, truth.feedback_true, truth.feedback_false) == (
        False, "42 is the Ultimate Answer.", "You gave the right answer.")
    assert truth.general_feedback == ("This is, of course, a Hitchiker's Guide to the Galaxy "
                                      "reference.")


def test_moodle_fixture_wrong_answer_feedback(moodle_fixture: MoodleFixture) -> None:
    questions = moodle_fixture[0]
    number = questions[31]
    assert number.answers[1] == Answer("a2", "*", F(0), "Completely wrong")
    # The stray `";` after the closing brace is kept, as Moodle keeps it: text after the block.
    assert number.text == "What is a number from 1 to 5? {_}\";"
    assert grade_question(number, "5") == 1
    assert grade_question(number, "6") == 0
    animal = questions[34]
    assert [(a.text, a.fraction) for a in animal.answers] == [
        ("Frog", F(1)), ("Cat", F(1, 2)), ("*", F(0))]
    assert grade_question(animal, "cat") == F(1, 2)


# --- the project's own GIFT fixture -------------------------------------------------------------

PPID = FIXTURES / "ppid-medsos.gift"

# id -> (line, type, maximum score)
PPID_TABLE = {
    "batas-waktu-ppid": (10, "single", F(1)),
    "pilar-konten": (18, "missingword", F(1)),
    "katanya": (25, "truefalse", F(1)),
    "sentimen-tiga": (27, "truefalse", F(1)),
    "rumus-5w1h": (30, "short", F(1)),
    "q-" + hashlib.sha1(b"Setiap badan publik menunjuk {_} untuk melayani permohonan informasi."
).hexdigest()[:10]: (37, "short", F(1)),
    "engagement-rate": (40, "numerical", F(1)),
    "frekuensi-unggah": (43, "numerical", F(1)),
    "total-hari-ppid": (46, "numerical", F(1)),
    "metrik-medsos": (53, "matching", F(1)),
    "keamanan-akun": (61, "multiple", F(1)),
    "unsur-issue-brief": (69, "multiple", F(1)),
    "simbol: tagar": (77, "single", F(1)),
}


@pytest.fixture(scope="module")
def ppid() -> dict[str, Question]:
    questions, errors, skipped = parse_file(PPID)
    assert errors == []
    assert skipped == [ContentError(str(PPID), 7, DESCRIPTION_NOTE),
                       ContentError(str(PPID), 85, ESSAY_NOTE)]
    return {q.id: q for q in questions}


def test_ppid_fixture_table(ppid: dict[str, Question]) -> None:
    assert {qid: (q.line, q.type, max_score(q)) for qid, q in ppid.items()} == PPID_TABLE


def test_ppid_single_with_general_feedback(ppid: dict[str, Question]) -> None:
    question = ppid["batas-waktu-ppid"]
    assert question.text_format == "markdown"
    assert question.text == ("Permohonan informasi publik wajib dijawab PPID paling lambat "
                             "**berapa lama**?")
    assert question.general_feedback.startswith("UU No. 14 Tahun 2008")
    assert question.answers[0].feedback == "Benar. Totalnya paling lama 17 hari kerja."


def test_ppid_missing_word_keeps_text_after_the_blank(ppid: dict[str, Question]) -> None:
    question = ppid["pilar-konten"]
    assert question.text == ("Dalam pola 70:20:10, porsi terbesar akun instansi diisi konten {_} "
                             "bagi warga.")
    assert grade_question(question, "a2") == F(1, 2)


def test_ppid_truefalse_feedback_order(ppid: dict[str, Question]) -> None:
    question = ppid["katanya"]
    assert question.correct_bool is False
    assert question.feedback_true.startswith("Kurang tepat")
    assert question.feedback_false.startswith("Benar")
    assert ppid["sentimen-tiga"].correct_bool is True


def test_ppid_short_answers(ppid: dict[str, Question]) -> None:
    rumus = ppid["rumus-5w1h"]
    responses = ("5w 1h", "5W", "4W+2H", "lima")
    assert [grade_question(rumus, r) for r in responses] == [F(1), F(1, 2), F(1, 4), F(0)]
    blank = next(q for q in ppid.values() if q.line == 37)
    assert blank.text == "Setiap badan publik menunjuk {_} untuk melayani permohonan informasi."
    assert grade_question(blank, "pejabat pengelola informasi dan dokumentasi") == 1


def test_ppid_numerical(ppid: dict[str, Question]) -> None:
    assert grade_question(ppid["engagement-rate"], "3,05") == 1
    assert grade_question(ppid["frekuensi-unggah"], "5") == 1
    assert grade_question(ppid["frekuensi-unggah"], "6") == 0
    total = ppid["total-hari-ppid"]
    assert [a.text for a in total.answers] == ["17", "10", "*"]
    assert total.answers[2].feedback == "Hitung 10 hari kerja ditambah perpanjangan 7 hari kerja."
    assert grade_question(total, "10") == F(1, 2)


def test_ppid_matching_strips_formats(ppid: dict[str, Question]) -> None:
    question = ppid["metrik-medsos"]
    assert question.text_format == "html"
    assert [p.left for p in question.pairs] == ["Jangkauan (reach)", "Tayangan (impressions)",
                                                "Interaksi (engagement)", ""]


def test_ppid_multiple_thirds_are_exact(ppid: dict[str, Question]) -> None:
    question = ppid["unsur-issue-brief"]
    assert question.text_format == "plain"
    assert [a.fraction for a in question.answers] == [F(1, 3), F(1, 3), F(1, 3), F(-1)]
    assert grade_question(question, ["a1", "a2", "a3"]) == 1
    assert grade_question(ppid["keamanan-akun"], ["a1", "a3"]) == 0


def test_ppid_escapes(ppid: dict[str, Question]) -> None:
    question = ppid["simbol: tagar"]
    assert question.text == "Simbol apa yang dipakai untuk tagar?\nTanda { dan } tidak dipakai."
    assert [a.text for a in question.answers] == ["# (tanda pagar)", "~ (tilde)", "= (sama dengan)",
                                                  "\\ (garis miring terbalik)"]


# --- smaller behaviours -------------------------------------------------------------------------

def parse(text: str) -> tuple[list[Question], list[ContentError], list[ContentError]]:
    """Parse GIFT text from a test."""
    return parse_gift(text, "uji.gift")


def test_unnamed_ids_are_hashes_and_repeats_get_a_suffix() -> None:
    questions, errors, _ = parse("Akun OPD milik instansi.{T}\n\nAkun   OPD milik\ninstansi.{TRUE}"
                                 "\n\n::x::Satu{T}\n\n::x::Dua{F}")
    expected = "q-" + hashlib.sha1(b"Akun OPD milik instansi.").hexdigest()[:10]
    assert errors == []
    assert [q.id for q in questions] == [expected, expected + "-2", "x", "x-2"]


def test_formats_and_defaults() -> None:
    questions, _, _ = parse("[moodle]A{T}\n\n[plain]B{T}\n\n[html]<i>C</i>{T}\n\n"
                            "[markdown]*D*{T}\n\nE{T}")
    assert [(q.text, q.text_format) for q in questions] == [
        ("A", "plain"), ("B", "plain"), ("<i>C</i>", "html"), ("*D*", "markdown"), ("E", "plain")]
    assert all(q.points == 1 for q in questions)


def test_comments_categories_crlf_and_line_numbers() -> None:
    text = ("// judul\r\n$CATEGORY: tes\r\n\r\n// komentar\r\n::a::Soal\r\n// di tengah\r\n"
            "lanjutan{T}\r\n")
    questions, errors, _ = parse(text)
    assert errors == []
    assert [(q.id, q.line, q.text) for q in questions] == [("a", 5, "Soal\nlanjutan")]


def test_newline_escape_and_colon_in_name() -> None:
    questions, _, _ = parse("::pukul 08\\:00::Baris satu\\nbaris dua{=ya#oke\\nsekali ~tidak}")
    assert questions[0].id == "pukul 08:00"
    assert questions[0].text == "Baris satu\nbaris dua"
    assert questions[0].answers[0].feedback == "oke\nsekali"


def test_description_and_essay_are_skipped_not_errors() -> None:
    questions, errors, skipped = parse("Catatan saja.\n\n::esai::Jelaskan.{}\n\n"
                                       "::esai2::Jelaskan.{####Umpan balik}")
    assert (questions, errors) == ([], [])
    assert skipped == [ContentError("uji.gift", 1, DESCRIPTION_NOTE),
                       ContentError("uji.gift", 3, ESSAY_NOTE),
                       ContentError("uji.gift", 5, ESSAY_NOTE)]


def test_single_with_one_answer_is_short_answer() -> None:
    questions, errors, _ = parse("Ibu kota Sulawesi Selatan? {=Makassar}")
    assert errors == []
    assert questions[0].type == "short"


@pytest.mark.parametrize("text, line, message", [
    ("Soal {=a ~b\n\nLain {T}", 1, "kurung kurawal \"{\" tidak ditutup"),
    ("Soal {=a {~b}", 1, "kurung kurawal \"{\" tidak ditutup"),
    ("Teks } lalu {T}", 1, "tanpa pasangan"),
    ("A {T} B {F}", 1, "satu blok jawaban"),
    ("::tanpa tutup Soal {T}", 1, "tidak ditutup dengan \"::\""),
    ("// komentar\n\n// lagi\nPilih {=%50%a ~b}", 4, "tidak ada jawaban benar"),
    ("Pilih {=a =b ~c}", 1, "ada 2 jawaban benar"),
    ("Pilih {~a ~b}", 1, "jumlah bobot positif harus tepat 100 agar nilai penuh dapat dicapai; "
                         "saat ini 0"),
    ("Pilih {~%50%a ~%40%b}", 1, "saat ini 90"),
    ("Pilih {=a ~%abc%b}", 1, "bobot jawaban tidak dapat dibaca"),
    ("Pilih {=a ~%150%b}", 1, "bobot jawaban harus antara -100 dan 100"),
    ("Pilih {=a}\n\nPilih {=a ~}", 3, "teks jawaban ke-2 kosong"),
    ("Teks {~a =b} di tengah {_}", 1, "satu blok jawaban"),
    ("Angka {#abc}", 1, "angka \"abc\" tidak dapat dibaca"),
    ("Angka {#1,5}", 1, "angka \"1,5\" tidak dapat dibaca"),
    ("Angka {#5:-1}", 1, "toleransi"),
    ("Angka {#5..1}", 1, "terbalik"),
    ("Angka {#}", 1, "tidak memiliki jawaban"),
    ("Angka {#=%50%5}", 1, "minimal satu jawaban dengan bobot 100"),
    ("Benar? {ya}", 1, "gunakan T, TRUE, F, atau FALSE"),
    ("Benar? {T#a#b#c}", 1, "dua umpan balik"),
    ("Pasangkan {=a -> b =c}", 1, "harus berbentuk \"kiri -> kanan\""),
    ("Pasangkan {=a -> b = -> c}", 1, "minimal dua pasangan"),
    ("Pasangkan {=a -> b =c -> }", 1, "pasangan ke-2 tidak memiliki jawaban kanan"),
    ("Singkat {=%50%a}", 1, "minimal satu jawaban dengan bobot 100"),
    ("Jawab {a ~b =c}", 1, "sebelum jawaban pertama tidak dikenali"),
])
def test_errors_have_lines(text: str, line: int, message: str) -> None:
    questions, errors, _ = parse(text)
    assert [e.line for e in errors] == [line]
    assert message in errors[0].message
    assert str(errors[0]).startswith(f"uji.gift:{line}: ")


def test_a_bad_question_does_not_hide_the_good_ones() -> None:
    questions, errors, _ = parse("Rusak {=a\n\nBaik {T}\n\nRusak lagi {#x}")
    assert [q.text for q in questions] == ["Baik"]
    assert [e.line for e in errors] == [1, 5]


# --- our own files with every construct the interop samples use ---------------------------------
# A clean clone has no shared/interop: these files (our own questions) mirror Moodle's examples
# and import fixture construct by construct, so the tests above also hold without them.

OWN_EXAMPLES = FIXTURES / "ragam-konstruksi.gift"
OWN_IMPORT = FIXTURES / "uji-impor.gift"

# line -> (name, type, maximum score); None for unnamed questions.
OWN_EXAMPLES_TABLE = {
    8: (None, "single", F(1)), 10: (None, "missingword", F(1)), 12: (None, "truefalse", F(1)),
    14: (None, "short", F(1)), 16: (None, "numerical", F(1)), 25: (None, "single", F(1)),
    27: (None, "missingword", F(1)), 29: (None, "missingword", F(1)), 35: (None, "single", F(1)),
    43: (None, "short", F(1)), 45: (None, "short", F(1)), 49: (None, "truefalse", F(1)),
    51: (None, "truefalse", F(1)), 55: (None, "matching", F(1)), 61: (None, "matching", F(1)),
    70: (None, "numerical", F(1)), 72: (None, "numerical", F(1)), 74: (None, "numerical", F(1)),
    76: (None, "numerical", F(1)), 85: (None, "numerical", F(1)),
    90: ("Asal kata hoaks", "short", F(1)), 93: ("Hari Hak untuk Tahu", "missingword", F(1)),
    98: (None, "single", F(1)), 103: (None, "short", F(1)), 108: (None, "short", F(1)),
    113: (None, "truefalse", F(1)), 115: (None, "single", F(1)),
    117: ("Tempat bimtek", "missingword", F(1)), 123: ("Tempat bimtek-2", "short", F(1)),
    130: (None, "multiple", F(1)), 136: (None, "multiple", F(1)), 143: (None, "single", F(1)),
    148: ("Karakter kendali GIFT", "single", F(1)), 167: (None, "single", F(1)),
    169: (None, "missingword", F(1)), 171: (None, "truefalse", F(1)), 173: (None, "short", F(1)),
    175: (None, "numerical", F(1)), 177: (None, "matching", F(1)),
    184: ("Hak pemohon", "missingword", F(1)), 190: (None, "single", F(1)),
    195: ("Tempat bimtek (contoh jawaban singkat)", "short", F(1)),
    202: ("Contoh numerik", "numerical", F(1)),
}

# line -> (name, type, maximum score); the essay on line 2 is skipped.
OWN_IMPORT_TABLE = {
    5: ("Aplikasi layanan", "matching", F(1)), 14: ("T2", "single", F(1)),
    22: ("kanal resmi", "multiple", F(1)), 31: ("T5", "numerical", F(1)),
    34: ("Jawabansingkat", "short", F(1)), 41: ("T1", "truefalse", F(1)),
    46: ("3-01 JP", "truefalse", F(1)), 49: ("3-01 JP-2", "truefalse", F(1)),
}


@pytest.fixture(scope="module")
def own_examples() -> dict[int, Question]:
    questions, errors, skipped = parse_file(OWN_EXAMPLES)
    assert (errors, skipped) == ([], [])
    return {q.line: q for q in questions}


@pytest.fixture(scope="module")
def own_import() -> MoodleFixture:
    questions, errors, skipped = parse_file(OWN_IMPORT)
    assert errors == []
    return {q.line: q for q in questions}, skipped


def test_every_own_example_is_in_the_table(own_examples: dict[int, Question]) -> None:
    assert sorted(own_examples) == sorted(OWN_EXAMPLES_TABLE)


@pytest.mark.parametrize("line", sorted(OWN_EXAMPLES_TABLE))
def test_own_example(own_examples: dict[int, Question], line: int) -> None:
    name, qtype, top = OWN_EXAMPLES_TABLE[line]
    question = own_examples[line]
    assert (question.type, max_score(question)) == (qtype, top)
    if name is not None:
        assert question.id == name
    else:
        assert question.id.startswith("q-")


def test_every_own_import_question_is_in_the_table(own_import: MoodleFixture) -> None:
    questions, skipped = own_import
    assert sorted(questions) == sorted(OWN_IMPORT_TABLE)
    assert skipped == [ContentError(str(OWN_IMPORT), 2, ESSAY_NOTE)]


@pytest.mark.parametrize("line", sorted(OWN_IMPORT_TABLE))
def test_own_import_question(own_import: MoodleFixture, line: int) -> None:
    name, qtype, top = OWN_IMPORT_TABLE[line]
    question = own_import[0][line]
    assert (question.id, question.type, max_score(question)) == (name, qtype, top)


def test_own_control_characters(own_examples: dict[int, Question]) -> None:
    question = own_examples[148]
    assert question.text == "Manakah yang BUKAN karakter kendali dalam format GIFT?"
    assert [a.text for a in question.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert question.answers[5].fraction == 1
    assert question.answers[0].feedback == "~ adalah karakter kendali."
    assert question.answers[5].feedback.startswith(
        "Benar! \\ (garis miring terbalik) bukan karakter kendali. NAMUN,\ngaris miring")
    assert question.answers[5].feedback.endswith("\nterbalik juga (seperti contoh ini).")
    assert [a.text for a in own_examples[143].answers] == ["= 4 + 5", "= 4 + 6", "= 4 + 7"]


def test_own_partial_weights_and_missing_word(own_examples: dict[int, Question]) -> None:
    place = own_examples[117]
    assert place.text == "Bimtek tahun ini diselenggarakan di {_}."
    assert [(a.text, a.fraction) for a in place.answers] == [
        ("Jakarta", F(0)), ("Bandung", F(1, 4)), ("Jawa Barat", F(1, 2)), ("Kabupaten Contoh", F(1))]
    assert place.answers[1].feedback == "Hanya rapat persiapan yang di sana."
    assert grade_question(place, "a3") == F(1, 2)
    assert own_examples[29].text == ("Dalam piramida terbalik, bagian berita yang paling penting "
                                     "ditulis di {_} naskah.")
    spelled = own_examples[123]
    assert [(a.text, a.fraction) for a in spelled.answers] == [
        ("Kabupaten Contoh", F(1)), ("Kab. Contoh", F(3, 4)), ("Contoh", F(1, 4))]
    assert grade_question(spelled, "kab. contoh") == F(3, 4)
    assert own_examples[45].text == "Satu JP bimtek setara dengan {_}."
    assert own_examples[93].text == "Hari Hak untuk Tahu diperingati setiap tanggal\n28 {_} setiap tahun."


def test_own_multiple_answers_with_negative_weights(own_examples: dict[int, Question]) -> None:
    question = own_examples[136]
    assert [a.fraction for a in question.answers] == [F(-1, 2), F(1, 2), F(1, 2), F(-1, 2)]
    assert grade_question(question, ["a2", "a3"]) == 1
    assert grade_question(question, ["a2", "a3", "a4"]) == F(1, 2)
    assert grade_question(question, ["a1", "a2"]) == F(0)
    assert grade_question(own_examples[130], ["a2"]) == F(1, 2)


def test_own_numerical_forms(own_examples: dict[int, Question]) -> None:
    year = own_examples[16].answers[0]
    assert (year.value, year.tolerance) == (Decimal("2008"), Decimal("1"))
    assert grade_question(own_examples[16], "2009") == 1 and grade_question(own_examples[16], "2010") == 0
    rate = own_examples[72].answers[0]
    assert (rate.value, rate.tolerance) == (Decimal("2.5"), Decimal("0.05"))
    span = own_examples[74].answers[0]
    assert (span.low, span.high) == (Decimal("2.49"), Decimal("2.51"))
    assert grade_question(own_examples[74], "2,5") == 1 and grade_question(own_examples[74], "2.52") == 0
    several = own_examples[202].answers
    assert [(a.value, a.tolerance, a.fraction) for a in several] == [
        (Decimal("20"), Decimal("0"), F(1)), (Decimal("20"), Decimal("2"), F(1, 2))]
    assert several[1].feedback == ("Targetnya 20 JP setahun.\n"
                                   "Anda mendapat 50% karena jawaban Anda mendekati.")
    assert grade_question(own_examples[202], "22") == F(1, 2)
    assert grade_question(own_examples[202], "23") == 0


def test_own_feedback_and_formats(own_examples: dict[int, Question]) -> None:
    assert own_examples[108].text_format == "markdown"
    assert own_examples[108].text == "Siapa yang menandatangani **sertifikat** bimtek?"
    assert own_examples[103].text_format == "plain"
    assert own_examples[113].correct_bool is False
    assert own_examples[113].feedback_true == "Presensi dicatat setiap hari kegiatan."
    assert [a.feedback for a in own_examples[98].answers] == [
        "Membagikan sebelum memeriksa ikut menyebarkan hoaks.", "Tidak perlu; periksa dulu isinya.",
        "Tepat sekali!"]
    assert [a.feedback for a in own_examples[190].answers] == [
        "komentar untuk jawaban keliru", "komentar untuk jawaban ini", "bagus sekali!"]
    assert own_examples[90].text == "Kata \"hoaks\" diserap ke dalam bahasa Indonesia\ndari bahasa apa?"
    assert [(p.left, p.right) for p in own_examples[177].pairs] == [
        ("DM", "pesan langsung"), ("FYP", "beranda rekomendasi"), ("CTA", "ajakan bertindak")]
    assert own_examples[61].pairs[0] == Pair("p1", "JP", "Jam Pelajaran")


def test_own_import_details(own_import: MoodleFixture) -> None:
    questions = own_import[0]
    services = questions[5]
    assert services.text_format == "html"
    assert services.text == "Pasangkan <b>aplikasi</b> dengan kegunaannya."
    assert services.pairs[0] == Pair(
        "p1", "Kanal pengaduan pelayanan publik yang terhubung secara nasional.", "SP4N-LAPOR!")
    assert services.pairs[1].left == "Laman tempat badan publik menayangkan informasi berkala."
    assert services.pairs[3].left == "Layanan tanda tangan elektronik bersertifikat bagi ASN."
    assert services.pairs[4] == Pair("p5", "", "Surat kabar cetak")
    assert [a.feedback for a in questions[14].answers] == [
        "benar; bagus!", "keliru, JP adalah Jam Pelajaran", "keliru, JP adalah Jam Pelajaran"]
    assert questions[14].answers[2].text == "Jadwal Pelatihan"
    assert [a.fraction for a in questions[22].answers] == [F(1, 2), F(-1), F(1, 2), F(-1)]
    assert grade_question(questions[22], ["a1", "a2", "a3"]) == 0
    truth = questions[41]
    assert (truth.correct_bool, truth.feedback_true, truth.feedback_false) == (
        False, "Sertifikat yang dicabut berstatus Dicabut.", "Jawaban Anda tepat.")
    assert truth.general_feedback == "Halaman verifikasi selalu menampilkan status terkini sertifikat."


def test_own_import_wrong_answer_feedback(own_import: MoodleFixture) -> None:
    questions = own_import[0]
    number = questions[31]
    assert number.answers[1] == Answer("a2", "*", F(0), "Sama sekali keliru")
    assert number.text == "Tulis sebuah angka JP dari 2 sampai 6. {_}\";"
    assert grade_question(number, "6") == 1
    assert grade_question(number, "7") == 0
    short = questions[34]
    assert [(a.text, a.fraction) for a in short.answers] == [("PPID", F(1)), ("PID", F(1, 2)), ("*", F(0))]
    assert grade_question(short, "pid") == F(1, 2)
    assert grade_question(short, "humas") == 0
