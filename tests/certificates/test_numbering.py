from datetime import date

import pytest

from lms.certificates.numbering import PatternError, format_number, to_roman, validate_pattern

ISSUED = date(2026, 7, 3)


@pytest.mark.parametrize("month, roman", [
    (1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V"), (6, "VI"), (7, "VII"), (8, "VIII"),
    (9, "IX"), (10, "X"), (11, "XI"), (12, "XII"),
])
def test_to_roman(month: int, roman: str) -> None:
    assert to_roman(month) == roman


@pytest.mark.parametrize("month", [0, 13, -1, True])
def test_to_roman_rejects(month: int) -> None:
    with pytest.raises(ValueError):
        to_roman(month)


@pytest.mark.parametrize("pattern, seq, code, expected", [
    ("{seq:03d}/BIMTEK-MEDSOS/DISKOMINFO/{month_roman}/{year}", 7, "",
     "007/BIMTEK-MEDSOS/DISKOMINFO/VII/2026"),
    ("800.2.3/{seq:04d}/{training_code}/{month_roman}/{year}", 12, "MEDSOS",
     "800.2.3/0012/MEDSOS/VII/2026"),
    ("{year}{month:02d}{day:02d}-{seq}", 1234, "", "20260703-1234"),
    ("{seq}/{year}", 5, "", "5/2026"),
    ("{{{seq}}}/{year}", 5, "", "{5}/2026"),
    ("{{seq}}-{seq}/{year}", 5, "", "{seq}-5/2026"),
    ("{seq:>4}/{training_code:.3}/{year}", 5, "PPID-DASAR", "   5/PPI/2026"),
    ("{seq:x}/{year}", 255, "", "ff/2026"),
    ("No. {seq:03d} / {year}", 1000, "", "No. 1000 / 2026"),
])
def test_format_number(pattern: str, seq: int, code: str, expected: str) -> None:
    validate_pattern(pattern)
    assert format_number(pattern, seq=seq, issued=ISSUED, training_code=code) == expected


@pytest.mark.parametrize("pattern, fragment", [
    ("{seq.__class__}/{year}", "{seq.__class__}"),
    ("{seq.real}/{year}", "akses atribut"),
    ("{seq[0]}/{year}", "{seq[0]}"),
    ("{year.__class__.__mro__}/{seq}", "akses atribut"),
    ("{seq!r}/{year}", "konversi !r"),
    ("{seq!s}/{year}", "konversi !s"),
    ("{0}/{seq}/{year}", "{0}"),
    ("{}/{seq}/{year}", "tanpa nama"),
    ("{seq:{year}}/{year}", "bersarang"),
    ("{seq:0{year}d}/{year}", "bersarang"),
    ("{unknown}/{seq}/{year}", "{unknown}"),
    ("{SEQ}/{year}", "tidak dikenal"),
    ("{__import__}/{seq}/{year}", "tidak dikenal"),
    ("{seq/{year}", "tidak seimbang"),
    ("{seq}}/{year}", "tidak seimbang"),
    ("}{seq}/{year}", "tidak seimbang"),
    ("{seq:s}/{year}", "tidak cocok untuk angka"),
    ("{seq}/{training_code:03d}/{year}", "tidak cocok untuk teks"),
    ("{seq:c}/{year}", "jenis format \"c\""),
    ("{seq:n}/{year}", "jenis format \"n\""),
    ("{seq:999999999d}/{year}", "lebar format"),
    ("{seq:.100f}/{year}", "lebar format"),
    ("{seq}\n/{year}", "karakter kendali"),
    ("{month}/{year}", "{seq}"),
    ("{seq:03d}/BIMTEK", "{year}"),
    ("", "kosong"),
    ("x" * 201, "terlalu panjang"),
])
def test_validate_pattern_rejects(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError) as caught:
        validate_pattern(pattern)
    assert fragment in str(caught.value)
    with pytest.raises(PatternError):
        format_number(pattern, seq=1, issued=ISSUED, training_code="X")


def test_pattern_error_is_a_value_error() -> None:
    assert issubclass(PatternError, ValueError)


@pytest.mark.parametrize("seq", [0, -3, True, 1.5])
def test_format_number_rejects_bad_sequence(seq: int) -> None:
    with pytest.raises(ValueError, match="nomor urut"):
        format_number("{seq}/{year}", seq=seq, issued=ISSUED)


def test_format_number_needs_a_training_code_when_the_pattern_uses_it() -> None:
    with pytest.raises(ValueError, match="kode pelatihan kosong"):
        format_number("{seq}/{training_code}/{year}", seq=1, issued=ISSUED, training_code="  ")
