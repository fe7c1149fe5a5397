"""Participants answer once, in the window; staff see aggregates only, trainers from 5 responses up."""

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from lms.evaluations import services
from lms.evaluations.models import EvaluationAnswer, EvaluationSubmission
from lms.extensions import db
from lms.trainings.models import Enrollment
from tests.evaluations.conftest import END, wib

NARASUMBER_ITEMS = ("penguasaan_materi", "cara_penyajian", "ketepatan_waktu", "interaksi", "bahan_tayang")


def url(training, questionnaire="", key=""):
    base = f"/trainings/{training.slug}/evaluasi"
    return f"{base}/{questionnaire}/{key}" if questionnaire else base


def likert(value, items=NARASUMBER_ITEMS, **extra):
    return {**{item: str(value) for item in items}, **extra}


def answer_as(client, auth, person, training, key, data, questionnaire="narasumber"):
    auth.logout()
    auth.login_as(person)
    return client.post(url(training, questionnaire, key), data=data)


def text(response):
    return response.get_data(as_text=True)


def test_targets_are_the_training_once_and_each_narasumber_once(setup):
    found = [(t.questionnaire.slug, t.key, t.label) for t in services.targets(setup["training"])]
    assert sorted(found) == sorted([
        ("narasumber", "g:Dr. Dewi Tamu", "Dr. Dewi Tamu"),
        ("narasumber", f"u{setup['ana'].id}", "Ana Narasumber"),
        ("narasumber", f"u{setup['budi'].id}", "Budi Narasumber"),
        ("penyelenggaraan", "kegiatan", "Bimtek Tes")])


def test_participant_answers_once_on_a_phone_form(client, auth, setup, clock):
    training, person, ana = setup["training"], setup["people"][0], setup["ana"]
    auth.login_as(person)
    page = text(client.get(url(training)))
    assert "Evaluasi Narasumber" in page and "Ana Narasumber" in page and "Isi sekarang" in page
    form = text(client.get(url(training, "narasumber", f"u{ana.id}")))
    assert form.count('type="radio"') == 5 * 4 and "btn-lg" in form and "4 · Sangat baik" in form
    response = client.post(url(training, "narasumber", f"u{ana.id}"), data=likert(4, masukan="Jelas sekali"))
    assert response.status_code == 302
    assert db.session.scalar(select(EvaluationSubmission.user_id)) == person.id
    assert sorted(db.session.execute(select(EvaluationAnswer.item_id, EvaluationAnswer.value))) == sorted(
        [(i, 4) for i in NARASUMBER_ITEMS] + [("masukan", None)])
    again = client.post(url(training, "narasumber", f"u{ana.id}"), data=likert(1), follow_redirects=True)
    assert "Anda sudah mengisi evaluasi ini. Setiap evaluasi hanya dapat diisi sekali." in text(again)
    assert db.session.scalar(select(EvaluationAnswer.value).where(EvaluationAnswer.value == 1)) is None
    assert "Sudah diisi" in text(client.get(url(training)))


def test_missing_and_out_of_range_answers_say_which_item_and_keep_the_rest(client, auth, setup, clock):
    training, ana = setup["training"], setup["ana"]
    auth.login_as(setup["people"][0])
    data = likert(3, masukan="Saran saya tetap ada")
    del data["cara_penyajian"]
    data["interaksi"] = "9"
    response = client.post(url(training, "narasumber", f"u{ana.id}"), data=data)
    page = text(response)
    assert response.status_code == 400
    assert "Butir 2 (Cara penyajian (sistematika, bahasa, contoh)): pilih salah satu nilai 1–4." in page
    assert "Butir 4 (Interaksi dengan peserta (tanya jawab, diskusi)): nilai harus 1–4." in page
    assert "Saran saya tetap ada" in page and 'value="3" checked' in page
    assert db.session.scalar(select(EvaluationSubmission.id)) is None
    long = client.post(url(training, "narasumber", f"u{ana.id}"), data=likert(3, masukan="x" * 2001))
    assert "paling banyak 2000 karakter, tertulis 2001" in text(long)


@pytest.mark.parametrize("moment, ok", [
    (wib(END - timedelta(days=1), 16), False), (wib(END, 8), True), (wib(END + timedelta(days=7), 22), True),
    (wib(END + timedelta(days=8), 0), False)], ids=["day-before", "last-day", "last-open-day", "after"])
