"""BSrE (Balai Besar Sertifikasi Elektronik, BSSN) Esign Client Service API v2: sign, seal, verify.

Where the request and response shapes come from
-----------------------------------------------
BSrE gives its API description (a Postman collection "Esign-Client for User 2.x") to an office
that signs an integration agreement; it is not openly published. The shapes below follow what
public integrations of that API send and read (PHP, Node and TypeScript clients of regional
offices, and one office's report of its sandbox contract tests):

* Authentication: HTTP Basic with the client id and secret BSrE issues to the application.
* ``POST /api/v2/sign/pdf`` (personal signature) with JSON
  ``{"nik", "passphrase", "signatureProperties": [...], "file": ["<base64 PDF>", ...]}``.
* ``POST /api/v2/seal/get/totp`` with ``{"idSubscriber", "data": 1}`` asks BSrE to issue a TOTP
  for the institution's seal subscriber (the code reaches the seal's holder, e.g. through the
  BeSign app); ``POST /api/v2/seal/pdf`` with ``{"idSubscriber", "totp", "signatureProperties",
  "file"}`` seals.
* ``signatureProperties`` elements: ``tampilan`` ("VISIBLE" / "INVISIBLE"), ``page`` (1-based),
  ``originX``, ``originY``, ``width``, ``height``, ``imageBase64``, ``location``, ``reason``,
  ``contactInfo``.
* Success: HTTP 200 ``{"time": <ms>, "file": ["<base64 signed PDF>", ...]}`` in input order.
* Failure: HTTP 4xx (or 200) with ``{"status_code": <int>, "error": "<text>"}``; an HTTP 401 for
  wrong client credentials comes in the Spring shape ``{"timestamp", "status", "error", "path"}``.
* ``POST /api/v2/verify/pdf`` with ``{"file": "<base64>"}`` answers ``{"conclusion",
  "signatureCount", "description", "signatureInformations": [{"signerName", "signatureDate",
  "integrityValid", "certificateTrusted", "signatureFormat", ...}]}``.
* ``POST /api/v2/user/check/status`` with ``{"nik"}`` answers ``{"status_code", "message",
  "status"}``, status ``ISSUE`` for a usable certificate, ``NOT_REGISTERED`` (code 2011),
  ``NO_CERTIFICATE`` (code 2021), ``EXPIRED``, ``REVOKE``.

What is assumed (not confirmed by a published document)
-------------------------------------------------------
* The application codes of errors other than 2011 and 2021: this module recognises a few codes
  (``ERROR_CODES``) and otherwise reads the error text for key words (passphrase, TOTP, expired,
  not registered), in Indonesian and English.
* One ``signatureProperties`` list applies to every file of a request; files come back in order.
* Coordinates are PDF points with the origin at the bottom left of the page, as in the PDF
  itself and in ``SignatureBox``.
* At most ``files_per_request`` files go in one request (10 by default); a batch that needs
  several requests returns only when all succeeded, so a failure changes nothing.

Every returned file is checked to be a PDF that carries an embedded signature whose digest
matches the signed bytes (pyHanko reads it); otherwise the batch fails. Every call is logged
(endpoint, HTTP status, duration, number of files) with the NIK masked; the passphrase and the
TOTP are never logged, stored or put in an exception message.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from lms.certificates.signing import SignatureBox, SigningError

logger = logging.getLogger(__name__)

SIGN_PATH = "/api/v2/sign/pdf"
SEAL_PATH = "/api/v2/seal/pdf"
SEAL_TOTP_PATH = "/api/v2/seal/get/totp"
VERIFY_PATH = "/api/v2/verify/pdf"
STATUS_PATH = "/api/v2/user/check/status"

# Messages shown to the admin (Indonesian, formal). Keys name the failure.
MESSAGES = {
    "passphrase": "Passphrase TTE salah. Periksa kembali passphrase sertifikat elektronik Anda di BSrE "
                  "(bukan kata sandi akun LMS), lalu coba lagi. Sertifikat belum ditandatangani.",
    "nik_not_registered": "NIK penanda tangan belum terdaftar sebagai pengguna TTE BSrE. Periksa NIK yang "
                          "Anda isi, atau daftarkan penanda tangan ke BSrE melalui admin TTE instansi.",
    "no_certificate": "Penanda tangan belum memiliki sertifikat elektronik aktif di BSrE. Ajukan penerbitan "
                      "sertifikat melalui admin TTE instansi, lalu coba lagi.",
    "certificate_expired": "Sertifikat elektronik penanda tangan sudah kedaluwarsa atau dicabut di BSrE. "
                           "Perbarui sertifikat melalui admin TTE instansi, lalu coba lagi.",
    "totp": "Kode TOTP segel elektronik salah atau sudah kedaluwarsa. Minta kode baru, lalu masukkan "
            "kode itu sebelum masa berlakunya habis.",
    "seal_subscriber": "ID subscriber segel elektronik tidak dikenal oleh BSrE. Periksa pengaturan "
                       "LMS_BSRE_SEAL_SUBSCRIBER_ID.",
    "client_auth": "Kredensial klien BSrE ditolak (HTTP 401). Periksa LMS_BSRE_CLIENT_ID dan "
                   "LMS_BSRE_CLIENT_SECRET pada konfigurasi server.",
    "unreachable": "Layanan BSrE tidak dapat dihubungi. Sertifikat tetap dalam antrean TTE; coba lagi "
                   "beberapa saat lagi.",
    "timeout": "Layanan BSrE tidak menjawab dalam {seconds} detik. Sertifikat tetap dalam antrean TTE; "
               "coba lagi beberapa saat lagi.",
    "server_error": "Layanan BSrE sedang bermasalah (HTTP {status}). Sertifikat tetap dalam antrean TTE; "
                    "coba lagi beberapa saat lagi.",
    "malformed": "Jawaban layanan BSrE tidak dapat dibaca (bukan JSON yang sah). Sertifikat tetap dalam "
                 "antrean TTE; coba lagi nanti, dan hubungi BSrE bila berulang.",
    "count": "Layanan BSrE mengembalikan {got} berkas untuk {sent} sertifikat. Tidak ada yang disimpan; "
             "sertifikat tetap dalam antrean TTE.",
    "unsigned": "Layanan BSrE mengembalikan berkas yang tidak bertanda tangan elektronik (berkas ke-{index}). "
                "Tidak ada yang disimpan; sertifikat tetap dalam antrean TTE. Hubungi BSrE bila berulang.",
    "not_configured": "Layanan BSrE belum dikonfigurasi: isi LMS_BSRE_URL, LMS_BSRE_CLIENT_ID dan "
                      "LMS_BSRE_CLIENT_SECRET pada konfigurasi server.",
    "seal_not_configured": "Segel elektronik belum dikonfigurasi: isi LMS_BSRE_SEAL_SUBSCRIBER_ID pada "
                           "konfigurasi server.",
    "rejected": "BSrE menolak permintaan: {detail}",
    "empty_nik": "NIK penanda tangan wajib diisi (16 angka).",
    "bad_nik": "NIK penanda tangan harus 16 angka.",
    "empty_passphrase": "Passphrase TTE wajib diisi.",
    "bad_totp": "Kode TOTP harus berupa angka (6–8 digit).",
}

# Application codes seen in (or assumed for) BSrE answers -> message key.
ERROR_CODES = {
    2011: "nik_not_registered",
    2021: "no_certificate",
    2031: "passphrase",
    2032: "certificate_expired",
    2033: "certificate_expired",
    2041: "totp",
    2042: "seal_subscriber",
}
_STATUS_WORDS = {
    "NOT_REGISTERED": "nik_not_registered",
    "NO_CERTIFICATE": "no_certificate",
    "EXPIRED": "certificate_expired",
    "REVOKE": "certificate_expired",
    "REVOKED": "certificate_expired",
    "SUSPEND": "certificate_expired",
}
# Key words in an error text, checked in order (the first that matches decides).
_KEYWORDS = (
    (("totp", "otp"), "totp"),
    (("passphrase", "kata sandi", "password"), "passphrase"),
    (("expired", "kedaluwarsa", "kadaluarsa", "kadaluwarsa", "revoke", "dicabut"), "certificate_expired"),
    (("not registered", "tidak terdaftar", "belum terdaftar", "not_registered", "user not found"),
     "nik_not_registered"),
    (("no certificate", "no_certificate", "tidak memiliki sertifikat", "belum memiliki sertifikat"),
     "no_certificate"),
    (("subscriber",), "seal_subscriber"),
)


def mask(value: str) -> str:
    """Show only the last four characters of an identifier (a NIK) for the log."""
    value = value or ""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


@dataclass(frozen=True)
class BsreConfig:
    """Where the service is and how the application authenticates to it (never a signer's secret)."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    seal_subscriber_id: str = ""
    timeout: float = 60.0
    verify_timeout: float = 120.0
    files_per_request: int = 10
    location: str = ""
    reason: str = "Sertifikat pelatihan"

    @classmethod
    def from_app_config(cls, config: Mapping[str, Any]) -> BsreConfig | None:
        """The configuration from Flask settings (BSRE_* keys), or None when BSrE is not set up."""
        url = str(config.get("BSRE_URL") or "").strip().rstrip("/")
        client_id = str(config.get("BSRE_CLIENT_ID") or "").strip()
        secret = str(config.get("BSRE_CLIENT_SECRET") or "")
        if not url or not client_id or not secret:
            return None
        return cls(base_url=url, client_id=client_id, client_secret=secret,
                   seal_subscriber_id=str(config.get("BSRE_SEAL_SUBSCRIBER_ID") or "").strip(),
                   timeout=float(config.get("BSRE_TIMEOUT_SECONDS") or 60),
                   verify_timeout=float(config.get("BSRE_VERIFY_TIMEOUT_SECONDS") or 120),
                   files_per_request=max(1, int(config.get("BSRE_FILES_PER_REQUEST") or 10)),
                   location=str(config.get("BSRE_LOCATION") or ""),
                   reason=str(config.get("BSRE_REASON") or "Sertifikat pelatihan"))


@dataclass(frozen=True)
class VerifiedSignature:
    signer_name: str
    signed_at: str
    integrity_valid: bool
    certificate_trusted: bool
    signature_format: str


@dataclass(frozen=True)
class VerifyResult:
    """BSrE's verdict on a PDF: ``conclusion`` is e.g. VALID, NO_SIGNATURE, WARNING, INVALID."""

    conclusion: str
    description: str
    signatures: list[VerifiedSignature]

    @property
    def valid(self) -> bool:
        return self.conclusion.upper() == "VALID" and bool(self.signatures)


def _error_key(status_code: Any, text: str) -> str | None:
    try:
        code = int(status_code)
    except (TypeError, ValueError):
        code = None
    if code in ERROR_CODES:
        return ERROR_CODES[code]
    upper = text.upper()
    for word, key in _STATUS_WORDS.items():
        if word in upper.split() or upper.strip() == word:
            return key
    lower = text.lower()
    for words, key in _KEYWORDS:
        if any(w in lower for w in words):
            return key
    return None


def _error_text(body: Any) -> str:
    if isinstance(body, dict):
        for name in ("error", "message", "status"):
            value = body.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _rejection(status: int, body: Any) -> SigningError:
    """The SigningError for an answer that refused the request (not a transport failure)."""
    text = _error_text(body)
    code = body.get("status_code") if isinstance(body, dict) else None
    key = _error_key(code, text)
    if key is None and isinstance(body, dict) and isinstance(body.get("status"), str):
        key = _STATUS_WORDS.get(body["status"].upper())
    if key is not None:
        return SigningError(MESSAGES[key], retry=False)
    detail = (text or f"HTTP {status}")[:200]
    return SigningError(MESSAGES["rejected"].format(detail=detail), retry=False)


def _decode_files(values: Any, sent: int) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SigningError(MESSAGES["malformed"], retry=True)
    if len(values) != sent:
        raise SigningError(MESSAGES["count"].format(got=len(values), sent=sent), retry=True)
    files = []
    for value in values:
        try:
            files.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            raise SigningError(MESSAGES["malformed"], retry=True) from None
    return files


def check_signed(pdf: bytes, index: int = 1) -> None:
    """Raise SigningError unless `pdf` is a PDF whose latest embedded signature is intact and valid.

    Trust in the signer's CA is not checked here (BSrE's root need not be installed on the
    server); the signature must exist, match the signed bytes and verify with its certificate.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            raise ValueError("no signature")
        latest = signatures[-1]
        if latest.evaluate_signature_coverage() < SignatureCoverageLevel.ENTIRE_REVISION:
            raise ValueError("signature does not cover its revision")
        intact, valid = validate_sig_integrity(latest.signer_info, latest.signer_cert, "data",
                                               latest.compute_digest())
        if not (intact and valid):
            raise ValueError("signature does not verify")
    except Exception:  # noqa: BLE001 - any failure to read a signature means "not a signed PDF"
        raise SigningError(MESSAGES["unsigned"].format(index=index), retry=True) from None


class BsreClient:
    """A thin HTTP client for BSrE's Esign API (standard library only)."""

    def __init__(self, config: BsreConfig) -> None:
        self.config = config
        # Proxies come from the environment (http_proxy / no_proxy) as for any urllib client.
        self._opener = urllib.request.build_opener()

    # -- transport --------------------------------------------------------------------------
    def _auth_header(self) -> str:
        raw = f"{self.config.client_id}:{self.config.client_secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def _post(self, path: str, payload: dict[str, Any], *, timeout: float, files: int = 0,
              nik: str = "") -> dict[str, Any]:
        """POST JSON and return the decoded answer, or raise SigningError (logged either way)."""
        request = urllib.request.Request(
            self.config.base_url + path, data=json.dumps(payload).encode(), method="POST",
            headers={"Authorization": self._auth_header(), "Content-Type": "application/json",
                     "Accept": "application/json"})
        started = time.monotonic()
        status = 0
        outcome = "ok"
        try:
            try:
                with self._opener.open(request, timeout=timeout) as response:
                    status = response.status
                    raw = response.read()
            except urllib.error.HTTPError as exc:
                status = exc.code
                raw = exc.read()
            except TimeoutError:
                outcome = "timeout"
                raise SigningError(MESSAGES["timeout"].format(seconds=_seconds(timeout)), retry=True) from None
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    outcome = "timeout"
                    raise SigningError(MESSAGES["timeout"].format(seconds=_seconds(timeout)),
                                       retry=True) from None
                outcome = "unreachable"
                raise SigningError(MESSAGES["unreachable"], retry=True) from None
            except (ConnectionError, OSError):
                outcome = "unreachable"
                raise SigningError(MESSAGES["unreachable"], retry=True) from None

            if status >= 500:
                outcome = "server error"
                raise SigningError(MESSAGES["server_error"].format(status=status), retry=True)
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except (UnicodeDecodeError, ValueError):
                body = None
            if status == 401 and not (isinstance(body, dict) and "status_code" in body):
                # Spring's own 401 ({timestamp, status, error, path}): the client id/secret, not the signer.
                outcome = "client credentials refused"
                raise SigningError(MESSAGES["client_auth"], retry=False)
            if not isinstance(body, dict):
                outcome = "malformed"
                raise SigningError(MESSAGES["malformed"], retry=True)
            if status >= 400 or (body.get("error") and "file" not in body):
                outcome = "refused"
                raise _rejection(status, body)
            return body
        finally:
            elapsed = (time.monotonic() - started) * 1000
            logger.info("BSrE POST %s: HTTP %s, %.0f ms, %d berkas%s, %s", path, status or "-", elapsed, files,
                        f", NIK {mask(nik)}" if nik else "", outcome)

    # -- endpoints -------------------------------------------------------------------------
    def sign_pdf(self, nik: str, passphrase: str, files: Sequence[bytes],
                 properties: list[dict[str, Any]]) -> list[bytes]:
        """Personal signature: every file signed with the certificate of `nik` (in chunks)."""
        return self._in_chunks(files, lambda chunk: self._post(
            SIGN_PATH, {"nik": nik, "passphrase": passphrase, "signatureProperties": properties,
                        "file": chunk}, timeout=self.config.timeout, files=len(chunk), nik=nik))

    def request_seal_totp(self) -> str:
        """Ask BSrE to issue a TOTP for the seal subscriber; returns BSrE's message (if any)."""
        subscriber = self._seal_subscriber()
        body = self._post(SEAL_TOTP_PATH, {"idSubscriber": subscriber, "data": 1}, timeout=self.config.timeout)
        message = body.get("message")
        return message if isinstance(message, str) else ""

    def seal_pdf(self, totp: str, files: Sequence[bytes], properties: list[dict[str, Any]]) -> list[bytes]:
        """Institutional seal: every file sealed for the configured seal subscriber."""
        subscriber = self._seal_subscriber()
        return self._in_chunks(files, lambda chunk: self._post(
            SEAL_PATH, {"idSubscriber": subscriber, "totp": totp, "signatureProperties": properties,
                        "file": chunk}, timeout=self.config.timeout, files=len(chunk)))

    def verify_pdf(self, pdf: bytes) -> VerifyResult:
        """BSrE's own verification of a signed PDF."""
        body = self._post(VERIFY_PATH, {"file": base64.b64encode(pdf).decode("ascii")},
                          timeout=self.config.verify_timeout, files=1)
        infos = body.get("signatureInformations")
        if not isinstance(body.get("conclusion"), str) or not isinstance(infos, list):
            raise SigningError(MESSAGES["malformed"], retry=True)
        signatures = [VerifiedSignature(
            signer_name=str(info.get("signerName") or ""), signed_at=str(info.get("signatureDate") or ""),
            integrity_valid=bool(info.get("integrityValid")), certificate_trusted=bool(info.get("certificateTrusted")),
            signature_format=str(info.get("signatureFormat") or "")) for info in infos if isinstance(info, dict)]
        return VerifyResult(conclusion=body["conclusion"], description=str(body.get("description") or ""),
                            signatures=signatures)

    def check_user_status(self, nik: str) -> str:
        """The status of a signer's certificate: ISSUE when usable; raises SigningError otherwise."""
        body = self._post(STATUS_PATH, {"nik": nik}, timeout=self.config.timeout, nik=nik)
        status = str(body.get("status") or "").upper()
        if status != "ISSUE":
            raise _rejection(200, body)
        return status

    # -- helpers ---------------------------------------------------------------------------
    def _seal_subscriber(self) -> str:
        if not self.config.seal_subscriber_id:
            raise SigningError(MESSAGES["seal_not_configured"], retry=False)
        return self.config.seal_subscriber_id

    def _in_chunks(self, files: Sequence[bytes], call: Any) -> list[bytes]:
        signed: list[bytes] = []
        size = self.config.files_per_request
        for start in range(0, len(files), size):
            chunk = [base64.b64encode(pdf).decode("ascii") for pdf in files[start:start + size]]
            body = call(chunk)
            signed.extend(_decode_files(body.get("file"), len(chunk)))
        for index, pdf in enumerate(signed, start=1):
            check_signed(pdf, index)
        return signed

    def signature_properties(self, box: SignatureBox | None, image_png: bytes | None = None) -> list[dict[str, Any]]:
        """``signatureProperties`` for a box (visible when it asks for it; invisible otherwise)."""
        prop: dict[str, Any] = {"tampilan": "INVISIBLE", "reason": self.config.reason}
        if self.config.location:
            prop["location"] = self.config.location
        if box is not None and box.visible:
            prop.update({"tampilan": "VISIBLE", "page": box.page + 1, "originX": round(box.x1, 2),
                         "originY": round(box.y1, 2), "width": round(box.x2 - box.x1, 2),
                         "height": round(box.y2 - box.y1, 2)})
            if image_png:
                prop["imageBase64"] = base64.b64encode(image_png).decode("ascii")
        return [prop]


