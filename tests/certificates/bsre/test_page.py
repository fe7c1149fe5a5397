"""The signer's BSrE page: a failing service leaves the batch waiting, a later try signs it; no secret is kept."""

from __future__ import annotations

import logging
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.certificates.signing.bsre import MESSAGES
from lms.extensions import db
from tests.bsre_standin import CLIENT_ID, CLIENT_SECRET, NIK_VALID, PASSPHRASE, SEAL_NAME, SEAL_SUBSCRIBER
from tests.certificates.conftest import NOW

WRONG = "passphrase-keliru-77"


@pytest.fixture
def configured(app, standin, monkeypatch):
    for key, value in {"BSRE_URL": standin.url, "BSRE_CLIENT_ID": CLIENT_ID, "BSRE_CLIENT_SECRET": CLIENT_SECRET,
                       "BSRE_SEAL_SUBSCRIBER_ID": SEAL_SUBSCRIBER, "BSRE_TIMEOUT_SECONDS": 30,
                       "SIGNING_QUEUE": True}.items():
        monkeypatch.setitem(app.config, key, value)
    return standin


@pytest.fixture
def admin(auth, make_user, finished):
    user = make_user(role="admin", email="kepala.dinas@contoh.go.id")
    auth.login_as(user)
    return user


@pytest.fixture
def queued(configured, finished):
    certificates = services.issue_all(finished, None, NOW, commit=db.session.commit)
    assert len(certificates) == 5
    return finished


def states() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(Certificate.sign_state)).scalars().all()
    return {state: rows.count(state) for state in set(rows)}


def stored_text(with_files: bool = True) -> str:
    """Every row of every table as text (files decoded loosely): what a leak into the database would show."""
    parts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            for value in row:
                if isinstance(value, bytes):
                    if with_files:
                        parts.append(value.decode("latin-1"))
                else:
                    parts.append(str(value))
    return "\n".join(parts)


def url(training, tail=""):
    return f"/trainings/{training.slug}/certificates/tte-bsre{tail}"


def test_page_offers_both_ways_without_remembering_anything(client, admin, queued):
    manage = client.get(f"/trainings/{queued.slug}/certificates").get_data(as_text=True)
    assert f'href="{url(queued)}">Tandatangani melalui BSrE (5)</a>' in manage
    page = client.get(url(queued)).get_data(as_text=True)
    assert "5 sertifikat menunggu TTE · 0 sudah ditandatangani" in page
    assert 'name="nik"' in page and 'name="passphrase"' in page and 'name="totp"' in page
    assert page.count('autocomplete="off"') >= 4  # both forms and the NIK and TOTP fields
    assert 'type="password"' in page and "Minta kode TOTP" in page
    assert "Tandatangani 5 sertifikat" in page and "Segel 5 sertifikat" in page


def test_failures_leave_the_batch_waiting_and_a_later_try_signs_it(app, client, admin, queued, configured, caplog):
    caplog.set_level(logging.DEBUG)
    before = {c.id: c.pdf_sha256 for c in db.session.scalars(select(Certificate))}
    form = {"nik": NIK_VALID, "passphrase": PASSPHRASE}

    configured.mode = "timeout"
    app.config["BSRE_TIMEOUT_SECONDS"] = 0.5
    response = client.post(url(queued, "/pribadi"), data=form)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert MESSAGES["timeout"].format(seconds="0.5") in page
    assert "5 sertifikat tetap menunggu TTE" in page
    assert states() == {"pending": 5}

    app.config["BSRE_TIMEOUT_SECONDS"] = 30  # real signing on a busy machine may take more than 0.5 s
    configured.mode = "unsigned"
    page = client.get(client.post(url(queued, "/pribadi"), data=form).headers["Location"]).get_data(as_text=True)
    assert "tidak bertanda tangan elektronik" in page
    assert states() == {"pending": 5}

    configured.mode = None
    page = client.get(client.post(url(queued, "/pribadi"), data={"nik": NIK_VALID, "passphrase": WRONG})
                      .headers["Location"]).get_data(as_text=True)
    assert MESSAGES["passphrase"] in page
    assert WRONG not in page and NIK_VALID not in page
    assert states() == {"pending": 5}
    assert {c.id: c.pdf_sha256 for c in db.session.scalars(select(Certificate))} == before

    page = client.get(client.post(url(queued, "/pribadi"), data=form).headers["Location"]).get_data(as_text=True)
    assert "5 sertifikat ditandatangani melalui BSrE: tanda tangan elektronik pribadi." in page
    assert states() == {"signed": 5}
    for certificate in db.session.scalars(select(Certificate)):
        sig = PdfFileReader(BytesIO(certificate.pdf)).embedded_signatures[-1]
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[configured.pki.ca_asn1]))
        assert status.bottom_line
        assert status.signing_cert.subject.native["common_name"] == "Dr. Siti Rahmawati, M.Kom."

    # Neither the passphrase nor the NIK was kept anywhere: database, log, the page.
    everything = stored_text()
    for secret in (PASSPHRASE, WRONG, NIK_VALID):
        assert secret not in everything
        assert secret not in caplog.text
        assert secret not in page


def test_bad_input_is_shown_on_its_field_and_not_echoed(client, admin, queued, configured):
    response = client.post(url(queued, "/pribadi"), data={"nik": "3578-01", "passphrase": PASSPHRASE})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert MESSAGES["bad_nik"] in page and "3578-01" not in page and PASSPHRASE not in page
    response = client.post(url(queued, "/pribadi"), data={"nik": "", "passphrase": ""})
    assert response.status_code == 400 and "Wajib diisi." in response.get_data(as_text=True)
    assert configured.calls == [] and states() == {"pending": 5}


def test_seal_with_a_requested_totp(client, admin, queued, configured):
    page = client.get(client.post(url(queued, "/totp")).headers["Location"]).get_data(as_text=True)
    assert "Kode TOTP segel diminta dari BSrE." in page
    wrong = f"{(int(configured.issued_totp) + 1) % 10**6:06d}"
    page = client.get(client.post(url(queued, "/segel"), data={"totp": wrong}).headers["Location"]).get_data(
        as_text=True)
    assert MESSAGES["totp"] in page and states() == {"pending": 5}
    page = client.get(client.post(url(queued, "/segel"), data={"totp": configured.issued_totp})
                      .headers["Location"]).get_data(as_text=True)
    assert "5 sertifikat ditandatangani melalui BSrE: segel elektronik instansi." in page
    certificate = db.session.scalars(select(Certificate)).first()
    assert certificate is not None and certificate.signer_label == "BSrE: segel elektronik instansi"
    assert SEAL_NAME in certificate.signed_by
    assert configured.issued_totp not in stored_text(with_files=False)  # six digits could occur in a PDF by chance


def test_only_admins(client, auth, make_user, queued):
    trainer = make_user(role="trainer", email="narasumber@contoh.go.id")
    auth.login_as(trainer)
    assert client.get(url(queued)).status_code == 403
    assert client.post(url(queued, "/pribadi"), data={"nik": NIK_VALID, "passphrase": PASSPHRASE}).status_code == 403
    assert states() == {"pending": 5}


def test_not_configured(app, client, admin, finished, monkeypatch):
    monkeypatch.setitem(app.config, "BSRE_URL", "")
    page = client.get(url(finished)).get_data(as_text=True)
    assert "Layanan BSrE belum dikonfigurasi." in page and "LMS_BSRE_URL" in page
    assert client.post(url(finished, "/pribadi"), data={"nik": NIK_VALID, "passphrase": PASSPHRASE}).status_code == 400
