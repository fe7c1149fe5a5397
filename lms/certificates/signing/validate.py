"""Checking the signatures in a PDF with pyHanko's validator: intact, by whom, when, changed after."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


@dataclass(frozen=True)
class SignatureCheck:
    """What the validator found for one signature of the file."""

    field: str
    signer: str  # the signing certificate's holder (common name)
    issuer: str
    fingerprint: str  # SHA-256 of the signing certificate, hex
    intact: bool  # the signed bytes are unchanged and the cryptographic signature is right
    trusted: bool  # the signer's certificate leads to a trusted root (when roots are configured)
    signed_at: datetime | None  # the time the signer claims, or the timestamp's
    timestamped: bool  # an RFC 3161 signature timestamp is present (PAdES B-T)
    timestamp_ok: bool
    changed_after: bool  # the file has content added after this signature (beyond harmless updates)
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and not self.changed_after


def load_roots(paths: Iterable[str | Path]) -> list[asn1_x509.Certificate]:
    """Read trusted root certificates (PEM or DER files)."""
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        data = Path(path).read_bytes()
        if pem.detect(data):
            roots.extend(asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def signed_by(pdf: bytes) -> str | None:
    """Return the holder of the last signature's certificate, or None for a PDF without a signature."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError):
        return None
    if not signatures:
        return None
    return _common_name(signatures[-1].signer_cert)


def check_pdf(pdf: bytes, roots: Iterable[asn1_x509.Certificate] = (),
              moment: datetime | None = None) -> list[SignatureCheck]:
    """Validate every signature of the PDF; an empty list for a PDF that is not signed.

    Raises ValueError for bytes that are not a readable PDF.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, KeyError) as exc:
        raise ValueError(f"berkas bukan PDF yang dapat dibaca: {exc}") from None
    roots = list(roots)
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    checks = []
    for signature in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment,
                                    revocation_mode="soft-fail")
        status: Any = validate_pdf_signature(signature, context, key_usage_settings=usage)
        stamp = status.timestamp_validity
        cert = status.signing_cert
        changed = status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not status.docmdp_ok
        checks.append(SignatureCheck(
            field=signature.field_name, signer=_common_name(cert), issuer=_common_name_of(cert.issuer),
            fingerprint=cert.sha256.hex(), intact=bool(status.intact and status.valid),
            trusted=bool(roots) and bool(status.trusted),
            signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
            timestamped=stamp is not None, timestamp_ok=bool(stamp and stamp.intact and stamp.valid),
            changed_after=changed, summary=status.summary()))
    return checks


def _common_name(cert: asn1_x509.Certificate) -> str:
    return _common_name_of(cert.subject)


def _common_name_of(name: asn1_x509.Name) -> str:
    native = name.native
    return str(native.get("common_name") or name.human_friendly)
