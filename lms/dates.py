"""Indonesian dates and times: the time zones and every date/time format, as pure functions.

No other module names a zone or writes a date format: they ask here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DEFAULT_ZONE = "Asia/Jakarta"  # of a new institution and a new training: WIB
ZONE_LABELS = {DEFAULT_ZONE: "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_label(zone: str) -> str:
    """Return 'WIB', 'WITA' or 'WIT' for an Indonesian zone, else the zone's name."""
    return ZONE_LABELS.get(zone, zone)


def local(moment: datetime, zone: str) -> datetime:
    """Return a UTC moment as the wall-clock time in the given IANA zone."""
    return moment.astimezone(ZoneInfo(zone))


def zone_info(zone: str) -> ZoneInfo:
    """Return the tzinfo of an IANA zone name (for queries that bound a local day)."""
    return ZoneInfo(zone)


def local_date(moment: datetime, zone: str) -> date:
    """Return the calendar date a UTC moment falls on in the given zone."""
    return moment.astimezone(ZoneInfo(zone)).date()


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """Return the UTC moment of a local date and time in the given zone."""
    return datetime.combine(day, at, ZoneInfo(zone)).astimezone(UTC)


def wall_to_utc(value: datetime | None, zone: str) -> datetime | None:
    """Return the UTC moment of a naive wall-clock time (a datetime-local form field) in the zone."""
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) if value else None


def utc_to_wall(value: datetime | None, zone: str) -> datetime | None:
    """Return a UTC moment as the naive wall-clock time in the zone (to fill a datetime-local field)."""
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None) if value else None


def format_date(value: date, with_day: bool = False) -> str:
    """Return '17 Agustus 2025' (or 'Minggu, 17 Agustus 2025')."""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{DAYS[value.weekday()]}, {text}" if with_day else text


def format_datetime(value: datetime, zone: str) -> str:
    """Return '17 Agustus 2025 08.30 WIB' in the given IANA zone."""
    moment = local(value, zone)
    return f"{format_date(moment.date())} {format_time(moment)} {zone_label(zone)}"


def format_range(start: date, end: date) -> str:
    """Return '1–3 Juli 2025', '30 Juni–2 Juli 2025' or a single date."""
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]}–{format_date(end)}"
    return f"{format_date(start)}–{format_date(end)}"


def format_time(value: time | datetime) -> str:
    """Return a wall-clock time as '08.30'."""
    return f"{value:%H.%M}"


def format_clock(moment: datetime, zone: str) -> str:
    """Return the local time of a UTC moment as '08.30'."""
    return format_time(local(moment, zone))


def format_time_range(start: datetime, end: datetime, zone: str) -> str:
    """Return two UTC moments as '08.00–12.00 WIB' in the given zone."""
    return f"{format_clock(start, zone)}–{format_clock(end, zone)} {zone_label(zone)}"


def format_day_month(value: date) -> str:
    """Return '17/08', short enough for a column heading."""
    return f"{value:%d/%m}"


def format_numeric_date(value: date) -> str:
    """Return '17-08-2025'."""
    return f"{value:%d-%m-%Y}"


def format_utc(moment: datetime) -> str:
    """Return a UTC moment as '2025-08-17 01:30 UTC', for administrators."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def compact_date(value: date) -> str:
    """Return '20250817', for file names (and a NIP's date of birth)."""
    return f"{value:%Y%m%d}"


def compact_stamp(moment: datetime, seconds: bool = False) -> str:
    """Return '20250817-0130' ('20250817-013005' with seconds), for the names of files made at that moment."""
    return f"{moment:%Y%m%d-%H%M%S}" if seconds else f"{moment:%Y%m%d-%H%M}"


def input_time(value: time) -> str:
    """Return '08:30', the value an HTML time input takes."""
    return f"{value:%H:%M}"
