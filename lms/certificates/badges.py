"""Open Badges 3.0: a certificate as a signed, portable Verifiable Credential, and its revocation status.

Each valid certificate becomes an `OpenBadgeCredential` (W3C VC Data Model 2.0 with the 1EdTech
OB 3.0 context), secured as a VC-JWT (VC-JOSE-COSE: the JWT claims are the credential, header
`typ: vc+jwt`, `alg: EdDSA`) with the institution's Ed25519 key, through joserfc.

Published at stable addresses under the public base URL (see `services.public_base_url`):
the issuer `Profile` with its key (`/badges/issuer`), a JWKS (`/badges/jwks.json`) and the
Bitstring Status Lists (`/badges/status/<n>`, W3C Bitstring Status List v1.0, each itself a
signed VC-JWT). A certificate's status-list index is fixed at issue (`status_list_index`, unique).

Revocation is read from the certificate's status when a list is served, not written into a
stored bitstring: the certificate row stays the one source of truth, revoking (and the bulk
issuing that runs beside it) never takes a lock on a shared list row, and a list can never
disagree with the verification page. Serving a list is one indexed query for the revoked
indexes in its range, 16 KB to compress and one Ed25519 signature.

The private key is read from LMS_BADGE_SIGNING_KEY (PEM) or the instance folder's
`badge_ed25519.pem` (created once, mode 0600); it is never stored in the database or logged.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import os
import tempfile
import uuid
import warnings
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from joserfc import jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from sqlalchemy import func, select, update

from lms.accounts.models import Institution, User
from lms.assignments import services as assignments
from lms.certificates import services
from lms.certificates.models import Certificate
from lms.dates import DEFAULT_ZONE, format_date, format_range, local_date
from lms.errors import LmsError
from lms.extensions import db
from lms.trainings.models import Training

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ALG = "EdDSA"
MEDIA_TYPE = "application/vc+jwt"
# W3C Bitstring Status List v1.0: at least 16 KB (131,072 entries) per list, for group privacy.
LIST_SIZE = 131_072
STATUS_TTL_SECONDS = 300
KEY_FILE = "badge_ed25519.pem"
_APP_KEY = "lms.badge_key"


class BadgeKeyError(LmsError):
    """The configured signing key cannot be used (not an Ed25519 private key in PEM)."""


class CredentialRefused(LmsError):
    """This certificate cannot be carried as a credential (revoked)."""


# ---------------------------------------------------------------- the institution's key


def _load_pem(pem: bytes, where: str) -> OKPKey:
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise BadgeKeyError(f"{where} bukan kunci privat PEM tanpa kata sandi.") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise BadgeKeyError(f"{where} bukan kunci Ed25519; Open Badges ditandatangani dengan Ed25519 (EdDSA).")
    return OKPKey.import_key(pem)


def _instance_key(instance: Path) -> bytes:
    """Return the instance folder's key, creating it once (atomically: two workers never write two keys)."""
    path = instance / KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        fd, temp = tempfile.mkstemp(dir=instance, prefix=".badge-key-")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            try:
                os.link(temp, path)  # fails when another process got there first: theirs wins
            except FileExistsError:
                pass
        finally:
            os.unlink(temp)
    return path.read_bytes()


