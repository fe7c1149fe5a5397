"""Reads do not write: no GET of the URL map sends an INSERT, UPDATE or DELETE, or commits a change.

Every GET route of the areas below is opened, with real ids from the demo world, by a visitor, a
participant, a trainer and an admin (and with the query strings that choose another answer), while
`watch_writes` listens to every statement and commit. A new GET route of these blueprints fails
here until it is given its URL in `urls()`.
"""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from lms.accounts.models import Role, User, UserImport
from lms.accounts.services import ensure_institution, hash_password
from lms.assignments import definitions
from lms.assignments import services as assignments
from lms.assignments.models import Assignment, Submission, SubmissionFile
from lms.assignments.services import offered
from lms.attendance import services as attendance
from lms.attendance.models import AttendanceSession
from lms.certificates import bulk
from lms.certificates import services as certificates
from lms.courses import services as courses
from lms.db_types import utcnow
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, RUNNING_SLUG, create_demo_trainings
from lms.extensions import db
from lms.quizzes.models import Attempt
from lms.reports.models import ReportPhoto
from lms.trainings.scope import get_training, participant_ids
from tests.conftest import PASSWORD

# The blueprints whose GET routes are checked here: all of the app's.
CHECKED = ("admin", "assignment_review", "attendance", "audit", "auth", "caption", "certificates", "core", "courses",
           "evaluations",
           "mydata", "quizzes", "trainings",
           "assignments", "assignment_manage", "reports", "reminders", "laporan", "siasn", "bundles", "badges", "bsre")
ACTORS = ("visitor", "participant", "trainer", "admin")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def _checked(endpoint: str) -> bool:
    return endpoint.partition(".")[0] in CHECKED or endpoint in ("static", "bootstrap.static")


@pytest.fixture
def world(app, tmp_path) -> dict[str, Any]:
    """The demo's people and trainings, certificates issued, a bulk job, a pending import, an open session."""
    now = utcnow()
    create_demo(6, seed=3)
    create_demo_trainings(now, seed=3)
    db.session.commit()
    finished, running = get_training(FINISHED_SLUG), get_training(RUNNING_SLUG)
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    trainer = running.trainers[0]
    certificates.issue_all(finished, admin, now, commit=db.session.commit)
    issued = db.session.scalars(select(certificates.Certificate).order_by(certificates.Certificate.id)).all()
    enrolled = set(participant_ids(running))  # holds a certificate and may check in to the open session
    certificate = next(c for c in issued if c.user_id in enrolled)
    participant = certificate.user
    job = bulk.create_issue_job(finished, admin, now)
    pending = UserImport(created_by_id=admin.id, filename="peserta.csv", rows=[],
                         summary={"creates": 0, "updates": 0, "unchanged": 0, "refused": 0,
                                  "created_user_ids": [participant.id]})
    db.session.add(pending)
    # A session open now: in the old code a logged-in scan of it checked the participant in.
    today = now.date()
    session = AttendanceSession(training_id=running.id, day=today, label="Uji Baca",
                                starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2),
                                secret=secrets.token_hex(16))
    db.session.add(session)
    for user in (admin, trainer, participant):
        user.password_hash = hash_password(PASSWORD)
    institution = ensure_institution()
    institution.logo, institution.logo_mime, institution.logo_sha256 = png(), "image/png", "0" * 64
    course = running.courses[0]
    lesson = courses.current_lessons(course)[0]
    (tmp_path / course.slug / "assets").mkdir(parents=True)
    (tmp_path / course.slug / "assets" / "contoh.png").write_bytes(png())
    attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == participant.id)
                                 .order_by(Attempt.id)).first()
    own_definition, _ = definitions.parse({
        "id": "tugas-khusus", "title": "Tugas khusus kegiatan", "hand_in": ["text"], "max_chars": 500,
        "max_points": 2, "pass_points": 1, "criteria": [{"id": "isi", "title": "Isi", "levels": [
            {"label": "Baik", "points": 2}, {"label": "Kurang", "points": 0}]}]})
    assert own_definition is not None
    own = assignments.save_training_assignment(finished, None, own_definition, admin, now)
    photo = ReportPhoto(training_id=finished.id, caption="Pembukaan", mime="image/png", width=8, height=8,
                        sha256="0" * 64, data=png())
    db.session.add(photo)
    db.session.commit()
    original = app.config["COURSES_DIR"]
    app.config["COURSES_DIR"] = tmp_path
    yield {"admin": admin, "trainer": trainer, "participant": participant, "finished": finished,
           "running": running, "certificate": certificate, "job": job, "pending": pending, "session": session,
           "course": course, "lesson": lesson, "now": now, "attempt": attempt, "own": own,
           "photo": photo}
    app.config["COURSES_DIR"] = original


