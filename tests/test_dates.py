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
