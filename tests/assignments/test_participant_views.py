"""The participant's hand-in pages: access, the no-JavaScript flow through every state, autosave and
its version conflict, files, Cek Caption beside the text, and every bad input's Indonesian message."""

from __future__ import annotations

import html
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from lms.assignments import review, services
from lms.assignments.models import Submission, SubmissionFile
from lms.extensions import db
from tests.assignments.conftest import AFTER_DUE, BEFORE_DUE, make_assignment, photo_bytes
from tests.conftest import create_training

CAPTION = ("Bupati Sinjai, Drs. H. Andi Seto, M.Si., membuka bimtek pengelolaan media sosial di Aula Diskominfo, "
           "Senin (17/8/2026) pukul 08.30 WITA. Hadir 40 admin OPD.")
clock = {"now": BEFORE_DUE}


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    clock["now"] = BEFORE_DUE
    for module in ("lms.assignments.views", "lms.assignments.review_views", "lms.core"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: clock["now"])


def page_url(world, assignment=None):
    return f"/tugas/{world['training'].slug}/{(assignment or world['assignment']).id}"


def mine(world, who="ani"):
    db.session.expire_all()
    return services.submission_of(world[who], world["training"], world["assignment"])


def version(world, who="ani"):
    found = mine(world, who)
    return found.version if found else 0


def post(client, world, assignment=None, **data):
    data.setdefault("version", version(world))
    return client.post(page_url(world, assignment), data=data, content_type="multipart/form-data")


def text_of(response):
    return response.get_data(as_text=True)


def flashes(response):
    return html.unescape(re.sub(r"\s+", " ", text_of(response)))


def jpeg(name="foto.jpg", **kw):
    return (io.BytesIO(photo_bytes(**kw)), name)


# ---------------------------------------------------------------- access


def test_anonymous_is_sent_to_login_from_every_url(world, client):
    sub = services.start(world["ani"], world["training"], world["assignment"], BEFORE_DUE)
    services.add_file(world["ani"], sub, photo_bytes(), None, BEFORE_DUE)
    db.session.commit()
    url = page_url(world)
    for method, address in (("get", "/tugas/"), ("get", url), ("post", url), ("post", f"{url}/tarik"),
                            ("get", f"/tugas/berkas/{sub.files[0].id}")):
        response = getattr(client, method)(address, data={"version": 1})
        assert response.status_code == 302 and "/login" in response.headers["Location"], address
    assert client.post(f"{url}/draf.json", data={"text": "x"}).status_code == 401
    assert mine(world).text == "" and mine(world).version == sub.version


def test_staff_and_strangers_are_refused_every_task_url_and_file(world, client, auth, make_user):
    sub = services.start(world["ani"], world["training"], world["assignment"], BEFORE_DUE)
    services.save_draft(world["ani"], sub, CAPTION, [], None, BEFORE_DUE)
    services.add_file(world["ani"], sub, photo_bytes(), None, BEFORE_DUE)
    db.session.commit()
    file_id, before = sub.files[0].id, sub.version
    stranger = make_user(full_name="Peserta Kegiatan Lain")
    create_training("bimtek-lain-lagi", courses=(world["training"].courses[0],), users=(stranger,))
    url = page_url(world)
    for who in ("trainer", "other_trainer", "admin", "stranger"):
        auth.login_as(stranger if who == "stranger" else world[who])
        for method, address in (("get", url), ("post", url), ("post", f"{url}/draf.json"), ("post", f"{url}/tarik")):
            response = getattr(client, method)(address, data={"version": before, "text": "ditimpa"})
            assert response.status_code == 403, (who, address)
        # Nobody but Ani opens the draft's photo; the trainer not even through the review pages.
        assert client.get(f"/tugas/berkas/{file_id}").status_code == 404, who
        auth.logout()
    assert client.get("/tugas/").status_code == 302
    auth.login_as(world["trainer"])
    assert client.get("/tugas/").status_code == 403
    assert client.get(f"/trainings/{world['training'].slug}/penilaian-tugas/berkas/{file_id}").status_code == 404
    auth.logout()
    auth.login_as(world["budi"])  # another participant of the same training
    assert client.get(f"/tugas/berkas/{file_id}").status_code == 404
    assert "Budi" not in text_of(client.get(url)) or CAPTION not in text_of(client.get(url))
    assert post(client, world, text="Punya Budi", version=0).status_code == 302
    assert mine(world).text == CAPTION and mine(world).version == before  # Ani's stays as it was
    assert mine(world, "budi").text == "Punya Budi"


