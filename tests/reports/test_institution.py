"""The institution dashboard: exact figures of a known year, its lists, access and query counts."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from lms.extensions import db
from lms.reports import institution
from lms.reports.institution import Filters
from tests.exportread import read_csv
from tests.reports.builders import build_year, certify, enroll, person, training
from tests.trainings.factory import agency

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    monkeypatch.setattr("lms.reports.views.utcnow", lambda: NOW)


@pytest.fixture
def year(app):
    return build_year()


def figures(row):
    return (row.participants, row.trainings, row.valid, row.revoked, row.jp, row.reached, row.below)


def test_a_year_per_opd_and_in_total(year):
    data = institution.dashboard(Filters(2026), institution.agencies())
    assert [t.slug for t in data.trainings] == ["t2-2026", "t1-2026"]  # by start; no draft, no 2025
    by_name = {r.name: figures(r) for r in data.rows}
    assert by_name == {"Dinas Komunikasi dan Informatika": (2, 2, 3, 1, 32, 1, 1),
                       "Badan Kepegawaian": (2, 2, 1, 0, 12, 0, 1)}
    assert figures(data.total) == (4, 2, 4, 1, 44, 1, 2)
    assert data.opds_reached == 2 and not data.empty
    assert [(t.participants, t.certificates) for t in data.trainings] == [(3, 1), (3, 3)]


def test_per_month_by_the_last_day(year):
    months = institution.per_month(institution.dashboard(Filters(2026), institution.agencies()))
    assert [(m.name, m.trainings, m.enrolments) for m in months if m.trainings] == [("Januari", 1, 3), ("Maret", 1, 3)]
    assert len(months) == 12 and sum(m.trainings for m in months) == 2


def test_another_year_and_people_without_opd(year):
    data = institution.dashboard(Filters(2025), institution.agencies())
    assert [t.slug for t in data.trainings] == ["t3-2025"]
    assert [(r.name, figures(r)) for r in data.rows] == [
        ("Dinas Komunikasi dan Informatika", (1, 1, 1, 0, 24, 1, 0)), ("Tanpa OPD", (1, 1, 1, 0, 24, 1, 0))]
    assert data.opds_reached == 1  # people without an OPD are no OPD


def test_opd_filter(year):
    data = institution.dashboard(Filters(2026, year.bkpsdm), institution.agencies())
    assert [r.name for r in data.rows] == ["Badan Kepegawaian"]
    assert figures(data.total) == (2, 2, 1, 0, 12, 0, 1)
    assert [(t.slug, t.participants, t.certificates) for t in data.trainings] == [("t2-2026", 1, 0),
                                                                                ("t1-2026", 1, 1)]
    nobody = institution.dashboard(Filters(2026, institution.NO_OPD), institution.agencies())
    assert nobody.empty and nobody.rows == []


def test_a_year_with_no_trainings(year):
    data = institution.dashboard(Filters(2024), institution.agencies())
    assert data.empty and data.rows == [] and figures(data.total) == (0, 0, 0, 0, 0, 0, 0)
    assert institution.years(2027) == [2027, 2026, 2025]  # years with trainings, and the current one


def cells(kind, filters, query=""):
    return [row.cells for row in institution.listing(kind, filters, query).rows]


def test_the_lists_behind_the_figures(year):
    y2026 = Filters(2026)
    assert cells("asn-kurang", y2026) == [("Budi Santoso", "198102022006021002", "Dinas Komunikasi dan Informatika",
                                           12, 8),
                                          ("Citra Lestari", "198203032007032003", "Badan Kepegawaian", 0, 20)]
    assert cells("asn-tercapai", y2026) == [("Ana Wulandari", "198001012005012001",
                                             "Dinas Komunikasi dan Informatika", 20)]
    assert [c[1] for c in cells("sertifikat", y2026)] == ["Ana Wulandari", "Ana Wulandari", "Budi Santoso",
                                                          "Dedi Kurniawan"]
    assert [(c[1], c[3], c[5]) for c in cells("dicabut", y2026)] == [("Budi Santoso", "Bimtek PPID", 8)]
    kominfo = "Dinas Komunikasi dan Informatika"
    assert cells("peserta", y2026) == [("Ana Wulandari", "198001012005012001", kominfo, 2, 20),
                                       ("Budi Santoso", "198102022006021002", kominfo, 2, 12),
                                       ("Citra Lestari", "198203032007032003", "Badan Kepegawaian", 1, 0),
                                       ("Dedi Kurniawan", "", "Badan Kepegawaian", 1, 12)]
    assert cells("kegiatan", y2026) == [("Bimtek PPID", "30 Desember 2025–2 Januari 2026", "Berjalan", 3, 1),
                                        ("Bimtek Pengelolaan Media Sosial", "2–4 Maret 2026", "Selesai", 3, 3)]
    assert cells("asn-kurang", Filters(2026, year.kominfo)) == [cells("asn-kurang", y2026)[0]]
    assert cells("asn-tercapai", Filters(2025, institution.NO_OPD)) == [("Eka Saputra", "198404042009041004",
                                                                         "Tanpa OPD", 24)]


def test_lists_search_and_paginate(year):
    assert [c[0] for c in cells("peserta", Filters(2026), "  lEsTa ")] == ["Citra Lestari"]
    assert cells("peserta", Filters(2026), "100%_") == []  # wildcards are text, not patterns
    assert [c[0] for c in cells("kegiatan", Filters(2026), "ppid")] == ["Bimtek PPID"]
    first = institution.listing("peserta", Filters(2026), page=1, per_page=3)
    second = institution.listing("peserta", Filters(2026), page=9, per_page=3)  # past the end: the last page
    assert (first.total, first.pages, len(first.rows), first.has_next) == (4, 2, 3, True)
    assert (second.page, [r.cells[0] for r in second.rows], second.has_prev) == (2, ["Dedi Kurniawan"], True)


# ---------------------------------------------------------------- pages


def test_dashboard_page_shows_the_figures_and_links_to_filtered_lists(year, client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    page = client.get("/laporan/institusi?tahun=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dasbor institusi 2026" in html
    shown = dict(re.findall(r'data-figure="([^"]+)">([^<]+)<', html))
    assert shown == {"kegiatan": "2", "peserta": "4", "#per-opd": "2", "sertifikat": "44", "asn-tercapai": "1",
                     "asn-kurang": "2"}  # (the second "sertifikat" figure, JP, overwrote the count 4)
    assert "1 dicabut (tidak dihitung)" in html
    assert re.search(r'<tr data-month="1"><td>Januari</td><td class="text-end">1</td><td class="text-end">3</td>', html)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)  # the chart of that table
    assert 'aria-describedby="tabel-per-bulan"' in svg and "Kegiatan per bulan, 2026" in svg
    assert all(month in svg for month in ("Januari", "Maret", "Desember"))
    row = re.search(rf'<tr data-opd="{year.kominfo}">.*?</tr>', html, re.S).group(0)
    link = re.search(r'data-col="below"><a href="([^"]+)">1<', row).group(1).replace("&amp;", "&")
    assert "/laporan/institusi/asn-kurang?" in link and f"opd={year.kominfo}" in link and "tahun=2026" in link
    listed = client.get(link).get_data(as_text=True)
    assert "ASN di bawah 20 JP" in listed and "Budi Santoso" in listed and "Citra Lestari" not in listed
    assert "1 baris" in listed and "Dinas Komunikasi dan Informatika" in listed


def test_year_without_trainings_says_so(year, client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    html = client.get("/laporan/institusi?tahun=2024").get_data(as_text=True)
    assert "Tidak ada kegiatan pada tahun 2024" in html and 'id="per-opd"' not in html and "<svg" not in html
    default = client.get("/laporan/institusi").get_data(as_text=True)  # the current year (NOW: 2026)
    assert "Dasbor institusi 2026" in default
    assert re.findall(r'<option value="(\d{4})"', default) == ["2026", "2025"]


@pytest.mark.parametrize(("query", "message"), [
    ("tahun=20x6", "Tahun «20x6» tidak dikenal"), ("tahun=1850", "Tahun «1850» tidak dikenal"),
    ("tahun=2026&opd=999", "OPD yang dipilih tidak ada"), ("tahun=2026&opd=abc", "OPD yang dipilih tidak ada")])
def test_bad_filters_are_named(year, client, auth, make_user, query, message):
    auth.login_as(make_user(role="admin"))
    for url in (f"/laporan/institusi?{query}", f"/laporan/institusi/peserta?{query}"):
        page = client.get(url)
        assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert client.get(f"/laporan/institusi/peserta?{query}&format=csv").mimetype == "text/html"


def test_only_admins(year, client, auth, make_user):
    for role in ("trainer", "participant"):
        auth.login_as(make_user(role=role))
        for url in ("/laporan/institusi", "/laporan/institusi/asn-kurang", "/laporan/institusi/peserta?format=csv"):
            assert client.get(url).status_code == 403, (role, url)
        auth.logout()
    assert client.get("/laporan/institusi").status_code == 302  # to the login page
    auth.login_as(make_user(role="admin"))
    assert client.get("/laporan/institusi/tidak-ada").status_code == 404


def test_csv_and_xlsx_of_a_list(year, client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    response = client.get(f"/laporan/institusi/asn-kurang?tahun=2026&opd={year.bkpsdm}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"asn-kurang-2026-opd{year.bkpsdm}.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data())
    assert rows == [["Nama", "NIP", "OPD", "JP", "Kekurangan JP"],
                    ["Citra Lestari", "19820303 200703 2 003", "Badan Kepegawaian", "0", "20"]]
    book = load_workbook(io.BytesIO(client.get("/laporan/institusi/sertifikat?tahun=2026&q=ana&format=xlsx").data))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert book.properties.title == "Sertifikat sah · 2026 · Semua OPD"
    assert values[0] == ("Nomor", "Nama", "OPD", "Kegiatan", "Tanggal terbit", "JP")
    assert [(v[1], v[5]) for v in values[1:]] == [("Ana Wulandari", 12), ("Ana Wulandari", 8)]
    nip = load_workbook(io.BytesIO(client.get(f"/laporan/institusi/asn-kurang?tahun=2026&opd={year.bkpsdm}"
                                              "&format=xlsx").data)).active["B2"]
    assert (nip.value, nip.data_type, nip.number_format) == ("198203032007032003", "s", "@")


def test_admin_menu_links_the_dashboard(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    assert 'href="/laporan/institusi"' in client.get("/").get_data(as_text=True)


# ---------------------------------------------------------------- bounded queries


def grow(n, start):
    """Add n trainings in 2026, each with 3 new people of 2 OPDs, half certified; one revoked."""
    opds = [agency(f"OPD Tambahan {start + i}") for i in range(2)]
    for i in range(n):
        item = training(f"tambahan-{start + i}", date(2026, 6, 1), date(2026, 6, 2), title=f"Tambahan {start + i}")
        people = [person(f"Orang {start + i}-{k}", opds[k % 2].id, f"19900101{start + i:04d}{k:02d}10"[:18])
                  for k in range(3)]
        enroll(item, *people)
        certify(item, people[0], 12)
        certify(item, people[1], 24, status="revoked" if i == 0 else "valid")
    db.session.commit()


def test_queries_do_not_grow_with_trainings_or_people(year, client, auth, make_user, count_queries):
    auth.login_as(make_user(role="admin"))
    urls = ["/laporan/institusi?tahun=2026"] + [f"/laporan/institusi/{kind}?tahun=2026" for kind in institution.KINDS]

    def measure():
        counts = {}
        for url in urls:
            client.get(url)
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            counts[url] = counted.count
        return counts

    grow(2, 100)
    small = measure()
    grow(30, 200)
    large = measure()
    assert large == small
    assert max(large.values()) <= 12, large
    html = client.get("/laporan/institusi?tahun=2026").get_data(as_text=True)
    assert re.search(r'data-figure="kegiatan">34<', html)
