"""Certificate numbers from an administrator's pattern, formatted without str.format.

A pattern such as ``{seq:03d}/BIMTEK-MEDSOS/DISKOMINFO/{month_roman}/{year}`` comes from
configuration, so it is treated as untrusted: only the documented fields, no attribute access,
indexing, conversions or nested specs, and bounded widths.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import date

# The fields a pattern may name, with a sample of each field's type to check format specs against.
FIELDS: dict[str, int | str] = {
    "seq": 1, "year": 2026, "month": 7, "month_roman": "VII", "day": 17, "training_code": "MEDSOS",
}
REQUIRED_FIELDS = ("seq", "year")
MAX_PATTERN_LENGTH = 200
# Widths and precisions above this only make absurd numbers (or exhaust memory: {seq:999999999d}).
MAX_WIDTH = 20
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_DIGITS = re.compile(r"\d+")
_FIELD_LIST = ", ".join("{" + name + "}" for name in FIELDS)


class PatternError(ValueError):
    """A certificate number pattern is unsafe or malformed; the message says why, in Indonesian."""


def to_roman(month: int) -> str:
    """Return the month 1..12 as a Roman numeral (VII), as Indonesian letter numbers use."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"bulan harus 1 sampai 12, bukan {month!r}")
    return _ROMAN[month - 1]


def validate_pattern(pattern: str) -> None:
    """Raise PatternError unless pattern uses only the documented fields, safely."""
    list(_pieces(pattern))


def format_number(pattern: str, *, seq: int, issued: date, training_code: str = "") -> str:
    """Return the certificate number for sequence seq issued on the given date."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"nomor urut harus bilangan bulat positif, bukan {seq!r}")
    values: dict[str, int | str] = {
        "seq": seq, "year": issued.year, "month": issued.month,
        "month_roman": to_roman(issued.month), "day": issued.day,
        "training_code": training_code.strip(),
    }
    out: list[str] = []
    for literal, name, spec in _pieces(pattern):
        out.append(literal)
        if name is not None:
            if name == "training_code" and not values[name]:
                raise ValueError("pola nomor memakai {training_code}, tetapi kode pelatihan kosong")
            out.append(format(values[name], spec))
    return "".join(out)


def _pieces(pattern: str) -> Iterator[tuple[str, str | None, str]]:
    """Yield (literal, field name or None, format spec), checking the whole pattern first."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("pola nomor sertifikat kosong")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pola nomor terlalu panjang (lebih dari {MAX_PATTERN_LENGTH} karakter)")
    if not pattern.isprintable():
        raise PatternError("pola nomor memuat karakter kendali (baris baru, tab, dan sejenisnya)")
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        raise PatternError("kurung kurawal dalam pola nomor tidak seimbang; tulis {{ atau }} "
                           "untuk kurung kurawal biasa") from None
    pieces = [(literal, *(_check_field(name, spec, conversion) if name is not None else (None, "")))
              for literal, name, spec, conversion in parsed]
    _check_required({name for _, name, _ in pieces})
    return iter(pieces)


def _check_field(name: str, spec: str | None, conversion: str | None) -> tuple[str, str]:
    shown = ("{" + name + (f"!{conversion}" if conversion else "")
             + (f":{spec}" if spec else "") + "}")
    if name == "" or name.isdigit():
        raise PatternError(f"kolom {shown} tanpa nama tidak diizinkan; gunakan salah satu: "
                           f"{_FIELD_LIST}")
    if "." in name or "[" in name:
        raise PatternError(f"kolom {shown} tidak diizinkan: akses atribut atau indeks tidak "
                           "didukung")
    if name not in FIELDS:
        raise PatternError(f"kolom {shown} tidak dikenal; gunakan salah satu: {_FIELD_LIST}")
    if conversion is not None:
        raise PatternError(f"kolom {shown} tidak diizinkan: konversi !{conversion} tidak didukung")
    _check_spec(name, spec or "", shown)
    return name, spec or ""


def _check_spec(name: str, spec: str, shown: str) -> None:
    if "{" in spec or "}" in spec:
        raise PatternError(f"kolom {shown} tidak diizinkan: format bersarang tidak didukung")
    if any(int(digits) > MAX_WIDTH for digits in _DIGITS.findall(spec)):
        raise PatternError(f"kolom {shown}: lebar format paling besar {MAX_WIDTH}")
    # "c" turns the number into a character and "n" follows the server's locale: neither
    # gives a number that reads the same everywhere.
    if spec[-1:] in ("c", "n"):
        raise PatternError(f"kolom {shown}: jenis format \"{spec[-1]}\" tidak diizinkan")
    try:
        format(FIELDS[name], spec)
    except (ValueError, TypeError):
        kind = "angka" if isinstance(FIELDS[name], int) else "teks"
        raise PatternError(f"kolom {shown}: format \"{spec}\" tidak cocok untuk {kind}") from None


def _check_required(names: set[str | None]) -> None:
    # seq restarts every year, so only seq and year together keep numbers unique.
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    if missing:
        listed = " dan ".join("{" + name + "}" for name in missing)
        raise PatternError(f"pola nomor harus memuat {listed} agar setiap nomor unik")