def urls(w: dict[str, Any]) -> dict[str, list[str]]:
    """Every checked GET endpoint with the addresses opened (several where a query chooses the answer)."""
    session, certificate, finished = w["session"], w["certificate"], w["finished"]
    token = attendance.current_token(session, utcnow())[0]
    course, lesson = w["course"].slug, w["lesson"].slug
    handed_in = db.session.scalars(select(Submission).where(
        Submission.training_id == finished.id, Submission.status == "passed").order_by(Submission.id)).first()
    assert handed_in is not None
    file_id = db.session.scalars(select(SubmissionFile.id).where(SubmissionFile.submission_id == handed_in.id)).first()
    review = f"/trainings/{FINISHED_SLUG}/penilaian-tugas"
    own_file = db.session.scalars(select(SubmissionFile.id).join(Submission).where(
        Submission.user_id == w["participant"].id)).first()
    target = db.session.scalars(select(Assignment.id).where(Assignment.opd_target.is_not(None))
                                .order_by(Assignment.id)).first()
    return {
        "assignment_review.index": [review],
        "assignment_review.queue": [f"{review}/{handed_in.assignment_id}" + q for q in ("", "?status=passed")],
        "assignment_review.submission": [f"{review}/kiriman/{handed_in.id}" + q for q in ("", "?status=waiting")],
        "assignment_review.opd_target": [f"{review}/{target}/target-opd"],
        "assignment_review.file": [f"{review}/berkas/{file_id or 0}"],
        "assignment_manage.index": [f"/trainings/{slug}/tugas" for slug in (FINISHED_SLUG, RUNNING_SLUG)],
        "assignment_manage.new": [f"/trainings/{FINISHED_SLUG}/tugas/baru"],
        "assignment_manage.edit": [f"/trainings/{FINISHED_SLUG}/tugas/{w['own'].id}/ubah"],
        "admin.users": ["/admin/users", f"/admin/users?q=a&peran=participant&aktif=1&id={w['participant'].id}"],
        "admin.user_new": ["/admin/users/new"],
        "admin.user_edit": [f"/admin/users/{w['participant'].id}/edit"],
        "admin.user_anonymise": [f"/admin/users/{w['participant'].id}/anonymise"],
        "admin.agencies": ["/admin/agencies"],
        "admin.agency_edit": [f"/admin/agencies/{w['participant'].agency_id}/edit"],
        "admin.institution": ["/admin/institution"],
        "admin.import_upload": ["/admin/import"],
        "admin.import_done": [f"/admin/import/{w['pending'].id}"],
        "attendance.roster": [f"/trainings/{RUNNING_SLUG}/attendance"],
        "attendance.participant_cells": [f"/trainings/{RUNNING_SLUG}/attendance/p/{w['participant'].id}"],
        "attendance.record_history": [f"/attendance/records/history?session={session.id}&user={w['participant'].id}"],
        "attendance.screen": [f"/attendance/sessions/{session.id}/screen",
                              f"/attendance/sessions/{session.id}/screen?alamat=10.8.0.5"],
        "attendance.live": [f"/attendance/sessions/{session.id}/live.json"],
        "attendance.scan": [f"/c/{session.id}/{token}"],
        "attendance.pending": ["/checkin/pending"],
        "attendance.typed_code": ["/checkin"],
        "attendance.report": [f"/trainings/{FINISHED_SLUG}/attendance/report" + q
                              for q in ("", "?format=csv", "?format=xlsx")],
        "attendance.sheet": [f"/attendance/sessions/{session.id}/daftar-hadir.pdf"],
        "audit.index": ["/admin/audit/", "/admin/audit/?action=certificate.issue&from=2020-01-01&to=2099-12-31"],
        "auth.login": ["/login"],
        "auth.change_password": ["/account/password"],
        "auth.profile": ["/account"],
        "certificates.manage": [f"/trainings/{FINISHED_SLUG}/certificates", f"/trainings/{RUNNING_SLUG}/certificates"],
        "certificates.job": [f"/certificates/jobs/{w['job'].id}"],
        "certificates.download": [f"/certificates/{certificate.id}.pdf"],
        "certificates.export": [f"/trainings/{finished.slug}/certificates/export" + q
                                for q in ("", "?format=pdf", "?format=csv", "?format=xlsx")],
        "certificates.mine": ["/certificates/mine"],
        "certificates.lookup": ["/verify", f"/verify?code={certificate.code}"],
        "certificates.verify": [f"/verify/{certificate.code}", "/verify/ABCD-EFGH-JKMN-PQRS-TVWX"],
        "certificates.verify_json": [f"/verify/{certificate.code}.json"],
        "caption.page": ["/caption/"],
        "core.home": ["/"],
        "core.healthz": ["/healthz"],
        "core.favicon": ["/favicon.ico"],
        "core.institution_logo": ["/institution/logo"],
        "courses.index": ["/courses/"],
        "courses.course": [f"/courses/{course}"],
        "courses.lesson": [f"/courses/{course}/{lesson}"],
        "courses.asset": [f"/courses/{course}/assets/contoh.png"],
        "courses.progress": [f"/courses/{course}/progress"],
        "evaluations.index": [f"/trainings/{slug}/evaluasi" for slug in (FINISHED_SLUG, RUNNING_SLUG)],
        "evaluations.answer": [f"/trainings/{FINISHED_SLUG}/evaluasi/penyelenggaraan/kegiatan"],
        "evaluations.results": [f"/trainings/{slug}/evaluasi/hasil" for slug in (FINISHED_SLUG, RUNNING_SLUG)],
        "mydata.page": ["/account/data"],
        "mydata.download_json": ["/account/data.json"],
        "mydata.download_pdf": ["/account/data.pdf"],
        "trainings.index": ["/trainings/"],
        "trainings.new": ["/trainings/new"],
        "trainings.show": [f"/trainings/{slug}" for slug in (FINISHED_SLUG, RUNNING_SLUG)],
        "trainings.edit": [f"/trainings/{RUNNING_SLUG}/edit"],
        "trainings.agenda": [f"/trainings/{RUNNING_SLUG}/agenda"],
        "trainings.agenda_edit": [f"/trainings/{RUNNING_SLUG}/agenda/{w['running'].agenda[0].id}/edit"],
        "trainings.agenda_print": [f"/trainings/{RUNNING_SLUG}/agenda/print"],
        "trainings.participants": [f"/trainings/{RUNNING_SLUG}/participants" + q for q in ("", "?format=xlsx")],
        "trainings.quiz_results": [f"/trainings/{slug}/quizzes/{quiz}/results"
                                   for slug, quiz in ((FINISHED_SLUG, w["finished"].posttest.slug),
                                                      (RUNNING_SLUG, w["running"].pretest.slug))],
        "quizzes.index": ["/quizzes/"],
        "quizzes.quiz": [f"/quizzes/{w['attempt'].quiz.slug}"],
        "quizzes.attempt": [f"/quizzes/attempts/{w['attempt'].id}"],
        "quizzes.review": [f"/quizzes/attempts/{w['attempt'].id}/review"],
        "quizzes.status": [f"/quizzes/attempts/{w['attempt'].id}/status.json"],
        "quizzes.results": [f"/quizzes/{w['attempt'].quiz.slug}/results"],
        "quizzes.results_csv": [f"/quizzes/{w['attempt'].quiz.slug}/results.csv",
                                f"/quizzes/{w['attempt'].quiz.slug}/results.xlsx"],
        "laporan.page": [f"/trainings/{FINISHED_SLUG}/laporan", f"/trainings/{FINISHED_SLUG}/laporan?draf=kesimpulan"],
        "laporan.download": [f"/trainings/{FINISHED_SLUG}/laporan.pdf", f"/trainings/{FINISHED_SLUG}/laporan.docx"],
        "laporan.photo": [f"/trainings/{FINISHED_SLUG}/laporan/foto/{w['photo'].id}"],
        "reports.dashboard": ["/laporan/institusi", "/laporan/institusi?tahun=2026&opd=0",
                              "/laporan/institusi?tahun=x"],
        "reports.figure_list": [f"/laporan/institusi/{kind}?tahun=2026" + q for kind in ("peserta", "asn-kurang")
                                for q in ("", "&format=csv", "&format=xlsx", "&q=a&page=2")],
        "reminders.page": [f"/trainings/{slug}/pengingat" + q for slug in (FINISHED_SLUG, RUNNING_SLUG)
                           for q in ("", "?format=csv")],
        # Each also under its content-hash address (lms/assets.py; any hash is served).
        "assignments.mine": ["/tugas/"],
        "assignments.task": [f"/tugas/{RUNNING_SLUG}/{a.id}" for a in offered(w["running"])[:1]]
        + [f"/tugas/{FINISHED_SLUG}/{handed_in.assignment_id}"],
        "assignments.file": [f"/tugas/berkas/{own_file or file_id or 0}"],
        "static": ["/static/lms.css", "/assets/lms/000000000000/lms.css"],
        "bootstrap.static": ["/bootstrap/static/css/bootstrap.min.css",
                             "/assets/bootstrap/000000000000/css/bootstrap.min.css"],
        "siasn.page": ["/laporan/siasn/", f"/laporan/siasn/?kegiatan={FINISHED_SLUG}&opd=Dinas+Tidak+Ada"],
        "siasn.download": ["/laporan/siasn/unduh?format=" + f for f in ("xlsx", "csv", "non-asn", "zip")],
        "bundles.upload": ["/admin/bundles/import"],
        "badges.download": [f"/certificates/{certificate.id}/openbadge.jwt"],
        "badges.issuer": ["/badges/issuer"],
        "badges.jwks": ["/badges/jwks.json"],
        "badges.status_list": ["/badges/status/0", "/badges/status/7"],
        "bsre.page": [f"/trainings/{FINISHED_SLUG}/certificates/tte-bsre"],
    }