def _seconds(value: float) -> str:
    return f"{value:g}"


class BsrePersonalSigner:
    """Signs with a person's BSrE certificate: NIK and passphrase typed for one batch, kept in memory only."""

    label = "BSrE: tanda tangan elektronik pribadi"

    def __init__(self, client: BsreClient, nik: str, passphrase: str, *, image_png: bytes | None = None) -> None:
        nik = (nik or "").strip()
        if not nik:
            raise SigningError(MESSAGES["empty_nik"])
        if not (nik.isdigit() and len(nik) == 16):
            raise SigningError(MESSAGES["bad_nik"])
        if not passphrase:
            raise SigningError(MESSAGES["empty_passphrase"])
        self._client = client
        self._nik = nik
        self._passphrase = passphrase
        self._image = image_png

    def __repr__(self) -> str:
        return f"BsrePersonalSigner(nik={mask(self._nik)!r})"

    def sign(self, pdfs: Sequence[bytes], box: SignatureBox | None) -> list[bytes]:
        if not pdfs:
            return []
        return self._client.sign_pdf(self._nik, self._passphrase, pdfs,
                                     self._client.signature_properties(box, self._image))

    def forget(self) -> None:
        """Drop the passphrase once the batch is done."""
        self._passphrase = ""


class BsreSealSigner:
    """Seals with the institution's BSrE seal (segel elektronik) using a TOTP issued for it."""

    label = "BSrE: segel elektronik instansi"

    def __init__(self, client: BsreClient, totp: str, *, image_png: bytes | None = None) -> None:
        totp = (totp or "").strip().replace(" ", "")
        if not (totp.isdigit() and 6 <= len(totp) <= 8):
            raise SigningError(MESSAGES["bad_totp"])
        self._client = client
        self._totp = totp
        self._image = image_png

    def __repr__(self) -> str:
        return "BsreSealSigner()"

    def sign(self, pdfs: Sequence[bytes], box: SignatureBox | None) -> list[bytes]:
        if not pdfs:
            return []
        return self._client.seal_pdf(self._totp, pdfs, self._client.signature_properties(box, self._image))

    def forget(self) -> None:
        self._totp = ""
