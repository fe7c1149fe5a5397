"""Indonesian dates and times, and the formats only lms.dates writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from lms.dates import (
    DEFAULT_ZONE,
    compact_date,
    compact_stamp,
    format_clock,
    format_date,
    format_datetime,
    format_day_month,
    format_numeric_date,
    format_range,
    format_time,
    format_time_range,
    format_utc,
    local,
    local_date,
    local_to_utc,
    utc_to_wall,
    wall_to_utc,
    zone_info,
    zone_label,
)

MOMENT = datetime(2025, 8, 17, 1, 30, tzinfo=UTC)  # 08.30 WIB, 09.30 WITA, 10.30 WIT


@pytest.mark.parametrize(("zone", "clock", "label"), [
    ("Asia/Jakarta", "08.30", "WIB"), ("Asia/Makassar", "09.30", "WITA"),
    ("Asia/Jayapura", "10.30", "WIT"), ("Europe/Amsterdam", "03.30", "Europe/Amsterdam"),
])
def test_clock_and_label_in_each_zone(zone: str, clock: str, label: str) -> None:
    assert format_clock(MOMENT, zone) == clock and zone_label(zone) == label
    assert format_datetime(MOMENT, zone) == f"17 Agustus 2025 {clock} {label}"
    assert local(MOMENT, zone).utcoffset() is not None


def test_the_default_zone_is_wib() -> None:
    assert zone_label(DEFAULT_ZONE) == "WIB"


@pytest.mark.parametrize(("text", "expected"), [
    (format_date(date(2025, 8, 17)), "17 Agustus 2025"),
    (format_date(date(2025, 8, 17), with_day=True), "Minggu, 17 Agustus 2025"),
    (format_range(date(2025, 7, 1), date(2025, 7, 3)), "1–3 Juli 2025"),
    (format_range(date(2025, 6, 30), date(2025, 7, 2)), "30 Juni–2 Juli 2025"),
    (format_range(date(2025, 12, 31), date(2026, 1, 1)), "31 Desember 2025–1 Januari 2026"),
    (format_range(date(2025, 7, 1), date(2025, 7, 1)), "1 Juli 2025"),
    (format_time(time(8, 5)), "08.05"),
    (format_time_range(MOMENT, MOMENT.replace(hour=5), "Asia/Makassar"), "09.30–13.30 WITA"),
    (format_day_month(date(2025, 8, 7)), "07/08"),
    (format_numeric_date(date(2025, 8, 7)), "07-08-2025"),
    (format_utc(MOMENT), "2025-08-17 01:30 UTC"),
    (compact_date(date(2025, 8, 7)), "20250807"),
    (compact_stamp(MOMENT), "20250817-0130"),
])
def test_formats(text: str, expected: str) -> None:
    assert text == expected


def test_conversions_between_utc_and_each_zone() -> None:
    # 23.30 WIB on 30 November is already 1 December in WITA and WIT.
    moment = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert [local_date(moment, z) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")] == [
        date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 1)]
    assert local_to_utc(date(2026, 8, 17), time(8, 0), "Asia/Makassar") == datetime(2026, 8, 17, 0, 0, tzinfo=UTC)
    wall = datetime(2026, 8, 17, 7, 0)  # a datetime-local field: no zone
    assert wall_to_utc(wall, "Asia/Jayapura") == datetime(2026, 8, 16, 22, 0, tzinfo=UTC)
    assert utc_to_wall(wall_to_utc(wall, "Asia/Jayapura"), "Asia/Jayapura") == wall
    assert wall_to_utc(None, "Asia/Jakarta") is None and utc_to_wall(None, "Asia/Jakarta") is None
    assert str(zone_info("Asia/Makassar")) == "Asia/Makassar"
