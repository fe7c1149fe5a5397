"""A local stand-in for BSrE's Esign Client Service API v2, for tests and manual tries.

It answers the same requests as the real service (see lms/certificates/signing/bsre.py for the
shapes and where they come from): Basic Auth client credentials, ``/api/v2/sign/pdf`` with NIK and
passphrase, ``/api/v2/seal/get/totp`` and ``/api/v2/seal/pdf`` with a TOTP, ``/api/v2/verify/pdf``
and ``/api/v2/user/check/status``. It really signs, with pyHanko, using a test CA and keys made
when it starts (nothing is read from disk), so the PDFs it returns validate against ``ca_cert``.

Fixtures (``FIXTURES``): one signer whose certificate is valid, one whose certificate has
expired, one registered without a certificate; any other NIK is not registered. The seal
subscriber is ``SEAL_SUBSCRIBER``; a TOTP is issued by ``/api/v2/seal/get/totp`` (kept in
``issued_totp``, printed on the console when run by hand) and is valid for ``totp_lifetime``
seconds.

``mode`` simulates a faulty service: ``timeout`` (answers after ``delay`` seconds), ``malformed``
(broken JSON), ``unsigned`` (returns the files as sent), ``expired`` (every signer's certificate
has expired) and ``error500`` (HTTP 500).

By hand: ``.venv/bin/python tests/bsre_standin.py --port 5240 [--mode MODE]`` (as a script:
``python -m tests.bsre_standin`` would find the ``tests`` package that spylls installs into
site-packages), then set
``LMS_BSRE_URL=http://127.0.0.1:5240 LMS_BSRE_CLIENT_ID=lms-standin
LMS_BSRE_CLIENT_SECRET=rahasia-standin LMS_BSRE_SEAL_SUBSCRIBER_ID=SEGEL-DISKOMINFO-01``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CLIENT_ID = "lms-standin"
CLIENT_SECRET = "rahasia-standin"
SEAL_SUBSCRIBER = "SEGEL-DISKOMINFO-01"
NIK_VALID = "3578010101800001"
NIK_EXPIRED = "3578010101800002"
NIK_NO_CERTIFICATE = "3578010101800003"
PASSPHRASE = "Rahasia#TTE-2026"


@dataclass(frozen=True)
class Fixture:
    name: str
    passphrase: str
    status: str  # ISSUE, EXPIRED, NO_CERTIFICATE


FIXTURES = {
    NIK_VALID: Fixture("Dr. Siti Rahmawati, M.Kom.", PASSPHRASE, "ISSUE"),
    NIK_EXPIRED: Fixture("Ir. Bambang Wicaksono", PASSPHRASE, "EXPIRED"),
    NIK_NO_CERTIFICATE: Fixture("Rina Kartika, S.Sos.", PASSPHRASE, "NO_CERTIFICATE"),
}
SEAL_NAME = "Dinas Komunikasi dan Informatika (uji)"
MODES = ("timeout", "malformed", "unsigned", "expired", "error500")

# Answers as the service gives them: {"status_code", "error"} with HTTP 400.
ERRORS = {
    "not_registered": (2011, "User not registered (NOT_REGISTERED)"),
    "no_certificate": (2021, "User does not have a certificate (NO_CERTIFICATE)"),
    "passphrase": (2031, "Passphrase anda salah"),
    "expired": (2032, "Sertifikat user sudah expired"),
    "totp": (2041, "TOTP tidak valid atau sudah kedaluwarsa"),
    "subscriber": (2042, "idSubscriber tidak ditemukan"),
    "bad_request": (2001, "Request tidak valid"),
}


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "BSrE Stand-in (uji)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


class TestPki:
    """A root CA and one signing key per identity, all made in memory."""

    def __init__(self) -> None:
        now = datetime.now(UTC)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_cert = (x509.CertificateBuilder().subject_name(_name("Stand-in Root CA"))
                        .issuer_name(_name("Stand-in Root CA")).public_key(self.ca_key.public_key())
                        .serial_number(x509.random_serial_number())
                        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
                        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                     content_commitment=False, key_encipherment=False,
                                                     data_encipherment=False, key_agreement=False,
                                                     encipher_only=False, decipher_only=False), critical=True)
                        .sign(self.ca_key, hashes.SHA256()))
        self._signers: dict[str, Any] = {}

    def issue(self, common_name: str) -> tuple[Any, x509.Certificate]:
        now = datetime.now(UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(self.ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=730))
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_cert_sign=False,
                                             crl_sign=False, key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, encipher_only=False, decipher_only=False),
                               critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                .sign(self.ca_key, hashes.SHA256()))
        return key, cert

    def signer(self, common_name: str) -> Any:
        """A pyHanko signer for `common_name` (made once)."""
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        if common_name not in self._signers:
            key, cert = self.issue(common_name)
            der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
            self._signers[common_name] = signers.SimpleSigner(
                signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
                signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
                cert_registry=SimpleCertificateStore.from_certs([self.ca_asn1]))
        return self._signers[common_name]

    @property
    def ca_asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.ca_cert.public_bytes(serialization.Encoding.DER))


def sign_with(signer: Any, pdf: bytes, prop: dict[str, Any]) -> bytes:
    """Sign one PDF as BSrE would for one signatureProperties element."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    existing = len(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)
    field_name = f"TTE_BSrE_{existing + 1}"
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=str(prop.get("reason") or "") or None,
                                        location=str(prop.get("location") or "") or None,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    spec = None
    style = None
    if str(prop.get("tampilan", "")).upper() == "VISIBLE":
        x, y = float(prop.get("originX", 0)), float(prop.get("originY", 0))
        w, h = float(prop.get("width", 150)), float(prop.get("height", 60))
        spec = fields.SigFieldSpec(field_name, on_page=max(int(prop.get("page", 1)), 1) - 1,
                                   box=(int(x), int(y), int(x + w), int(y + h)))
        style = TextStampStyle(stamp_text="Ditandatangani secara elektronik oleh\n%(signer)s\n%(ts)s")
    pdf_signer = signers.PdfSigner(meta, signer, new_field_spec=spec, stamp_style=style)
    out = BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


