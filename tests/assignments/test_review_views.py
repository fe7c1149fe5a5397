"""The trainer's review pages: access, the state changes through the views, snippets, the queue's
query count, the OPD target page and the ZIP of hand-ins."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from lms.assignments import services
from lms.assignments.models import CommentSnippet, Submission
from lms.audit.models import AuditEvent
from lms.audit.presenter import present
from lms.extensions import db
from tests.assignments.conftest import BEFORE_DUE, photo_bytes
from tests.conftest import create_training

NOW = BEFORE_DUE
CAPTION = "Bupati Sinjai membuka bimtek pengelolaan media sosial di Aula Diskominfo, Senin (17/8/2026)."


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("lms.assignments.review_views.utcnow", lambda: NOW)


def hand_in(world, who="ani", text=CAPTION, links=("https://instagram.com/p/abc",), photo=False):
    user = world[who]
    submission = services.start(user, world["training"], world["assignment"], NOW)
    services.save_draft(user, submission, text, list(links), None, NOW)
    if photo:
        services.add_file(user, submission, photo_bytes(), None, NOW)
    services.submit(user, submission, None, NOW)
    db.session.commit()
    return submission


def base(world):
    return f"/trainings/{world['training'].slug}/penilaian-tugas"


def urls(world, submission, snippet_id):
    aid, sid = world["assignment"].id, submission.id
    file_id = submission.files[0].id if submission.files else 1
    return [("get", f"{base(world)}"), ("get", f"{base(world)}/{aid}"), ("get", f"{base(world)}/{aid}?status=waiting"),
            ("get", f"{base(world)}/kiriman/{sid}"), ("post", f"{base(world)}/kiriman/{sid}"),
            ("post", f"{base(world)}/kiriman/{sid}/buka"), ("post", f"{base(world)}/{aid}/komentar"),
            ("post", f"{base(world)}/{aid}/komentar/{snippet_id}/hapus"), ("get", f"{base(world)}/{aid}/target-opd"),
            ("post", f"{base(world)}/{aid}/unduh.zip"), ("get", f"{base(world)}/berkas/{file_id}")]


def _snippet(world, text="Sebutkan jabatan lengkap pejabat."):
    snippet = CommentSnippet(assignment_id=world["assignment"].id, criterion_id="unsur", text=text,
                             created_by_id=world["trainer"].id, created_at=NOW)
    db.session.add(snippet)
    db.session.commit()
    return snippet


def test_every_url_refuses_anonymous_participants_and_other_trainers(world, client, auth):
    submission = hand_in(world, photo=True)
    snippet = _snippet(world)
    before = db.session.scalar(select(Submission.version).where(Submission.id == submission.id))
    for method, url in urls(world, submission, snippet.id):
        response = getattr(client, method)(url, data={"version": before})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for who in ("ani", "budi", "other_trainer"):
        auth.login_as(world[who])
        for method, url in urls(world, submission, snippet.id):
            assert getattr(client, method)(url, data={"version": before, "reason": "x", "text": "x"}).status_code \
                == 403, (who, url)
        auth.logout()
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).version == before
    assert db.session.get(CommentSnippet, snippet.id) is not None


def test_the_trainer_and_an_admin_open_every_page(world, client, auth):
    submission = hand_in(world, photo=True)
    for who in ("trainer", "admin"):
        auth.login_as(world[who])
        for method, url in urls(world, submission, 0):
            response = client.get(url) if method == "get" else None
            if url.endswith("unduh.zip"):
                response = client.post(url)
                response.close()  # the ZIP's temporary file
            if response is not None:
                assert response.status_code == 200, (who, url)
        auth.logout()


def test_a_submission_of_another_training_is_not_found_here(world, client, auth, make_user):
    other_training = create_training("bimtek-ketiga", courses=(world["training"].courses[0],),
                                     users=(world["ani"],), trainers=(world["trainer"],))
    submission = services.start(world["ani"], other_training, world["assignment"], NOW)
    db.session.commit()
    auth.login_as(world["trainer"])
    assert client.get(f"{base(world)}/kiriman/{submission.id}").status_code == 404


def test_a_draft_never_handed_in_is_not_shown_to_the_trainer(world, client, auth):
    draft = services.start(world["ani"], world["training"], world["assignment"], NOW)
    services.save_draft(world["ani"], draft, "Masih menulis...", None, None, NOW)
    db.session.commit()
    auth.login_as(world["trainer"])
    assert client.get(f"{base(world)}/kiriman/{draft.id}").status_code == 404
    assert client.post(f"{base(world)}/kiriman/{draft.id}", data={"version": _version(draft.id)}).status_code == 404


def test_the_queue_filters_by_status_with_counts(world, client, auth):
    hand_in(world)
    auth.login_as(world["trainer"])
    page = client.get(f"{base(world)}/{world['assignment'].id}").get_data(as_text=True)
    assert "Menunggu penilaian (1)" in page and "Belum dikumpulkan (1)" in page and "Semua (2)" in page
    waiting = client.get(f"{base(world)}/{world['assignment'].id}?status=waiting").get_data(as_text=True)
    assert "Ani Lestari" in waiting and "Budi Hartono" not in waiting
    missing = client.get(f"{base(world)}/{world['assignment'].id}?status=missing").get_data(as_text=True)
    assert "Budi Hartono" in missing and "Ani Lestari" not in missing


def test_the_queue_runs_the_same_queries_for_two_or_twenty_hand_ins(world, client, auth, make_user, count_queries):
    from lms.trainings.models import Enrollment

    auth.login_as(world["trainer"])
    url = f"{base(world)}/{world['assignment'].id}"
    hand_in(world)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(18):
        user = make_user(full_name=f"Peserta Tambahan {n}", agency_id=world["opd_a"].id)
        db.session.add(Enrollment(training_id=world["training"].id, user_id=user.id))
        db.session.commit()
        world[f"extra{n}"] = user
        hand_in(world, who=f"extra{n}", links=(f"https://instagram.com/p/x{n}",))
    with count_queries() as many:
        page = client.get(url)
    assert page.get_data(as_text=True).count("queue-row") == 20
    assert many.count == few.count


def _review_page(client, world, submission):
    return client.get(f"{base(world)}/kiriman/{submission.id}").get_data(as_text=True)


def _version(submission_id):
    db.session.expire_all()
    return db.session.get(Submission, submission_id).version


def test_return_for_revision_then_pass_through_the_views(world, client, auth):
    submission = hand_in(world, photo=True)
    auth.login_as(world["trainer"])
    page = _review_page(client, world, submission)
    assert CAPTION in page and 'name="level-unsur"' in page and "cek-caption" in page
    assert f"/penilaian-tugas/berkas/{submission.files[0].id}" in page
    answer = client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-unsur": "1", "level-ejaan": "0",
        "comment-unsur": "Tambahkan siapa yang hadir.", "overall": "", "do": "return"})
    assert answer.status_code == 302
    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert submission.status == "revision_requested" and submission.round == 2
    # The participant revises and hands in again.
    services.save_draft(world["ani"], submission, CAPTION + " Hadir: Kepala Dinas Kominfo.", None, None, NOW)
    services.submit(world["ani"], submission, None, NOW)
    db.session.commit()
    page = _review_page(client, world, submission)
    assert "Penilaian putaran 1: dikembalikan untuk revisi" in page and "Tambahkan siapa yang hadir." in page
    answer = client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-unsur": "0", "level-ejaan": "0", "overall": "Lengkap.",
        "do": "decide"})
    assert answer.status_code == 302
    db.session.expire_all()
    submission = db.session.get(Submission, submission.id)
    assert (submission.status, submission.score) == ("passed", 10)
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "submission", AuditEvent.actor_id == world["trainer"].id).order_by(AuditEvent.id))]
    assert actions == ["submission.review", "submission.return", "submission.review", "submission.decide"]
    sentences = [line.sentence for line in present(list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "submission.decide"))))]
    assert sentences == ["Narasumber Satu (Narasumber) memberi nilai akhir tugas Ani Lestari di "
                         f"{world['training'].title}: 10/10, Lulus."]


def test_a_score_below_the_pass_mark_is_belum_lulus(world, client, auth):
    submission = hand_in(world)
    auth.login_as(world["trainer"])
    client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-unsur": "2", "level-ejaan": "0", "do": "decide"})
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "failed"


def test_deciding_without_every_level_keeps_what_was_typed(world, client, auth):
    submission = hand_in(world)
    auth.login_as(world["trainer"])
    answer = client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-unsur": "0", "comment-ejaan": "Periksa huruf kapital.",
        "do": "decide"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Pilih level untuk setiap kriteria" in page and "Ejaan" in page
    assert "Periksa huruf kapital." in page and re.search(r'value="0" data-points="6"\s+checked', page)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "submitted"


def test_reviewing_a_withdrawn_submission_is_refused_with_a_clear_message(world, client, auth):
    submission = hand_in(world)
    version = _version(submission.id)
    auth.login_as(world["trainer"])
    services.withdraw(world["ani"], db.session.get(Submission, submission.id), None, NOW)
    db.session.commit()
    page = _review_page(client, world, submission)
    assert "sudah ditarik oleh peserta" in page
    answer = client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-unsur": "0", "level-ejaan": "0", "do": "decide"})
    assert answer.status_code == 400
    assert "Tugas ini sudah ditarik oleh peserta; tunggu sampai dikumpulkan kembali" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "withdrawn"
    assert version != _version(submission.id)


def test_a_stale_page_is_a_conflict_and_keeps_the_comment(world, client, auth):
    submission = hand_in(world)
    stale = _version(submission.id)
    auth.login_as(world["trainer"])
    client.post(f"{base(world)}/kiriman/{submission.id}", data={"version": stale, "level-unsur": "0"})
    answer = client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": stale, "comment-unsur": "Komentar dari tab lama."})
    assert answer.status_code == 409
    assert "Komentar dari tab lama." in answer.get_data(as_text=True)


def test_a_level_that_is_not_in_the_rubric_is_refused(world, client, auth):
    submission = hand_in(world)
    auth.login_as(world["trainer"])
    answer = client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-ejaan": "7"})
    assert answer.status_code == 400
    assert "Level yang dipilih untuk kriteria &#34;Ejaan&#34; tidak ada di rubrik." in answer.get_data(as_text=True)


def test_reopen_needs_a_reason_and_is_audited(world, client, auth):
    submission = hand_in(world)
    auth.login_as(world["trainer"])
    client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "level-unsur": "0", "level-ejaan": "0", "do": "decide"})
    client.post(f"{base(world)}/kiriman/{submission.id}/buka", data={"version": _version(submission.id),
                                                                      "reason": " "})
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "passed"
    client.post(f"{base(world)}/kiriman/{submission.id}/buka", data={"version": _version(submission.id),
                                                                      "reason": "Salah pilih level."})
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "in_review"


def test_next_and_previous_follow_the_filter(world, client, auth):
    first, second = hand_in(world), hand_in(world, who="budi")
    auth.login_as(world["trainer"])
    page = client.get(f"{base(world)}/kiriman/{first.id}?status=waiting").get_data(as_text=True)
    assert f"/kiriman/{second.id}?status=waiting" in page and 'rel="prev"' not in page
    client.post(f"{base(world)}/kiriman/{first.id}", data={
        "version": _version(first.id), "level-unsur": "0", "level-ejaan": "0", "do": "decide", "status": "waiting"})
    # Decided, Ani has left "Menunggu penilaian"; her page still leads on to the next one waiting.
    page = client.get(f"{base(world)}/kiriman/{first.id}?status=waiting").get_data(as_text=True)
    assert f"/kiriman/{second.id}?status=waiting" in page
    back = client.get(f"{base(world)}/kiriman/{second.id}?status=waiting").get_data(as_text=True)
    assert 'rel="prev"' not in back  # Ani's is no longer waiting
    assert f"/kiriman/{first.id}" in client.get(f"{base(world)}/kiriman/{second.id}").get_data(as_text=True)


def test_snippets_are_added_inserted_without_javascript_and_deleted_audited(world, client, auth):
    submission = hand_in(world)
    auth.login_as(world["trainer"])
    aid = world["assignment"].id
    client.post(f"{base(world)}/{aid}/komentar", data={"criterion_id": "unsur", "text": "Sebutkan jabatan lengkap.",
                                                        "submission_id": submission.id})
    snippet = db.session.scalars(select(CommentSnippet)).one()
    assert snippet.text in _review_page(client, world, submission)
    client.post(f"{base(world)}/kiriman/{submission.id}", data={
        "version": _version(submission.id), "comment-unsur": "Kurang lengkap.", "insert": snippet.id})
    db.session.expire_all()
    review_row = db.session.get(Submission, submission.id).reviews[0]
    assert review_row.comments["unsur"] == "Kurang lengkap.\nSebutkan jabatan lengkap."
    empty = client.post(f"{base(world)}/{aid}/komentar", data={"criterion_id": "", "text": " ",
                                                                "submission_id": submission.id},
                        follow_redirects=True)
    assert "Isi komentar siap pakai wajib diisi" in empty.get_data(as_text=True)
    client.post(f"{base(world)}/{aid}/komentar/{snippet.id}/hapus", data={"submission_id": submission.id})
    assert db.session.scalars(select(CommentSnippet)).all() == []
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("assignment.snippet%"))
                                     .order_by(AuditEvent.id)))
    assert [line.sentence for line in present(events)] == [
        f"Narasumber Satu (Narasumber) menyimpan komentar siap pakai untuk tugas #{aid} di {world['training'].title}.",
        f"Narasumber Satu (Narasumber) menghapus komentar siap pakai tugas #{aid} di {world['training'].title}."]


def test_another_trainers_snippet_stays(world, client, auth, make_user):
    submission = hand_in(world)
    snippet = _snippet(world)
    second = make_user(role="trainer", full_name="Narasumber Dua")
    world["training"].trainers.append(second)
    db.session.commit()
    auth.login_as(second)
    answer = client.post(f"{base(world)}/{world['assignment'].id}/komentar/{snippet.id}/hapus",
                         data={"submission_id": submission.id}, follow_redirects=True)
    assert "Hanya pembuatnya" in answer.get_data(as_text=True)
    assert db.session.get(CommentSnippet, snippet.id) is not None


def test_the_opd_target_page_counts_distinct_posts_per_opd(world, client, auth, make_user):
    from lms.trainings.models import Enrollment

    citra = make_user(full_name="Citra Dewi", agency_id=world["opd_a"].id)
    db.session.add(Enrollment(training_id=world["training"].id, user_id=citra.id))
    db.session.commit()
    world["citra"] = citra
    hand_in(world, links=("https://instagram.com/p/satu", "https://www.instagram.com/p/dua/"))
    second = hand_in(world, who="citra", links=("https://instagram.com/p/dua",))
    second.links = [*second.links, "javascript:alert(1)"]  # a row from before the link check: shown, never linked
    db.session.commit()
    hand_in(world, who="budi", links=("https://facebook.com/dinaspendidikan/posts/1",))
    auth.login_as(world["trainer"])
    page = client.get(f"{base(world)}/{world['assignment'].id}/target-opd").get_data(as_text=True)
    assert "1 dari 2 OPD" in page
    kesehatan = page[page.index('data-opd="Dinas Kesehatan"'):page.index('data-opd="Dinas Pendidikan"')]
    assert "3/2 · tercapai" in kesehatan  # satu, dua (twice, counted once), and the refused link as text
    assert kesehatan.count('rel="noopener noreferrer"') == 2 and 'href="javascript' not in page
    assert "1/2<" in page[page.index('data-opd="Dinas Pendidikan"'):]


def test_the_zip_holds_each_participants_folder_by_opd_without_nip(world, client, auth):
    world["ani"].nip = "198501012010011001"
    db.session.commit()
    hand_in(world, photo=True)
    hand_in(world, who="budi", text="Caption Budi.", links=())
    auth.login_as(world["trainer"])
    answer = client.post(f"{base(world)}/{world['assignment'].id}/unduh.zip")
    body = answer.data
    answer.close()
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "tugas-caption-kegiatan-bimtek-caption.zip" in answer.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == [
        "Dinas-Kesehatan/Ani-Lestari/foto-1.jpg", "Dinas-Kesehatan/Ani-Lestari/status.txt",
        "Dinas-Kesehatan/Ani-Lestari/tautan.txt", "Dinas-Kesehatan/Ani-Lestari/teks.txt",
        "Dinas-Pendidikan/Budi-Hartono/status.txt", "Dinas-Pendidikan/Budi-Hartono/teks.txt"]
    assert archive.read("Dinas-Kesehatan/Ani-Lestari/teks.txt").decode() == CAPTION
    assert archive.read("Dinas-Kesehatan/Ani-Lestari/foto-1.jpg")[:3] == b"\xff\xd8\xff"
    assert "198501012010011001" not in " ".join(archive.namelist())
    assert archive.read("Dinas-Pendidikan/Budi-Hartono/status.txt").decode() == "Status: Menunggu penilaian\n"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.download")).one()
    assert event.details["submissions"] == 2 and event.details["files"] == 1


def test_the_zip_leaves_drafts_out_and_separates_two_people_of_one_name(world, client, auth, make_user):
    from lms.trainings.models import Enrollment

    twin = make_user(full_name="Ani Lestari", agency_id=world["opd_a"].id)
    db.session.add(Enrollment(training_id=world["training"].id, user_id=twin.id))
    db.session.commit()
    world["twin"] = twin
    hand_in(world)
    hand_in(world, who="twin", links=())
    services.start(world["budi"], world["training"], world["assignment"], NOW)  # a draft only
    db.session.commit()
    auth.login_as(world["trainer"])
    answer = client.post(f"{base(world)}/{world['assignment'].id}/unduh.zip")
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    answer.close()
    folders = sorted({n.rsplit("/", 1)[0] for n in names})
    assert folders == ["Dinas-Kesehatan/Ani-Lestari", "Dinas-Kesehatan/Ani-Lestari-2"]


def test_a_file_of_another_training_is_not_served_under_this_one(world, client, auth):
    submission = hand_in(world, photo=True)
    file_id = submission.files[0].id
    create_training("bimtek-keempat", trainers=(world["trainer"],))
    auth.login_as(world["trainer"])
    assert client.get(f"/trainings/bimtek-keempat/penilaian-tugas/berkas/{file_id}").status_code == 404
    served = client.get(f"{base(world)}/berkas/{file_id}")
    assert served.mimetype == "image/jpeg" and served.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served.headers["Cache-Control"]


def test_the_training_page_shows_each_opds_count_against_the_target(world, client, auth):
    hand_in(world, links=("https://instagram.com/p/satu", "https://instagram.com/p/dua"))
    auth.login_as(world["trainer"])
    page = client.get(f"/trainings/{world['training'].slug}").get_data(as_text=True)
    assert "Target OPD: Caption kegiatan OPD" in page and "1 dari 2 OPD sudah mengunggah 2 konten" in page
    assert "✓ Dinas Kesehatan: 2/2 (tercapai)" in page and "· Dinas Pendidikan: 0/2" in page
    assert f"/penilaian-tugas/{world['assignment'].id}/target-opd" in page


def test_an_assignment_without_a_target_has_no_target_page(world, client, auth):
    world["assignment"].opd_target = None
    db.session.commit()
    auth.login_as(world["trainer"])
    assert client.get(f"{base(world)}/{world['assignment'].id}/target-opd").status_code == 404
    assert "Target OPD" not in client.get(f"/trainings/{world['training'].slug}").get_data(as_text=True)


def test_the_zip_reads_the_files_in_bounded_batches_with_safe_names(world, client, auth, monkeypatch):
    from lms.assignments import review_pages

    world["opd_a"].name = "Dinas Komunikasi & Informatika / Kab. Sinjai"
    world["ani"].full_name = "Ani Lestari, S.I.Kom."
    db.session.commit()
    for who in ("ani", "budi"):
        submission = services.start(world[who], world["training"], world["assignment"], NOW)
        services.save_draft(world[who], submission, CAPTION, [], None, NOW)
        services.add_file(world[who], submission, photo_bytes(), None, NOW)
        services.add_file(world[who], submission, photo_bytes((40, 40)), None, NOW)
        services.submit(world[who], submission, None, NOW)
    db.session.commit()
    sizes: list[int] = []
    original = review_pages._batches

    def watched(ids):
        for batch in original(ids):
            sizes.append(len(batch))
            yield batch

    monkeypatch.setattr(review_pages, "ZIP_BATCH", 3)
    monkeypatch.setattr(review_pages, "_batches", watched)
    auth.login_as(world["trainer"])
    answer = client.post(f"{base(world)}/{world['assignment'].id}/unduh.zip")
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    answer.close()
    assert sizes == [3, 1]
    assert "Dinas-Komunikasi-Informatika-Kab.-Sinjai/Ani-Lestari-S.I.Kom./foto-2.jpg" in names
    assert all(re.fullmatch(r"[A-Za-z0-9._/-]+", n) for n in names), names


def test_the_review_page_and_the_list_run_the_same_queries_whatever_the_files_and_hand_ins(
        world, client, auth, count_queries):
    first = hand_in(world, photo=True)
    auth.login_as(world["trainer"])
    review_url, list_url = f"{base(world)}/kiriman/{first.id}", base(world)
    client.get(review_url)
    with count_queries() as few_review:
        client.get(review_url)
    with count_queries() as few_list:
        client.get(list_url)
    services.add_file(world["budi"], services.start(world["budi"], world["training"], world["assignment"], NOW),
                      photo_bytes(), None, NOW)
    db.session.commit()
    second = hand_in(world, who="budi", photo=True)
    second_url = f"{base(world)}/kiriman/{second.id}"  # read before counting: the test's own refresh is no query
    with count_queries() as many_review:
        page = client.get(second_url).get_data(as_text=True)
    with count_queries() as many_list:
        client.get(list_url)
    assert page.count("ketuk untuk ukuran penuh") == 2
    assert (many_review.count, many_list.count) == (few_review.count, few_list.count)
