"""The demo bimtek from the laptop's SQLite into the server's database: every report the same, safe to repeat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.attendance import services as attendance
from lms.attendance.models import AttendanceRecord, AttendanceSession
from lms.bundles import services as bundles
from lms.certificates import services as certificates
from lms.certificates.models import Certificate, CertificateSequence
from lms.evaluations import services as evaluations
from lms.evaluations.models import EvaluationSubmission
from lms.extensions import db
from lms.trainings.scope import get_training
from tests.bundles.conftest import FINISHED, NOW, export_from, inside, reports, table_hashes


def test_every_report_is_the_same_on_both_sides_and_server_certificates_verify(
        app, laptop, server_catalog, import_file, tmp_path, client):
    path = export_from(laptop, FINISHED, tmp_path / "bundel.zip")
    with inside(laptop):
        expected = reports(FINISHED)
    plan = import_file(path)
    assert plan.training_new and not plan.blocking
    assert reports(FINISHED) == expected
    training = get_training(FINISHED)
    issued = certificates.issue_all(training, None, NOW + timedelta(days=1))
    db.session.commit()
    assert issued and len(issued) == sum(1 for row in expected["eligibility"] if row[1] or row[4])
    answer = client.get(f"/verify/{issued[0].code}.json")
    assert answer.status_code == 200 and answer.get_json()["status"].lower().startswith("sah")


def test_the_preview_counts_what_will_happen_and_changes_nothing(app, laptop, server_catalog, tmp_path):
    path = export_from(laptop, FINISHED, tmp_path / "bundel.zip")
    before = table_hashes()
    plan = bundles.preview(path, NOW, None)
    db.session.commit()
    assert table_hashes() == before
    with inside(laptop):
        records = db.session.scalar(select(func.count(AttendanceRecord.id)).join(AttendanceSession).where(
            AttendanceSession.training_id == get_training(FINISHED).id))
    assert plan.summary().startswith("24 peserta (24 akun baru), 6 sesi, "
                                     f"{records} catatan presensi, 48 attempt")
    assert plan.counts["attendance_records"].new == records


def test_importing_the_same_bundle_twice_changes_nothing_the_second_time(
        app, laptop, server_catalog, import_file, tmp_path):
    path = export_from(laptop, FINISHED, tmp_path / "bundel.zip")
    import_file(path)
    before = table_hashes()
    plan = import_file(path)
    assert plan.changed == 0
    assert table_hashes() == before


def test_a_later_bundle_adds_and_updates_exactly_what_changed(app, laptop, server_catalog, import_file, tmp_path):
    import_file(export_from(laptop, FINISHED, tmp_path / "first.zip"))
    with inside(laptop):
        training = get_training(FINISHED)
        session = attendance.sessions_of(training)[0]
        record = db.session.scalars(select(AttendanceRecord).where(
            AttendanceRecord.session_id == session.id, AttendanceRecord.status == "hadir")).first()
        changed_user = record.user.nip
        attendance.set_status(session, record.user_id, "izin", "Dipanggil atasan", None, NOW, "roster")
        answered = set(db.session.scalars(select(EvaluationSubmission.user_id)))
        newcomer = next(u for u in db.session.scalars(select(User).order_by(User.id))
                        if u.role == "participant" and u.id not in answered)
        target = evaluations.targets(training)[0]
        answers = [(item.id, 4, "") for item in target.questionnaire.items if item.type == "likert"]
        evaluations.record(training, newcomer.id, target, answers, training.end_date)
        db.session.commit()
    before = table_hashes()
    plan = import_file(export_from(laptop, FINISHED, tmp_path / "later.zip", NOW + timedelta(hours=1)))
    changed = {name: (c.new, c.updated) for name, c in plan.counts.items() if c.changed}
    assert changed == {"attendance_records": (0, 1), "evaluation_submissions": (1, 0),
                       "evaluation_answers": (len(answers), 0),
                       "audit_events": (2, 0)}  # the mark and the laptop's second export
    after = table_hashes()
    # eligibility_revisions: the certificates page's token follows the changed attendance.
    assert {name for name in before if before[name] != after[name]} == {
        "attendance_records", "audit_events", "evaluation_submissions", "evaluation_answers", "eligibility_revisions"}
    record = db.session.scalars(select(AttendanceRecord).join(User, User.id == AttendanceRecord.user_id).where(
        User.nip == changed_user, AttendanceRecord.status == "izin")).one()
    assert record.note == "Dipanggil atasan" and record.row_version == 2


def test_a_laptop_certificate_keeps_its_number_and_code_and_the_server_numbers_past_it(
        app, laptop, server_catalog, import_file, tmp_path, client):
    with inside(laptop):
        training = get_training(FINISHED)
        issued = certificates.issue_all(training, None, NOW)[:1]
        db.session.commit()
        number, code, seq, year = issued[0].number, issued[0].code, issued[0].seq, issued[0].year
        count = db.session.scalar(select(func.count(Certificate.id)))
    plan = import_file(export_from(laptop, FINISHED, tmp_path / "bundel.zip"))
    assert plan.counts["certificates"].new == count
    held = db.session.scalars(select(Certificate).where(Certificate.code == code)).one()
    assert held.number == number
    assert client.get(f"/verify/{code}.json").get_json()["status"].lower().startswith("sah")
    sequence = db.session.get(CertificateSequence, (held.institution_id, year))
    assert sequence.last_seq >= seq + count - 1
    # Its place in the server's Open Badges status lists is the server's own, as issuing here gives.
    assert held.status_list_index == held.id
    assert db.session.scalar(select(func.count(Certificate.id)).where(Certificate.status_list_index.is_(None))) == 0
