"""Offline verification of a signed WACZ (WACZ auth spec 0.1.0), with the caller's trust roots.

From the top down: the signature over the digest in `datapackage-digest.json` (anonymous: the
embedded P-384 key, raw r||s as wabac.js checks it; domain: the leaf of `domainCert`, DER as
authsign checks it), the RFC 3161 timestamps over that signature and their TSA chains, the
domain's certificate chain (valid at the stamped time, for the named domain, up to a trust
root), then the digest of `datapackage.json` and the sha256 and size of every file it lists.
Every file in the zip must be listed. Nothing is fetched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import warnings
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import DNSName
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from rfc3161_client import decode_timestamp_response

from archive.packaging.signing import (
    certificate_name,
    der_signature,
    key_fingerprint,
)
from archive.packaging.timestamp import TimestampError, gen_time, token_chain, verify_timestamp

DIGEST_FILE = "datapackage-digest.json"
PACKAGE_FILE = "datapackage.json"
STAMP_WINDOW = timedelta(minutes=10)  # spec step 6: `created` within 10 minutes of the stamp
_CHUNK = 1 << 20
_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class SignatureCheck:
    """What a signed WACZ says about itself, and each thing that does not hold."""

    path: Path
    problems: list[str] = field(default_factory=list)
    signer: str = ""
    created: str = ""
    timestamps: list[str] = field(default_factory=list)
    package_hash: str = ""
    files: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if not self.ok:
            head = f"{self.path}: signature NOT valid"
            return [head, *(f"{self.path}: {problem}" for problem in self.problems)]
        size = sum(n for _, n in self.files)
        lines = [
            f"{self.path}: signature valid",
            f"  signed by: {self.signer}",
            f"  created:   {self.created} (as the signer states it)",
        ]
        lines += [f"  timestamp: {stamp}" for stamp in self.timestamps] or [
            "  timestamp: none (the signing time is the signer's word only)"
        ]
        lines.append(
            f"  covers:    {PACKAGE_FILE} {self.package_hash}, which lists {len(self.files)} "
            f"file(s), {size} bytes, every file in the WACZ:"
        )
        lines += [f"    {name} ({n} bytes)" for name, n in self.files]
        return lines


def load_trust_roots(paths: list[Path]) -> list[x509.Certificate]:
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            with warnings.catch_warnings():  # system bundles hold a few non-RFC 5280 serials
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                roots += x509.load_pem_x509_certificates(path.read_bytes())
        except OSError as exc:
            raise ValueError(f"{path}: cannot read: {exc.strerror}") from None
        except ValueError:
            raise ValueError(f"{path}: not a PEM file of certificates") from None
    return roots


def verify_signed_wacz(
    path: Path, roots: list[x509.Certificate], signer_keys: Collection[str] = ()
) -> SignatureCheck:
    """Verify the WACZ at `path`: domain and TSA chains against `roots`; an anonymous signature,
    if `signer_keys` (public key fingerprints, `sha256:<hex>`) are given, must be by one of them.
    """
    check = SignatureCheck(path)
    try:
        with zipfile.ZipFile(path) as wacz:
            _verify(wacz, roots, frozenset(signer_keys), check)
    except (zipfile.BadZipFile, OSError) as exc:
        check.problems.append(f"not a readable zip file: {exc}")
    return check


def _verify(
    wacz: zipfile.ZipFile,
    roots: list[x509.Certificate],
    signer_keys: frozenset[str],
    check: SignatureCheck,
) -> None:
    digest_doc = _json_entry(wacz, DIGEST_FILE, check)
    if digest_doc is None:
        return
    signed = digest_doc.get("signedData")
    if not isinstance(signed, dict):
        check.problems.append(f"{DIGEST_FILE}: no signedData: the WACZ is not signed")
        return
    digest = signed.get("hash")
    if not isinstance(digest, str) or digest != digest_doc.get("hash"):
        check.problems.append(f"{DIGEST_FILE}: signedData.hash is not the digest it signs")
        return
    check.created = str(signed.get("created", ""))
    signature = _verify_signature(signed, digest, signer_keys, check)
    stamped = _verify_timestamps(signed, signature, roots, check)
    if "domainCert" in signed:
        _verify_domain_chain(signed, roots, stamped or _parse_time(check.created), check)
    package = _verify_package(wacz, digest, check)
    if package is not None:
        _verify_files(wacz, package, check)


def _json_entry(wacz: zipfile.ZipFile, name: str, check: SignatureCheck) -> dict[str, Any] | None:
    try:
        value = json.loads(wacz.read(name))
    except KeyError:
        check.problems.append(f"{name}: missing")
        return None
    except zipfile.BadZipFile:
        check.problems.append(f"{name}: damaged in the zip (bad CRC-32): altered after packing")
        return None
    except ValueError:
        check.problems.append(f"{name}: not valid JSON (altered?)")
        return None
    if not isinstance(value, dict):
        check.problems.append(f"{name}: not a JSON object")
        return None
    return value


def _b64(signed: dict[str, Any], name: str, check: SignatureCheck) -> bytes | None:
    try:
        return base64.b64decode(str(signed.get(name, "")), validate=True)
    except (binascii.Error, ValueError):
        check.problems.append(f"{DIGEST_FILE}: signedData.{name} is not valid base64 (altered?)")
        return None


def _verify_signature(
    signed: dict[str, Any], digest: str, signer_keys: frozenset[str], check: SignatureCheck
) -> str:
    """Check the signature over `digest`; returns the signature text the timestamps cover."""
    text = str(signed.get("signature", ""))
    if "publicKey" not in signed and "domainCert" not in signed:
        check.problems.append(f"{DIGEST_FILE}: signedData has neither publicKey nor domainCert")
        return text
    raw = _b64(signed, "signature", check)
    if raw is None:
        return text
    message = digest.encode("utf-8")  # ASCII when well-formed
    try:
        if "publicKey" in signed:
            key_der = _b64(signed, "publicKey", check)
            if key_der is None:
                return text
            key = serialization.load_der_public_key(key_der)
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp384r1":
                check.problems.append("signature: the public key is not ECDSA P-384")
                return text
            if len(raw) != 96:
                check.problems.append("signature: not a raw 96-byte r||s P-384 signature")
                return text
            key.verify(der_signature(raw), message, ec.ECDSA(hashes.SHA256()))
            check.signer = f"anonymous key {key_fingerprint(key)}"
            if signer_keys and key_fingerprint(key) not in signer_keys:
                check.problems.append(
                    f"signature: made by key {key_fingerprint(key)}, not by a key given as "
                    f"the signer's"
                )
            elif signer_keys:
                check.signer += " (one of the signer keys given)"
        else:
            chain = x509.load_pem_x509_certificates(str(signed.get("domainCert", "")).encode())
            leaf_key = chain[0].public_key()
            if not isinstance(leaf_key, ec.EllipticCurvePublicKey):
                check.problems.append("signature: the domain certificate's key is not ECDSA")
                return text
            leaf_key.verify(raw, message, ec.ECDSA(hashes.SHA256()))
            check.signer = f"{signed.get('domain')} ({chain[0].subject.rfc4514_string()})"
    except InvalidSignature:
        check.problems.append(
            f"signature: does not verify: the signature or the digest of {PACKAGE_FILE} "
            f"it signs was altered"
        )
    except ValueError as exc:
        check.problems.append(f"signature: unusable key or certificate ({exc})")
    return text


def _verify_timestamps(
    signed: dict[str, Any], signature: str, roots: list[x509.Certificate], check: SignatureCheck
) -> datetime | None:
    """Check every timestamp; returns the earliest stamped time among those that hold."""
    stamps = [signed] if "timeSignature" in signed else []
    extra = signed.get("additionalTimestamps", [])
    stamps += [s for s in extra if isinstance(s, dict)] if isinstance(extra, list) else []
    created = _parse_time(check.created)
    times: list[datetime] = []
    for number, stamp in enumerate(stamps, 1):
        label = "timestamp" if len(stamps) == 1 else f"timestamp {number}"
        raw = _b64(stamp, "timeSignature", check)
        if raw is None:
            continue
        try:
            response = decode_timestamp_response(raw)
            verify_timestamp(response, signature.encode("utf-8"), roots)
        except ValueError as exc:
            # rfc3161-client reads strict DER (e.g. it refuses a token whose certificates are
            # not in DER set order): its reason is given, as it may be the writer's, not a change
            check.problems.append(f"{label}: not a readable RFC 3161 TimeStampResp: {exc}")
            continue
        except TimestampError as exc:
            check.problems.append(f"{label}: {exc}")
            continue
        chain = token_chain(response)
        embedded = [x509.load_der_x509_certificate(c) for c in response.signed_data.certificates]
        try:
            listed = x509.load_pem_x509_certificates(str(stamp.get("timestampCert", "")).encode())
        except ValueError:
            check.problems.append(f"{label}: timestampCert is not a PEM chain (altered?)")
            continue
        if not listed or not chain or listed[0] != chain[0]:
            check.problems.append(f"{label}: timestampCert is not the certificate that signed it")
            continue
        broken = unverified(embedded, roots) + unverified(listed, roots)
        if broken:
            check.problems.append(f"{label}: {broken[0]}")
            continue
        time = gen_time(response)
        if created is None or not time - STAMP_WINDOW <= created <= time:
            check.problems.append(
                f"{label}: created {check.created} is not within the 10 minutes before the "
                f"stamped time {time:{_TIME}}"
            )
            continue
        times.append(time)
        check.timestamps.append(
            f"{time:{_TIME}} by {chain[0].subject.rfc4514_string()} "
            f"(chain to {_root_name(chain, roots)})"
        )
    return min(times, default=None)


def unverified(certs: list[x509.Certificate], roots: list[x509.Certificate]) -> list[str]:
    """Every certificate a WACZ or a token carries must bear its issuer's signature (issuer
    found among them or the trust roots), so that no byte of them can change unnoticed, even
    in a copy the chain check does not need."""
    problems = []
    for cert in certs:
        name = cert.subject.rfc4514_string()
        issuer = next((c for c in (*certs, *roots) if c.subject == cert.issuer), None)
        if issuer is None:
            problems.append(f"certificate {name}: its issuer is neither in the chain nor trusted")
            continue
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            problems.append(f"certificate {name}: its signature does not verify (altered?)")
    return problems


def _verify_domain_chain(
    signed: dict[str, Any],
    roots: list[x509.Certificate],
    at: datetime | None,
    check: SignatureCheck,
) -> None:
    try:
        chain = x509.load_pem_x509_certificates(str(signed.get("domainCert", "")).encode())
    except ValueError:
        check.problems.append("domain certificate: domainCert is not a PEM chain (altered?)")
        return
    domain = str(signed.get("domain", ""))
    broken = unverified(chain, roots)
    if broken:
        check.problems.append(f"domain certificate: {broken[0]}")
        return
    if certificate_name(chain[0]) != domain:
        check.problems.append(
            f"domain certificate: issued to {certificate_name(chain[0])!r}, not to the domain "
            f"{domain!r} the signature names"
        )
        return
    if at is None:
        check.problems.append("domain certificate: no valid signing time to check it at")
        return
    for cert in chain:
        name = cert.subject.rfc4514_string()
        if at < cert.not_valid_before_utc:
            check.problems.append(
                f"domain certificate {name}: not yet valid when signed ({at:{_TIME}}); valid "
                f"from {cert.not_valid_before_utc:{_TIME}}"
            )
            return
        if at > cert.not_valid_after_utc:
            check.problems.append(
                f"domain certificate {name}: expired when signed ({at:{_TIME}}); valid until "
                f"{cert.not_valid_after_utc:{_TIME}}"
            )
            return
    if not roots:
        check.problems.append("domain certificate: no trust root to check its chain against")
        return
    verifier = PolicyBuilder().store(Store(roots)).time(at).build_server_verifier(DNSName(domain))
    try:
        verified = verifier.verify(chain[0], list(chain[1:]))
    except VerificationError as exc:
        check.problems.append(f"domain certificate: its chain does not lead to a trust root: {exc}")
        return
    check.signer += f", chain to {_root_name(verified, roots)}"


def _root_name(chain: Any, roots: list[x509.Certificate]) -> str:
    """The trust root a verified chain ends at, by name and fingerprint."""
    last = chain[-1]
    root = next((r for r in roots if r == last or r.subject == last.issuer), last)
    return f"{root.subject.rfc4514_string()} sha256:{root.fingerprint(hashes.SHA256()).hex()}"


def _parse_time(text: str) -> datetime | None:
    """An ISO 8601 time with its offset; a time without one says no moment, so None."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _verify_package(
    wacz: zipfile.ZipFile, digest: str, check: SignatureCheck
) -> dict[str, Any] | None:
    try:
        data = wacz.read(PACKAGE_FILE)
    except KeyError:
        check.problems.append(f"{PACKAGE_FILE}: missing")
        return None
    except zipfile.BadZipFile:
        check.problems.append(f"{PACKAGE_FILE}: damaged in the zip (bad CRC-32)")
        return None
    actual = f"sha256:{hashlib.sha256(data).hexdigest()}"
    check.package_hash = digest
    if actual != digest:
        check.problems.append(
            f"{PACKAGE_FILE}: altered: its sha256 is {actual}, the signed digest {digest}"
        )
        return None
    package = _json_entry(wacz, PACKAGE_FILE, check)
    if package is None or not isinstance(package.get("resources"), list):
        check.problems.append(f"{PACKAGE_FILE}: no resources list")
        return None
    return package