def test_an_unknown_or_not_given_assignment_is_not_found(world, client, auth):
    other = make_assignment(course_slug="modul-lain", id="tugas-lain")
    auth.login_as(world["ani"])
    assert client.get(page_url(world, other)).status_code == 404
    assert client.get(f"/tugas/{world['training'].slug}/999999").status_code == 404
    assert client.get(f"/tugas/tidak-ada/{world['assignment'].id}").status_code == 404


# ---------------------------------------------------------------- the flow without JavaScript


def test_the_whole_flow_without_javascript(world, client, auth):
    auth.login_as(world["ani"])
    empty = text_of(client.get(page_url(world)))
    assert "Tulis caption <strong>lengkap</strong>." in empty  # the instructions through the sanitiser
    assert "Lengkap</strong> (6 poin)" in empty and "Rubrik penilaian: 10 poin, lulus mulai 7" in empty
    assert 'accept="image/*" capture="environment"' in empty and 'name="files" multiple' in empty
    assert "Batas pengumpulan: <strong>18 Agustus 2026 23.59 WIB</strong>" in flashes(client.get(page_url(world)))
    assert db.session.scalar(select(func.count(Submission.id))) == 0  # opening the page writes nothing

    saved = post(client, world, text=CAPTION, links="https://www.instagram.com/p/abc/", photos=jpeg())
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#berkas")
    page = flashes(client.get(saved.headers["Location"]))
    assert "1 berkas diunggah." in page and "Draf (belum dikumpulkan)" in page
    assert "cc-summary" in page  # Cek Caption of the saved draft, without script
    assert mine(world).text == CAPTION and mine(world).links == ["https://www.instagram.com/p/abc/"]

    handed = post(client, world, text=CAPTION, links="https://www.instagram.com/p/abc/", do="submit")
    assert "Tugas dikumpulkan." in flashes(client.get(handed.headers["Location"]))
    assert mine(world).status == "submitted"
    page = flashes(client.get(page_url(world)))
    assert "Menunggu penilaian" in page and "Tarik kembali" in page and 'name="text"' not in page

    back = client.post(f"{page_url(world)}/tarik", data={"version": version(world)})
    assert "Tugas ditarik kembali." in flashes(client.get(back.headers["Location"]))
    assert mine(world).status == "withdrawn"
    post(client, world, text=CAPTION + " Hadir pula Kepala Dinas Kesehatan.", links="https://www.instagram.com/p/abc/",
         do="submit")
    assert mine(world).status == "submitted"

    submission = mine(world)
    review.save_review(world["trainer"], submission, {"unsur": 1, "ejaan": 0}, {"unsur": "Sebutkan siapa yang hadir."},
                       "Hampir lengkap.", None, BEFORE_DUE)
    review.return_for_revision(world["trainer"], submission, None, BEFORE_DUE)
    db.session.commit()
    page = flashes(client.get(page_url(world)))
    assert "Perlu revisi" in page and "Hasil penilaian: Dikembalikan untuk revisi" in page
    assert "Sebutkan siapa yang hadir." in page and "Hampir lengkap." in page and "Sebagian" in page
    assert "Kumpulkan revisi" in page and "Revisi Anda" in page

    post(client, world, text=CAPTION + " Hadir: Kepala Dinas Kesehatan dan 40 admin.",
         links="https://www.instagram.com/p/abc/", do="submit")
    assert mine(world).status == "resubmitted"
    submission = mine(world)
    review.save_review(world["trainer"], submission, {"unsur": 0, "ejaan": 0}, {}, "Lengkap dan rapi.", None,
                       BEFORE_DUE)
    review.decide(world["trainer"], submission, None, BEFORE_DUE)
    db.session.commit()
    page = flashes(client.get(page_url(world)))
    assert "Hasil penilaian putaran 2: Lulus" in page and "Nilai <strong>10</strong> dari 10" in page
    assert "Putaran 1: Dikembalikan untuk revisi" in page and "Tarik kembali" not in page
    listing = flashes(client.get("/tugas/"))
    assert "Lulus" in listing and "Nilai 10/10" in listing


