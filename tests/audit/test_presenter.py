"""The audit log reads as Indonesian sentences with names; every code recorded in lms/ has its sentence."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lms.audit import presenter
from lms.audit import services as audit
from lms.audit.services import ACTION_LABELS
from lms.extensions import db
from tests.conftest import create_training

LMS = Path(__file__).resolve().parents[2] / "lms"
AT = datetime(2026, 8, 17, 2, 0, tzinfo=UTC)


def recorded_codes() -> dict[str, str]:
    """Return every action code passed to audit.record(...) in lms/, with where it is (literal or default)."""
    found: dict[str, str] = {}
    for path in LMS.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defaults: dict[str, list[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                arguments = node.args.args + node.args.kwonlyargs
                values = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
                values += node.args.kw_defaults
                for argument, default in zip(arguments, values, strict=True):
                    if isinstance(default, ast.Constant) and isinstance(default.value, str):
                        defaults.setdefault(argument.arg, []).append(default.value)
        for node in ast.walk(tree):  # names given a string: module constants and local variables
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs = (zip(target.elts, node.value.elts, strict=False)
                             if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                             else [(target, node.value)])
                    for name, value in pairs:
                        if (isinstance(name, ast.Name) and isinstance(value, ast.Constant)
                                and isinstance(value.value, str)):
                            defaults.setdefault(name.id, []).append(value.value)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"
                    and len(node.args) >= 2):
                continue
            action = node.args[1]
            codes = [c.value for c in ast.walk(action) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            if isinstance(action, ast.Name):
                codes += defaults.get(action.id, [])
            assert codes, f"{path}:{node.lineno}: the action code cannot be read"
            for code in codes:
                found[code] = f"{path.relative_to(LMS.parent)}:{node.lineno}"
    return found


def test_the_scan_finds_the_codes_of_every_domain():
    codes = recorded_codes()
    assert {"training.enroll", "certificate.issue", "attendance.mark", "user.password_set",
            "user.deactivate", "agenda.update", "quiz.regrade"} <= set(codes)


def test_every_recorded_code_has_a_sentence_and_a_label():
    missing = {code: where for code, where in recorded_codes().items() if code not in presenter.SENTENCES}
    assert missing == {}, f"add a sentence to lms/audit/presenter.py SENTENCES for {missing}"
    unlabelled = {code: where for code, where in recorded_codes().items() if code not in ACTION_LABELS}
    assert unlabelled == {}, f"add a label to lms/audit/services.py ACTION_LABELS for {unlabelled}"


@pytest.fixture
def people(make_user):
    budi = make_user(role="trainer", full_name="Budi Santoso")
    ani, citra, dodi = (make_user(full_name=n) for n in ("Ani", "Citra", "Dodi"))
    training = create_training("bimtek-x", title="Bimtek X", users=(), trainers=(budi,))
    return {"budi": budi, "ani": ani, "citra": citra, "dodi": dodi, "training": training}


def test_enrolment_names_the_actor_the_training_and_the_people(people):
    budi, training = people["budi"], people["training"]
    event = audit.record(budi, "training.enroll", "training", training.id,
                         {"user_ids": [people["ani"].id, people["citra"].id, people["dodi"].id], "source": "manual"},
                         AT)
    db.session.commit()
    (line,) = presenter.present([event])
    assert line.sentence == "Budi Santoso (Narasumber) mendaftarkan 3 peserta ke Bimtek X: Ani, Citra, Dodi."


@pytest.mark.parametrize("action, object_type, details, expected", [
    ("training.unenroll", "training", {"user_id": "ani"}, "Budi Santoso (Narasumber) mengeluarkan Ani dari Bimtek X."),
    ("certificate.issue", "certificate", {"number": "001/BIMTEK/VIII/2026", "user_id": "ani", "training_id": "t",
                                          "override": True, "replaces": None},
     "Budi Santoso (Narasumber) menerbitkan sertifikat 001/BIMTEK/VIII/2026 untuk Ani (Bimtek X), dengan "
     "pengecualian syarat."),
    ("certificate.early_issue", "training", {"reason": "Dipanggil tugas dinas", "user_id": None,
                                             "end_date": "2026-08-19"},
     "Budi Santoso (Narasumber) menerbitkan sertifikat Bimtek X sebelum pelatihan selesai (19 Agustus 2026) untuk "
     "semua peserta yang memenuhi syarat. Alasan: Dipanggil tugas dinas"),
    ("user.update", "user", {"fields": ["full_name", "nip"]},
     "Budi Santoso (Narasumber) mengubah data Ani: nama, NIP."),
    ("certificate.sign_tte", "certificate", {"x": 1},
     "Budi Santoso (Narasumber) melakukan tindakan \u201ccertificate.sign_tte\u201d pada sertifikat #7."),
])
def test_sentences(people, action, object_type, details, expected):
    ids = {"ani": people["ani"].id, "t": people["training"].id}
    details = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in details.items()}
    object_id = {"training": people["training"].id, "user": people["ani"].id}.get(object_type, 7)
    event = audit.record(people["budi"], action, object_type, object_id, details, AT)
    db.session.commit()
    assert presenter.present([event])[0].sentence == expected


def test_a_title_ending_in_a_period_ends_the_sentence(people, make_user):
    dodi = make_user(full_name="Dodi Pratama, S.I.Kom.")
    event = audit.record(people["budi"], "training.unenroll", "training", people["training"].id,
                         {"user_id": dodi.id}, AT)
    db.session.commit()
    assert presenter.present([event])[0].sentence == \
        "Budi Santoso (Narasumber) mengeluarkan Dodi Pratama, S.I.Kom. dari Bimtek X."
    enrol = audit.record(people["budi"], "training.enroll", "training", people["training"].id,
                         {"user_ids": [dodi.id], "source": "manual"}, AT)
    db.session.commit()
    assert presenter.present([enrol])[0].sentence.endswith(": Dodi Pratama, S.I.Kom.")


def test_cli_events_and_broken_details_still_read(people):
    event = audit.record(None, "privacy.purge", "system", "personal_data",
                         {"attendance_records": 4, "import_previews": 1, "cutoff": date(2026, 5, 1).isoformat()}, AT)
    odd = audit.record(people["budi"], "attendance.mark", "attendance_record", 3, {"user_id": [1, 2]}, AT)
    db.session.commit()
    first, second = presenter.present([event, odd])
    assert first.sentence.startswith("Sistem (perintah CLI atau tugas terjadwal) menghapus data perangkat dari 4")
    assert "1 Mei 2026" in first.sentence
    assert second.sentence.startswith("Budi Santoso (Narasumber) ")


def test_names_are_loaded_once_per_kind(people, make_user, count_queries):
    """A page of 2 or 12 events costs the same queries: the page, its count, and one per kind of name."""
    counts = []
    for size in (2, 12):
        for _ in range(size):
            audit.record(people["budi"], "training.unenroll", "training", people["training"].id,
                         {"user_id": make_user().id}, AT)
        db.session.commit()
        db.session.expire_all()  # nothing left in the session from creating them
        with count_queries() as counter:
            events, _ = audit.search(audit.AuditFilter(action="training.unenroll"), 1, 50, UTC)
            lines = presenter.present(events)
        assert len(lines) == len(events) and all("mengeluarkan Pengguna Uji" in line.sentence for line in lines)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_audit_page_shows_sentences(client, auth, make_user, people):
    admin = make_user(role="admin", full_name="Sari Admin")
    auth.login_as(admin)
    client.post(f"/admin/users/{people['ani'].id}/active", data={"active": "0", "confirmed": "1"})
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Sari Admin (Penyelenggara) menonaktifkan akun Ani." in page


def test_roster_bulk_changes_and_session_states_read_as_sentences(people):
    from lms.attendance.models import AttendanceSession

    budi, training = people["budi"], people["training"]
    session = AttendanceSession(training_id=training.id, day=date(2026, 8, 17), label="Pagi", secret="s",
                                starts_at=AT, ends_at=AT.replace(hour=4))
    db.session.add(session)
    db.session.flush()
    events = [
        audit.record(budi, "attendance.bulk", "training", training.id,
                     {"session_id": session.id, "status": "hadir", "kind": "all_present",
                      "before": [{"user_id": people["ani"].id}, {"user_id": people["citra"].id}]}, AT),
        audit.record(budi, "attendance.bulk_undo", "training", training.id, {"session_id": session.id}, AT),
        audit.record(budi, "attendance.session_extend", "attendance_session", session.id,
                     {"training_id": training.id, "minutes": 15}, AT),
    ]
    db.session.commit()
    lines = [line.sentence for line in presenter.present(events)]
    assert lines[0] == ("Budi Santoso (Narasumber) menandai 2 peserta Hadir sekaligus pada Pagi (17 Agustus 2026) "
                        "(Semua hadir).")
    assert lines[1] == "Budi Santoso (Narasumber) membatalkan perubahan massal presensi pada Pagi (17 Agustus 2026)."
    assert lines[2] == "Budi Santoso (Narasumber) memperpanjang sesi presensi Pagi (17 Agustus 2026) 15 menit."
