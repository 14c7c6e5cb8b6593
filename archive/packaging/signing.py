"""Signing a WACZ's `datapackage.json` digest, as the WACZ auth spec 0.1.0 lays it out.

The signed text is the digest string itself (`sha256:<hex>`, ASCII), hashed with SHA-256.
Two identities:

- anonymous: an ECDSA P-384 key; `publicKey` is its SubjectPublicKeyInfo (DER, base64) and
  `signature` the raw r||s pair, the only form ReplayWeb.page (wabac.js, WebCrypto) accepts;
- domain: an ECDSA key with its certificate chain; `signature` is DER-encoded, as authsign
  signs and verifies it, `domainCert` the chain (leaf first) and `domain` the leaf's name.

Either may carry RFC 3161 timestamps over the `signature` text (`timeSignature`, a base64
TimeStampResp, and `timestampCert`, the authority's chain): the first authority's in the spec's
fields, any further ones in `additionalTimestamps` (a warcproof extension other readers ignore).
Keys are only read here; nothing writes them anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.x509.oid import NameOID

from archive.errors import ArchiveError
from archive.packaging.timestamp import request_timestamp

AUTH_SPEC_VERSION = "0.1.0"
ANONYMOUS_CURVE = ec.SECP384R1
_P384_BYTES = 48


class SigningError(ArchiveError):
    """A key or certificate cannot be used to sign, or a timestamp could not be had."""


@dataclass(frozen=True)
class AnonymousSigner:
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class DomainSigner:
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]  # leaf first

    @property
    def domain(self) -> str:
        return certificate_name(self.chain[0])


Signer = AnonymousSigner | DomainSigner


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ANONYMOUS_CURVE())


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_b64(key: ec.EllipticCurvePublicKey) -> str:
    """The key as `publicKey` holds it: SubjectPublicKeyInfo, DER, base64."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def key_fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    """sha256 of the SubjectPublicKeyInfo, the name a public key goes by in reports."""
    return "sha256:" + hashlib.sha256(base64.b64decode(public_key_b64(key))).hexdigest()


def read_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the key: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise SigningError(f"{path}: the key is encrypted; give an unencrypted key") from None
    except ValueError:
        raise SigningError(f"{path}: not a PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SigningError(f"{path}: not an ECDSA key (the WACZ auth spec signs with ECDSA)")
    return key


def anonymous_signer(key_path: Path) -> AnonymousSigner:
    key = read_private_key(key_path)
    if not isinstance(key.curve, ANONYMOUS_CURVE):
        raise SigningError(
            f"{key_path}: an anonymous signature needs a P-384 key (ReplayWeb.page checks no "
            f"other), this one is {key.curve.name}; make one with `warcproof keys new`"
        )
    return AnonymousSigner(key)


def read_chain(path: Path) -> tuple[x509.Certificate, ...]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the certificates: {exc.strerror}") from None
    try:
        chain = tuple(x509.load_pem_x509_certificates(data))
    except ValueError:
        raise SigningError(f"{path}: not a PEM certificate chain") from None
    return chain


def domain_signer(chain_path: Path, key_path: Path) -> DomainSigner:
    key = read_private_key(key_path)
    chain = read_chain(chain_path)
    leaf_key = chain[0].public_key()
    if not isinstance(leaf_key, ec.EllipticCurvePublicKey) or public_key_b64(
        leaf_key
    ) != public_key_b64(key.public_key()):
        raise SigningError(f"{key_path}: not the key of the first certificate in {chain_path}")
    for cert, issuer in itertools.pairwise(chain):
        if cert.issuer != issuer.subject:
            raise SigningError(
                f"{chain_path}: {cert.subject.rfc4514_string()} is not issued by the next "
                f"certificate ({issuer.subject.rfc4514_string()}); order the chain leaf first"
            )
    now = datetime.now(UTC)
    for cert in chain:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise SigningError(
                f"{chain_path}: {cert.subject.rfc4514_string()} is valid only from "
                f"{cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ} to "
                f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}"
            )
    signer = DomainSigner(key, chain)
    if not signer.domain:
        raise SigningError(f"{chain_path}: the certificate names no domain (CN or DNS SAN)")
    return signer


def certificate_name(cert: x509.Certificate) -> str:
    """The domain a certificate is for: its CN, else its first DNS name (authsign's rule)."""
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common:
        return str(common[0].value)
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ""
    dns = names.value.get_values_for_type(x509.DNSName)
    return dns[0] if dns else ""


def chain_pem(chain: Sequence[x509.Certificate]) -> str:
    """PEM certificates separated by blank lines (wabac.js splits a chain on them)."""
    return "\n".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in chain)


def raw_signature(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(_P384_BYTES, "big") + s.to_bytes(_P384_BYTES, "big")


def der_signature(raw: bytes) -> bytes:
    half = len(raw) // 2
    return encode_dss_signature(
        int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    )


def sign_digest(
    digest: str,
    signer: Signer,
    *,
    software: str,
    tsa_urls: Sequence[str] = (),
    tsa_timeout: float = 30.0,
) -> dict[str, Any]:
    """The `signedData` of a WACZ whose datapackage.json has the digest `digest`.

    `created` is the signing time to the second; verifiers (authsign, `check`) want it no later
    than every timestamp, so a TSA whose clock is behind ours moves it back to its own time
    (the signature covers `hash` only, not `created`)."""
    created = datetime.now(UTC).replace(microsecond=0)
    der = signer.key.sign(digest.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    signed: dict[str, Any] = {
        "hash": digest,
        "created": "",
        "software": software,
        "version": AUTH_SPEC_VERSION,
    }
    if isinstance(signer, AnonymousSigner):
        signed["signature"] = base64.b64encode(raw_signature(der)).decode("ascii")
        signed["publicKey"] = public_key_b64(signer.key.public_key())
    else:
        signed["signature"] = base64.b64encode(der).decode("ascii")
        signed["domain"] = signer.domain
        signed["domainCert"] = chain_pem(signer.chain)
    stamps = []
    for url in tsa_urls:
        token = request_timestamp(url, signed["signature"].encode("ascii"), timeout=tsa_timeout)
        created = min(created, token.time.replace(microsecond=0))
        stamps.append(
            {
                "timeSignature": base64.b64encode(token.response).decode("ascii"),
                "timestampCert": chain_pem(token.chain),
            }
        )
    signed["created"] = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    if stamps:
        signed.update(stamps[0])
    if len(stamps) > 1:
        signed["additionalTimestamps"] = stamps[1:]
    return signed
