import pytest

from lms.accounts.identity import (
    IdentityError,
    format_nip,
    mask_nip,
    name_key,
    normalize_email,
    normalize_nip,
    normalize_phone,
)

VALID_NIP = "198503142010011001"


@pytest.mark.parametrize("raw, expected", [
    (VALID_NIP, VALID_NIP),
    ("19850314 201001 1 001", VALID_NIP),
    ("19850314.201001.1.001", VALID_NIP),
    (" 198503142010012005 ", "198503142010012005"),
])
def test_normalize_nip_accepts(raw, expected):
    assert normalize_nip(raw) == expected


@pytest.mark.parametrize("raw, fragment", [
    ("1,98501E+17", "angka ilmiah"),
    ("1.98503E+17", "angka ilmiah"),
    ("198503142010011000", "000"),
    ("19850314201001100", "18 digit (tertulis 17"),
    ("1985031420100110011", "18 digit (tertulis 19"),
    ("19850314201001100A", "hanya boleh berisi angka"),
    ("198502302010011001", "tanggal lahir"),
    ("198503142010131001", "bulan pengangkatan"),
    ("198503142010013001", "jenis kelamin"),
])
def test_normalize_nip_rejects_with_reason(raw, fragment):
    with pytest.raises(IdentityError, match=fragment.replace("(", r"\(").replace("+", r"\+")):
        normalize_nip(raw)


def test_format_and_mask_nip():
    assert format_nip(VALID_NIP) == "19850314 201001 1 001"
    assert mask_nip(VALID_NIP) == "19" + "*" * 14 + "01"


@pytest.mark.parametrize("nip, expected", [
    ("198503142010012005", "19**************05"),
    ("12345", "12*45"),
    ("1234", "****"),
    ("", ""),
])
def test_mask_nip_keeps_neither_birth_date_nor_serial(nip, expected):
    masked = mask_nip(nip)
    assert masked == expected
    if len(nip) == 18:
        assert nip[2:8] not in masked and nip[-4:] not in masked


@pytest.mark.parametrize("raw, expected", [
    ("081234567890", "081234567890"),
    ("0812-3456-7890", "081234567890"),
    ("+62 812 3456 7890", "081234567890"),
    ("6281234567890", "081234567890"),
    ("(0274) 512345", "0274512345"),
    ("", ""),
])
def test_normalize_phone_accepts(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw, fragment", [
    ("81234567890", "kehilangan angka 0"),
    ("8,12346E+10", "angka ilmiah"),
    ("0812abc", "hanya boleh berisi angka"),
    ("0812", "9–14 digit"),
])
def test_normalize_phone_rejects(raw, fragment):
    with pytest.raises(IdentityError, match=fragment):
        normalize_phone(raw)


def test_email_and_name_key():
    assert normalize_email("  Budi@Contoh.GO.ID ") == "budi@contoh.go.id"
    with pytest.raises(IdentityError, match="tidak sah"):
        normalize_email("budi@contoh")
    assert name_key("  Dinas   KESEHATAN ") == name_key("dinas kesehatan")
