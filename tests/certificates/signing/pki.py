"""A test certificate authority made in the test: a root, document signers under it, a timestamp unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

PASSPHRASE = b"rahasia-tte"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Diskominfo Uji"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class Issued:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def pkcs12(self, chain: list[x509.Certificate], passphrase: bytes = PASSPHRASE) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"tte", self.key, self.certificate, chain,
            serialization.BestAvailableEncryption(passphrase))

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


class Authority:
    """A root CA valid around `now`, issuing end-entity certificates for signing and timestamping."""

    def __init__(self, now: datetime, name: str = "CA Uji Diskominfo") -> None:
        self.now = now
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(name)
        certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                       .public_key(key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - timedelta(days=365)).not_valid_after(now + timedelta(days=3650))
                       .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                       .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                      critical=True)
                       .sign(key, hashes.SHA256()))
        self.root = Issued(key, certificate)

    def issue(self, common: str, *, days_before: int = 30, days_after: int = 3650, signing: bool = True,
              timestamping: bool = False, rsa_key: bool = False) -> Issued:
        # pyHanko's dummy timestamp unit signs with RSA only.
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
            rsa.generate_private_key(65537, 2048) if timestamping or rsa_key
            else ec.generate_private_key(ec.SECP256R1()))
        usage = (x509.KeyUsage(True, True, False, False, False, False, False, False, False) if signing or timestamping
                 else x509.KeyUsage(False, False, True, False, False, False, False, False, False))
        builder = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(self.root.certificate.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(self.now - timedelta(days=days_before))
                   .not_valid_after(self.now + timedelta(days=days_after))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(usage, critical=True))
        if timestamping:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        return Issued(key, builder.sign(self.root.key, hashes.SHA256()))

    def signer_p12(self, common: str = "Kepala Dinas Uji", **options: object) -> bytes:
        return self.issue(common, **options).pkcs12([self.root.certificate])  # type: ignore[arg-type]

    def timestamper(self) -> DummyTimeStamper:
        tsa = self.issue("TSA Uji", timestamping=True)
        return DummyTimeStamper(tsa.asn1, tsa.asn1_key, certs_to_embed=[self.root.asn1], fixed_dt=self.now)

    @property
    def root_pem(self) -> bytes:
        return self.root.certificate.public_bytes(serialization.Encoding.PEM)
