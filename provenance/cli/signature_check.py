"""`warcproof check --verify-signature`: who signed each WACZ, when, and what it covers."""

from __future__ import annotations

import base64
import ssl
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from archive.packaging.signature_verify import load_trust_roots, verify_signed_wacz
from archive.packaging.signing import key_fingerprint
from provenance.exitcodes import ExitCode


def default_roots() -> list[Path]:
    """The system's CA bundle, the roots a verifier trusts when none are given."""
    paths = ssl.get_default_verify_paths()
    found = [Path(p) for p in (paths.cafile, paths.openssl_cafile) if p and Path(p).is_file()]
    return found[:1]


def signer_fingerprint(key: str) -> str:
    """`sha256:<hex>` as `keys new` prints it, or the base64 public key itself."""
    if key.startswith("sha256:"):
        return key.lower()
    try:
        der = base64.b64decode(key, validate=True)
        public = serialization.load_der_public_key(der)
    except ValueError:
        raise ValueError(f"{key!r} is neither sha256:<hex> nor a base64 public key") from None
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise ValueError(f"{key!r} is not an ECDSA public key")
    return key_fingerprint(public)


def verify_signatures(waczs: list[Path], root_files: list[Path], signer_keys: list[str]) -> int:
    if not waczs:
        print("warcproof: --verify-signature: no WACZ file among the paths", file=sys.stderr)
        return ExitCode.USAGE
    try:
        roots = load_trust_roots(root_files or default_roots())
    except ValueError as exc:
        print(f"warcproof: --trust-roots: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        keys = [signer_fingerprint(key) for key in signer_keys]
    except ValueError as exc:
        print(f"warcproof: --signer-key: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    code = ExitCode.OK
    for wacz in waczs:
        result = verify_signed_wacz(wacz, roots, keys)
        print("\n".join(result.lines()))
        if not result.ok:
            code = ExitCode.FAILED
    return code
