"""Cek Caption's checks on real-looking captions: each check firing, and not firing."""

from pathlib import Path

import pytest

from lms.caption import MAX_CHECKED, check
from lms.caption.lists import load
from lms.caption.model import CHECK, LESSONS, WRONG
from lms.caption.numbers import number_words
from lms.caption.report import pieces
from lms.courses.content import load_course
from lms.markdown import render

ROOT = Path(__file__).resolve().parents[2]
LISTS, LIST_ERRORS = load(ROOT / "courses")

# A complete activity post of a Dinas Kesehatan: officials with titles, OPD and place names,
# day, date and time, who came, three hashtags. Nothing in it may be reported.
SAMPLES = Path(__file__).resolve().parent / "samples"
GOOD = (SAMPLES / "kegiatan-lengkap.txt").read_text(encoding="utf-8")


def run(text, platform="instagram"):
    return check(text, platform, LISTS)


def kinds(text, platform="instagram"):
    return [f.kind for f in run(text, platform)]


def test_the_bundled_word_lists_have_no_errors_and_enough_jargon():
    assert LIST_ERRORS == []
    assert sum(1 for t in LISTS.terms if t.table in {"asing", "dinas"}) >= 40


def test_a_correct_activity_post_gives_no_finding():
    assert run(GOOD) == []


def test_officials_titles_place_and_opd_names_give_no_spelling_complaint():
    text = ("Wakil Bupati Contoh, Ahmad Fauzi, S.E., meninjau RSUD Sukamaju bersama Kepala Bappeda Kabupaten "
            "Contoh, Ir. Hj. Rahma Dewi, M.Si., dan Sekretaris Disdukcapil, Drs. Dodi Kurniawan. Rombongan "
            "juga singgah di Balai Desa Karanganyar dan Kantor Kecamatan Tanjungsari.")
    assert [f for f in run(text) if f.kind == "ejaan"] == []


FIRING = [
    # (caption, kind, certainty, words of the message)
    ("Kegiatan rapat hari ini berjalan lancar. Semoga bermanfaat.", "unsur", CHECK, "pejabat"),
    ("Bupati Contoh, Ahmad Fauzi, membuka rapat di Aula Bappeda pada Selasa, 15 Juli 2025, pukul 08.00 WIB.",
     "unsur", CHECK, "siapa yang hadir"),
    ("Rapat diikuti 30 camat di Aula Bappeda pada Selasa, 15 Juli 2025, pukul 08.00 WIB, dipimpin Kepala, "
     "Ahmad Fauzi, S.E.", "unsur", CHECK, "jabatan belum lengkap"),
    ("Rapat dipimpin Bupati Contoh dan diikuti 30 camat di Aula Bappeda, Selasa, 15 Juli 2025, pukul 08.00 WIB.",
     "unsur", CHECK, "nama pejabat tidak ditemukan"),
    ("Kegiatan dihadiri Bupati Contoh, Ahmad Fauzi, S.E., dan 30 camat, Selasa, 15 Juli 2025, pukul 08.00 WIB.",
     "unsur", CHECK, "tempat kegiatan"),
    ("Rapat koordinasi dipimpin Bupati Contoh, Ahmad Fauzi, S.E., diikuti 30 camat di Aula Bappeda pukul 08.00 WIB.",
     "unsur", CHECK, "tanggal"),
    ("Rapat diikuti 30 camat dan dipimpin Bupati Contoh, Ahmad Fauzi, S.E., di Aula Bappeda, 15 Juli 2025.",
     "unsur", CHECK, "nama hari"),
    ("Kami memeriksa kwalitas air sumur warga.", "ejaan", WRONG, "\"kualitas\""),
    ("Silahkan datang ke kantor kecamatan.", "ejaan", WRONG, "\"silakan\""),
    ("Warga dapat mendaftar dirumah masing-masing.", "ejaan", WRONG, "\"di rumah\""),
    ("Layanan ini di laksanakan setiap Sabtu.", "ejaan", CHECK, "\"dilaksanakan\""),
    ("Layanan dibuka setiap hari selasa.", "ejaan", WRONG, "\"Selasa\""),
    ("Petugas memeriksa tekanan darh warga lansia.", "ejaan", CHECK, "\"darh\" tidak ada di kamus"),
    ("Rapat digelar di Kantor Kabupten Contoh.", "ejaan", CHECK, "mungkin \"Kabupaten\""),
    ("JANGAN LUPA DATANG KE POSYANDU BESOK PAGI", "ejaan", CHECK, "huruf kapital"),
    ("Hasil rapat akan di-follow up oleh tim.", "jargon", CHECK, "\"ditindaklanjuti\""),
    ("Para stakeholder diminta hadir.", "jargon", CHECK, "\"pemangku kepentingan\""),
    ("Pendaftaran bisa secara online melalui situs resmi.", "jargon", CHECK, "\"daring\""),
    ("Pendaftaran dibuka utk umum.", "singkatan", WRONG, "\"untuk\""),
    ("Hasil Rakor akan diumumkan pekan depan.", "singkatan", CHECK, "\"rapat koordinasi\""),
    ("Layanan PTM bagi lansia dibuka lagi.", "singkatan", CHECK, "\"PTM\" belum dijelaskan"),
    ("Layanan dibuka jam 8 pagi.", "angka", WRONG, "\"pukul"),
    ("Layanan dibuka pukul 08:00 WIB.", "angka", WRONG, "\"08.00\""),
    ("Layanan dibuka pukul 08.00 di kantor kecamatan.", "angka", CHECK, "zona waktu"),
    ("Layanan dibuka pukul 8 pagi.", "angka", CHECK, "\"pukul 08.00 WIB\""),
    ("Posyandu buka pada 17/7/2025.", "angka", WRONG, "\"17 Juli 2025\""),
    ("Posyandu buka pada 17/7 mendatang.", "angka", CHECK, "\"17 Juli"),
    ("Rapat digelar Selasa, 16 Juli 2025.", "angka", WRONG, "hari Rabu, bukan Selasa"),
    ("Rapat digelar Senin, 31 Juni 2025.", "angka", WRONG, "tidak ada"),
    ("Petugas mendatangi 5 desa prioritas.", "angka", CHECK, "\"lima desa\""),
    ("60 kader mengikuti pelatihan.", "angka", CHECK, "awal kalimat"),
    ("Ayo ke posyandu! #a1 #a2 #a3 #a4 #a5 #a6", "tagar", WRONG, "6 tagar"),
    ("Ayo ke posyandu #PosyanduAktif setiap bulan.", "tagar", CHECK, "tengah kalimat"),
    ("Ayo ke posyandu.\n#posyanduaktifkabcontoh", "tagar", CHECK, "huruf kapital"),
    ("Ayo " * 600, "panjang", WRONG, "Instagram menerima paling banyak 2.200"),
]