def signing_key() -> OKPKey:
    """Return the institution's Ed25519 key (configuration first, else the instance folder)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = app.extensions.get(_APP_KEY)
    if key is None:
        configured = str(app.config.get("BADGE_SIGNING_KEY") or "").strip()
        if configured:
            key = _load_pem(configured.encode(), "LMS_BADGE_SIGNING_KEY")
        else:
            key = _load_pem(_instance_key(Path(app.instance_path)), f"instance/{KEY_FILE}")
        app.extensions[_APP_KEY] = key
    return key


def _thumbprint() -> str:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = signing_key()
    cached = app.extensions.get(_APP_KEY + ".thumbprint")
    if cached is None or cached[0] is not key:
        cached = (key, key.thumbprint())
        app.extensions[_APP_KEY + ".thumbprint"] = cached
    return str(cached[1])


# ---------------------------------------------------------------- published addresses


@dataclass(frozen=True)
class Addresses:
    """The public addresses of one answer, from the public base URL looked up once."""

    institution: Institution | None
    base: str

    @classmethod
    def current(cls) -> Addresses:
        institution = db.session.scalars(select(Institution).order_by(Institution.id).limit(1)).first()
        return cls(institution, services.public_base_url(institution))

    @property
    def issuer(self) -> str:
        return f"{self.base}/badges/issuer"

    @property
    def jwks(self) -> str:
        return f"{self.base}/badges/jwks.json"

    @property
    def key_id(self) -> str:
        """The verification method's address: the issuer profile with the key's RFC 7638 thumbprint."""
        return f"{self.issuer}#{_thumbprint()}"

    def status_list(self, number: int) -> str:
        return f"{self.base}/badges/status/{number}"

    def urn(self, kind: str, value: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.base}/{kind}/{value}')}"


def _sign(claims: dict[str, Any], urls: Addresses) -> str:
    header = {"alg": ALG, "typ": "vc+jwt", "cty": "vc", "kid": urls.key_id}
    with warnings.catch_warnings():
        # RFC 9864 prefers the name "Ed25519"; OB 3.0 and VC-JOSE verifiers expect "EdDSA" (same algorithm).
        warnings.simplefilter("ignore", SecurityWarning)
        return jwt.encode(header, claims, signing_key(), algorithms=[ALG])


def issuer_profile() -> dict[str, Any]:
    """The issuer's OB 3.0 Profile with its public key as a verification method."""
    urls = Addresses.current()
    institution = urls.institution
    profile: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT, JWK_CONTEXT], "id": urls.issuer, "type": ["Profile"],
        "name": institution.name if institution else "", "url": urls.base,
    }
    if institution and institution.address:
        profile["address"] = {"type": ["Address"], "streetAddress": institution.address,
                              "addressLocality": institution.city, "addressCountry": "ID"}
    profile["verificationMethod"] = [{"id": urls.key_id, "type": "JsonWebKey", "controller": urls.issuer,
                                      "publicKeyJwk": signing_key().as_dict(private=False)}]
    profile["assertionMethod"] = [urls.key_id]
    return profile


def jwks() -> dict[str, Any]:
    urls = Addresses.current()
    return {"keys": [{**signing_key().as_dict(private=False), "kid": urls.key_id, "alg": ALG, "use": "sig"}]}


# ---------------------------------------------------------------- status list indexes


def _position(index: int) -> tuple[int, int]:
    return divmod(index, LIST_SIZE)


