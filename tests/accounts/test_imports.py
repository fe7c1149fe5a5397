"""Participant import: upload, preview, confirm; all or nothing; re-import updates."""

import io

from sqlalchemy import func, select

from lms.accounts.models import Agency, User, UserImport
from lms.audit.models import AuditEvent
from lms.extensions import db

HEADER = "nama;nip;pangkat_golongan;jabatan;opd;email;no_hp\n"
ROWS = ("Budi Santoso;198503142010011001;Penata (III/c);Pranata Humas;Dinas Kesehatan;;081234567890\n"
        "Sari Dewi;;;;dinas   KESEHATAN;sari@contoh.go.id;\n"
        "Joko;198601012011011002;;;Dinas Sosial Baru;;\n")


def upload(client, text, name="peserta.csv"):
    return client.post("/admin/import", data={"file": (io.BytesIO(text.encode("utf-8")), name)},
                       content_type="multipart/form-data")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_then_confirm(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    db.session.add(Agency(institution_id=1, name="Dinas Kesehatan", name_key="dinas kesehatan"))
    db.session.commit()
    page = upload(client, HEADER + ROWS).get_data(as_text=True)
    assert "Semua 3 baris valid" in page and "3 peserta baru" in page
    assert "1 OPD baru akan ditambahkan" in page and "Dinas Sosial Baru" in page
    assert count(User) == 1  # nothing written before confirmation
    pending = db.session.scalars(select(UserImport)).one()
    response = client.post(f"/admin/import/{pending.id}/confirm")
    assert response.status_code == 302
    assert count(User) == 4 and count(Agency) == 2
    sari = db.session.scalars(select(User).where(User.email == "sari@contoh.go.id")).one()
    assert sari.agency.name == "Dinas Kesehatan" and sari.password_hash is None
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 peserta baru" in done and "Buat untuk 3 peserta" in done
    assert db.session.get(UserImport, pending.id).rows is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.apply")).one()
    assert event.details == {"creates": 3, "updates": 0, "unchanged": 0, "refused": 0, "new_agencies": 1}
    page = client.post(f"/admin/import/{pending.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "sudah diproses" in page and count(User) == 4


def test_reimport_updates_and_never_duplicates(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    existing = make_user(full_name="Budi", nip="198503142010011001", email="")
    upload(client, HEADER + ROWS)
    pending = db.session.scalars(select(UserImport)).one()
    client.post(f"/admin/import/{pending.id}/confirm")
    assert count(User) == 4
    budi = db.session.get(User, existing.id)
    assert budi.full_name == "Budi Santoso" and budi.jabatan == "Pranata Humas"
    page = upload(client, HEADER + ROWS).get_data(as_text=True)
    # The same file again changes nothing: counted as already registered, not as updates.
    assert "0 peserta baru, 0 peserta lama diperbarui, 3 sudah terdaftar (data tidak diubah)." in page


def test_bad_rows_are_listed_and_nothing_is_saved(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    text = HEADER + ROWS + "Rina;1,98501E+17;;;Dinkes;;\nTono;198503142010011003;;;Dinkes;;81234567890\n"
    page = upload(client, text).get_data(as_text=True)
    assert "2 masalah ditemukan" in page and "Tidak ada data yang disimpan" in page
    assert "<td>5</td><td><code>nip</code></td>" in page and "angka ilmiah" in page
    assert "<td>6</td><td><code>no_hp</code></td>" in page
    assert count(UserImport) == 0 and count(User) == 1


def test_conflicting_nip_and_email_of_two_users(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    make_user(nip="198503142010011001", email="")
    make_user(email="budi@contoh.go.id")
    page = upload(client, HEADER + "Budi;198503142010011001;;;Dinkes;budi@contoh.go.id;\n").get_data(as_text=True)
    assert "milik dua pengguna berbeda" in page


def test_apply_rechecks_and_is_all_or_nothing(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    upload(client, HEADER + ROWS)
    pending = db.session.scalars(select(UserImport)).one()
    # Between preview and confirmation, two accounts appear that the rows now join wrongly.
    make_user(nip="198601012011011002", email="")
    make_user(email="sari@contoh.go.id", nip="198601012011012004")
    sari_row = next(r for r in pending.rows if r["email"] == "sari@contoh.go.id")
    sari_row_nip = dict(sari_row, nip="198601012011011002")
    pending.rows = [sari_row_nip if r is sari_row else r for r in pending.rows]
    db.session.commit()
    users_before, agencies_before = count(User), count(Agency)
    page = client.post(f"/admin/import/{pending.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "Data berubah sejak pratinjau" in page
    assert count(User) == users_before and count(Agency) == agencies_before
    assert db.session.get(UserImport, pending.id).status == "pending"


def test_file_errors_are_shown_on_the_form(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    page = upload(client, "nama,kota\nBudi,Contoh\n").get_data(as_text=True)
    assert "Kolom tidak dikenal: kota" in page
    page = client.post("/admin/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Pilih berkas terlebih dahulu" in page


def test_two_rows_naming_one_account_are_refused(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    make_user(nip="198503142010011001", email="budi@contoh.go.id")
    body = HEADER + ("Budi;198503142010011001;;;Dinkes;;\n"
                     "Budi Lagi;;;;Dinkes;budi@contoh.go.id;\n")
    page = upload(client, body).get_data(as_text=True)
    assert "Baris ini dan baris 2 menunjuk akun yang sama; hapus salah satunya." in page
    assert count(UserImport) == 0


def test_preview_lists_every_update_and_refusal_beyond_the_first_rows():
    from lms.accounts.imports import ImportPlan

    actions = ["create"] * 250 + ["update", "refused", "unchanged"]
    plan = ImportPlan(rows=[{"row": n + 2, "action": a} for n, a in enumerate(actions)])
    shown = plan.shown_rows(limit=200)
    assert len(shown) == 202 and [r["action"] for r in shown[-2:]] == ["update", "refused"]


def test_admin_import_leaves_blank_cells_and_unchanged_rows_alone(client, auth, make_user):
    auth.login_as(make_user(role="admin"))
    health = Agency(institution_id=1, name="Dinas Kesehatan", name_key="dinas kesehatan")
    db.session.add(health)
    db.session.commit()
    budi = make_user(full_name="Budi Santoso", nip="198503142010011001", email="", jabatan="Pranata Humas",
                     phone="081234567890", agency_id=health.id)
    page = upload(client, HEADER + "Budi Santoso;198503142010011001;;;Dinas Kesehatan;;\n").get_data(as_text=True)
    assert "0 peserta lama diperbarui, 1 sudah terdaftar" in page and "tidak ada perubahan" in page
    pending = db.session.scalars(select(UserImport)).one()
    client.post(f"/admin/import/{pending.id}/confirm")
    kept = db.session.get(User, budi.id)
    assert (kept.jabatan, kept.phone) == ("Pranata Humas", "081234567890")
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.update")) == 0