def test_every_blueprint_is_checked(app):
    assert set(app.blueprints) - {"bootstrap"} == set(CHECKED)


def test_every_checked_get_route_has_its_urls(app, world):
    gets = {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and _checked(rule.endpoint)}
    assert gets == set(urls(world)), "give each new GET route its URL in urls()"


@pytest.mark.parametrize("actor", ACTORS)
def test_no_get_writes(app, client, auth, world, watch_writes, actor):
    if actor != "visitor":
        auth.login_as(world[actor])
    with client.session_transaction() as cookie:  # a scan held before login, for /checkin/pending
        cookie["pending_checkin"] = {"session": world["session"].id, "at": utcnow().timestamp()}
    found: dict[str, list[str]] = {}
    for endpoint, addresses in urls(world).items():
        for url in addresses:
            db.session.commit()  # the test's own transaction holds nothing
            with watch_writes() as watch:
                response = client.get(url, headers={"Accept": "application/json"}
                                      if endpoint == "certificates.job" else {})
            response.close()
            assert response.status_code < 500, (url, response.status_code)
            if watch.writes:
                found[url] = watch.writes
    assert found == {}, f"GET requests that wrote, as {actor}: {found}"


def test_the_watch_sees_a_write(app, make_user, watch_writes):
    user = make_user()
    with watch_writes() as watch:
        user.full_name = "Nama Baru"
        db.session.commit()
    assert watch.writes[0].startswith("COMMIT of 0 new, 1 changed") and watch.writes[1].startswith("UPDATE users")
