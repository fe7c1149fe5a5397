"""The certificates list: one page at a time, filtered by state and by name or OPD, counts over everyone."""

import re

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance import services as attendance
from lms.certificates import services
from lms.extensions import db
from lms.trainings.scope import participant_ids
from tests.certificates.conftest import NOW


@pytest.fixture
def admin(auth, make_user, finished):
    user = make_user(role="admin", email="penyelenggara@contoh.go.id")
    auth.login_as(user)
    return user


def names_shown(page):
    return re.findall(r'<td class="cell-title">([^<]+)<', page)


def test_the_list_states_agree_with_the_eligibility_table(finished):
    services.issue_for(finished, next(r.user.id for r in services.eligibility_table(finished, NOW)
                                      if r.may_issue), None, NOW)
    rows = services.eligibility_table(finished, NOW)
    expected = {"terbit": {r.user.id for r in rows if r.certificate},
                "siap": {r.user.id for r in rows if r.may_issue},
                "belum": {r.user.id for r in rows if not r.certificate and not r.may_issue}}
    for state, ids in expected.items():
        listing = services.list_page(finished, NOW, state=state)
        assert {r.user.id for r in listing.rows} == ids and listing.counts[state] == len(ids)
    assert services.list_page(finished, NOW).counts == {"siap": 4, "belum": 4, "terbit": 1}


def test_filter_by_state_and_search_by_name_or_opd(client, admin, finished):
    url = f"/trainings/{finished.slug}/certificates"
    blocked = client.get(url + "?status=belum").get_data(as_text=True)
    assert len(names_shown(blocked)) == 4 and "4 dari 9 peserta cocok" in blocked
    assert "Belum memenuhi syarat (4)" in blocked and "Siap diterbitkan (5)" in blocked
    assert "Terbitkan semua yang memenuhi syarat (5)" in blocked  # the bulk issue still covers everyone
    person = db.session.scalars(select(User).where(User.id.in_(participant_ids(finished))).order_by(User.id)).first()
    found = client.get(url, query_string={"q": "  " + person.full_name.upper().replace(" ", "  ")})
    assert names_shown(found.get_data(as_text=True)) == [person.full_name]  # any case, any spacing
    opd = person.agency.name
    by_opd = client.get(url, query_string={"q": opd}).get_data(as_text=True)
    assert person.full_name in names_shown(by_opd)
    nobody = client.get(url + "?q=tidak-ada-nama-seperti-ini").get_data(as_text=True)
    assert "Tidak ada peserta yang cocok." in nobody and "0 dari 9 peserta cocok" in nobody
    unknown = client.get(url + "?status=apa-saja").get_data(as_text=True)
    assert len(names_shown(unknown)) == 9  # an unknown state shows everyone


def test_pages_of_page_size_with_the_filter_kept(app, client, admin, finished):
    app.config["PAGE_SIZE"] = 3
    try:
        url = f"/trainings/{finished.slug}/certificates"
        first = client.get(url).get_data(as_text=True)
        last = client.get(url + "?page=3").get_data(as_text=True)
        beyond = client.get(url + "?page=99").get_data(as_text=True)
        blocked = client.get(url + "?status=belum&page=1").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    assert len(names_shown(first)) == 3 and "Halaman 1 dari 3" in first and "9 peserta" in first
    assert len(names_shown(last)) == 3 and "Halaman 3 dari 3" in last
    assert names_shown(beyond) == names_shown(last)
    every = names_shown(first) + names_shown(client.get(url + "?page=2").get_data(as_text=True)) + names_shown(last)
    assert len(set(every)) == 9
    assert len(names_shown(blocked)) == 3 and "Halaman 1 dari 2" in blocked  # 4 blocked, 3 a page
    assert re.search(r'href="/trainings/[^"]+/certificates\?page=2"', first)


def test_an_action_returns_to_the_same_filtered_page(client, admin, finished):
    blocked = next(r for r in services.eligibility_table(finished, NOW) if not r.verdict.eligible)
    page = client.get(f"/trainings/{finished.slug}/certificates?status=belum").get_data(as_text=True)
    assert f"/certificates/override/{blocked.user.id}?status=belum" in page
    response = client.post(f"/trainings/{finished.slug}/certificates/override/{blocked.user.id}?status=belum",
                           data={"reason": "Izin resmi dari kepala OPD."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/trainings/{finished.slug}/certificates?status=belum")


def test_attendance_percent_counted_by_the_database_equals_the_roster_figure(finished):
    ids = participant_ids(finished)
    assert attendance.percentages_of(finished, ids) == attendance.percentages(finished)
    assert len(set(attendance.percentages_of(finished, ids).values())) > 1  # the demo's attendance differs
