"""A training may require every evaluation before a participant downloads their certificate."""

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.evaluations import services as evaluations
from lms.evaluations.models import EvaluationSubmission
from lms.extensions import db
from lms.trainings.models import Training
from tests.certificates.conftest import NOW, finished  # noqa: F401  (the demo's finished training)
from tests.conftest import PASSWORD

REASON = "Isi dahulu evaluasi kegiatan"


def issued(training):
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    for row in certificates.eligibility_table(training, NOW):
        if row.may_issue:
            certificates.issue_for(training, row.user.id, admin, NOW)
    db.session.commit()
    return {c.user_id: c for c in db.session.scalars(select(Certificate))}


def login(auth, user):
    user.password_hash = accounts.hash_password(PASSWORD)
    db.session.commit()
    auth.logout()
    auth.login_as(user)


def test_demo_finished_training_has_results_to_show(finished):  # noqa: F811
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    results = evaluations.results(admin, finished)
    assert results and all(r.responses == 3 for r in results)  # 9 demo participants, the last 6 have not answered
    assert all(i.count == 3 and i.mean is not None for r in results for i in r.items)


def test_download_waits_for_every_evaluation_when_required(client, auth, finished):  # noqa: F811
    certs = issued(finished)
    done = set(db.session.scalars(select(EvaluationSubmission.user_id)))
    answered = db.session.get(User, next(u for u in certs if u in done))
    missing = db.session.get(User, next(u for u in certs if u not in done))
    # Not required: everyone downloads.
    login(auth, missing)
    assert client.get(f"/certificates/{certs[missing.id].id}.pdf").status_code == 200
    finished.require_evaluation = True
    db.session.commit()
    response = client.get(f"/certificates/{certs[missing.id].id}.pdf", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/certificates/mine"
    assert f"{REASON} ({len(evaluations.targets(finished))} belum diisi)" in page
    mine = client.get("/certificates/mine").get_data(as_text=True)
    assert REASON in mine and f"/certificates/{certs[missing.id].id}.pdf" not in mine
    assert f'href="/trainings/{finished.slug}/evaluasi"' in mine
    login(auth, answered)
    assert client.get(f"/certificates/{certs[answered.id].id}.pdf").status_code == 200
    assert REASON not in client.get("/certificates/mine").get_data(as_text=True)
    # The admin downloading someone's certificate is never held back.
    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).first()
    login(auth, admin)
    assert client.get(f"/certificates/{certs[missing.id].id}.pdf").status_code == 200


def test_the_training_form_sets_the_window_and_the_requirement(client, auth, make_user):
    from tests.trainings.test_views import FORM

    auth.login_as(make_user(role="admin"))
    assert client.post("/trainings/new", data=FORM).status_code == 302
    training = db.session.scalars(select(Training)).one()
    assert (training.evaluation_days, training.require_evaluation) == (7, False)
    page = client.get(f"/trainings/{training.slug}/edit").get_data(as_text=True)
    assert "Evaluasi wajib sebelum unduh sertifikat" in page
    response = client.post(f"/trainings/{training.slug}/edit",
                           data=dict(FORM, evaluation_days="14", require_evaluation="y"))
    assert response.status_code == 302
    db.session.refresh(training)
    assert (training.evaluation_days, training.require_evaluation) == (14, True)
    refused = client.post(f"/trainings/{training.slug}/edit", data=dict(FORM, evaluation_days="120"))
    page = refused.get_data(as_text=True)
    assert "Angka harus antara 0 dan 90." in page
    db.session.refresh(training)
    assert training.evaluation_days == 14
