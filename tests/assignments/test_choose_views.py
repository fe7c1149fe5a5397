"""The training's Tugas tab: the choice of assignments (default, toggle, confirmation, audit), access, and the
form of a training-only assignment (every validation error on its field, the rubric editor, edits after hand-ins)."""

from __future__ import annotations

import html
import re
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select

from lms.assignments import definitions, services
from lms.assignments.models import Assignment, TrainingAssignment
from lms.audit.models import AuditEvent
from lms.audit.presenter import present
from lms.courses.models import Lesson
from lms.extensions import db
from tests.assignments.conftest import BEFORE_DUE, DEFINITION, make_assignment
from tests.conftest import create_training

NOW = BEFORE_DUE


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("lms.assignments.manage_views.utcnow", lambda: NOW)


def base(world):
    return f"/trainings/{world['training'].slug}/tugas"


def hand_in(world, who="ani", assignment=None):
    assignment = assignment or world["assignment"]
    submission = services.start(world[who], world["training"], assignment, NOW)
    services.save_draft(world[who], submission, "Bupati membuka acara.", ["https://instagram.com/p/x"], None, NOW)
    services.submit(world[who], submission, None, NOW)
    db.session.commit()
    return submission


def form_data(**changes: Any) -> dict[str, Any]:
    """A valid form post of a training-only assignment (two criteria, the second with two levels)."""
    data: dict[str, Any] = {
        "title": "Balas tiga komentar warganet", "instructions": "Balas dengan **sopan**.", "lesson": "",
        "hand_in": ["text", "links"], "max_images": "", "max_chars": "1500", "max_links": "3", "due_day": "2",
        "due_time": "16:00", "accept_late": "y", "revisions": "1", "pass_points": "6", "opd_target": "",
        "criteria-0-title": "Sopan", "criteria-0-description": "",
        "criteria-0-levels-0-label": "Baik", "criteria-0-levels-0-points": "5",
        "criteria-0-levels-0-description": "Salam dan terima kasih",
        "criteria-0-levels-1-label": "Kurang", "criteria-0-levels-1-points": "1",
        "criteria-0-levels-1-description": "",
        "criteria-0-levels-2-label": "", "criteria-0-levels-2-points": "", "criteria-0-levels-2-description": "",
        "criteria-1-title": "Tindak lanjut", "criteria-1-description": "Menyebut kanal pengaduan",
        "criteria-1-levels-0-label": "Ada", "criteria-1-levels-0-points": "3",
        "criteria-1-levels-0-description": "",
        "criteria-1-levels-1-label": "Tidak", "criteria-1-levels-1-points": "0",
        "criteria-1-levels-1-description": "",
        "do": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def own_assignments(world) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.training_id == world["training"].id)))


def choose(client, world, assignment, given, confirm=False):
    data = {"given": "1" if given else "0"}
    if confirm:
        data["confirm"] = "y"
    return client.post(f"{base(world)}/{assignment.id}/pilihan", data=data)


# ---------------------------------------------------------------- the list and the choice


def test_the_list_shows_the_default_choice_the_due_time_in_the_trainings_zone_and_hand_ins(world, client, auth):
    training = world["training"]
    training.time_zone = "Asia/Makassar"
    world["assignment"].due_time = time(16, 0)
    other_course = make_assignment(course_slug="modul-lain", id="tugas-modul-lain", title="Tugas modul lain")
    db.session.commit()
    hand_in(world)
    auth.login_as(world["trainer"])
    response = client.get(base(world))
    text = page_text(response)
    assert response.status_code == 200
    assert "Caption kegiatan OPD" in text and other_course.title not in text
    assert "Hari ke-2, 16.00 WITA" in text and "Selasa, 18 Agustus 2026" in text
    assert "Diberikan" in text and "Ya, wajib lulus" in text and "1 peserta" in text
    assert 'href="/trainings/bimtek-caption/tugas"' in response.get_data(as_text=True)  # the tab