def status_entry(certificate: Certificate, urls: Addresses | None = None) -> dict[str, Any]:
    number, position = _position(_index_of(certificate))
    url = (urls or Addresses.current()).status_list(number)
    return {"id": f"{url}#{position}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(position), "statusListCredential": url}


def _index_of(certificate: Certificate) -> int:
    if certificate.status_list_index is None:  # rows issued before the column existed and not migrated
        db.session.execute(update(Certificate).where(Certificate.id == certificate.id,
                                                     Certificate.status_list_index.is_(None))
                           .values(status_list_index=certificate.id))
        db.session.commit()
        db.session.refresh(certificate)
    assert certificate.status_list_index is not None
    return certificate.status_list_index


def list_count() -> int:
    """How many status lists exist: enough for the highest index assigned (at least one)."""
    highest = db.session.scalar(select(func.max(Certificate.status_list_index)))
    return 1 if highest is None else highest // LIST_SIZE + 1


def bitstring(number: int) -> bytes:
    """Return list `number`'s bitstring: bit i (left-most first) set when index i is revoked."""
    first = number * LIST_SIZE
    bits = bytearray(LIST_SIZE // 8)
    for index in db.session.scalars(select(Certificate.status_list_index)
                                    .where(Certificate.status == "revoked",
                                           Certificate.status_list_index >= first,
                                           Certificate.status_list_index < first + LIST_SIZE)):
        assert index is not None  # the range condition excludes NULL
        position = index - first
        bits[position // 8] |= 0x80 >> (position % 8)
    return bytes(bits)


def encode_list(bits: bytes) -> str:
    """GZIP, then base64url without padding, with the multibase prefix `u`."""
    return "u" + urlsafe_b64encode(gzip.compress(bits, mtime=0)).rstrip(b"=").decode()


def status_list_credential(number: int, now: datetime) -> str:
    """The signed BitstringStatusListCredential of list `number`."""
    urls = Addresses.current()
    url = urls.status_list(number)
    claims = {
        "@context": [VC_CONTEXT], "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": urls.issuer, "validFrom": _iso(now),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode_list(bitstring(number)), "ttl": STATUS_TTL_SECONDS * 1000},
        "iss": urls.issuer, "jti": url, "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
    }
    return _sign(claims, urls)


# ---------------------------------------------------------------- the credential


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _salted(value: str, code: str) -> tuple[str, str]:
    """Return (salt, identityHash) for a personal value: a salt of the certificate's own, stable per code."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    salt = hmac.new(secret, f"openbadge-salt:{code}".encode(), hashlib.sha256).hexdigest()[:32]
    return salt, "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


def criteria_narrative(training: Training) -> str:
    """The training's completion rules in words (what the certificate's eligibility checks)."""
    rules = [f"kehadiran paling sedikit {training.min_attendance_percent}%"]
    if training.posttest is not None and training.require_posttest_pass:
        rules.append("lulus post-test")
    if training.require_courses_complete and training.courses:
        rules.append("menyelesaikan semua modul daring")
    required = [a.title for a in assignments.required_of(training)]
    if required:
        rules.append("tugas wajib dinilai Lulus (" + "; ".join(required) + ")")
    if training.require_evaluation:
        rules.append("mengisi evaluasi penyelenggaraan")
    return ("Peserta memperoleh sertifikat setelah " + ", ".join(rules) + ", sebagaimana diperiksa penyelenggara "
            f"sebelum sertifikat diterbitkan. Seluruh kegiatan berbobot {training.total_jp} JP (jam pelajaran).")


@dataclass(frozen=True)
class Download:
    token: str
    filename: str


def refusal(certificate: Certificate) -> str | None:
    """Why this certificate cannot be carried as a credential, or None."""
    if certificate.status == "valid":
        return None
    institution = db.session.get(Institution, certificate.institution_id)
    zone = institution.time_zone if institution else DEFAULT_ZONE
    when = f" pada {format_date(local_date(certificate.revoked_at, zone))}" if certificate.revoked_at else ""
    return (f"Sertifikat {certificate.number} sudah dicabut{when}; kredensial Open Badges-nya tidak dapat diunduh "
            "dan status kredensial yang pernah diunduh kini tercatat dicabut.")


def credential(certificate: Certificate, urls: Addresses | None = None) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a valid certificate (what the JWT carries)."""
    data, code, urls = certificate.data, certificate.code, urls or Addresses.current()
    training = db.session.get(Training, certificate.training_id)
    user = db.session.get(User, certificate.user_id)
    assert training is not None and user is not None
    jp = certificate.jp
    dates = format_range(date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"]))
    description = " ".join(part for part in (
        training.description.strip(),
        f"Kegiatan {jp} JP (jam pelajaran) yang diselenggarakan {data.get('institution_name', '')}, {dates}"
        + (f", di {data['city']}" if data.get("city") else "") + ".") if part)
    identifiers: list[dict[str, Any]] = [{"type": "IdentityObject", "identityType": "identifier", "hashed": False,
                                          "identityHash": f"urn:lms:sertifikat:{code}"}]
    if user.email:
        salt, hashed = _salted(user.email.strip().lower(), code)
        identifiers.append({"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                            "identityHash": hashed, "salt": salt})
    valid_from = _iso(certificate.issued_at)
    issuer = {"id": urls.issuer, "type": ["Profile"], "name": data.get("institution_name", ""), "url": urls.base}
    achievement = {
        "id": urls.urn("achievement", str(training.id)), "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion", "name": data["training_title"], "description": description,
        "criteria": {"narrative": criteria_narrative(training)}, "creditsAvailable": jp, "inLanguage": "id",
        "creator": issuer,
    }
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT], "id": urls.urn("credential", code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Sertifikat {data['training_title']}", "issuer": issuer, "validFrom": valid_from,
        "awardedDate": valid_from,
        "credentialSubject": {"type": ["AchievementSubject"], "name": data["holder_name"], "identifier": identifiers,
                              "achievement": achievement, "creditsEarned": jp},
        "credentialStatus": status_entry(certificate, urls),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "evidence": [{"id": services.verify_url(code, urls.institution), "type": ["Evidence"],
                      "name": f"Halaman verifikasi sertifikat {certificate.number}"}],
    }


def download(certificate: Certificate) -> Download:
    """Sign the certificate's credential as a VC-JWT; refuse a revoked certificate."""
    reason = refusal(certificate)
    if reason:
        raise CredentialRefused(reason)
    urls = Addresses.current()
    claims = credential(certificate, urls)
    claims.update(iss=urls.issuer, jti=claims["id"], nbf=int(certificate.issued_at.timestamp()),
                  iat=int(certificate.issued_at.timestamp()))
    stem = "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in certificate.number).strip("_")
    return Download(_sign(claims, urls), f"{stem}-openbadge.jwt")