def test_the_window_runs_from_the_last_day_for_evaluation_days(client, auth, setup, clock, moment, ok):
    training = setup["training"]
    clock.now = moment
    auth.login_as(setup["people"][0])
    response = client.post(url(training, "penyelenggaraan", "kegiatan"),
                           data={i: "3" for i in ("informasi", "jadwal", "materi", "tempat", "konsumsi", "fasilitas",
                                                  "pelayanan_panitia")}, follow_redirects=True)
    assert (db.session.scalar(select(EvaluationSubmission.id)) is not None) is ok
    if not ok:
        assert "Evaluasi hanya dapat diisi dari 19 Agustus 2026 sampai 26 Agustus 2026." in text(response)


def test_the_window_length_is_the_trainings_option(setup):
    training = setup["training"]
    training.evaluation_days = 2
    assert services.is_open(training, wib(END + timedelta(days=2), 23))
    assert not services.is_open(training, wib(END + timedelta(days=3), 0))


def test_home_and_training_page_link_the_open_evaluation(client, auth, setup, clock):
    auth.login_as(setup["people"][0])
    assert f'href="{url(setup["training"])}"' in text(client.get("/"))
    assert "4 evaluasi belum Anda isi." in text(client.get(f"/trainings/{setup['training'].slug}"))
    clock.now = wib(END + timedelta(days=30))
    assert f'href="{url(setup["training"])}"' not in text(client.get("/"))


def test_only_participants_of_the_training_answer(client, auth, setup, clock, make_user):
    stranger = make_user(full_name="Orang Lain")
    auth.login_as(stranger)
    assert client.get(url(setup["training"], "penyelenggaraan", "kegiatan")).status_code == 403
    auth.logout()
    auth.login_as(setup["ana"])
    assert client.post(url(setup["training"], "penyelenggaraan", "kegiatan"), data={}).status_code == 403
    auth.logout()
    auth.login_as(setup["people"][0])
    assert client.get(url(setup["training"], "narasumber", "u999999")).status_code == 404


def fill(client, auth, setup, count, key_of="ana", value_for=lambda n: 1 + n % 4, texts=()):
    key = f"u{setup[key_of].id}"
    for n, person in enumerate(setup["people"][:count]):
        saran = texts[n] if n < len(texts) else ""
        response = answer_as(client, auth, person, setup["training"], key, likert(value_for(n), masukan=saran))
        assert response.status_code == 302
    auth.logout()


def test_trainer_sees_nothing_below_five_responses(client, auth, setup, clock):
    fill(client, auth, setup, 4)
    auth.login_as(setup["ana"])
    page = text(client.get(url(setup["training"]) + "/hasil"))
    assert "Hasil ditampilkan setelah minimal 5 tanggapan (saat ini 4)." in page
    assert 'data-item="penguasaan_materi"' not in page


def test_aggregates_from_five_responses(client, auth, setup, clock):
    # Values 1, 2, 3, 4, 1: mean 2.2, distribution 1:2, 2:1, 3:1, 4:1.
    fill(client, auth, setup, 5, texts=("Contoh lebih banyak",))
    results = services.results(setup["ana"], setup["training"])
    assert [r.target.label for r in results] == ["Ana Narasumber"]
    (result,) = results
    assert result.responses == 5 and result.shown
    item = next(i for i in result.items if i.item_id == "interaksi")
    assert (item.count, item.mean, item.distribution) == (5, pytest.approx(2.2), [2, 1, 1, 1])
    assert result.texts == {}  # a trainer never reads the free text
    auth.login_as(setup["ana"])
    page = text(client.get(url(setup["training"]) + "/hasil"))
    assert 'data-item="interaksi"><td>Interaksi dengan peserta (tanya jawab, diskusi)</td>' in page
    row = " ".join(page.split('data-item="interaksi">')[1].split("</tr>")[0].split())
    assert row == ('<td>Interaksi dengan peserta (tanya jawab, diskusi)</td> <td class="text-end">2,2</td>'
                   '<td class="text-end">5</td> <td class="text-end">2</td><td class="text-end">1</td>'
                   '<td class="text-end">1</td><td class="text-end">1</td>')
    assert "Contoh lebih banyak" not in page