def test_a_day_past_the_trainings_end_is_shown_on_its_last_day(world, client, auth):
    world["assignment"].due_day = 5
    db.session.commit()
    auth.login_as(world["admin"])
    text = page_text(client.get(base(world)))
    assert "Hari ke-3, akhir hari (23.59 WIB)" in text and "Modul menulis hari ke-5" in text


def test_leaving_out_and_giving_back_is_audited_and_changes_what_participants_get(world, client, auth):
    auth.login_as(world["trainer"])
    response = choose(client, world, world["assignment"], False)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#tugas-{world['assignment'].id}")
    assert services.offered(world["training"]) == []
    assert "Tidak diberikan" in page_text(client.get(base(world)))
    assert "Caption kegiatan OPD" not in page_text(client.get(f"/trainings/{world['training'].slug}/penilaian-tugas"))
    choose(client, world, world["assignment"], True)
    assert [a.id for a in services.offered(world["training"])] == [world["assignment"].id]
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.choose")
                                     .order_by(AuditEvent.id)))
    assert [(e.actor_id, e.details["given"], e.details["assignment_id"]) for e in events] == [
        (world["trainer"].id, False, world["assignment"].id), (world["trainer"].id, True, world["assignment"].id)]
    assert events[0].at == NOW


def test_leaving_out_an_assignment_already_handed_in_needs_the_confirmation_and_keeps_the_hand_ins(world, client,
                                                                                                  auth):
    submission = hand_in(world)
    auth.login_as(world["trainer"])
    response = choose(client, world, world["assignment"], False)
    assert response.status_code == 302
    text = page_text(client.get(base(world)))
    assert "sudah dikumpulkan 1 peserta. Centang konfirmasi" in text
    assert services.is_offered(world["training"], world["assignment"])
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "assignment.choose")) is None
    choose(client, world, world["assignment"], False, confirm=True)
    assert not services.is_offered(world["training"], world["assignment"])
    assert db.session.get(type(submission), submission.id).status == "submitted"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.choose")).one()
    assert event.details["kept_submissions"] == 1
    assert [line.sentence for line in present([event])] == [
        f"Narasumber Satu (Narasumber) tidak memberikan tugas \"Caption kegiatan OPD\" (#{world['assignment'].id}) "
        f"di {world['training'].title}; 1 kiriman tetap tersimpan."]
    choose(client, world, world["assignment"], True)
    assert services.is_offered(world["training"], world["assignment"])


def test_an_assignment_of_a_course_the_training_does_not_link_cannot_be_chosen(world, client, auth):
    other = make_assignment(course_slug="modul-lain", id="tugas-modul-lain", title="Tugas modul lain")
    auth.login_as(world["admin"])
    response = choose(client, world, other, True)
    assert response.status_code == 302
    assert "bukan tugas modul yang ditautkan" in page_text(client.get(base(world)))
    assert db.session.scalar(select(TrainingAssignment.id)) is None
    other_training = create_training("bimtek-ketiga")
    definition, _ = definitions.parse({**DEFINITION, "id": "milik-lain"})
    assert definition is not None
    foreign = services.save_training_assignment(other_training, None, definition, world["admin"], NOW)
    db.session.commit()
    choose(client, world, foreign, True)
    assert db.session.scalar(select(TrainingAssignment.id)) is None
    assert not services.is_offered(world["training"], foreign)
    assert client.post(f"{base(world)}/999999/pilihan", data={"given": "1"}).status_code == 404
    assert client.post(f"{base(world)}/{other.id}/pilihan", data={"given": "x"}).status_code == 400


def test_the_list_runs_the_same_queries_for_one_or_six_assignments(world, client, auth, count_queries):
    auth.login_as(world["trainer"])
    client.get(base(world))
    with count_queries() as few:
        assert client.get(base(world)).status_code == 200
    for n in range(5):
        make_assignment(id=f"tugas-{n}", title=f"Tugas {n}")
    hand_in(world)
    with count_queries() as many:
        assert client.get(base(world)).status_code == 200
    assert many.count == few.count


# ---------------------------------------------------------------- access