@pytest.mark.parametrize(("text", "kind", "certainty", "words"), FIRING)
def test_each_check_fires(text, kind, certainty, words):
    found = [f for f in run(text) if f.kind == kind and words in f.message]
    assert found, [f.as_line() for f in run(text)]
    assert found[0].certainty == certainty


NOT_FIRING = [
    # (caption, kind that must not be reported, why)
    ("Pelatihan dibuka Bupati Contoh, Ahmad Fauzi, S.E., di aula puskesmas, diikuti 30 kader, Selasa, "
     "15 Juli 2025, pukul 08.00 WIB.", "unsur", "a place in lower case"),
    ("Layanan perekaman KTP-el dibuka di lima kantor kecamatan pukul 08.00–12.00 WIB.", "unsur",
     "an announcement is not an activity post"),
    ("Tengkes (stunting) bisa dicegah sejak dini.", "jargon", "the English term beside its alternative"),
    ("Tim Percepatan Penurunan Stunting bertemu.", "jargon", "part of a name"),
    ("Tim Percepatan Penurunan Stunting (TPPS) bertemu. TPPS menyepakati target.", "singkatan",
     "spelled out on first use"),
    ("Kartu berobat dan KTP wajib dibawa; layanan sampai pukul 12.00 WIB.", "singkatan", "known to every reader"),
    ("Rapat koordinasi (rakor) digelar lagi. Hasil rakor diumumkan.", "singkatan", "dinas abbreviation spelled out"),
    ("Ibu Sari Wulandari menyerahkan bantuan kepada Pak Joko di Desa Sukaluyu.", "ejaan", "names mid-sentence"),
    ("Pastikan Anda sudah mendaftar; petugas memverifikasi datanya dan mengunggahnya.", "ejaan",
     "affixed forms of known roots"),
    ("Posyandu, puskesmas, dan warganet diajak aktif.", "ejaan", "kamus.toml words"),
    ("Info lengkap di https://dinkes.contohkab.go.id/jadwal-posyandu atau surel humas@contohkab.go.id.",
     "ejaan", "links and e-mail addresses"),
    ("Layanan buka selama 2 jam setiap Sabtu, 10 km dari pusat kota.", "angka", "durations and measures"),
    ("Diikuti 60 kader dari 12 desa dan 3 puskesmas.", "angka", "several numbers are data"),
    ("Rapat digelar Rabu, 16 Juli 2025, pukul 09.00 WITA.", "angka", "the right day and a zone"),
    ("Warga RT 03/05 diminta hadir.", "angka", "an address, not a date"),
    ("Ayo ke posyandu!\n\n#DinkesKabContoh #CegahStunting #PosyanduAktif #Sehat #Contoh", "tagar", "five tags"),
    ("Ayo " * 600, "tagar", "no hashtag at all"),
]


