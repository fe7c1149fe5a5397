"""Signing with a local key: a PKCS#12 file and its passphrase, PAdES through pyHanko.

The file's path and passphrase come from instance/config.py or the environment
(LMS_SIGNING_PKCS12, LMS_SIGNING_PASSPHRASE or LMS_SIGNING_PASSPHRASE_FILE): never from the
database, and neither is ever logged. With LMS_SIGNING_TIMESTAMP_URL (an RFC 3161 server) the
signatures are PAdES B-T; without it, or when that server cannot be reached, PAdES B-B.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from lms.certificates.signing import SignatureBox, SigningError
from lms.dates import format_date

log = logging.getLogger(__name__)

FIELD_NAME = "TTE"
TIMESTAMP_TIMEOUT = 10  # seconds
# Room for a signature without a timestamp: a key, its chain and the CMS structure fit easily;
# giving it saves pyHanko a trial signature per PDF. With a timestamp pyHanko estimates the size.
RESERVED = 16384
# What the visible appearance says; %(signer)s and %(ts)s are filled in by pyHanko.
STAMP_TEXT = "Ditandatangani secara elektronik oleh\n%(signer)s\n%(ts)s"


@dataclass(frozen=True)
class Identity:
    """Who signs: the certificate's holder, its issuer and its validity, for messages and the record."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    fingerprint: str  # SHA-256 of the certificate (DER), hex


def describe(certificate: x509.Certificate) -> Identity:
    return Identity(_name(certificate.subject), _name(certificate.issuer), certificate.not_valid_before_utc,
                    certificate.not_valid_after_utc, certificate.fingerprint(hashes.SHA256()).hex())


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(common[0].value) if common else name.rfc4514_string()


def check_certificate(certificate: x509.Certificate, key: Any, now: datetime) -> Identity:
    """Refuse a signing certificate that is not valid at `now` or whose key may not sign documents."""
    identity = describe(certificate)
    _check_dates(identity, now)
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey,
                            ed448.Ed448PrivateKey)):
        raise SigningError("Kunci dalam berkas PKCS#12 bukan kunci tanda tangan (RSA, EC atau EdDSA).")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise SigningError(f"Sertifikat {identity.subject} tidak boleh dipakai untuk tanda tangan: penggunaan "
                           "kuncinya (key usage) tidak memuat digitalSignature atau nonRepudiation.")
    try:
        purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        purposes = None
    allowed = {x509.ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ExtendedKeyUsageOID.CODE_SIGNING,
               x509.ObjectIdentifier("1.2.840.113583.1.1.5"),  # Adobe authentic documents
               x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),  # Microsoft document signing
               x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # document signing (RFC 9336)
               x509.ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
    if purposes is not None and not allowed.intersection(purposes):
        raise SigningError(f"Sertifikat {identity.subject} hanya untuk keperluan lain (extended key usage), "
                           "bukan penandatanganan dokumen.")
    return identity


def _check_dates(identity: Identity, now: datetime) -> None:
    if now < identity.not_before:
        raise SigningError(f"Sertifikat penanda tangan ({identity.subject}) baru berlaku mulai "
                           f"{format_date(identity.not_before.date())}; belum dapat dipakai menandatangani.")
    if now > identity.not_after:
        raise SigningError(f"Sertifikat penanda tangan ({identity.subject}) kedaluwarsa pada "
                           f"{format_date(identity.not_after.date())}; minta sertifikat baru ke penerbitnya.")


@dataclass
class LocalSigner:
    """A Signer with a key held in this process (see the module's docstring)."""

    signer: signers.SimpleSigner
    identity: Identity
    timestamper: TimeStamper | None = None
    reason: str = "Sertifikat pelatihan"
    location: str = ""
    label: str = "Kunci lokal (PKCS#12)"
    # Set once the timestamp server failed in this process's batch: the rest is signed B-B at once.
    timestamp_failed: bool = field(default=False, init=False)

    @property
    def signer_name(self) -> str:
        """Whose certificate signs (its common name), as the record and the verification page show it."""
        return self.identity.subject

    def check(self, now: datetime) -> None:
        """Refuse to sign outside the certificate's validity (checked again before every use)."""
        _check_dates(self.identity, now)

    def sign(self, pdfs: Sequence[bytes], box: SignatureBox | None) -> list[bytes]:
        return [self.sign_one(pdf, box) for pdf in pdfs]

    def sign_one(self, pdf: bytes, box: SignatureBox | None) -> bytes:
        stamper = None if self.timestamp_failed else self.timestamper
        try:
            return self._sign(pdf, box, stamper)
        except TimestampRequestError as exc:
            self.timestamp_failed = True
            log.warning("timestamp server unreachable, signing PAdES B-B without a timestamp: %s", exc)
            return self._sign(pdf, box, None)

    def _sign(self, pdf: bytes, box: SignatureBox | None, timestamper: TimeStamper | None) -> bytes:
        meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256", reason=self.reason,
                                            location=self.location or None)
        spec = fields.SigFieldSpec(FIELD_NAME, on_page=box.page if box else 0,
                                   box=_points(box) if box and box.visible else None)
        style = TextStampStyle(stamp_text=STAMP_TEXT, border_width=0, timestamp_format="%d-%m-%Y %H:%M %Z")
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            pdf_signer = signers.PdfSigner(meta, self.signer, timestamper=timestamper, stamp_style=style,
                                           new_field_spec=spec)
            signed = pdf_signer.sign_pdf(writer, bytes_reserved=None if timestamper else RESERVED)
        except (PdfError, ValueError, KeyError) as exc:
            raise SigningError(f"Berkas PDF sertifikat tidak dapat ditandatangani: {exc}") from None
        return signed.getvalue()  # type: ignore[no-any-return]