def access_urls(world, own_id):
    aid = world["assignment"].id
    return [("get", base(world)), ("post", f"{base(world)}/{aid}/pilihan"), ("get", f"{base(world)}/baru"),
            ("post", f"{base(world)}/baru"), ("get", f"{base(world)}/{own_id}/ubah"),
            ("post", f"{base(world)}/{own_id}/ubah")]


def _own(world, **changes):
    data = {**DEFINITION, "id": "tugas-sendiri", "title": "Tugas sendiri", **changes}
    definition, problems = definitions.parse(data)
    assert definition is not None, problems
    definition.course_slug = None
    own = services.save_training_assignment(world["training"], None, definition, world["admin"], NOW)
    db.session.commit()
    return own


def test_every_url_refuses_anonymous_participants_and_trainers_of_another_training(world, client, auth):
    own = _own(world)
    for method, url in access_urls(world, own.id):
        response = getattr(client, method)(url, data=form_data(given="0"))
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for who in ("ani", "other_trainer"):
        auth.login_as(world[who])
        for method, url in access_urls(world, own.id):
            assert getattr(client, method)(url, data=form_data(given="0")).status_code == 403, (who, url)
        auth.logout()
    assert services.is_offered(world["training"], world["assignment"])
    assert [a.title for a in own_assignments(world)] == ["Tugas sendiri"]
    auth.login_as(world["admin"])
    for method, url in access_urls(world, own.id):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_a_course_assignment_or_another_trainings_own_one_has_no_edit_page(world, client, auth):
    other = create_training("bimtek-ketiga", trainers=(world["trainer"],))
    definition, _ = definitions.parse({**DEFINITION, "id": "milik-lain"})
    assert definition is not None
    foreign = services.save_training_assignment(other, None, definition, world["admin"], NOW)
    db.session.commit()
    auth.login_as(world["trainer"])
    assert client.get(f"{base(world)}/{world['assignment'].id}/ubah").status_code == 404
    assert client.get(f"{base(world)}/{foreign.id}/ubah").status_code == 404
    assert "Isi tugas modul diubah di berkas konten" in page_text(client.get(base(world)))


# ---------------------------------------------------------------- the form


def test_a_new_assignment_is_saved_given_audited_and_in_the_review_queue(world, client, auth):
    lesson = Lesson(course_id=world["training"].courses[0].id, slug="membalas-komentar", title="Membalas komentar",
                    body="x", content_hash="x", position=1)
    db.session.add(lesson)
    db.session.commit()
    auth.login_as(world["trainer"])
    form_page = page_text(client.get(f"{base(world)}/baru"))
    assert "Caption: Membalas komentar" in form_page and "Hari ke-2 (Selasa, 18 Agustus 2026)" in form_page
    response = client.post(f"{base(world)}/baru", data=form_data(lesson="caption-dan-interaksi-warganet/"
                                                                          "membalas-komentar", opd_target="2"))
    assert response.status_code == 302, page_text(response)
    (own,) = own_assignments(world)
    assert response.headers["Location"].endswith(f"/tugas#tugas-{own.id}")
    assert (own.scope, own.slug, own.title, own.accepts) == (f"training:{world['training'].id}",
                                                              "balas-tiga-komentar-warganet",
                                                              "Balas tiga komentar warganet", ["text", "links"])
    assert (own.course_slug, own.lesson_slug, own.due_day, own.due_time) == (
        "caption-dan-interaksi-warganet", "membalas-komentar", 2, time(16, 0))
    assert (own.max_chars, own.max_links, own.max_revisions, own.accept_late, own.required, own.opd_target) == (
        1500, 3, 1, True, False, 2)
    assert [(c["id"], [lv["points"] for lv in c["levels"]]) for c in own.rubric] == [
        ("sopan", [5, 1]), ("tindak-lanjut", [3, 0])]
    assert (own.max_points, own.pass_points, own.created_by_id) == (8, 6, world["trainer"].id)
    assert services.is_offered(world["training"], own)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.save")).one()
    assert (event.actor_id, event.details["created"]) == (world["trainer"].id, True)
    assert present([event])[0].sentence == (f"Narasumber Satu (Narasumber) membuat tugas khusus \"Balas tiga komentar "
                                            f"warganet\" (#{own.id}) di {world['training'].title}.")
    queue = page_text(client.get(f"/trainings/{world['training'].slug}/penilaian-tugas"))
    assert "Balas tiga komentar warganet" in queue
    assert "Balas tiga komentar warganet" in page_text(client.get(
        f"/trainings/{world['training'].slug}/penilaian-tugas/{own.id}"))
    # A second one of the same title gets its own slug.
    assert client.post(f"{base(world)}/baru", data=form_data()).status_code == 302
    assert sorted(a.slug for a in own_assignments(world)) == ["balas-tiga-komentar-warganet",
                                                             "balas-tiga-komentar-warganet-2"]