@pytest.mark.parametrize(("text", "kind", "why"), NOT_FIRING)
def test_each_check_stays_quiet(text, kind, why):
    assert kind not in kinds(text), (why, [f.as_line() for f in run(text)])


def test_hashtag_limit_is_certain_only_on_instagram():
    text = "Ayo ke posyandu!\n#A #B #C #D #E #F"
    assert [f.certainty for f in run(text, "instagram") if f.kind == "tagar"] == [WRONG]
    assert [f.certainty for f in run(text, "facebook") if f.kind == "tagar"] == [CHECK]


@pytest.mark.parametrize(("platform", "limit"), [("instagram", 2200), ("tiktok", 4000), ("x", 280),
                                                 ("facebook", 63206)])
def test_length_per_platform(platform, limit):
    assert "panjang" not in kinds("a" * limit, platform)
    over = [f for f in run("a" * (limit + 1), platform) if f.kind == "panjang"]
    assert len(over) == 1 and over[0].start == limit


def test_line_and_column_point_at_the_word():
    finding = next(f for f in run("Judul.\n\nWarga bisa antri di kantor.") if f.kind == "ejaan")
    assert (finding.line, finding.column, finding.excerpt) == (3, 12, "antri")
    assert finding.as_line() == '3:12: ejaan: "antri" tidak baku; tulis "antre" (salah)'


def test_windows_line_breaks_count_as_one():
    finding = next(f for f in run("Judul.\r\n\r\nWarga bisa antri.") if f.kind == "ejaan")
    assert (finding.line, finding.column) == (3, 12)


def test_each_unknown_word_is_reported_once():
    found = [f for f in run("Petugas memeriksa darh warga. Darh diperiksa lagi.") if f.kind == "ejaan"]
    assert len(found) == 1


def test_past_the_checked_length_only_length_is_checked():
    text = "Warga bisa antri. " + "kami " * (MAX_CHECKED // 5) + " Warga bisa antri."
    found = run(text)
    assert [f.kind for f in found] == ["ejaan", "panjang"] and found[0].start < MAX_CHECKED


@pytest.mark.parametrize("text", ["", "   \n\n  ", "🙏🙏🙏", "مرحبا بكم في الدورة", "<script>alert(1)</script>",
                                  "\u202eterbalik\u202c", "#" * 50, "a" * 5000, "1/1/1 99:99 jam 99",
                                  "Selasa, 99 Juli 99999"])
def test_odd_input_never_breaks(text):
    for finding in run(text):
        assert 0 <= finding.start <= finding.end and finding.line >= 1 and finding.column >= 1


def test_pieces_mark_each_span_once_and_keep_all_text():
    text = "Kami memeriksa kwalitas dan antri."
    parts = pieces(text, run(text))
    assert "".join(p.text for p in parts) == text
    assert [p.text for p in parts if p.number] == ["kwalitas", "antri"]


def test_every_lesson_a_finding_points_to_exists():
    course, errors = load_course(ROOT / "courses" / "caption-dan-interaksi-warganet")
    assert errors == [] and course is not None
    lessons = {lesson.slug: str(render(lesson.body)) for lesson in course.lessons}
    for ref in LESSONS:
        assert f'id="{ref.anchor}"' in lessons[ref.lesson], ref


@pytest.mark.parametrize(("value", "words"), [(1, "satu"), (11, "sebelas"), (12, "dua belas"), (20, "dua puluh"),
                                              (21, None), (100, "seratus"), (0, None)])
def test_number_words(value, words):
    assert number_words(value) == words


@pytest.mark.parametrize(("name", "expected"), [
    ("rakor-sebelum-perbaikan.txt", {"unsur", "singkatan", "tagar"}),
    ("layanan-sebelum-perbaikan.txt", {"ejaan", "jargon", "singkatan", "angka"}),
])
def test_the_lessons_before_captions_fail_on_what_the_lesson_says(name, expected):
    found = {f.kind for f in run((SAMPLES / name).read_text(encoding="utf-8"))}
    assert expected <= found, found
