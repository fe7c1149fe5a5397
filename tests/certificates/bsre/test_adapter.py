"""The BSrE adapter against the stand-in on a local port: signing, sealing, verifying, every failure."""

from __future__ import annotations

import logging
import socket
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from lms.certificates.signing import SignatureBox, SigningError
from lms.certificates.signing.bsre import (
    MESSAGES,
    BsreClient,
    BsreConfig,
    BsrePersonalSigner,
    BsreSealSigner,
    check_signed,
    mask,
)
from tests.bsre_standin import (
    CLIENT_ID,
    NIK_EXPIRED,
    NIK_NO_CERTIFICATE,
    NIK_VALID,
    PASSPHRASE,
    SEAL_NAME,
    BsreStandin,
)
from tests.certificates.bsre.conftest import make_pdf

BOX = SignatureBox(page=0, x1=330, y1=60, x2=530, y2=130, visible=True)


def signer_names(pdf: bytes, standin: BsreStandin) -> list[str]:
    """Validate every signature against the stand-in's CA; return the signers' names."""
    names = []
    for sig in PdfFileReader(BytesIO(pdf)).embedded_signatures:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[standin.pki.ca_asn1]))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        names.append(status.signing_cert.subject.native["common_name"])
    return names


def test_personal_signing_returns_pdfs_signed_by_the_standins_key(standin, bsre):
    originals = [make_pdf(f"Sertifikat {n}") for n in range(3)]
    signed = BsrePersonalSigner(bsre, NIK_VALID, PASSPHRASE).sign(originals, BOX)
    assert len(signed) == 3
    for original, pdf in zip(originals, signed, strict=True):
        assert pdf.startswith(original)  # same document, in the same order, signed incrementally
        assert signer_names(pdf, standin) == ["Dr. Siti Rahmawati, M.Kom."]
        sig = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]
        assert sig.sig_object["/Location"] == "Surabaya"
    # Three files at two per request: two requests, each in BSrE's shape.
    assert [c["path"] for c in standin.calls] == ["/api/v2/sign/pdf"] * 2
    assert standin.calls[0]["keys"] == ["file", "nik", "passphrase", "signatureProperties"]


def test_visible_box_becomes_signature_properties(bsre):
    props = bsre.signature_properties(BOX)
    assert props == [{"tampilan": "VISIBLE", "page": 1, "originX": 330, "originY": 60, "width": 200,
                      "height": 70, "reason": "Sertifikat pelatihan", "location": "Surabaya"}]
    assert bsre.signature_properties(None)[0]["tampilan"] == "INVISIBLE"
    assert bsre.signature_properties(SignatureBox(0, 1, 1, 2, 2, visible=False))[0]["tampilan"] == "INVISIBLE"


def test_seal_with_a_requested_totp(standin, bsre):
    assert "TOTP" in bsre.request_seal_totp()
    assert standin.calls[-1]["keys"] == ["data", "idSubscriber"]
    sealed = BsreSealSigner(bsre, standin.issued_totp).sign([make_pdf("Segel")], None)
    assert signer_names(sealed[0], standin) == [SEAL_NAME]
    assert standin.calls[-1]["keys"] == ["file", "idSubscriber", "signatureProperties", "totp"]


@pytest.mark.parametrize("expire", [False, True], ids=["salah", "kedaluwarsa"])
def test_wrong_or_expired_totp(standin, bsre, expire):
    bsre.request_seal_totp()
    totp = standin.issued_totp
    if expire:
        standin.expire_totp()
    else:
        totp = f"{(int(totp) + 1) % 10**6:06d}"
    with pytest.raises(SigningError) as caught:
        BsreSealSigner(bsre, totp).sign([make_pdf("Segel")], None)
    assert caught.value.message == MESSAGES["totp"] and caught.value.retry is False


def test_seal_needs_a_subscriber_id(standin, bsre_config):
    client = BsreClient(BsreConfig(bsre_config.base_url, bsre_config.client_id, bsre_config.client_secret))
    with pytest.raises(SigningError) as caught:
        client.request_seal_totp()
    assert caught.value.message == MESSAGES["seal_not_configured"]
    assert standin.calls == []


