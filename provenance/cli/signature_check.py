"""`warcproof check --verify-signature`: who signed each WACZ, when, and what it covers."""

from __future__ import annotations

import ssl
import sys
from pathlib import Path

from archive.check.waczsignature import load_trust_roots, verify_signed_wacz
from provenance.cli.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def default_roots() -> list[Path]:
    """The system's CA bundle, the roots a verifier trusts when none are given."""
    paths = ssl.get_default_verify_paths()
    found = [Path(p) for p in (paths.cafile, paths.openssl_cafile) if p and Path(p).is_file()]
    return found[:1]


def verify_signatures(waczs: list[Path], root_files: list[Path]) -> int:
    if not waczs:
        print("warcproof: --verify-signature: no WACZ file among the paths", file=sys.stderr)
        return EXIT_USAGE
    try:
        roots = load_trust_roots(root_files or default_roots())
    except ValueError as exc:
        print(f"warcproof: --trust-roots: {exc}", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    for wacz in waczs:
        result = verify_signed_wacz(wacz, roots)
        print("\n".join(result.lines()))
        if not result.ok:
            code = EXIT_FAILED
    return code
