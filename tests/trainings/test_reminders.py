"""The organiser's reminder lists: who still owes the pre-test, post-test, evaluation or a task, with wa.me links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from lms.accounts.models import Role
from lms.assignments.models import Submission
from lms.evaluations.models import EvaluationSubmission
from lms.extensions import db
from lms.quizzes.models import Attempt, Quiz, QuizVersion
from lms.trainings.models import AgendaItem
from lms.trainings.reminders import normalise_phone, wa_link
from tests.assignments.conftest import make_assignment
from tests.conftest import create_training
from tests.exportread import read_csv, read_xlsx
from tests.trainings.factory import agency, bulk_enroll, bulk_participants

NOW = datetime(2026, 8, 19, 3, 0, tzinfo=UTC)  # the last day, 10.00 WIB


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    monkeypatch.setattr("lms.trainings.reminder_views.utcnow", lambda: NOW)


@pytest.mark.parametrize(("raw", "expected"), [
    ("081234567890", "6281234567890"), ("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"),
    ("62812.3456.789", "628123456789"), ("0062 81234567890", "6281234567890"), ("81234567890", "6281234567890"),
    ("", None), (None, None), ("021 555 1234", None), ("0812", None), ("08123456789012345", None),
    ("+1 415 555 0100", None)])
def test_phone_normalisation(raw, expected):
    assert normalise_phone(raw) == expected


def test_wa_link_encodes_the_text():
    link = wa_link("6281234567890", "Yth. Bapak/Ibu Ana,\n\nTugas «Caption» & pre-test? 100%")
    assert link.startswith("https://wa.me/6281234567890?text=Yth.%20Bapak%2FIbu%20Ana%2C%0A%0ATugas%20%C2%AB")
    assert "%26" in link and "%3F" in link and "%25" in link and " " not in link
    assert parse_qs(urlsplit(link).query)["text"] == ["Yth. Bapak/Ibu Ana,\n\nTugas «Caption» & pre-test? 100%"]


@pytest.fixture
def world(make_user):
    """A training of four: pre-test and post-test, an evaluation (one guest speaker), a required task."""
    kominfo = agency("Dinas Kominfo")
    ana = make_user(full_name="Ana Pratiwi", phone="0812-1111-2222", agency_id=kominfo.id)
    budi = make_user(full_name="Budi Hartono", phone="")
    citra = make_user(full_name="Citra Dewi", phone="021 555 1234", agency_id=kominfo.id)
    dedi = make_user(full_name="Dedi Saputra", phone="+62 813 3333 4444")
    trainer = make_user(Role.TRAINER.value, full_name="Tono Narasumber")
    other = make_user(Role.TRAINER.value, full_name="Lain Narasumber")
    admin = make_user(Role.ADMIN.value, full_name="Admin Dinas")
    pre, post = Quiz(slug="pre-uji", title="Pre-test Medsos", kind="pretest"), Quiz(slug="post-uji",
                                                                                    title="Post-test Medsos",
                                                                                    kind="posttest")
    db.session.add_all([pre, post])
    db.session.flush()
    training = create_training(users=(ana, budi, citra, dedi), trainers=(trainer,), pretest_id=pre.id,
                               posttest_id=post.id, title="Bimtek Media Sosial",
                               posttest_close_at=datetime(2026, 8, 19, 9, 0, tzinfo=UTC))
    create_training(slug="lain", trainers=(other,))
    db.session.add(AgendaItem(training_id=training.id, day=date(2026, 8, 19), start_time=time(8),
                              end_time=time(9), topic="Caption", trainer_name="Dr. Dewi Tamu", jp=1))
    version = QuizVersion(quiz_id=pre.id, number=1, content_hash="x", settings={}, questions=[])
    version2 = QuizVersion(quiz_id=post.id, number=1, content_hash="y", settings={}, questions=[])
    db.session.add_all([version, version2])
    db.session.flush()

    def attempt(quiz, version, user, status):
        db.session.add(Attempt(quiz_id=quiz.id, version_id=version.id, user_id=user.id, number=1,
                               context=f"training:{training.id}", training_id=training.id, status=status,
                               started_at=NOW, questions=[]))

    attempt(pre, version, ana, "finished")
    attempt(pre, version, budi, "finished")
    attempt(pre, version, citra, "in_progress")
    attempt(post, version2, ana, "finished")
    task = make_assignment(course_slug=None, id="caption-uji", title="Caption kegiatan OPD")  # due day 2, 23.59
    task.training_id, task.scope = training.id, f"training:{training.id}"
    for user, status in ((ana, "submitted"), (budi, "draft"), (citra, "passed")):
        db.session.add(Submission(assignment_id=task.id, training_id=training.id, user_id=user.id, status=status))
    for user in (ana, budi):  # both of the two evaluations
        for questionnaire, target in (("penyelenggaraan", "kegiatan"), ("narasumber", "g:Dr. Dewi Tamu")):
            db.session.add(EvaluationSubmission(training_id=training.id, user_id=user.id,
                                                questionnaire=questionnaire, target=target,
                                                submitted_on=date(2026, 8, 19)))
    db.session.add(EvaluationSubmission(training_id=training.id, user_id=citra.id, questionnaire="penyelenggaraan",
                                        target="kegiatan", submitted_on=date(2026, 8, 19)))
    db.session.commit()
    return {"training": training, "admin": admin, "trainer": trainer, "other": other,
            "people": (ana, budi, citra, dedi), "task": task}


def section(html, key):
    return re.search(rf'<section class="mb-4 reminder-list" id="{key}".*?</section>', html, re.S).group(0)


def names(block):
    return re.findall(r'<td class="cell-title">([^<]+)</td>', block)


def test_each_list_for_the_admin(world, client, auth):
    auth.login_as(world["admin"])
    html = client.get("/trainings/bimtek-tes/pengingat").get_data(as_text=True)
    pre, post = section(html, "pretest"), section(html, "posttest")
    assert names(pre) == ["Citra Dewi", "Dedi Saputra"] and "2 dari 4" in pre
    assert "Sedang mengerjakan, belum dikirim" in pre and "Belum mulai" in pre
    assert names(post) == ["Budi Hartono", "Citra Dewi", "Dedi Saputra"]
    assert "Post-test ditutup 19 Agustus 2026 16.00 WIB." in post
    evaluation = section(html, "evaluasi")
    assert names(evaluation) == ["Citra Dewi", "Dedi Saputra"]
    assert "1 dari 2 belum diisi" in evaluation and "2 dari 2 belum diisi" in evaluation
    task = section(html, f"tugas-{world['task'].id}")
    assert names(task) == ["Budi Hartono", "Dedi Saputra"]  # a draft is not handed in; passed and submitted are
    assert "Draf (belum dikumpulkan)" in task and "Belum dikumpulkan" in task


def test_phone_links_and_their_text(world, client, auth):
    auth.login_as(world["admin"])
    html = client.get("/trainings/bimtek-tes/pengingat").get_data(as_text=True)
    pre = section(html, "pretest")
    assert "https://wa.me/6281333334444?text=" in pre  # Dedi's +62 813 3333 4444
    assert "bukan nomor ponsel" in pre  # Citra's landline 021 555 1234
    task = section(html, f"tugas-{world['task'].id}")
    assert "tidak ada nomor" in task and 'href="https://wa.me/' in task  # Budi has none; Dedi has one
    link = re.search(r'href="(https://wa\.me/6281333334444\?text=[^"]+)"', task).group(1).replace("&amp;", "&")
    text = unquote(link.split("text=", 1)[1])
    assert text.startswith("Yth. Bapak/Ibu Dedi Saputra,\n\nKami mengingatkan bahwa Anda belum mengumpulkan tugas "
                           "«Caption kegiatan OPD» pada kegiatan Bimtek Media Sosial.")
    assert "Batas pengumpulan 18 Agustus 2026 23.59 WIB." in text
    assert "/trainings/bimtek-tes" in text and text.endswith("Terima kasih.\nPanitia " + text.rsplit("Panitia ", 1)[1])
    # Phone numbers only in the wa.me links: never in an address of our own.
    assert not re.search(r'href="/[^"]*(6281|0812)', html)


def test_windows_not_yet_open_or_past(world, client, auth, monkeypatch):
    training = world["training"]
    training.pretest_open_at = datetime(2026, 8, 20, 1, 0, tzinfo=UTC)
    db.session.commit()
    auth.login_as(world["admin"])
    html = client.get("/trainings/bimtek-tes/pengingat").get_data(as_text=True)
    assert "Pre-test belum dibuka: dibuka 20 Agustus 2026 08.00 WIB." in section(html, "pretest")
    monkeypatch.setattr("lms.trainings.reminder_views.utcnow", lambda: datetime(2026, 9, 1, 3, 0, tzinfo=UTC))
    html = client.get("/trainings/bimtek-tes/pengingat").get_data(as_text=True)
    post, evaluation = section(html, "posttest"), section(html, "evaluasi")
    assert "Post-test telah ditutup 19 Agustus 2026 16.00 WIB." in post
    assert "Masa evaluasi sudah berakhir. Evaluasi dapat diisi 19 Agustus 2026 sampai" in evaluation
    for block in (post, evaluation):  # a message never names a deadline already past
        text = unquote(re.search(r'href="https://wa\.me/\d+\?text=([^"]+)"', block).group(1))
        assert "ditutup" not in text and "berakhir" not in text and "dapat diisi" not in text


def test_csv_export(world, client, auth):
    auth.login_as(world["admin"])
    response = client.get("/trainings/bimtek-tes/pengingat?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response.get_data())
    assert rows[0] == ["Daftar", "Nama", "OPD", "Nomor WhatsApp", "Keterangan"]
    assert ["Belum mengerjakan pre-test", "Citra Dewi", "Dinas Kominfo", "bukan nomor ponsel",
            "Sedang mengerjakan, belum dikirim"] in rows
    assert ["Belum mengumpulkan tugas: Caption kegiatan OPD", "Dedi Saputra", "", "62 813-3333-4444",
            "Belum dikumpulkan"] in rows  # grouped: Excel keeps it as text
    assert len(rows) == 1 + 2 + 3 + 2 + 2
    body = client.get("/trainings/bimtek-tes/pengingat?format=xlsx").get_data()
    sheet = read_xlsx(body)["Pengingat"]
    assert ["Belum mengumpulkan tugas: Caption kegiatan OPD", "Dedi Saputra", None, "6281333334444",
            "Belum dikumpulkan"] in sheet and len(sheet) == len(rows)


def test_trainer_sees_their_training_but_not_who_owes_the_evaluation(world, client, auth):
    auth.login_as(world["trainer"])
    html = client.get("/trainings/bimtek-tes/pengingat").get_data(as_text=True)
    assert names(section(html, "pretest")) == ["Citra Dewi", "Dedi Saputra"]
    evaluation = section(html, "evaluasi")
    assert names(evaluation) == [] and "hanya untuk penyelenggara" in evaluation
    assert "Belum mengisi evaluasi" not in client.get("/trainings/bimtek-tes/pengingat?format=csv").get_data(
        as_text=True)
    assert 'href="/trainings/bimtek-tes/pengingat"' in html  # the tab


def test_access(world, client, auth):
    auth.login_as(world["other"])  # a trainer of another training
    assert client.get("/trainings/bimtek-tes/pengingat").status_code == 403
    assert client.get("/trainings/bimtek-tes/pengingat?format=csv").status_code == 403
    auth.logout()
    auth.login_as(world["people"][0])
    assert client.get("/trainings/bimtek-tes/pengingat").status_code == 403
    auth.logout()
    assert client.get("/trainings/bimtek-tes/pengingat").status_code == 302
    auth.login_as(world["admin"])
    assert client.get("/trainings/tidak-ada/pengingat").status_code == 404


def test_without_tests_or_tasks(client, auth, make_user):
    admin = make_user(Role.ADMIN.value)
    create_training(users=(make_user(),))
    auth.login_as(admin)
    html = client.get("/trainings/bimtek-tes/pengingat").get_data(as_text=True)
    assert "Kegiatan ini tidak memakai pre-test." in html and "Kegiatan ini tidak memakai post-test." in html
    assert 'id="tugas-' not in html


def test_queries_do_not_grow_with_participants(world, client, auth, count_queries):
    auth.login_as(world["admin"])
    url = "/trainings/bimtek-tes/pengingat"

    def measure():
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    small = measure()
    bulk_enroll(world["training"], bulk_participants(60, prefix="Tambahan"))
    db.session.commit()
    large = measure()
    assert large == small, (small, large)
    assert "64 peserta terdaftar" in client.get(url).get_data(as_text=True)