@pytest.mark.parametrize(("nik", "passphrase", "key"), [
    (NIK_VALID, "passphrase-keliru", "passphrase"),
    ("3578019999999999", PASSPHRASE, "nik_not_registered"),
    (NIK_NO_CERTIFICATE, PASSPHRASE, "no_certificate"),
    (NIK_EXPIRED, PASSPHRASE, "certificate_expired"),
], ids=["passphrase-salah", "nik-tidak-terdaftar", "tanpa-sertifikat", "sertifikat-kedaluwarsa"])
def test_refusals_are_clear_and_not_retried(standin, bsre, nik, passphrase, key):
    with pytest.raises(SigningError) as caught:
        BsrePersonalSigner(bsre, nik, passphrase).sign([make_pdf("x")], None)
    assert caught.value.message == MESSAGES[key]
    assert caught.value.retry is False


@pytest.mark.parametrize("status", [200, 401, 403])
def test_refusals_read_from_the_body_whatever_the_http_status(standin, bsre, status):
    standin.error_status = status
    with pytest.raises(SigningError) as caught:
        BsrePersonalSigner(bsre, NIK_VALID, "passphrase-keliru").sign([make_pdf("x")], None)
    assert caught.value.message == MESSAGES["passphrase"] and caught.value.retry is False


@pytest.mark.parametrize(("mode", "message", "retry"), [
    ("timeout", MESSAGES["timeout"].format(seconds="0.5"), True),
    ("malformed", MESSAGES["malformed"], True),
    ("unsigned", MESSAGES["unsigned"].format(index=1), True),
    ("expired", MESSAGES["certificate_expired"], False),
    ("error500", MESSAGES["server_error"].format(status=500), True),
])
def test_faulty_service(standin, bsre, impatient, mode, message, retry):
    standin.mode = mode
    if mode == "timeout":
        bsre = impatient
    with pytest.raises(SigningError) as caught:
        BsrePersonalSigner(bsre, NIK_VALID, PASSPHRASE).sign([make_pdf("a"), make_pdf("b")], BOX)
    assert caught.value.message == message
    assert caught.value.retry is retry


def test_seal_on_a_faulty_service(standin, bsre):
    bsre.request_seal_totp()
    standin.mode = "unsigned"
    with pytest.raises(SigningError) as caught:
        BsreSealSigner(bsre, standin.issued_totp).sign([make_pdf("a")], None)
    assert caught.value.message == MESSAGES["unsigned"].format(index=1) and caught.value.retry


def test_unreachable_service_is_retried_later(bsre_config):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = BsreClient(BsreConfig(f"http://127.0.0.1:{port}", CLIENT_ID, "x", timeout=0.5))
    with pytest.raises(SigningError) as caught:
        BsrePersonalSigner(client, NIK_VALID, PASSPHRASE).sign([make_pdf("x")], None)
    assert caught.value.message == MESSAGES["unreachable"] and caught.value.retry is True


def test_wrong_client_credentials(standin, bsre_config):
    client = BsreClient(BsreConfig(bsre_config.base_url, CLIENT_ID, "rahasia-keliru"))
    with pytest.raises(SigningError) as caught:
        BsrePersonalSigner(client, NIK_VALID, PASSPHRASE).sign([make_pdf("x")], None)
    assert caught.value.message == MESSAGES["client_auth"] and caught.value.retry is False
    assert standin.calls[-1]["status"] == 401


@pytest.mark.parametrize(("nik", "passphrase", "key"), [
    ("", PASSPHRASE, "empty_nik"), ("35780101", PASSPHRASE, "bad_nik"), ("35780101018000ab", PASSPHRASE, "bad_nik"),
    (NIK_VALID, "", "empty_passphrase"),
])
def test_bad_input_is_refused_before_any_call(standin, bsre, nik, passphrase, key):
    with pytest.raises(SigningError) as caught:
        BsrePersonalSigner(bsre, nik, passphrase)
    assert caught.value.message == MESSAGES[key]
    with pytest.raises(SigningError) as caught:
        BsreSealSigner(bsre, "12ab56")
    assert caught.value.message == MESSAGES["bad_totp"]
    assert standin.calls == []


