"""Verifying signed certificates: the public page and JSON, verify-pdf, and the revoked download's overlay."""

import io
import subprocess

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from lms.certificates import services
from lms.certificates.signing import services as signing
from lms.certificates.signing.local import load_pkcs12
from lms.extensions import db
from tests.certificates.conftest import NOW
from tests.certificates.signing.pki import PASSPHRASE, Authority

SENTENCE = "Ditandatangani secara elektronik oleh Kepala Dinas Uji, pada 22 November 2026 10.00 WIB."


def issue(training):
    return services.issue_all(training, None, NOW, commit=db.session.commit)


@pytest.fixture
def three(finished, queued, flaky):
    """A signed, an unsigned (waiting) and a revoked signed certificate."""
    flaky.failing = False
    flaky.inner = load_pkcs12(Authority(NOW).signer_p12("Kepala Dinas Uji"), PASSPHRASE, NOW)
    signed, unsigned, revoked = issue(finished)[:3]
    signing.sign_batch([signed, revoked], flaky, None, NOW, db.session.commit)
    services.revoke(revoked, "Peserta tidak hadir penuh", None, NOW)
    db.session.commit()
    return signed, unsigned, revoked


def test_verification_page_for_signed_unsigned_and_revoked(client, three):
    signed, unsigned, revoked = three
    page = client.get(f"/verify/{signed.code}").get_data(as_text=True)
    assert "Sah." in page and SENTENCE in page and signed.pdf_sha256 in page
    page = client.get(f"/verify/{unsigned.code}").get_data(as_text=True)
    assert "Sah." in page and "Ditandatangani secara elektronik" not in page
    assert "Belum ditandatangani (menunggu TTE)" in page
    page = client.get(f"/verify/{revoked.code}").get_data(as_text=True)
    assert "Dicabut" in page and "Peserta tidak hadir penuh" in page
    for text in (client.get(f"/verify/{c.code}").get_data(as_text=True) for c in three):
        # The QR code is a link to this page, never called a signature.
        assert "Kode QR pada sertifikat adalah tautan ke halaman ini" in text and "bukan tanda tangan" in text
        assert "QR ditandatangani" not in text and "tanda tangan QR" not in text.lower()


def test_verification_json_for_signed_unsigned_and_revoked(client, three):
    signed, unsigned, revoked = three
    data = client.get(f"/verify/{signed.code}.json").get_json()
    assert data["signed"] is True and data["sign_state"] == "Ditandatangani"
    assert data["signature"] == {"signed_by": "Kepala Dinas Uji", "signed_at": "2026-11-22T03:00:00+00:00",
                                 "signed_on": "22 November 2026 10.00 WIB", "sentence": SENTENCE}
    assert data["pdf_sha256"] == signed.pdf_sha256 != signed.unsigned_sha256
    data = client.get(f"/verify/{unsigned.code}.json").get_json()
    assert data["signed"] is False and data["signature"] is None and data["sign_state"] == "Menunggu TTE"
    data = client.get(f"/verify/{revoked.code}.json").get_json()
    assert data["status"] == "Dicabut" and data["signed"] is True


def test_verify_pdf_validates_the_signature(runner, three, tmp_path, cli_clock, signing_config):
    cli_clock(NOW)
    signed = three[0]
    out = tmp_path / "bertanda-tangan.pdf"
    out.write_bytes(services.pdf_bytes(signed))
    # Not trusted until the signer's root is configured (it is not our local key's).
    untrusted = runner.invoke(args=["certificates", "verify-pdf", str(out)])
    assert untrusted.exit_code != 0 and "bukan identitas tanda tangan yang dipercaya" in untrusted.output
    root = tmp_path / "akar.pem"
    root.write_bytes(Authority(NOW).root_pem)  # another CA: still not trusted
    signing_config["SIGNING_TRUST_ROOTS"] = (str(root),)
    assert runner.invoke(args=["certificates", "verify-pdf", str(out)]).exit_code != 0


