"""Indonesian dates and times: pure functions."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def format_date(value: date, with_day: bool = False) -> str:
    """Return '17 Agustus 2025' (or 'Minggu, 17 Agustus 2025')."""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{DAYS[value.weekday()]}, {text}" if with_day else text


def format_datetime(value: datetime, zone: str) -> str:
    """Return '17 Agustus 2025 08.30 WIB' in the given IANA zone."""
    local = value.astimezone(ZoneInfo(zone))
    return f"{format_date(local.date())} {local:%H.%M} {ZONE_LABELS.get(zone, zone)}"


def format_range(start: date, end: date) -> str:
    """Return '1–3 Juli 2025', '30 Juni–2 Juli 2025' or a single date."""
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]}–{format_date(end)}"
    return f"{format_date(start)}–{format_date(end)}"