def test_a_file_is_removed_and_served_to_its_owner_only_with_safe_headers(world, client, auth):
    auth.login_as(world["ani"])
    post(client, world, text="Draf", photos=jpeg(), files=[jpeg("galeri.png", fmt="PNG")])
    files = [f.id for f in mine(world).files]
    assert len(files) == 2
    response = client.get(f"/tugas/berkas/{files[0]}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "foto-1.jpg" in response.headers["Content-Disposition"]
    assert Image.open(io.BytesIO(response.data)).getexif() == {}
    removed = post(client, world, text="Draf", remove=str(files[0]))
    assert "Berkas dihapus." in flashes(client.get(removed.headers["Location"]))
    assert [f.id for f in mine(world).files] == [files[1]]
    assert client.get(f"/tugas/berkas/{files[0]}").status_code == 404


def test_a_pdf_is_downloaded_as_an_attachment(world, client, auth):
    from reportlab.pdfgen import canvas

    pdf_task = make_assignment(id="log-pdf", title="Log monitoring", hand_in=["pdf", "links"], max_chars=0,
                               max_images=0, max_links=1)
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.drawString(72, 720, "Log")
    sheet.save()
    auth.login_as(world["ani"])
    assert post(client, world, pdf_task, version=0, files=(io.BytesIO(out.getvalue()), "log.pdf")).status_code == 302
    stored = db.session.scalars(select(SubmissionFile)).one()
    response = client.get(f"/tugas/berkas/{stored.id}")
    assert response.mimetype == "application/pdf" and response.headers["Content-Disposition"].startswith("attachment")


# ---------------------------------------------------------------- who may open which file


def test_reviewers_open_handed_in_files_only_never_a_draft_or_a_revision_being_written(world, client, auth):
    ani = world["ani"]
    sub = services.start(ani, world["training"], world["assignment"], BEFORE_DUE)
    services.save_draft(ani, sub, CAPTION, [], None, BEFORE_DUE)
    first = services.add_file(ani, sub, photo_bytes(), None, BEFORE_DUE)
    db.session.commit()
    assert services.file_for(world["trainer"], first.id) is None and services.file_for(world["admin"], first.id) is None
    assert services.file_for(ani, first.id) is not None
    services.submit(ani, sub, None, BEFORE_DUE)
    db.session.commit()
    assert services.file_for(world["trainer"], first.id) is not None
    assert services.file_for(world["other_trainer"], first.id) is None
    review.save_review(world["trainer"], sub, {}, {}, "Tambahkan foto peserta.", None, BEFORE_DUE)
    review.return_for_revision(world["trainer"], sub, None, BEFORE_DUE)
    second = services.add_file(ani, sub, photo_bytes((80, 60)), None, BEFORE_DUE)
    services.save_draft(ani, sub, "Revisi yang masih ditulis", ["https://instagram.com/p/baru"], None, BEFORE_DUE)
    db.session.commit()
    assert services.file_for(world["trainer"], first.id) is not None  # what was reviewed stays open to them
    assert services.file_for(world["trainer"], second.id) is None  # the revision is Ani's until handed in
    auth.login_as(world["trainer"])
    base = f"/trainings/{world['training'].slug}/penilaian-tugas"
    page = text_of(client.get(f"{base}/kiriman/{sub.id}"))
    assert f"berkas/{first.id}" in page and f"berkas/{second.id}" not in page
    assert "Revisi yang masih ditulis" not in page and "instagram.com/p/baru" not in page
    assert "Peserta sedang mengubah kirimannya" in page
    import zipfile

    archive = client.post(f"{base}/{world['assignment'].id}/unduh.zip")
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    archive.close()
    assert any(n.endswith("foto-1.jpg") for n in names) and not any(n.endswith("foto-2.jpg") for n in names)
    assert not any(n.endswith(("teks.txt", "tautan.txt")) for n in names)
    services.submit(ani, sub, None, BEFORE_DUE)
    db.session.commit()
    assert services.file_for(world["trainer"], second.id) is not None
    assert "Revisi yang masih ditulis" in text_of(client.get(f"{base}/kiriman/{sub.id}"))


# ---------------------------------------------------------------- autosave and two tabs


def test_autosave_creates_the_draft_then_saves_by_version(world, client, auth):
    auth.login_as(world["ani"])
    url = f"{page_url(world)}/draf.json"
    first = client.post(url, data={"version": 0, "text": "Bupati", "links": "ftp://salah"})
    assert first.status_code == 200 and first.json["saved"] is True
    assert first.json["warnings"] == ['Tautan "ftp://salah" harus diawali http:// atau https:// (salin alamat '
                                      'unggahannya dari peramban).']
    again = client.post(url, data={"version": first.json["version"], "text": "Bupati Sinjai"})
    assert again.status_code == 200 and again.json["version"] > first.json["version"]
    assert mine(world).text == "Bupati Sinjai" and mine(world).links == ["ftp://salah"]


def test_two_tabs_get_a_clear_conflict_and_nothing_is_lost(world, client, auth):
    auth.login_as(world["ani"])
    url = f"{page_url(world)}/draf.json"
    tab_one = client.post(url, data={"version": 0, "text": "Dari tab satu"}).json["version"]
    stale = client.post(url, data={"version": 0, "text": "Dari tab dua"})  # tab two opened before any draft
    assert stale.status_code == 409 and stale.json["error"] == "conflict"
    assert stale.json["text"] == "Dari tab satu" and stale.json["version"] == tab_one
    assert "diubah di tab atau perangkat lain" in stale.json["message"]
    client.post(url, data={"version": tab_one, "text": "Tab satu lagi"})
    page = post(client, world, text="Tulisan tab dua tanpa JavaScript", version=tab_one, photos=jpeg())
    assert page.status_code == 409
    body = flashes(page)
    assert "Tugas ini sudah diubah di tab atau perangkat lain sejak halaman ini dibuka." in body
    assert "Yang Anda ketik belum tersimpan dan masih ada di kotak isian" in body
    assert ">Tulisan tab dua tanpa JavaScript</textarea>" in body  # what they typed is still in the box
    assert "Tab satu lagi" in body and "Berkas yang Anda pilih belum diunggah" in body
    assert mine(world).text == "Tab satu lagi" and mine(world).files == []
    fresh = re.search(r'name="version" value="(\d+)"', body)
    assert fresh and int(fresh[1]) == version(world)  # saving again from here keeps their text, deliberately
    assert post(client, world, text="Tulisan tab dua tanpa JavaScript", version=fresh[1]).status_code == 302
    assert mine(world).text == "Tulisan tab dua tanpa JavaScript"


def test_saving_a_handed_in_task_from_a_stale_page_keeps_the_text_on_screen(world, client, auth):
    auth.login_as(world["ani"])
    post(client, world, version=0, text=CAPTION, do="submit")
    assert mine(world).status == "submitted"
    response = post(client, world, text="Ketikan dari tab lama")
    assert response.status_code == 409
    assert "Ketikan dari tab lama" in text_of(response) and mine(world).text == CAPTION
    json = client.post(f"{page_url(world)}/draf.json", data={"version": version(world), "text": "x"})
    assert json.status_code == 400 and "Tarik kembali dulu" in json.json["message"]


# ---------------------------------------------------------------- bad input


def test_a_file_that_is_not_an_image_is_refused_and_the_text_is_kept(world, client, auth):
    auth.login_as(world["ani"])
    response = post(client, world, version=0, text=CAPTION, photos=(io.BytesIO(b"bukan foto sama sekali"), "foto.jpg"))
    page = flashes(client.get(response.headers["Location"]))
    assert "foto.jpg: berkas ini bukan gambar JPEG, PNG, atau WebP" in page
    assert mine(world).text == CAPTION and mine(world).files == []


def test_a_decompression_bomb_is_refused(world, client, auth):
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")  # a few kilobytes, 81 million pixels
    auth.login_as(world["ani"])
    response = post(client, world, version=0, text="Draf", files=(io.BytesIO(bomb.getvalue()), "bom.png"))
    assert "bom.png: ukuran gambar tidak wajar" in flashes(client.get(response.headers["Location"]))
    assert mine(world).files == []


def test_a_50_mb_upload_gets_an_indonesian_413_and_the_saved_draft_stays(world, client, auth):
    auth.login_as(world["ani"])
    post(client, world, version=0, text=CAPTION)
    before = version(world)
    # Encoded in memory: the test client's temporary file for a body this big would stay open (unread).
    body, _length, boundary = stream_encode_multipart(
        {"version": str(before), "text": "hilang?",
         "photos": FileStorage(io.BytesIO(b"\xff" * (50 * 1024 * 1024)), "besar.jpg")}, use_tempfile=False)
    response = client.post(page_url(world), data=body.getvalue(),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    body = flashes(response)
    assert "Unggahan terlalu besar" in body and "lebih dari 10 MB sekaligus" in body
    assert "Isian yang sudah tersimpan sebelumnya tidak hilang." in body and page_url(world) in body
    assert mine(world).text == CAPTION and version(world) == before


def test_more_images_than_allowed_are_refused_one_by_one(world, client, auth):
    auth.login_as(world["ani"])
    response = post(client, world, version=0, text="Draf", files=[jpeg("a.jpg"), jpeg("b.jpg"), jpeg("c.jpg")])
    page = flashes(client.get(response.headers["Location"]))
    assert "c.jpg: sudah ada 2 foto, batas tugas ini." in page and "2 berkas diunggah." in page
    assert len(mine(world).files) == 2
    assert 'capture="environment"' not in page  # no room left: the inputs are gone


def test_an_empty_submission_is_refused(world, client, auth):
    auth.login_as(world["ani"])
    response = post(client, world, version=0, text="   ", do="submit")
    assert response.headers["Location"].endswith("#isian")
    assert "Tugas masih kosong: isi teks, foto, tautan unggahan sebelum mengumpulkan." in flashes(
        client.get(response.headers["Location"]))
    assert mine(world).status == "draft"


def test_a_link_that_is_not_http_is_flagged_then_refused_on_hand_in(world, client, auth):
    auth.login_as(world["ani"])
    post(client, world, version=0, text=CAPTION, links="javascript:alert(1)\nhttps://www.instagram.com/p/ok/")
    page = flashes(client.get(page_url(world)))
    assert 'Tautan "javascript:alert(1)" harus diawali http:// atau https://' in page
    response = post(client, world, text=CAPTION, links="javascript:alert(1)", do="submit")
    assert 'Tautan "javascript:alert(1)" harus diawali http://' in flashes(client.get(response.headers["Location"]))
    assert mine(world).status == "draft" and mine(world).links == ["javascript:alert(1)"]


def test_late_work_refused_after_the_deadline_keeps_the_draft(world, client, auth):
    strict = make_assignment(id="caption-ketat", title="Caption tepat waktu", accept_late=False)
    clock["now"] = AFTER_DUE
    auth.login_as(world["ani"])
    page = flashes(client.get(page_url(world, strict)))
    assert "tidak menerima pengumpulan terlambat" in page
    response = post(client, world, strict, version=0, text=CAPTION, do="submit")
    page = flashes(client.get(response.headers["Location"]))
    assert "Batas waktu pengumpulan sudah lewat dan tugas ini tidak menerima pengumpulan terlambat." in page
    found = services.submission_of(world["ani"], world["training"], strict)
    assert found is not None and found.status == "draft" and found.text == CAPTION
    listing = flashes(client.get("/tugas/"))
    assert "Batas waktu lewat: tidak menerima pengumpulan terlambat" in listing


def test_late_work_accepted_is_marked_late(world, client, auth):
    clock["now"] = AFTER_DUE
    auth.login_as(world["ani"])
    assert "Lewat batas waktu (masih diterima, ditandai terlambat)" in flashes(client.get("/tugas/"))
    response = post(client, world, version=0, text=CAPTION, do="submit")
    assert "Tercatat terlambat." in flashes(client.get(response.headers["Location"]))
    assert mine(world).late is True


# ---------------------------------------------------------------- where tasks are listed, Cek Caption


def test_the_home_page_and_the_lesson_link_to_the_task(world, client, auth, monkeypatch):
    from lms.courses.models import Lesson

    lesson = Lesson(course_id=world["training"].courses[0].id, slug="unsur-wajib-unggahan-kegiatan",
                    title="Unsur wajib", body="## Praktik\n\nTulis caption.", position=1, minutes=5, content_hash="x")
    db.session.add(lesson)
    db.session.commit()
    auth.login_as(world["ani"])
    home = flashes(client.get("/"))
    assert "Tugas praktik" in home and "Caption kegiatan OPD" in home and page_url(world) in home
    assert "Tugas saya (1 belum selesai)" in home
    reading = flashes(client.get(f"/courses/{world['training'].courses[0].slug}/{lesson.slug}"))
    assert "Praktik ini dikumpulkan sebagai tugas" in reading and page_url(world) in reading
    assert "Belum dikumpulkan" in reading


def test_the_trainer_sees_the_same_caption_checks_on_the_text_handed_in(world, client, auth):
    sub = services.start(world["ani"], world["training"], world["assignment"], BEFORE_DUE)
    services.save_draft(world["ani"], sub, "Kegiatan ini di follow up oleh stakeholder terkait.", [], None, BEFORE_DUE)
    services.submit(world["ani"], sub, None, BEFORE_DUE)
    db.session.commit()
    auth.login_as(world["ani"])
    own = flashes(client.get(page_url(world)))
    auth.logout()
    auth.login_as(world["trainer"])
    page = flashes(client.get(f"/trainings/{world['training'].slug}/penilaian-tugas/kiriman/{sub.id}"))
    assert "Cek Caption atas teks ini" in page and 'cc-mark cc-jargon' in page and "stakeholder<sup>" in page
    count = re.search(r'data-cc-count="(\d+)"', page)
    assert count and int(count[1]) > 0 and f'data-cc-count="{count[1]}"' in own


def test_the_task_list_runs_the_same_queries_for_two_or_six_tasks(world, client, auth, count_queries):
    auth.login_as(world["ani"])
    make_assignment(id="tugas-2", title="Tugas kedua")
    post(client, world, version=0, text=CAPTION, do="submit")
    client.get("/tugas/")
    with count_queries() as few:
        assert client.get("/tugas/").status_code == 200
    for n in range(3, 7):
        extra = make_assignment(id=f"tugas-{n}", title=f"Tugas ke-{n}")
        post(client, world, extra, version=0, text=CAPTION, do="submit")
    with count_queries() as many:
        page = client.get("/tugas/")
    assert text_of(page).count("task-row") == 6
    assert many.count == few.count


def test_withdrawing_once_the_review_started_is_refused_with_the_reason(world, client, auth):
    auth.login_as(world["ani"])
    post(client, world, version=0, text=CAPTION, do="submit")
    review.save_review(world["trainer"], mine(world), {"unsur": 0}, {}, "", None, BEFORE_DUE)
    db.session.commit()
    page = flashes(client.get(page_url(world)))
    assert "Narasumber sedang menilai tugas ini." in page and "Tarik kembali" not in page
    response = client.post(f"{page_url(world)}/tarik", data={"version": version(world)})
    assert "Narasumber sudah mulai menilai tugas ini; tugas tidak dapat ditarik lagi." in flashes(
        client.get(response.headers["Location"]))
    assert mine(world).status == "in_review"
