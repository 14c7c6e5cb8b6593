"""A local PKI for the signing tests: a root CA, certificates it issues (a domain's, a
time-stamping authority's, an HTTPS server's), each with the validity window a test asks for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: Key

    def write(self, folder: Path, name: str, chain: Sequence[x509.Certificate] = ()) -> Path:
        """Write NAME.pem (this certificate, then `chain`) and NAME.key; returns the .pem."""
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.cert, *chain))
        (folder / f"{name}.pem").write_bytes(pem)
        (folder / f"{name}.key").write_bytes(
            self.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return folder / f"{name}.pem"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def root_ca(common: str = "warcproof test root") -> Issued:
    # RSA, so that its certificate encodes longer than the TSA's (EC): openssl ts writes the
    # token's certificates unsorted, signer first, and rfc3161-client insists on DER order.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue(
    ca: Issued,
    common: str,
    *,
    usage: x509.ObjectIdentifier,
    key: Key | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    dns: Sequence[str] = (),
    ips: Sequence[str] = (),
) -> Issued:
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - timedelta(hours=1))
        .not_valid_after(valid_to or now + timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([usage]), critical=usage == ExtendedKeyUsageOID.TIME_STAMPING
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            False,
        )
    )
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ip_address(i)) for i in ips]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if usage == ExtendedKeyUsageOID.TIME_STAMPING:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def domain_cert(ca: Issued, domain: str, **validity: datetime) -> Issued:
    return issue(ca, domain, usage=ExtendedKeyUsageOID.SERVER_AUTH, dns=[domain], **validity)


def tsa_cert(ca: Issued, common: str = "warcproof test TSA", **validity: datetime) -> Issued:
    return issue(ca, common, usage=ExtendedKeyUsageOID.TIME_STAMPING, **validity)
