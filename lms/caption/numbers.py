"""EYD V number, date and time rules taught in the caption lesson ("Angka, tanggal, dan waktu")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from lms.caption.model import ANGKA, CHECK, WRONG, Raw, Text

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
               "Oktober", "November", "Desember")
_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
# Words after which a number is a measure, money, an address or an order: digits are right there.
UNITS = frozenset({
    "persen", "km", "m", "cm", "mm", "kg", "g", "gram", "ton", "liter", "l", "ml", "ha", "hektare", "meter",
    "kilometer", "rupiah", "jp", "menit", "jam", "detik", "hari", "minggu", "pekan", "bulan", "tahun", "wib",
    "wita", "wit", "unit", "juta", "miliar", "ribu", "triliun", "x", "kali",
})
_ORDER_WORDS = re.compile(r"(?:\b(?:no|nomor|pasal|ayat|rt|rw|ke|tahap|gelombang|kelas|lantai|jalan|jl|blok|angkatan|"
                          r"ruang|pos|gang|km|rp|lt|nomer|tahun|periode|sesi|hari ke)[.\s-]*|rp\s?|\bke-)$",
                          re.IGNORECASE)
_DAY = "|".join(DAY_NAMES)
_MONTH = "|".join(MONTH_NAMES)
_FULL_DATE = re.compile(rf"\b({_DAY}),?\s+(?:tanggal\s+)?(\d{{1,2}})\s+({_MONTH})\s+(\d{{4}})\b")
ANY_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})(?:\s+(\d{{4}}))?\b")
_NUMERIC_DATE = re.compile(r"(?<![\w/.-])(\d{1,2})([/-])(\d{1,2})(?:\2(\d{2}|\d{4}))?(?![\w/-])")
_JAM = re.compile(r"\b[Jj]am\s+(\d{1,2}(?:[.:]\d{2})?)(?!\s*(?:jam|menit))")
_COLON_TIME = re.compile(r"(?<![\w:])([01]?\d|2[0-3]):([0-5]\d)(?![\w:])")
_PUKUL = re.compile(r"\bpukul\s+\d{1,2}[.:]\d{2}(?:\s*(?:[–-]|s\.?d\.?|sampai(?: dengan)?)\s*(?:pukul\s+)?"
                    r"(?:\d{1,2}[.:]\d{2}|selesai))?", re.IGNORECASE)
_BARE_HOUR = re.compile(r"\bpukul\s+(\d{1,2})(?![\d.:])", re.IGNORECASE)
_ZONE = re.compile(r"^\s*(?:WIB|WITA|WIT)\b")
_NUMBER = re.compile(r"(?<![\w.,/:-])\d+(?:[.,]\d+)*(?![\w.,/:%-]|\.\d)")
_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\S))+[.!?]*")


def number_words(value: int) -> str | None:
    """Return a number that one or two words say (1-20, the tens, 100, 1000) in words; else None."""
    if 1 <= value <= 9:
        return _ONES[value]
    special = {10: "sepuluh", 11: "sebelas", 100: "seratus", 1000: "seribu"}
    if value in special:
        return special[value]
    if 12 <= value <= 19:
        return f"{_ONES[value - 10]} belas"
    if 20 <= value <= 90 and value % 10 == 0:
        return f"{_ONES[value // 10]} puluh"
    return None


def check(doc: Text) -> Iterator[Raw]:
    """Report the number, date and time problems of the caption."""
    found = [*_dates(doc), *_times(doc)]
    yield from found
    spans = [(item.start, item.end) for item in found]
    yield from (item for item in _counts(doc) if not any(item.start < b and a < item.end for a, b in spans))


def _dates(doc: Text) -> Iterator[Raw]:
    for match in _FULL_DATE.finditer(doc.masked):
        day, number, month, year = match.groups()
        try:
            actual = date(int(year), MONTH_NAMES.index(month) + 1, int(number))
        except ValueError:
            yield Raw("angka", *match.span(2), f"tanggal {number} {month} {year} tidak ada", WRONG, ANGKA)
            continue
        if DAY_NAMES[actual.weekday()] != day:
            yield Raw("angka", *match.span(), f"{number} {month} {year} jatuh pada hari "
                      f"{DAY_NAMES[actual.weekday()]}, bukan {day}", WRONG, ANGKA)
    for match in _NUMERIC_DATE.finditer(doc.masked):
        day, _, month, year = match.groups()
        if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12) or _address(doc.masked, match.start()):
            continue
        example = f"{int(day)} {MONTH_NAMES[int(month) - 1]}" + (f" {_year(year)}" if year else " 2025")
        yield Raw("angka", *match.span(), f"\"{match.group()}\": tulis tanggal lengkap dengan nama bulan, "
                  f"mis. \"{example}\"", WRONG if year else CHECK, ANGKA)


def _year(text: str) -> str:
    return text if len(text) == 4 else f"20{text}"


def _address(text: str, start: int) -> bool:
    return re.search(r"\b(?:RT|RW|No|Nomor|Blok)\.?\s*$", text[max(0, start - 10):start], re.IGNORECASE) is not None


def _times(doc: Text) -> Iterator[Raw]:
    for match in _JAM.finditer(doc.masked):
        value = match.group(1).replace(":", ".")
        shown = value if "." in value else f"{int(value):02d}.00"
        yield Raw("angka", *match.span(), f"\"{match.group()}\": penunjuk waktu memakai kata \"pukul\", mis. "
                  f"\"pukul {shown} WIB\"; \"jam\" untuk lama waktu", WRONG, ANGKA)
    for match in _COLON_TIME.finditer(doc.masked):
        yield Raw("angka", *match.span(), f"\"{match.group()}\": jam ditulis dengan titik: "
                  f"\"{int(match.group(1)):02d}.{match.group(2)}\"", WRONG, ANGKA)
    for match in _BARE_HOUR.finditer(doc.masked):
        yield Raw("angka", *match.span(), f"\"{match.group()}\": tulis jam dengan menitnya, mis. "
                  f"\"pukul {int(match.group(1)):02d}.00 WIB\"", CHECK, ANGKA)
    for match in _PUKUL.finditer(doc.masked):
        if not _ZONE.match(doc.masked[match.end():match.end() + 8]):
            yield Raw("angka", *match.span(), f"\"{match.group()}\": tambahkan zona waktu (WIB, WITA, atau WIT)",
                      CHECK, ANGKA)


def _counts(doc: Text) -> Iterator[Raw]:
    """Small numbers in digits, and digits opening a sentence; a sentence of several numbers is data."""
    for sentence in _SENTENCE.finditer(doc.masked):
        numbers = [m for m in _NUMBER.finditer(sentence.group())]
        if not numbers:
            continue
        offset = sentence.start()
        first = numbers[0]
        lead = sentence.group()[:first.start()]
        start, end = offset + first.start(), offset + first.end()
        listed = re.match(r"\d+[.)]\s", sentence.group()[first.start():])  # "1. Bawa KTP": a list item
        if (lead.strip(" \t\"'“(") == "" and not listed and doc.sentence_start(start)
                and not _is_date_or_time(doc.masked, start, end)):
            yield Raw("angka", start, end, f"\"{first.group()}\" di awal kalimat: tulis dengan huruf, atau "
                      "susun ulang kalimatnya", CHECK, ANGKA)
            continue
        if len(numbers) == 1:
            found = _small_number(doc, offset, first)
            if found:
                yield found


def _small_number(doc: Text, offset: int, match: re.Match[str]) -> Raw | None:
    if not match.group().isdigit():
        return None
    words = number_words(int(match.group()))
    start, end = offset + match.start(), offset + match.end()
    after = re.match(r"\s+([^\W\d_]+)", doc.masked[end:end + 30])
    if (words is None or after is None or not after.group(1).islower() or after.group(1) in UNITS
            or _ORDER_WORDS.search(doc.masked[max(0, start - 12):start])
            or _is_date_or_time(doc.masked, start, end)):
        return None
    noun = after.group(1)
    return Raw("angka", start, end + after.end(), f"\"{match.group()} {noun}\": bilangan yang dapat ditulis "
               f"dengan satu atau dua kata ditulis dengan huruf: \"{words} {noun}\"", CHECK, ANGKA)


def _is_date_or_time(text: str, start: int, end: int) -> bool:
    after = text[end:end + 14]
    before = text[max(0, start - 8):start]
    return bool(re.match(rf"\s+(?:{_MONTH})\b", after) or re.search(r"pukul\s*$", before, re.IGNORECASE))