class BsreStandin:
    """The stand-in server; ``start()`` runs it on a thread, ``stop()`` ends it."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1", announce: bool = False) -> None:
        self.pki = TestPki()
        self.mode: str | None = None
        self.delay = 5.0
        self.error_status = 400  # HTTP status of a refusal (deployments answer 400, some 401 or 200)
        self.totp_lifetime = 120.0
        self.issued_totp: str | None = None
        self._totp_expires = 0.0
        self.calls: list[dict[str, Any]] = []  # path, status, payload keys (never values)
        self.announce = announce
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> BsreStandin:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def expire_totp(self) -> None:
        self._totp_expires = 0.0

    # -- handling -------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
                if standin.announce:
                    sys.stderr.write("standin: " + (format % args) + "\n")

            def do_POST(self) -> None:  # noqa: N802 - BaseHTTPRequestHandler's name
                standin._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                self.send_response(404)
                self.end_headers()

        return Handler

    def _reply(self, handler: BaseHTTPRequestHandler, status: int, body: Any, *, raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client gave up (a simulated timeout)

    def _error(self, handler: BaseHTTPRequestHandler, name: str) -> None:
        code, text = ERRORS[name]
        status = self.error_status
        self.calls[-1]["status"] = status
        self._reply(handler, status, {"status_code": code, "error": text})

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        call: dict[str, Any] = {"path": path, "status": 200, "keys": []}
        self.calls.append(call)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            call["status"] = 401
            self._reply(handler, 401, {"timestamp": datetime.now(UTC).isoformat(), "status": 401,
                                       "error": "Unauthorized", "path": path})
            return
        try:
            payload = json.loads(raw.decode() or "{}")
        except ValueError:
            self._error(handler, "bad_request")
            return
        if not isinstance(payload, dict):
            self._error(handler, "bad_request")
            return
        call["keys"] = sorted(payload)
        if self.mode == "timeout":
            self._stop.wait(self.delay)
        if self.mode == "error500":
            call["status"] = 500
            self._reply(handler, 500, {"timestamp": datetime.now(UTC).isoformat(), "status": 500,
                                       "error": "Internal Server Error", "path": path})
            return
        routes = {"/api/v2/sign/pdf": self._sign, "/api/v2/seal/pdf": self._seal,
                  "/api/v2/seal/get/totp": self._totp, "/api/v2/verify/pdf": self._verify,
                  "/api/v2/user/check/status": self._status}
        route = routes.get(path)
        if route is None:
            call["status"] = 404
            self._reply(handler, 404, {"status": 404, "error": "Not Found", "path": path})
            return
        route(handler, payload)

    def _files(self, payload: dict[str, Any]) -> list[bytes] | None:
        files = payload.get("file")
        if not isinstance(files, list) or not files:
            return None
        try:
            return [base64.b64decode(f, validate=True) for f in files]
        except (binascii.Error, TypeError, ValueError):
            return None

    def _signed_reply(self, handler: BaseHTTPRequestHandler, signer: Any, files: list[bytes],
                      props: Any) -> None:
        started = time.monotonic()
        if self.mode == "malformed":
            self._reply(handler, 200, None, raw=b'{"time": 12, "file": ["JVBERi0xLjQK')
            return
        if not isinstance(props, list) or not props or not all(isinstance(p, dict) for p in props):
            props = [{"tampilan": "INVISIBLE"}]
        if self.mode == "unsigned":
            out = files
        else:
            out = []
            for pdf in files:
                for prop in props:
                    pdf = sign_with(signer, pdf, prop)
                out.append(pdf)
        self._reply(handler, 200, {"time": int((time.monotonic() - started) * 1000),
                                   "file": [base64.b64encode(pdf).decode() for pdf in out]})

    def _sign(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        nik = str(payload.get("nik") or "")
        fixture = FIXTURES.get(nik)
        if fixture is None:
            self._error(handler, "not_registered")
            return
        if fixture.status == "NO_CERTIFICATE":
            self._error(handler, "no_certificate")
            return
        if not secrets.compare_digest(str(payload.get("passphrase") or ""), fixture.passphrase):
            self._error(handler, "passphrase")
            return
        if fixture.status == "EXPIRED" or self.mode == "expired":
            self._error(handler, "expired")
            return
        files = self._files(payload)
        if files is None:
            self._error(handler, "bad_request")
            return
        self._signed_reply(handler, self.pki.signer(fixture.name), files, payload.get("signatureProperties"))

    def _totp(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        if payload.get("idSubscriber") != SEAL_SUBSCRIBER:
            self._error(handler, "subscriber")
            return
        self.issued_totp = f"{secrets.randbelow(10**6):06d}"
        self._totp_expires = time.monotonic() + self.totp_lifetime
        if self.announce:
            print(f"standin: TOTP segel untuk {SEAL_SUBSCRIBER}: {self.issued_totp}", flush=True)
        self._reply(handler, 200, {"success": True, "status_code": 200,
                                   "message": "TOTP telah dikirim ke aplikasi pemegang segel elektronik."})

    def _seal(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        if payload.get("idSubscriber") != SEAL_SUBSCRIBER:
            self._error(handler, "subscriber")
            return
        totp = str(payload.get("totp") or "")
        if (self.issued_totp is None or time.monotonic() > self._totp_expires
                or not secrets.compare_digest(totp, self.issued_totp)):
            self._error(handler, "totp")
            return
        if self.mode == "expired":
            self._error(handler, "expired")
            return
        files = self._files(payload)
        if files is None:
            self._error(handler, "bad_request")
            return
        self._signed_reply(handler, self.pki.signer(SEAL_NAME), files, payload.get("signatureProperties"))

    def _verify(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        if self.mode == "malformed":
            self._reply(handler, 200, None, raw=b"<html>502 Bad Gateway</html>")
            return
        try:
            pdf = base64.b64decode(str(payload.get("file") or ""), validate=True)
            signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures
        except Exception:  # noqa: BLE001 - BSrE answers 500 for a file it cannot read
            self.calls[-1]["status"] = 500
            self._reply(handler, 500, {"status": 500, "error": "Internal Server Error", "path": "/api/v2/verify/pdf"})
            return
        infos = []
        for sig in signatures:
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=[self.pki.ca_asn1]))
            infos.append({"fieldName": sig.field_name, "signerName": status.signing_cert.subject.native["common_name"],
                          "signatureDate": (status.signer_reported_dt or datetime.now(UTC)).isoformat(),
                          "integrityValid": bool(status.intact and status.valid),
                          "certificateTrusted": bool(status.trusted), "signatureFormat": "PAdES-BASELINE-B",
                          "ltv": False, "lastSignature": False})
        if not infos:
            conclusion = "NO_SIGNATURE"
        elif all(i["integrityValid"] and i["certificateTrusted"] for i in infos):
            conclusion = "VALID"
        else:
            conclusion = "INVALID"
        self._reply(handler, 200, {"conclusion": conclusion, "signatureCount": len(infos),
                                   "description": "Hasil verifikasi stand-in", "signatureInformations": infos})

    def _status(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        fixture = FIXTURES.get(str(payload.get("nik") or ""))
        if fixture is None:
            self._reply(handler, 200, {"status_code": 2011, "message": "User not registered",
                                       "status": "NOT_REGISTERED"})
            return
        status = "EXPIRED" if self.mode == "expired" else fixture.status
        code = {"ISSUE": 1111, "EXPIRED": 2032, "NO_CERTIFICATE": 2021}[status]
        self._reply(handler, 200, {"status_code": code, "message": f"Status sertifikat: {status}",
                                   "status": status})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="BSrE Esign API v2 stand-in (tests and manual tries)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5240)
    parser.add_argument("--mode", choices=MODES, default=None)
    args = parser.parse_args(argv)
    standin = BsreStandin(args.port, host=args.host, announce=True)
    standin.mode = args.mode
    print(f"BSrE stand-in di {standin.url} (klien {CLIENT_ID}/{CLIENT_SECRET}, segel {SEAL_SUBSCRIBER})")
    print(f"NIK uji: {NIK_VALID} (sah), {NIK_EXPIRED} (kedaluwarsa), {NIK_NO_CERTIFICATE} (tanpa sertifikat); "
          f"passphrase {PASSPHRASE}", flush=True)
    try:
        standin._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin._server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