def test_verify_pdf_with_the_local_key(runner, finished, local_key, authority, tmp_path, cli_clock):
    cli_clock(NOW)
    certificate = issue(finished)[0]
    out = tmp_path / "sah.pdf"
    out.write_bytes(services.pdf_bytes(certificate))
    result = runner.invoke(args=["certificates", "verify-pdf", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tanda tangan TTE: oleh Kepala Dinas Uji (penerbit sertifikatnya: CA Uji Diskominfo)" in result.output
    assert "Keutuhan: utuh" in result.output and "Penanda tangan: terpercaya" in result.output
    assert "Cap waktu (RFC 3161): tidak ada (PAdES B-B)" in result.output
    assert "Diubah setelah ditandatangani: tidak" in result.output
    assert f"Sah: berkas asli sertifikat {certificate.number}" in result.output
    assert "ditandatangani secara elektronik" in result.output


def test_verify_pdf_detects_a_change_after_signing(runner, finished, local_key, tmp_path, cli_clock):
    cli_clock(NOW)
    certificate = issue(finished)[0]
    pdf = services.pdf_bytes(certificate)
    # An incremental update after the signature: the page's text replaced by an editor.
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 300 Td (Nama lain) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    changed = tmp_path / "diubah.pdf"
    changed.write_bytes(buffer.getvalue())
    result = runner.invoke(args=["certificates", "verify-pdf", str(changed)])
    assert result.exit_code != 0
    assert "Diubah setelah ditandatangani: YA" in result.output
    # Bytes inside the signed range changed: the signature no longer matches.
    index = pdf.index(certificate.number.encode()) if certificate.number.encode() in pdf else pdf.index(b"/Title")
    broken = tmp_path / "rusak.pdf"
    broken.write_bytes(pdf[:index] + b"X" + pdf[index + 1:])
    result = runner.invoke(args=["certificates", "verify-pdf", str(broken)])
    assert result.exit_code != 0 and ("RUSAK" in result.output or "TIDAK sama" in result.output)


def test_verify_pdf_refuses_a_signature_by_another_signer(runner, finished, local_key, tmp_path, cli_clock):
    cli_clock(NOW)
    certificate = issue(finished)[0]
    stranger = load_pkcs12(Authority(NOW, "CA Asing").signer_p12("Orang Lain"), PASSPHRASE, NOW)
    signed = services.pdf_bytes(certificate)
    # Our signature is an incremental update: the bytes up to the previous %%EOF are the PDF as rendered.
    rendered = signed[:signed.rindex(b"%%EOF", 0, len(signed) - 10) + 5] + b"\n"
    assert services.unsigned_copy_of(rendered) == certificate
    # Someone signs that rendered certificate with their own key, from another CA.
    unsigned_copy = tmp_path / "asing.pdf"
    unsigned_copy.write_bytes(stranger.sign([rendered], None)[0])
    result = runner.invoke(args=["certificates", "verify-pdf", str(unsigned_copy)])
    assert result.exit_code != 0 and "oleh Orang Lain" in result.output
    assert "tanda tangannya bukan tanda tangan sertifikat LMS ini" in result.output


def pdf_text(pdf):
    return ["\n".join(filter(None, [page.extract_text()])) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_revoked_download_carries_the_overlay_on_every_page(client, auth, make_user, three, tmp_path):
    signed, unsigned, revoked = three
    auth.login_as(make_user(role="admin", email="penyelenggara@contoh.go.id"))
    stored = services.pdf_bytes(revoked)
    download = client.get(f"/certificates/{revoked.id}.pdf")
    assert download.status_code == 200 and download.data != stored
    pages = pdf_text(download.data)
    assert len(pages) == len(PdfReader(io.BytesIO(stored)).pages) == 2
    for text in pages:
        assert "DICABUT" in text and "SERTIFIKAT INI DICABUT pada 22 November 2026" in text
        assert "Alasan: Peserta tidak hadir penuh" in text
    db.session.expire_all()
    assert services.pdf_bytes(revoked) == stored  # the record keeps the bytes as issued and signed
    valid = client.get(f"/certificates/{signed.id}.pdf")
    assert valid.data == services.pdf_bytes(signed)
    assert all("DICABUT" not in text for text in pdf_text(valid.data))
    # Rendered, the first page shows the overlay (pdftoppm, as an admin would look at it).
    path = tmp_path / "dicabut.pdf"
    path.write_bytes(download.data)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True)
    from PIL import Image

    pixels = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB").tobytes()
    reds = sum(1 for i in range(0, len(pixels), 3) if pixels[i] > 150 and pixels[i + 1] < 120 and pixels[i + 2] < 120)
    assert reds > 200
