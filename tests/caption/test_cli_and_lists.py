"""`flask caption check` (output, exit codes) and `content check` of the Cek Caption word lists."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BAD = "Judul.\n\nWarga bisa antri utk layanan ini.\n"
CLEAN = "Bawa buku KIA saat datang ke posyandu.\n"


def test_check_prints_one_finding_per_line_and_exits_1(runner, tmp_path):
    path = tmp_path / "caption.txt"
    path.write_text(BAD, encoding="utf-8")
    result = runner.invoke(args=["caption", "check", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == ['3:12: ejaan: "antri" tidak baku; tulis "antre" (salah)',
                                          '3:18: singkatan: "utk": singkatan gaya pesan singkat; tulis "untuk" (salah)']


def test_check_reads_stdin_by_default_and_with_dash(runner):
    for args in (["caption", "check"], ["caption", "check", "-"]):
        result = runner.invoke(args=args, input=BAD)
        assert result.exit_code == 1 and result.output.startswith("3:12: ejaan:")


def test_a_clean_caption_prints_nothing_and_exits_0(runner):
    result = runner.invoke(args=["caption", "check"], input=CLEAN)
    assert result.exit_code == 0 and result.output == ""


def test_the_platform_option_changes_the_length_limit(runner):
    text = "Ayo ke posyandu. " * 20  # 340 characters
    assert runner.invoke(args=["caption", "check"], input=text).exit_code == 0
    result = runner.invoke(args=["caption", "check", "--platform", "x"], input=text)
    assert result.exit_code == 1 and "1:281: panjang: 340 karakter; X menerima paling banyak 280" in result.output


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: tmp / "tidak-ada.txt", "tidak ada"),
    (lambda tmp: tmp, "folder"),
    (lambda tmp: _binary(tmp), "bukan teks UTF-8"),
])
def test_unreadable_input_exits_2_with_a_message(runner, tmp_path, make, message):
    result = runner.invoke(args=["caption", "check", str(make(tmp_path))])
    assert result.exit_code == 2 and message in result.output


def _binary(tmp: Path) -> Path:
    path = tmp / "foto.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 bukan teks")
    return path


@pytest.fixture
def courses(tmp_path):
    root = tmp_path / "courses"
    root.mkdir()
    for name in ("jargon.toml", "kamus.toml"):
        shutil.copy(ROOT / "courses" / name, root / name)
    return root


def test_content_check_passes_the_bundled_lists(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output


def test_content_check_reports_bad_jargon_entries_with_lines(runner, courses):
    path = courses / "jargon.toml"
    path.write_text('[asing]\nmeeting = "rapat"\nMeeting = "rapat"\nevent = ""\nupdate = "update"\n'
                    '[dinas]\nmeeting = "pertemuan"\n[lain]\nx = "y"\n', encoding="utf-8")
    result = runner.invoke(args=["content", "check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f'{path}:3: istilah "Meeting" harus huruf kecil (huruf, angka, tanda hubung, apostrof, satu spasi ' \
           'antarkata)' in lines
    assert f'{path}:4: gantinya "event" harus teks yang tidak kosong' in lines
    assert f'{path}:5: gantinya "update" sama dengan istilahnya' in lines
    assert f'{path}:7: istilah "meeting" sudah tercantum di tabel [asing]' in lines
    assert any(line.startswith(f'{path}:8: tabel "lain" tidak dikenal') for line in lines)


def test_content_check_reports_toml_syntax_and_kamus_problems(runner, courses):
    jargon, kamus = courses / "jargon.toml", courses / "kamus.toml"
    jargon.write_text('[asing]\nmeeting = "rapat\n', encoding="utf-8")
    kamus.write_text('umum = ["dulu", "Dulu", "dulu"]\nistilah = "posyandu"\nwarna = ["merah"]\n'
                     'singkatan_umum = ["ktp"]\n', encoding="utf-8")
    result = runner.invoke(args=["content", "check", str(jargon), str(kamus)])
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert any(line.startswith(f"{jargon}:2: TOML tidak valid") for line in lines)
    assert f'{kamus}:1: "Dulu" harus satu kata huruf kecil (tanda hubung boleh)' in lines
    assert f'{kamus}:1: "dulu" sudah tercantum sebelumnya' in lines
    assert f'{kamus}:2: "istilah" harus daftar teks, mis. ["kata", "kata"]' in lines
    assert any(line.startswith(f'{kamus}:3: kunci "warna" tidak dikenal') for line in lines)
    assert any(line.startswith(f'{kamus}:4: singkatan "ktp" harus huruf besar') for line in lines)


def test_a_word_in_both_lists_is_an_error(courses):
    from lms.caption.lists import load

    (courses / "kamus.toml").write_text('umum = ["rakor"]\n', encoding="utf-8")
    _, errors = load(courses)
    assert [str(e) for e in errors] == [f'{courses / "kamus.toml"}:1: "rakor" juga tercantum di jargon.toml; '
                                        "hapus dari salah satu"]


def test_the_checker_rereads_an_edited_list(courses):
    import os

    from lms.caption import check
    from lms.caption.lists import cached

    assert [f for f in check("Warga memakai gawaiku.", lists=cached(courses)) if f.kind == "ejaan"] == []
    text = "Rapat dihadiri warga kampung."
    assert not [f for f in check(text, lists=cached(courses)) if f.kind == "jargon"]
    path = courses / "jargon.toml"
    path.write_text('[dinas]\nkampung = "desa"\n', encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert [f.excerpt for f in check(text, lists=cached(courses)) if f.kind == "jargon"] == ["kampung"]