def _points(box: SignatureBox) -> tuple[int, int, int, int]:
    return round(box.x1), round(box.y1), round(box.x2), round(box.y2)


def load_pkcs12(data: bytes, passphrase: bytes | None, now: datetime, where: str = "berkas PKCS#12",
                timestamper: TimeStamper | None = None) -> LocalSigner:
    """Open a PKCS#12 archive and check its certificate, or raise SigningError saying what is wrong."""
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError):
        if not passphrase:
            raise SigningError(f"{where.capitalize()} dilindungi kata sandi (atau bukan PKCS#12 yang sah); isi "
                               "LMS_SIGNING_PASSPHRASE_FILE atau LMS_SIGNING_PASSPHRASE.") from None
        raise SigningError(f"Kata sandi {where} salah, atau berkas itu bukan PKCS#12 (.p12/.pfx) yang sah.") from None
    if key is None or certificate is None:
        raise SigningError(f"{where} tidak memuat kunci privat beserta sertifikatnya.")
    identity = check_certificate(certificate, key, now)
    store = SimpleCertificateStore()
    store.register_multiple([asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in extra])
    signer = _KeptKeySigner(key, signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
                            signing_key=translate_pyca_cryptography_key_to_asn1(key), cert_registry=store)
    return LocalSigner(signer, identity, timestamper)


class _KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, keeping the loaded private key.

    SimpleSigner loads (and so checks) the key from its DER form for every signature, which costs
    far more than the signature itself with RSA; the key here was loaded and checked once.
    """

    def __init__(self, key: Any, **options: Any) -> None:
        super().__init__(**options)
        self._kept = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            name = mechanism.signature_algo
        except ValueError:
            name = mechanism["algorithm"].native
        key, digest = self._kept, get_pyca_cryptography_hash(digest_algorithm)
        if name == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if name == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        if name in ("ed25519", "ed448") and isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)  # type: ignore[no-any-return]


def from_config(config: Mapping[str, Any], now: datetime) -> LocalSigner | None:
    """Return the local signer configured (SIGNING_PKCS12 and its passphrase), None when there is none."""
    path_text = str(config.get("SIGNING_PKCS12") or "").strip()
    if not path_text:
        return None
    path = Path(path_text)
    if not path.is_file():
        raise SigningError(f"Berkas kunci tanda tangan {path.name} (LMS_SIGNING_PKCS12) tidak ditemukan.")
    url = str(config.get("SIGNING_TIMESTAMP_URL") or "").strip()
    timestamper = HTTPTimeStamper(url, timeout=TIMESTAMP_TIMEOUT) if url else None
    signer = load_pkcs12(path.read_bytes(), passphrase(config), now, f"berkas kunci {path.name}", timestamper)
    signer.location = str(config.get("SIGNING_LOCATION") or "")
    return signer


def chain_of(config: Mapping[str, Any]) -> list[asn1_x509.Certificate]:
    """Return the configured PKCS#12's certificates (its own and its chain), unchecked; [] when unreadable."""
    path_text = str(config.get("SIGNING_PKCS12") or "").strip()
    try:
        if not path_text:
            return []
        _, certificate, extra = pkcs12.load_key_and_certificates(Path(path_text).read_bytes(), passphrase(config))
    except (OSError, ValueError, TypeError, SigningError):
        return []
    found = ([certificate] if certificate else []) + list(extra)
    return [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in found]


def passphrase(config: Mapping[str, Any]) -> bytes | None:
    """Return the passphrase: SIGNING_PASSPHRASE, else the first line of SIGNING_PASSPHRASE_FILE."""
    value = config.get("SIGNING_PASSPHRASE")
    if value:
        return str(value).encode()
    file_text = str(config.get("SIGNING_PASSPHRASE_FILE") or "").strip()
    if not file_text:
        return None
    try:
        lines = Path(file_text).read_text(encoding="utf-8").splitlines()
    except OSError:
        raise SigningError(f"Berkas kata sandi {Path(file_text).name} (LMS_SIGNING_PASSPHRASE_FILE) tidak "
                           "dapat dibaca.") from None
    return lines[0].encode() if lines else b""