def test_the_new_form_starts_with_two_blank_criteria_of_three_levels(world, client, auth):
    auth.login_as(world["trainer"])
    text = client.get(f"{base(world)}/baru").get_data(as_text=True)
    assert 'name="criteria-1-levels-2-points"' in text and 'name="criteria-2-title"' not in text
    assert 'name="accept_late" checked' in text or 'checked id="accept_late"' in text or "checked" in text


BLANK_LEVEL = {"criteria-1-levels-1-label": "", "criteria-1-levels-1-points": ""}
NO_CRITERIA = {f"criteria-{c}-{k}": "" for c in (0, 1) for k in ("title", "description")} | {
    f"criteria-{c}-levels-{n}-{k}": "" for c in (0, 1) for n in (0, 1, 2) for k in ("label", "points", "description")}


@pytest.mark.parametrize(("changes", "message", "field"), [
    ({"title": ""}, "Judul tugas wajib diisi.", "title"),
    ({"title": "x" * 201}, "Judul tugas: Paling banyak 200 karakter.", "title"),
    ({"hand_in": []}, "Yang dikumpulkan: pilih paling sedikit satu (teks, foto/gambar, tautan unggahan, atau berkas "
                      "PDF).", None),
    ({"hand_in": ["text", "video"]}, "Yang dikumpulkan: Pilihan 'video' tidak tersedia.", None),
    ({"max_chars": ""}, "Jumlah karakter teks paling banyak wajib diisi (lebih dari 0) karena Yang dikumpulkan "
                        "memuat \"Teks\".", "max_chars"),
    ({"hand_in": ["images"], "max_links": ""}, "Jumlah foto paling banyak wajib diisi (lebih dari 0) karena Yang "
                                               "dikumpulkan memuat \"Foto/gambar\".", "max_images"),
    ({"max_links": "tiga"}, "Jumlah tautan paling banyak harus bilangan bulat 0 atau lebih (sekarang 'tiga').",
     "max_links"),
    ({"max_chars": "30000"}, "Jumlah karakter teks paling banyak paling besar 20000 (sekarang 30000).", "max_chars"),
    ({"revisions": "11"}, "Revisi paling banyak paling besar 10 (sekarang 11).", "revisions"),
    ({"due_time": "25:00"}, "Jam batas waktu \"25:00\" harus jam:menit, mis. \"16:00\".", "due_time"),
    ({"due_day": ""}, "Jam batas waktu perlu Hari batas waktu.", "due_time"),
    ({"due_day": "9"}, "Batas waktu: Pilihan tidak tersedia.", "due_day"),
    ({"lesson": "modul-lain/pelajaran"}, "Pelajaran yang dilatih: Pilihan tidak tersedia.", "lesson"),
    ({"opd_target": "2", "hand_in": ["text"]}, "Target unggahan per OPD menghitung tautan unggahan: tambahkan "
                                               "\"Tautan unggahan\" ke Yang dikumpulkan.", "opd_target"),
    ({"pass_points": ""}, "Nilai lulus wajib diisi.", "pass_points"),
    ({"pass_points": "9"}, "Nilai lulus 9 di luar rentang 0 sampai 8 (nilai maksimal rubrik).", "pass_points"),
    ({"criteria-1-levels-1-points": "x"}, "Kriteria 2, tingkat 2: poin harus bilangan bulat 0 atau lebih "
                                          "(sekarang 'x').", "criteria-1-levels-1-points"),
    ({"criteria-0-levels-1-label": ""}, "Kriteria 1, tingkat 2: label wajib diisi.", "criteria-0-levels-1-label"),
    ({"criteria-1-title": ""}, "Kriteria 2: nama kriteria wajib diisi.", "criteria-1-title"),
    (BLANK_LEVEL, "Kriteria 2: tulis paling sedikit dua tingkat (mis. Baik dan Perlu perbaikan).", None),
    ({"criteria-0-levels-1-points": "7"}, "Kriteria 1: urutkan tingkat dari poin tertinggi ke terendah "
                                          "(sekarang 5, 7).", None),
    ({"criteria-0-levels-1-points": "5"}, "Kriteria 1: dua tingkat berpoin sama; setiap tingkat perlu poin berbeda.",
     None),
    (NO_CRITERIA, "Rubrik belum punya kriteria; tulis paling sedikit satu kriteria dengan levelnya.", None),
    ({"criteria-0-levels-0-description": "x" * 501}, "Kriteria 1, tingkat 1, keterangan tingkat: Paling banyak 500 "
                                                     "karakter.", "criteria-0-levels-0-description"),
])
def test_every_validation_error_names_its_field_and_nothing_is_saved(world, client, auth, changes, message, field):
    auth.login_as(world["trainer"])
    response = client.post(f"{base(world)}/baru", data=form_data(**changes))
    text = page_text(response)
    assert response.status_code == 400
    assert "Tugas belum disimpan. Periksa isian berikut:" in text
    assert message in text, re.findall(r"<li>(.*?)</li>", text)
    if field:
        assert re.search(rf'id="{field}"[^>]*is-invalid|is-invalid[^>]*id="{field}"', text), field
    assert own_assignments(world) == []
    assert "Balas dengan **sopan**." in text  # what was typed comes back


