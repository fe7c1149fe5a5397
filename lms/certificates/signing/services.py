"""Signing as a step of issuing: which signer is configured, and signing stored certificates in batches.

A certificate is issued "none" (no signing configured), "pending" (Menunggu TTE: signing is queued,
for BSrE or a laptop without the key) or signed at once with the local key. ``sign_batch`` signs
stored certificates with any ``Signer``: it reads the PDFs, signs them outside any write
transaction, then stores the signed bytes in one short write, each only if the certificate is
still valid and unchanged meanwhile. A SigningError leaves every certificate as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.audit import services as audit
from lms.certificates.models import Certificate
from lms.certificates.signing import SignatureBox, Signer, SigningError, local
from lms.certificates.signing.validate import signed_by
from lms.db_types import affected_rows, writing
from lms.errors import ValidationFailed
from lms.extensions import db

log = logging.getLogger(__name__)

SIGNABLE = ("none", "pending")


# ---------------------------------------------------------------- the configured identity


def local_signer(now: datetime) -> local.LocalSigner | None:
    """Return the configured local signer (checked valid at `now`), None when none is configured.

    The PKCS#12 file is read once per process and again when it changes on disk; the certificate's
    validity is checked on every call. Raises SigningError for a wrong passphrase, an expired or
    not-yet-valid certificate, or a key that may not sign.
    """
    config = current_app.config
    path = str(config.get("SIGNING_PKCS12") or "").strip()
    if not path:
        return None
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError:
        stamp = 0
    cache = current_app.extensions.setdefault("lms_signing", {})
    secret = hashlib.sha256(repr((config.get("SIGNING_PASSPHRASE"), config.get("SIGNING_PASSPHRASE_FILE")))
                            .encode()).hexdigest()  # a changed passphrase setting loads the file again
    key = (path, stamp, secret, str(config.get("SIGNING_TIMESTAMP_URL") or ""))
    signer = cache.get(key)
    if signer is None:
        signer = local.from_config(config, now)
        cache.clear()
        cache[key] = signer
    else:
        signer.check(now)
    return signer  # type: ignore[no-any-return]


@dataclass(frozen=True)
class IssueSigning:
    """How certificates issued now are signed: their first state, and the signer when signed at once."""

    state: str  # "none", "pending" or "signed"
    signer: Signer | None = None
    problem: str = ""  # why certificates wait although a local key is configured


def for_issue(now: datetime) -> IssueSigning:
    """Return how issuing signs right now (read from the configuration, see the module's docstring)."""
    config = current_app.config
    if config.get("SIGNING_QUEUE"):
        return IssueSigning("pending")
    try:
        signer = local_signer(now)
    except SigningError as exc:
        log.warning("certificates are queued for signing: the local key cannot sign (%s)", exc.message)
        return IssueSigning("pending", problem=exc.message)
    return IssueSigning("signed", signer) if signer else IssueSigning("none")


def trust_roots() -> list[Any]:
    """Return the roots verify-pdf trusts: the configured ones and the local key's own chain.

    The local key's certificates are trusted even once expired: what it signed while valid stays sound.
    """
    from lms.certificates.signing.validate import load_roots

    return load_roots(current_app.config.get("SIGNING_TRUST_ROOTS") or ()) + local.chain_of(current_app.config)


def sign_after_issue(certificate: Certificate, actor: User | None, now: datetime) -> Certificate:
    """Sign a certificate just issued and committed, when issuing signs at once (a single issue).

    A single issue renders inside its numbering transaction; its signature is added afterwards,
    outside it, in a short write of its own. Left waiting (Menunggu TTE) when the key fails now.
    """
    if certificate.sign_state != "pending" or current_app.config.get("SIGNING_QUEUE"):
        return certificate
    try:
        signer = local_signer(now)
        if signer is not None:
            sign_batch([certificate], signer, actor, now, db.session.commit)
    except SigningError as exc:
        log.warning("certificate %s left waiting for signing: %s", certificate.number, exc.message)
        db.session.rollback()
    return certificate


# ---------------------------------------------------------------- signing at issue


def box_of(certificate: Certificate) -> SignatureBox:
    page, x1, y1, x2, y2 = (certificate.signature_box or [0, 0, 0, 0, 0])
    from lms.certificates.services import layout

    return SignatureBox(int(page), x1, y1, x2, y2, visible=layout().signature.visible and x2 > x1)


def sign_rendered(certificate: Certificate, signing: IssueSigning, now: datetime) -> None:
    """Set a certificate just rendered (not yet stored) to its first signing state, signing it at once if so.

    A local key that fails now leaves the certificate waiting (Menunggu TTE): issuing never fails for it.
    """
    certificate.unsigned_sha256 = certificate.pdf_sha256
    certificate.sign_state = "none" if signing.state == "none" else "pending"
    if signing.state != "signed" or signing.signer is None:
        return
    try:
        signed = _signed(signing.signer, [certificate.pdf], box_of(certificate))[0]
    except SigningError as exc:
        log.warning("certificate %s left waiting for signing: %s", certificate.number, exc.message)
        return
    certificate.pdf, certificate.pdf_sha256 = signed.pdf, signed.sha256
    certificate.sign_state, certificate.signed_at = "signed", now
    certificate.signed_by, certificate.signer_label = signed.by, signing.signer.label


def audit_signed(certificate: Certificate, actor: User | None, now: datetime) -> None:
    audit.record(actor, "certificate.sign", "certificate", certificate.id,
                 {"number": certificate.number, "signer": certificate.signer_label, "signed_by": certificate.signed_by,
                  "sha256": certificate.pdf_sha256}, now)


# ---------------------------------------------------------------- signing stored certificates


@dataclass(frozen=True)
class _Signed:
    pdf: bytes
    sha256: str
    by: str


def _signed(signer: Signer, pdfs: Sequence[bytes], box: SignatureBox | None) -> list[_Signed]:
    """Sign through `signer`, refusing an answer that is not one signed PDF per PDF given."""
    out = signer.sign(pdfs, box)
    if len(out) != len(pdfs):
        raise SigningError(f"{signer.label} mengembalikan {len(out)} berkas untuk {len(pdfs)} sertifikat; "
                           "tidak ada yang disimpan.", retry=True)
    result = []
    known = getattr(signer, "signer_name", None)
    for original, pdf in zip(pdfs, out, strict=True):
        # A signer that names its identity and appended a signature to the PDF given needs no parsing.
        appended = known and pdf.startswith(original) and b"/ByteRange" in pdf[len(original):]
        by = known if appended else signed_by(pdf)
        if by is None:
            raise SigningError(f"{signer.label} mengembalikan berkas tanpa tanda tangan elektronik; tidak ada "
                               "yang disimpan.", retry=True)
        result.append(_Signed(pdf, hashlib.sha256(pdf).hexdigest(), by))
    return result


def check_signable(certificate: Certificate) -> None:
    """Refuse a revoked or an already signed certificate, saying which."""
    if certificate.status == "revoked":
        raise ValidationFailed(f"Sertifikat {certificate.number} sudah dicabut; sertifikat yang dicabut tidak "
                               "ditandatangani.")
    if certificate.sign_state == "signed":
        raise ValidationFailed(f"Sertifikat {certificate.number} sudah ditandatangani.")


def sign_batch(certificates: Sequence[Certificate], signer: Signer, actor: User | None, now: datetime,
               commit: Callable[[], None] | None = None) -> list[Certificate]:
    """Sign stored certificates with `signer`; return those signed and stored.

    Refuses (ValidationFailed, nothing done) a batch with a revoked or already signed certificate.
    The PDFs are signed outside any write transaction: with `commit`, the read is ended before
    signing and the result is stored in one short write that is committed at once; without it,
    everything stays in the caller's transaction. On SigningError nothing is stored: the
    certificates stay waiting, and the failure is audited. A certificate revoked or re-signed while
    its batch was being signed is left out.
    """
    for certificate in certificates:
        check_signable(certificate)
    if not certificates:
        return []
    ids = [c.id for c in certificates]
    stored = {row.id: (row.pdf, row.pdf_sha256) for row in db.session.execute(
        select(Certificate.id, Certificate.pdf, Certificate.pdf_sha256).where(Certificate.id.in_(ids)))}
    if commit:
        commit()  # end the read transaction: nothing is held while signing
    groups: dict[SignatureBox, list[Certificate]] = {}
    for certificate in certificates:
        groups.setdefault(box_of(certificate), []).append(certificate)
    results: dict[int, _Signed] = {}
    try:
        for box, members in groups.items():
            for certificate, signed in zip(members, _signed(signer, [stored[c.id][0] for c in members], box),
                                           strict=True):
                results[certificate.id] = signed
    except SigningError as exc:
        _audit_failure(certificates, signer, actor, now, exc, commit)
        raise
    done = []
    with _writes(commit):
        for certificate in certificates:
            signed = results[certificate.id]
            changed = affected_rows(db.session.execute(
                update(Certificate).where(Certificate.id == certificate.id, Certificate.status == "valid",
                                          Certificate.sign_state.in_(SIGNABLE),
                                          Certificate.pdf_sha256 == stored[certificate.id][1])
                .values(pdf=signed.pdf, pdf_sha256=signed.sha256, sign_state="signed", signed_at=now,
                        signed_by=signed.by[:300], signer_label=signer.label[:100])
                .execution_options(synchronize_session=False)))
            if changed == 1:
                done.append(certificate)
        for certificate in done:
            db.session.refresh(certificate)
            audit_signed(certificate, actor, now)
        db.session.flush()
        if commit:
            commit()
    return done


def _audit_failure(certificates: Sequence[Certificate], signer: Signer, actor: User | None, now: datetime,
                   exc: SigningError, commit: Callable[[], None] | None) -> None:
    if commit is None:
        return  # the caller's transaction is about to be rolled back with the error
    with writing():
        audit.record(actor, "certificate.sign_failed", "training", certificates[0].training_id,
                     {"count": len(certificates), "signer": signer.label, "message": exc.message}, now)
        commit()


def _writes(commit: Callable[[], None] | None) -> AbstractContextManager[None]:
    return writing() if commit else nullcontext()


def pending_ids(training_id: int) -> list[int]:
    """Return the ids of a training's valid certificates not yet signed, in number order."""
    return list(db.session.scalars(select(Certificate.id).where(
        Certificate.training_id == training_id, Certificate.status == "valid",
        Certificate.sign_state.in_(SIGNABLE)).order_by(Certificate.seq)))


def counts(training_id: int) -> dict[str, int]:
    """Return how many valid certificates of the training are in each signing state."""
    from sqlalchemy import func

    rows = db.session.execute(select(Certificate.sign_state, func.count()).where(
        Certificate.training_id == training_id, Certificate.status == "valid").group_by(Certificate.sign_state))
    found = {state: 0 for state in ("none", "pending", "signed")}
    found.update({state: int(n) for state, n in rows})
    return found