def _verify_files(wacz: zipfile.ZipFile, package: dict[str, Any], check: SignatureCheck) -> None:
    listed: set[str] = set()
    for resource in package["resources"]:
        name = str(resource.get("path", "")) if isinstance(resource, dict) else ""
        if not name:
            check.problems.append(f"{PACKAGE_FILE}: a resource without a path")
            continue
        listed.add(name)
        hasher, size = hashlib.sha256(), 0
        try:
            with wacz.open(name) as data:
                while chunk := data.read(_CHUNK):
                    hasher.update(chunk)
                    size += len(chunk)
        except KeyError:
            check.problems.append(f"{name}: listed in {PACKAGE_FILE} but not in the WACZ")
            continue
        except zipfile.BadZipFile:
            check.problems.append(f"{name}: damaged in the zip (bad CRC-32): altered")
            continue
        actual = f"sha256:{hasher.hexdigest()}"
        if actual != resource.get("hash") or size != resource.get("bytes"):
            check.problems.append(
                f"{name}: altered: sha256 {actual} ({size} bytes), signed as "
                f"{resource.get('hash')} ({resource.get('bytes')} bytes)"
            )
            continue
        check.files.append((name, size))
    for name in wacz.namelist():
        if (
            name not in listed
            and name not in (PACKAGE_FILE, DIGEST_FILE)
            and not name.endswith("/")
        ):
            check.problems.append(f"{name}: in the WACZ but not covered by the signature")