def test_a_criterion_row_left_blank_between_others_keeps_the_rows_numbers_in_messages(world, client, auth):
    auth.login_as(world["trainer"])
    blank_first = {f"criteria-0-{k}": "" for k in ("title", "description")} | {
        f"criteria-0-levels-{n}-{k}": "" for n in (0, 1, 2) for k in ("label", "points", "description")}
    response = client.post(f"{base(world)}/baru", data=form_data(**blank_first, **{"criteria-1-title": "",
                                                                                    "pass_points": "1"}))
    assert "Kriteria 2: nama kriteria wajib diisi." in page_text(response)


def test_the_rubric_editor_adds_and_removes_rows_without_saving(world, client, auth):
    auth.login_as(world["trainer"])
    url = f"{base(world)}/baru"
    added = client.post(url, data=form_data(do="add-criterion")).get_data(as_text=True)
    assert 'name="criteria-2-title"' in added and 'name="criteria-2-levels-2-points"' in added
    assert "is-invalid" not in added
    level = client.post(url, data=form_data(do="add-level-0")).get_data(as_text=True)
    assert 'name="criteria-0-levels-3-label"' in level and 'name="criteria-1-levels-2-label"' not in level
    removed = page_text(client.post(url, data=form_data(do="remove-criterion-0")))
    assert 'value="Sopan"' not in removed and 'value="Tindak lanjut"' in removed
    assert "Kriteria 2" not in removed  # one criterion left, numbered 1
    removed_level = page_text(client.post(url, data=form_data(do="remove-level-0-1")))
    assert 'value="Kurang"' not in removed_level and 'value="Baik"' in removed_level
    assert own_assignments(world) == []
    # After removing, the rows saved are the ones shown.
    data = {k: v for k, v in form_data().items() if not k.startswith("criteria-0-")}
    assert client.post(url, data=data).status_code == 400  # one criterion of 3 points: pass mark 6 too high
    assert client.post(url, data={**data, "pass_points": "2"}).status_code == 302
    (own,) = own_assignments(world)
    assert [c["title"] for c in own.rubric] == ["Tindak lanjut"] and own.max_points == 3


