"""Signing fixtures: a test CA made here, a local PKCS#12 key configured for the app, fake signers."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from lms.certificates.signing import SignatureBox, SigningError
from lms.certificates.signing.local import load_pkcs12
from tests.certificates.conftest import NOW
from tests.certificates.signing.pki import PASSPHRASE, Authority

KEYS = ("SIGNING_PKCS12", "SIGNING_PASSPHRASE", "SIGNING_PASSPHRASE_FILE", "SIGNING_TIMESTAMP_URL",
        "SIGNING_QUEUE", "SIGNING_TRUST_ROOTS")


@pytest.fixture
def authority():
    return Authority(NOW)


@pytest.fixture
def signing_config(app):
    """Restore the signing settings (and the cached key) after a test changes them."""
    saved = {key: app.config.get(key) for key in KEYS}
    app.extensions.pop("lms_signing", None)
    yield app.config
    app.config.update(saved)
    app.extensions.pop("lms_signing", None)


@pytest.fixture
def local_key(signing_config, authority, tmp_path):
    """Configure a local key (file + passphrase file) whose certificate the test CA issued."""
    path = tmp_path / "tte.p12"
    path.write_bytes(authority.signer_p12())
    phrase = tmp_path / "sandi-tte"
    phrase.write_text(PASSPHRASE.decode() + "\n", encoding="utf-8")
    signing_config.update(SIGNING_PKCS12=str(path), SIGNING_PASSPHRASE="", SIGNING_PASSPHRASE_FILE=str(phrase))
    return path


@pytest.fixture
def queued(signing_config):
    """New certificates wait for TTE (BSrE, or a laptop without the key)."""
    signing_config["SIGNING_QUEUE"] = True


class FlakySigner:
    """A Signer that fails while `failing` is set (a service unreachable), else signs with a real key."""

    label = "Penanda tangan uji"

    def __init__(self, authority: Authority, failing: bool = True) -> None:
        self.inner = load_pkcs12(authority.signer_p12("Segel Uji"), PASSPHRASE, NOW)
        self.failing = failing
        self.calls = 0

    def sign(self, pdfs: Sequence[bytes], box: SignatureBox | None) -> list[bytes]:
        self.calls += 1
        if self.failing:
            raise SigningError("Layanan tanda tangan tidak dapat dihubungi.", retry=True)
        return self.inner.sign(pdfs, box)


@pytest.fixture
def flaky(authority):
    return FlakySigner(authority)