def test_check_signed_refuses_unsigned_and_tampered_files(standin, bsre):
    with pytest.raises(SigningError):
        check_signed(make_pdf("tanpa tanda tangan"))
    with pytest.raises(SigningError):
        check_signed(b"bukan PDF")
    signed = BsrePersonalSigner(bsre, NIK_VALID, PASSPHRASE).sign([make_pdf("Asli")], None)[0]
    check_signed(signed)
    tampered = signed.replace(b"ReportLab Generated", b"ReportLab Generatex", 1)  # inside the signed range
    assert tampered != signed
    with pytest.raises(SigningError):
        check_signed(tampered)


def test_verify_endpoint(standin, bsre):
    signed = BsrePersonalSigner(bsre, NIK_VALID, PASSPHRASE).sign([make_pdf("Verifikasi")], BOX)[0]
    result = bsre.verify_pdf(signed)
    assert result.valid and result.conclusion == "VALID"
    assert [s.signer_name for s in result.signatures] == ["Dr. Siti Rahmawati, M.Kom."]
    assert result.signatures[0].integrity_valid and result.signatures[0].certificate_trusted
    unsigned = bsre.verify_pdf(make_pdf("Belum"))
    assert unsigned.conclusion == "NO_SIGNATURE" and not unsigned.valid
    standin.mode = "malformed"
    with pytest.raises(SigningError) as caught:
        bsre.verify_pdf(signed)
    assert caught.value.message == MESSAGES["malformed"]


def test_user_status(standin, bsre):
    assert bsre.check_user_status(NIK_VALID) == "ISSUE"
    for nik, key in [(NIK_EXPIRED, "certificate_expired"), (NIK_NO_CERTIFICATE, "no_certificate"),
                     ("3578019999999999", "nik_not_registered")]:
        with pytest.raises(SigningError) as caught:
            bsre.check_user_status(nik)
        assert caught.value.message == MESSAGES[key]


def test_secrets_never_reach_the_log(standin, bsre, caplog):
    caplog.set_level(logging.DEBUG)
    BsrePersonalSigner(bsre, NIK_VALID, PASSPHRASE).sign([make_pdf("a")], None)
    for passphrase in ("passphrase-keliru", PASSPHRASE):
        standin.mode = None if passphrase != PASSPHRASE else "error500"
        with pytest.raises(SigningError) as caught:
            BsrePersonalSigner(bsre, NIK_VALID, passphrase).sign([make_pdf("b")], None)
        assert passphrase not in str(caught.value) and NIK_VALID not in str(caught.value)
    standin.mode = None
    bsre.request_seal_totp()
    totp = standin.issued_totp
    BsreSealSigner(bsre, totp).sign([make_pdf("c")], None)
    signer = BsrePersonalSigner(bsre, NIK_VALID, PASSPHRASE)
    assert PASSPHRASE not in repr(signer) and NIK_VALID not in repr(signer)

    records = [r for r in caplog.records if r.name == "lms.certificates.signing.bsre"]
    assert len(records) == 5  # every call logged
    assert "/api/v2/sign/pdf: HTTP 200" in records[0].getMessage()
    assert mask(NIK_VALID) in records[0].getMessage() and "1 berkas" in records[0].getMessage()
    ours = "\n".join(r.getMessage() for r in records)
    assert totp not in ours  # (six digits could occur by chance in a library's hex dump, so only ours)
    for secret in (PASSPHRASE, "passphrase-keliru", NIK_VALID, "rahasia-standin"):
        assert secret not in caplog.text


def test_config_from_settings():
    assert BsreConfig.from_app_config({"BSRE_URL": "", "BSRE_CLIENT_ID": "a", "BSRE_CLIENT_SECRET": "b"}) is None
    config = BsreConfig.from_app_config({"BSRE_URL": "https://esign.contoh.go.id/", "BSRE_CLIENT_ID": "a",
                                         "BSRE_CLIENT_SECRET": "rahasia-klien", "BSRE_TIMEOUT_SECONDS": 30,
                                         "BSRE_SEAL_SUBSCRIBER_ID": " S1 "})
    assert config is not None
    assert (config.base_url, config.timeout, config.seal_subscriber_id) == ("https://esign.contoh.go.id", 30.0, "S1")
    assert "rahasia-klien" not in repr(config)
    assert mask("3578010101800001") == "************0001" and mask("12") == "**"
