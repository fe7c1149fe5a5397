"""The Ringkasan tab as the staff dashboard: each chart's table holds the facts; who sees what."""

from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import delete, select

from lms.accounts import services as accounts
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.evaluations.models import EvaluationSubmission
from lms.extensions import db
from lms.numbers import decimal_text, percent_text
from lms.reports import training_facts as tf
from lms.trainings.scope import get_training, participants
from tests.conftest import PASSWORD, create_training
from tests.reports.conftest import LONG_OPD, NOW
from tests.trainings.factory import bulk_enroll, bulk_participants


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr("lms.trainings.views.utcnow", lambda: NOW)


def page(client, slug):
    response = client.get(f"/trainings/{slug}")
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def table(doc, table_id):
    """Return the rows (header row first) of the table with this id, as the texts of their cells."""
    found = doc.get_element_by_id(table_id)
    return [[" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
            for row in found.xpath(".//tr")]


@pytest.fixture
def admin(make_user, auth):
    user = make_user(role="admin", email="admin-dasbor@contoh.go.id")
    auth.login_as(user)
    return user


def test_every_chart_has_its_table_and_the_tables_hold_the_facts(client, built, admin):
    doc = page(client, built.slug)
    facts = tf.training_facts(built, NOW, admin)
    for section in doc.xpath("//section[contains(@class, 'dash-section')]"):
        svg = section.xpath(".//svg")
        if svg:  # every chart names its table, which is in the same section
            described = svg[0].get("aria-describedby")
            assert section.xpath(f".//table[@id='{described}']"), described
    sessions = table(doc, "tabel-presensi-sesi")
    assert sessions[0] == ["Sesi", "Hadir", "Terlambat", "Izin", "Sakit", "Tidak Hadir", "Belum tercatat"]
    assert [row[1:] for row in sessions[1:]] == [[str(s.counts[k]) for k in tf.SESSION_STATUSES]
                                                  for s in facts.sessions]
    assert sessions[4][1:] == ["2", "0", "1", "0", "1", "1"]
    bins = table(doc, "tabel-sebaran-kehadiran")[1:]
    assert [int(row[1]) for row in bins] == [b.count for b in facts.bins]
    assert bins[8] == ["75–<80%", "1", "Ya"] and bins[-1] == ["90–100%", "2", "Ya"]
    scores = dict(table(doc, "tabel-nilai-tes")[1:])
    assert scores["Mengikuti keduanya"] == "3" and scores["Rata-rata pre-test (semua)"] == "67,5"
    assert scores["Rata-rata post-test (keduanya)"] == decimal_text(facts.scores.paired_mean_post) == "76,7"
    assert scores["Rata-rata gain ternormalisasi"] == "-0,25"
    pairs = table(doc, "tabel-nilai-tes-rinci")[1:]
    assert [row[2:] for row in pairs] == [["40", "70", "0,5"], ["100", "100", "—"], ["80", "60", "-1"]]
    opd = table(doc, "tabel-per-opd")[1:]
    assert opd[0] == [LONG_OPD, "3", "75%", "73,3", "76,7"]
    assert opd[1] == ["Bappeda Kabupaten Contoh", "1", "0%", "50", "—"]
    modules = table(doc, "tabel-modul")[1:]
    assert modules == [[built.courses[0].title, "1", "5", "20%"]]
    tasks = table(doc, "tabel-tugas")
    assert tasks[0][1:] == ["Belum dikumpulkan", "Menunggu penilaian", "Perlu revisi", "Lulus", "Belum lulus"]
    assert all(row[1:] == ["5", "0", "0", "0", "0"] for row in tasks[1:])
    certificates = dict(table(doc, "tabel-sertifikat")[1:])
    assert certificates["Terbit"] == "0" and int(certificates["Siap diterbitkan"]) == facts.certificates.eligible
    figures = {" ".join(dt.text_content().split()): dt.getnext().text_content().strip()
               for dt in doc.xpath("//dl[contains(@class, 'dash-figures')]//dt")}
    assert figures["peserta"] == "5" and figures["JP dari agenda"] == "0" and figures["sesi presensi"] == "4"
    assert figures["kehadiran rata-rata (minimal 75%)"] == percent_text(facts.mean_attendance) == "65%"
    assert figures["nilai pre-test → post-test (3 peserta dengan kedua nilai)"] == "73,3 → 76,7"
    assert figures["gain ternormalisasi rata-rata"] == "-0,25" and figures["tugas lulus"] == "0 dari 5"
    assert figures["kepuasan penyelenggaraan"] == "—" and figures["sertifikat terbit"] == "0"


def test_the_pre_test_of_100_is_explained(client, built, admin):
    text = page(client, built.slug).text_content()
    assert "1 peserta dengan pre-test 100 tidak punya gain" in text


def test_a_training_with_no_sessions_and_no_tests_says_so(client, admin, make_user):
    training = create_training("bimtek-kosong", users=(make_user(),))
    text = " ".join(page(client, training.slug).text_content().split())
    assert text.count("Belum ada sesi presensi.") == 2
    assert "Belum ada pre-test dan post-test yang ditautkan." in text
    assert "Belum ada modul yang ditautkan." in text and "Kegiatan ini tidak memberi tugas." in text


def test_a_training_with_sessions_and_a_pre_test_but_no_post_test_says_so(client, built, admin):
    built.posttest_id = None
    db.session.commit()
    doc = page(client, built.slug)
    text = " ".join(doc.text_content().split())
    assert "Belum ada post-test." in text and "Belum ada sesi presensi." not in text
    scores = dict(tuple(row) for row in table(doc, "tabel-nilai-tes")[1:])  # the pre-test's figures stay
    assert scores["Mengikuti pre-test"] == "4" and scores["Mengikuti post-test"] == "0"
    assert scores["Rata-rata pre-test (semua)"] == "67,5" and scores["Rata-rata gain ternormalisasi"] == "—"
    assert [row[1] for row in table(doc, "tabel-presensi-sesi")[1:]] == ["3", "3", "3", "2"]


@pytest.fixture
def demo(app):
    """The demo's finished bimtek with 30 participants: each narasumber has more than five evaluations."""
    create_demo(30, seed=5)
    create_demo_trainings(NOW, seed=5)
    db.session.commit()
    return get_training(FINISHED_SLUG)


def login_trainer(auth, trainer):
    trainer.password_hash = accounts.hash_password(PASSWORD)
    db.session.commit()
    auth.login_as(trainer)


def test_a_trainer_sees_only_their_own_evaluation_and_only_from_five_responses(client, auth, demo):
    trainer = demo.trainers[0]
    login_trainer(auth, trainer)
    doc = page(client, demo.slug)
    overview = table(doc, "tabel-evaluasi")[1:]
    assert [row[0] for row in overview] == [trainer.full_name]
    assert int(overview[0][1]) >= 5 and "dari 4" in overview[0][2], overview
    assert doc.xpath("//table[@id='tabel-evaluasi-1']")
    key = f"u{trainer.id}"
    keep = db.session.scalars(select(EvaluationSubmission.id).where(
        EvaluationSubmission.training_id == demo.id, EvaluationSubmission.target == key).limit(4)).all()
    db.session.execute(delete(EvaluationSubmission).where(
        EvaluationSubmission.training_id == demo.id, EvaluationSubmission.target == key,
        EvaluationSubmission.id.not_in(keep)))
    db.session.commit()
    doc = page(client, demo.slug)
    assert table(doc, "tabel-evaluasi")[1:] == [[trainer.full_name, "4", "Ditampilkan mulai 5 tanggapan"]]
    assert not doc.xpath("//table[@id='tabel-evaluasi-1']")


def test_a_trainer_of_another_training_is_refused_and_a_participant_sees_their_own_page(
        client, auth, demo, built):
    login_trainer(auth, demo.trainers[0])
    assert client.get(f"/trainings/{built.slug}").status_code == 403
    auth.logout()
    user = participants(demo)[0]
    user.password_hash = accounts.hash_password(PASSWORD)
    db.session.commit()
    auth.login_as(user)
    response = client.get(f"/trainings/{demo.slug}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sekilas" not in text and "dash-section" not in text


def test_the_dashboard_makes_as_many_queries_for_300_participants_as_for_30(client, built, admin, count_queries):
    def measure():
        client.get(f"/trainings/{built.slug}")
        with count_queries() as counted:
            response = client.get(f"/trainings/{built.slug}")
        assert response.status_code == 200
        return counted.count

    bulk_enroll(built, bulk_participants(25, prefix="Tiga Puluh"))
    db.session.commit()
    small = measure()
    bulk_enroll(built, bulk_participants(270, prefix="Tiga Ratus"))
    db.session.commit()
    large = measure()
    assert large == small, (small, large)
    assert large <= 40, large  # 38 since certificate eligibility reuses the figures (48 before)
