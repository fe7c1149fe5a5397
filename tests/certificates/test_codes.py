import re
from collections import Counter

import pytest

from lms.certificates.codes import ALPHABET, new_code, normalize_code

GROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
CODE = "7K3M-Q9TZ-0B4D-XW2R-HN8P"


def test_alphabet_is_crockford() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(ALPHABET)) == 32


def test_new_code_shape_and_round_trip() -> None:
    code = new_code()
    assert GROUPED.match(code), code
    assert normalize_code(code) == code
    assert normalize_code(code.lower().replace("-", "")) == code


def test_thousand_codes_are_distinct_and_use_the_whole_alphabet() -> None:
    codes = [new_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    counts = Counter("".join(codes).replace("-", ""))
    assert set(counts) == set(ALPHABET)
    # 20 000 symbols over 32 letters: 625 expected each; a sound generator stays far inside this.
    assert all(450 < n < 800 for n in counts.values()), counts


@pytest.mark.parametrize("typed", [
    CODE,
    CODE.lower(),
    CODE.replace("-", ""),
    CODE.replace("-", " "),
    f"  {CODE.lower()}  ",
    "7k3m q9tz 0b4d xw2r hn8p",
    "7K3M-Q9TZ-OB4D-XW2R-HN8P",  # O typed for 0
    "7K3M--Q9TZ-0B4D-XW2R-HN8P-",
])
def test_normalize_code_accepts(typed: str) -> None:
    assert normalize_code(typed) == CODE


@pytest.mark.parametrize("typed, expected", [
    ("IIII-LLLL-llll-iiii-OOOO", "1111-1111-1111-1111-0000"),
    ("oooo0000IIIIllll1111", "0000-0000-1111-1111-1111"),
])
def test_normalize_code_maps_confusable_letters(typed: str, expected: str) -> None:
    assert normalize_code(typed) == expected


@pytest.mark.parametrize("typed", [
    "",
    "----",
    CODE[:-1],
    CODE + "A",
    CODE.replace("7", "U"),  # U is left out of Crockford base32 on purpose
    CODE.replace("7", "u"),
    CODE.replace("7", "*"),
    CODE.replace("7", "_"),
    CODE.replace("-", "."),
    CODE.replace("7", "ı"),  # dotless i upper-cases to I; not a code symbol
    CODE.replace("7K", "ß"),  # upper-cases to SS, which would fix the length
    CODE.replace("7", "７"),  # fullwidth digit
    "<script>alert(1)</script>",
])
def test_normalize_code_rejects(typed: str) -> None:
    assert normalize_code(typed) is None
