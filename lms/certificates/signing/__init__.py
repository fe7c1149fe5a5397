"""Electronic signatures on certificate PDFs (PAdES through pyHanko, or BSrE's Esign service).

Every backend is a ``Signer``: it takes a batch of unsigned PDFs and returns the same number of
signed PDFs in the same order, or raises ``SigningError`` and changes nothing (the batch stays
queued). A backend never stores or logs a passphrase, a PIN or a TOTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class SigningError(Exception):
    """Signing failed; ``message`` is the Indonesian sentence shown to the admin.

    ``retry`` says whether trying the same batch again later may succeed (a service that was
    unreachable) or whether someone must change something first (a wrong passphrase).
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


@dataclass(frozen=True)
class SignatureBox:
    """Where the signature goes: page index (0-based) and a box in PDF points, origin bottom left."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float
    visible: bool = False


class Signer(Protocol):
    """A way to sign: local PKCS#12 key, BSrE personal signature, or BSrE institutional seal."""

    #: Shown in the UI and the audit log, e.g. "Kunci lokal (PKCS#12)" or "BSrE: segel elektronik".
    label: str

    def sign(self, pdfs: Sequence[bytes], box: SignatureBox | None) -> list[bytes]:
        """Sign every PDF of the batch (same order), or raise SigningError and return nothing."""
        ...


# Optional on a Signer: ``signer_name: str``, the signing certificate's holder, when the backend knows
# it for every PDF it signs (the local key does). Then a returned PDF that is the one given with a
# signature appended is recorded as signed by that name without parsing it; otherwise (and always
# for a backend without it) the signer is read from the returned PDF's last signature.