def test_a_trainer_sees_only_their_own_results(client, auth, setup, clock):
    fill(client, auth, setup, 6, key_of="budi")
    auth.login_as(setup["ana"])
    page = text(client.get(url(setup["training"]) + "/hasil"))
    assert "Budi Narasumber" not in page and "Evaluasi Penyelenggaraan" not in page
    auth.logout()
    auth.login_as(setup["outsider"])
    assert client.get(url(setup["training"]) + "/hasil").status_code == 403
    auth.logout()
    auth.login_as(setup["people"][0])
    assert client.get(url(setup["training"]) + "/hasil").status_code == 403


def test_admin_sees_every_aggregate_and_the_free_text_without_names(client, auth, setup, clock):
    fill(client, auth, setup, 2, texts=("Tambah sesi praktik", "Suara kurang jelas"))
    auth.login_as(setup["admin"])
    page = text(client.get(url(setup["training"]) + "/hasil"))
    assert "Budi Narasumber" in page and "Dr. Dewi Tamu" in page and "Evaluasi Penyelenggaraan" in page
    assert "Kurang dari 5 tanggapan: narasumber belum melihat hasil ini." in page
    texts = page.split("Saran dan masukan (2)")[1].split("</ul>")[0]
    assert "Suara kurang jelas" in texts and "Tambah sesi praktik" in texts
    assert "Peserta Rahasia" not in texts
    # Who has not answered is listed by name, with a count only.
    assert "Peserta Rahasia 1: 3 belum diisi" in page and "Peserta Rahasia 6: 4 belum diisi" in page


def test_answer_rows_carry_no_user_and_no_time(client, auth, setup, clock):
    fill(client, auth, setup, 3)
    columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_answers")}
    assert columns == {"id", "training_id", "questionnaire", "target", "item_id", "value", "text"}
    submissions = {c["name"] for c in inspect(db.engine).get_columns("evaluation_submissions")}
    assert "submitted_on" in submissions and not any("at" == c.split("_")[-1] for c in submissions)
    keys = list(db.session.scalars(select(EvaluationAnswer.id)))
    assert len(set(keys)) == len(keys) == 3 * 5 and all(len(k) == 32 and not k.isdigit() for k in keys)


def test_no_trainer_page_shows_a_free_text(app, client, auth, setup, clock):
    """Every GET page of the training a trainer can open: the answers' texts are never on it."""
    fill(client, auth, setup, 6, texts=["RAHASIA-TEKS-" + str(n) for n in range(6)])
    auth.login_as(setup["ana"])
    training = setup["training"]
    opened = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or set(rule.arguments) - {"slug"}:
            continue
        path = rule.rule.replace("<slug>", training.slug)
        response = client.get(path)
        opened += 1
        assert b"RAHASIA-TEKS" not in response.get_data(), path
    assert opened > 20


def test_results_pages_query_count_does_not_grow_with_responses(client, auth, setup, clock, count_queries,
                                                                 make_user):
    training = setup["training"]
    target = services.find_target(training, "narasumber", f"u{setup['ana'].id}")

    def add(n):
        for _ in range(n):
            person = make_user()
            db.session.add(Enrollment(training_id=training.id, user_id=person.id))
            services.record(training, person.id, target, [(i, 3, "") for i in NARASUMBER_ITEMS] + [
                ("masukan", None, "ok")], END)
        db.session.commit()

    def counted(user):
        auth.logout()
        auth.login_as(user)
        with count_queries() as queries:
            assert client.get(url(training) + "/hasil").status_code == 200
        return queries.count

    add(6)
    small = (counted(setup["admin"]), counted(setup["ana"]))
    add(40)
    assert (counted(setup["admin"]), counted(setup["ana"])) == small


def test_a_guest_speaker_is_answered_through_the_link_on_the_list(client, auth, setup, clock):
    auth.login_as(setup["people"][0])
    page = text(client.get(url(setup["training"])))
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if "narasumber/g:" in part)
    assert link == url(setup["training"], "narasumber", "g:Dr.%20Dewi%20Tamu")
    assert "Dr. Dewi Tamu" in text(client.get(link))
    assert client.post(link, data=likert(2)).status_code == 302
    assert db.session.scalar(select(EvaluationAnswer.target).limit(1)) == "g:Dr. Dewi Tamu"