def test_the_preview_shows_the_instructions_through_the_sanitiser(world, client, auth):
    auth.login_as(world["trainer"])
    response = client.post(f"{base(world)}/baru", data=form_data(
        do="preview", instructions="Tulis **caption** <script>alert(1)</script> [tautan](javascript:alert(2))"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Pratinjau petunjuk (seperti dilihat peserta)" in text
    assert "<strong>caption</strong>" in text
    assert "<script>alert(1)" not in text and 'href="javascript:' not in text
    assert own_assignments(world) == []


def test_editing_changes_the_assignment_and_keeps_its_slug(world, client, auth):
    own = _own(world)
    auth.login_as(world["trainer"])
    page = page_text(client.get(f"{base(world)}/{own.id}/ubah"))
    assert 'value="Tugas sendiri"' in page and 'value="Lengkap"' in page and 'name="criteria-2-title"' in page
    assert "Nilai maksimal rubrik di atas: 10" in page
    response = client.post(f"{base(world)}/{own.id}/ubah", data=form_data(title="Judul baru"))
    assert response.status_code == 302
    db.session.refresh(own)
    assert (own.title, own.slug, own.max_points) == ("Judul baru", "tugas-sendiri", 8)


def test_editing_after_hand_ins_locks_the_rubric_and_the_pass_mark_with_a_message(world, client, auth):
    own = _own(world)
    hand_in(world, assignment=own)
    auth.login_as(world["trainer"])
    url = f"{base(world)}/{own.id}/ubah"
    page = client.get(url).get_data(as_text=True)
    assert "Rubrik dan nilai lulus dikunci" in page and "sudah dikumpulkan 1 peserta" in page
    assert re.search(r'id="criteria-0-levels-0-points"[^>]*readonly|readonly[^>]*id="criteria-0-levels-0-points"',
                     page)
    assert 'value="add-criterion"' not in page and 'name="criteria-2-title"' not in page
    # The form as shown (rubric untouched) saves the other fields.
    shown = {"title": "Caption kegiatan (revisi petunjuk)", "instructions": "Baru.", "hand_in": own.accepts,
             "max_images": "2", "max_chars": "2200", "max_links": "3", "due_day": "2", "due_time": "",
             "accept_late": "y", "revisions": "1", "pass_points": "7", "opd_target": "2", "required": "y",
             "do": "save"}
    for c, criterion in enumerate(own.rubric):
        shown |= {f"criteria-{c}-id": criterion["id"], f"criteria-{c}-title": criterion["title"],
                  f"criteria-{c}-description": criterion["description"]}
        for n, level in enumerate(criterion["levels"]):
            shown |= {f"criteria-{c}-levels-{n}-label": level["label"],
                      f"criteria-{c}-levels-{n}-points": str(level["points"]),
                      f"criteria-{c}-levels-{n}-description": level["description"]}
    changed = client.post(url, data={**shown, "criteria-0-levels-1-points": "4"})
    assert changed.status_code == 400, re.findall(r"<li>(.*?)</li>", page_text(changed))
    assert "Rubrik tidak dapat diubah setelah ada peserta yang mengumpulkan" in page_text(changed)
    assert client.post(url, data={**shown, "pass_points": "5"}).status_code == 400
    assert client.post(url, data={**shown, "do": "add-criterion"}).get_data(as_text=True).count(
        'name="criteria-2-title"') == 0
    saved = client.post(url, data=shown)
    assert saved.status_code == 302, page_text(saved)
    db.session.refresh(own)
    assert own.title == "Caption kegiatan (revisi petunjuk)" and own.rubric[0]["levels"][1]["points"] == 3
    assert own.pass_points == 7


def test_without_the_forms_token_nothing_is_chosen_or_saved(world, client, auth, monkeypatch, app):
    auth.login_as(world["trainer"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert choose(client, world, world["assignment"], False).status_code == 400
    assert services.is_offered(world["training"], world["assignment"])
    assert client.post(f"{base(world)}/baru", data=form_data()).status_code == 400  # the app's CSRF check
    assert own_assignments(world) == []
