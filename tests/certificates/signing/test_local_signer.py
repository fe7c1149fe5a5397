"""The local PKCS#12 signer: PAdES B-B and B-T checked by pyHanko's own validator, and bad keys refused."""

import io
import logging
from datetime import timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.signing import SignatureBox, SigningError
from lms.certificates.signing.local import from_config, load_pkcs12
from lms.certificates.signing.validate import check_pdf
from tests.certificates.conftest import NOW
from tests.certificates.signing.pki import PASSPHRASE, Authority

BOX = SignatureBox(0, 560, 80, 710, 124, visible=True)


def plain_pdf(pages=2):
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(842, 595))
    for n in range(pages):
        canvas.drawString(72, 500, f"Sertifikat uji, halaman {n + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def validated(pdf, authority):
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[authority.root.asn1], allow_fetching=False)
    return signature, validate_pdf_signature(signature, context)


def test_pades_b_b_validates_with_pyhanko(authority):
    signer = load_pkcs12(authority.signer_p12("Kepala Dinas Uji"), PASSPHRASE, NOW)
    original = plain_pdf()
    signed = signer.sign([original], BOX)[0]
    assert signed.startswith(original)  # an incremental update: the rendered PDF is kept as it was
    signature, status = validated(signed, authority)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "Kepala Dinas Uji"
    assert status.timestamp_validity is None  # B-B: no signature timestamp
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert signature.signed_data["encap_content_info"]["content"].native is None  # detached


def test_pades_b_t_with_a_local_timestamp_unit(authority):
    signer = load_pkcs12(authority.signer_p12(), PASSPHRASE, NOW, timestamper=authority.timestamper())
    signed = signer.sign([plain_pdf()], None)[0]
    _, status = validated(signed, authority)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert status.timestamp_validity.timestamp == NOW
    [check] = check_pdf(signed, [authority.root.asn1])
    assert check.timestamped and check.timestamp_ok and check.signed_at == NOW


class Unreachable:
    """A timestamp server that cannot be reached (no network on the laptop)."""

    async def async_timestamp(self, *args, **kwargs):
        raise TimestampRequestError("tidak ada jaringan")

    async def async_dummy_response(self, *args, **kwargs):
        raise TimestampRequestError("tidak ada jaringan")


def test_without_network_the_signature_is_b_b(authority, caplog):
    signer = load_pkcs12(authority.signer_p12(), PASSPHRASE, NOW, timestamper=Unreachable())  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        first, second = signer.sign([plain_pdf(), plain_pdf(1)], None)
    for pdf in (first, second):
        [check] = check_pdf(pdf, [authority.root.asn1])
        assert check.ok and not check.timestamped
    assert "B-B" in caplog.text


def test_visible_appearance_sits_in_the_signature_box(authority):
    signer = load_pkcs12(authority.signer_p12(), PASSPHRASE, NOW)
    visible = PdfFileReader(io.BytesIO(signer.sign([plain_pdf()], BOX)[0])).embedded_signatures[0]
    rect = [float(v) for v in visible.sig_field["/Rect"]]
    assert rect == [560, 80, 710, 124]
    invisible = signer.sign([plain_pdf()], SignatureBox(0, 560, 80, 710, 124, visible=False))[0]
    field = PdfFileReader(io.BytesIO(invisible)).embedded_signatures[0].sig_field
    assert [float(v) for v in field["/Rect"]] == [0, 0, 0, 0]


def test_wrong_passphrase(authority):
    with pytest.raises(SigningError, match="Kata sandi berkas PKCS#12 salah"):
        load_pkcs12(authority.signer_p12(), b"bukan-sandinya", NOW)


def test_expired_and_not_yet_valid_certificates(authority):
    expired = authority.signer_p12(days_before=400, days_after=-1)
    with pytest.raises(SigningError, match=r"kedaluwarsa pada 21 November 2026"):
        load_pkcs12(expired, PASSPHRASE, NOW)
    future = authority.signer_p12(days_before=-10, days_after=365)
    with pytest.raises(SigningError, match=r"baru berlaku mulai 2 Desember 2026"):
        load_pkcs12(future, PASSPHRASE, NOW)
    # The same key becomes unusable once its day has passed, though it loaded before.
    signer = load_pkcs12(authority.signer_p12(days_after=10), PASSPHRASE, NOW)
    with pytest.raises(SigningError, match="kedaluwarsa"):
        signer.check(NOW + timedelta(days=11))


def test_a_key_that_may_not_sign_is_refused(authority):
    encipher_only = authority.issue("Server Uji", signing=False).pkcs12([authority.root.certificate])
    with pytest.raises(SigningError, match="key usage"):
        load_pkcs12(encipher_only, PASSPHRASE, NOW)
    timestamping = authority.issue("TSA Uji", timestamping=True).pkcs12([authority.root.certificate])
    with pytest.raises(SigningError, match="extended key usage"):
        load_pkcs12(timestamping, PASSPHRASE, NOW)


def test_configuration_messages_name_the_setting_and_never_the_passphrase(authority, tmp_path, caplog):
    assert from_config({}, NOW) is None
    with pytest.raises(SigningError, match=r"tte\.p12 \(LMS_SIGNING_PKCS12\) tidak ditemukan"):
        from_config({"SIGNING_PKCS12": str(tmp_path / "tte.p12")}, NOW)
    path = tmp_path / "tte.p12"
    path.write_bytes(authority.signer_p12())
    with pytest.raises(SigningError, match="LMS_SIGNING_PASSPHRASE"):
        from_config({"SIGNING_PKCS12": str(path)}, NOW)
    with pytest.raises(SigningError, match=r"sandi-hilang \(LMS_SIGNING_PASSPHRASE_FILE\)"):
        from_config({"SIGNING_PKCS12": str(path), "SIGNING_PASSPHRASE_FILE": str(tmp_path / "sandi-hilang")}, NOW)
    with caplog.at_level(logging.DEBUG), pytest.raises(SigningError) as raised:
        from_config({"SIGNING_PKCS12": str(path), "SIGNING_PASSPHRASE": "salah-sandi-rahasia"}, NOW)
    assert "salah-sandi-rahasia" not in raised.value.message and "salah-sandi-rahasia" not in caplog.text
    signer = from_config({"SIGNING_PKCS12": str(path), "SIGNING_PASSPHRASE": PASSPHRASE.decode()}, NOW)
    assert signer is not None and signer.identity.subject == "Kepala Dinas Uji"


def test_another_ca_is_not_trusted():
    mine, theirs = Authority(NOW, "CA Kami"), Authority(NOW, "CA Lain")
    signer = load_pkcs12(theirs.signer_p12("Orang Lain"), PASSPHRASE, NOW)
    [check] = check_pdf(signer.sign([plain_pdf()], None)[0], [mine.root.asn1])
    assert check.intact and not check.trusted and check.signer == "Orang Lain"
