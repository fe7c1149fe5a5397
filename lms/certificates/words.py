"""Indonesian cardinal numbers in words, as official documents write them."""

from __future__ import annotations

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_MAXIMUM = 999_999_999
# Scale words from the largest down; "se-" replaces "satu" only for ribu (seribu, but satu juta).
_SCALES = ((1_000_000, "juta"), (1_000, "ribu"))


def number_to_words(n: int) -> str:
    """Return n (0..999 999 999) in Indonesian words: 1250 → 'seribu dua ratus lima puluh'."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("angka harus bilangan bulat")
    if not 0 <= n <= _MAXIMUM:
        raise ValueError(f"angka {n} di luar rentang 0 sampai {_MAXIMUM}")
    if n == 0:
        return "nol"
    parts: list[str] = []
    for scale, word in _SCALES:
        count, n = divmod(n, scale)
        if count == 1 and word == "ribu":
            parts.append("seribu")
        elif count:
            parts.append(f"{_below_thousand(count)} {word}")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append("seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus")
    if rest:
        parts.append(_below_hundred(rest))
    return " ".join(parts)


def _below_hundred(n: int) -> str:
    if n < 10:
        return _UNITS[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    tens, units = divmod(n, 10)
    return f"{_UNITS[tens]} puluh" + (f" {_UNITS[units]}" if units else "")


def jp_phrase(jp: int) -> str:
    """Return '24 (dua puluh empat) Jam Pelajaran'."""
    return f"{jp} ({number_to_words(jp)}) Jam Pelajaran"
