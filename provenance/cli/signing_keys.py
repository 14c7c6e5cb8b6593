"""`warcproof keys new|public` and the signing options of `warcproof pack`.

A key file is written once, with mode 0600, and only ever read afterwards: no command copies a
key into a collection or a WACZ.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance.exitcodes import ExitCode

if TYPE_CHECKING:
    from archive.packaging.signing import Signer

AUTHSIGN_CERT_DAYS = timedelta(days=7)  # authsign's CERT_DURATION: it expects fresh certificates


def register(commands: Any) -> None:
    keys = commands.add_parser("keys", help="signing keys for `warcproof pack --sign`")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new",
        help="make an ECDSA P-384 key (file mode 0600) and print its public part",
        description="Write a new ECDSA P-384 private key (PKCS#8 PEM, unencrypted, mode 0600) "
        "to FILE, which must not exist, and print its public key as a signed WACZ carries it "
        "(base64 SubjectPublicKeyInfo) with its sha256 fingerprint. Keep FILE out of the "
        "collection; hand the public key to whoever will verify your WACZ files.",
    )
    new.add_argument("file", type=Path, metavar="FILE", help="where to write the private key")
    new.set_defaults(handler=_new)
    public = actions.add_parser("public", help="print the public part of a private key")
    public.add_argument("file", type=Path, metavar="FILE")
    public.set_defaults(handler=_public)


def signing_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("signing (WACZ auth spec 0.1.0)")
    group.add_argument(
        "--sign", type=Path, metavar="KEY", help="sign anonymously with this P-384 key"
    )
    group.add_argument(
        "--sign-cert",
        type=Path,
        metavar="CHAIN",
        help="sign as a domain: its certificate chain (PEM, leaf first); needs --sign-key",
    )
    group.add_argument("--sign-key", type=Path, metavar="KEY", help="the key of --sign-cert")
    group.add_argument(
        "--tsa",
        action="append",
        default=[],
        metavar="URL",
        help="an RFC 3161 time-stamping authority to stamp the signature (repeatable)",
    )


@dataclass
class PackSigning:
    """Signs a WACZ's digest while it is packed; keeps what it signed for the summary."""

    signer: Signer
    tsa_urls: list[str]
    software: str
    signed: dict[str, Any] = field(default_factory=dict)

    def __call__(self, digest: str) -> dict[str, Any]:
        from archive.packaging.signing import sign_digest

        self.signed = sign_digest(
            digest, self.signer, software=self.software, tsa_urls=self.tsa_urls
        )
        return self.signed

    def summary(self) -> str:
        from archive.packaging.signing import DomainSigner, key_fingerprint

        who = self.signed.get("domain") or "anonymous key " + key_fingerprint(
            self.signer.key.public_key()
        )
        stamps = len(self.tsa_urls)
        line = f"  signed by {who} at {self.signed.get('created')}; {stamps} timestamp(s)"
        if isinstance(self.signer, DomainSigner):
            age = datetime.now(UTC) - self.signer.chain[0].not_valid_before_utc
            if age > AUTHSIGN_CERT_DAYS:
                line += (
                    f"\n  note: the certificate is {age.days} days old; authsign's verifier "
                    f"accepts a domain signature only within {AUTHSIGN_CERT_DAYS.days} days of "
                    f"its certificate's start (warcproof check has no such limit)"
                )
        return line


def signer_from(args: argparse.Namespace) -> PackSigning | None:
    """The signing `pack` was asked for, or None; SigningError on contradictory options."""
    # cryptography and the packaging code load only when a command runs, as everywhere here.
    from archive.packaging.signing import SigningError, anonymous_signer, domain_signer
    from provenance.report.export import software

    if args.sign and (args.sign_cert or args.sign_key):
        raise SigningError(
            "--sign (anonymous) and --sign-cert/--sign-key (domain) exclude each other"
        )
    if bool(args.sign_cert) != bool(args.sign_key):
        raise SigningError("--sign-cert and --sign-key go together")
    if args.sign:
        signer: Signer = anonymous_signer(args.sign)
    elif args.sign_cert:
        signer = domain_signer(args.sign_cert, args.sign_key)
    elif args.tsa:
        raise SigningError("--tsa stamps a signature: give --sign or --sign-cert too")
    else:
        return None
    return PackSigning(signer, list(args.tsa), software())


def _new(args: argparse.Namespace) -> int:
    from archive.packaging.signing import new_key, private_key_pem

    key = new_key()
    try:
        handle = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"warcproof: {args.file}: exists; not overwritten", file=sys.stderr)
        return ExitCode.USAGE
    except OSError as exc:
        print(f"warcproof: {args.file}: {exc.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    with os.fdopen(handle, "wb") as out:
        out.write(private_key_pem(key))
    print(f"{args.file}: new ECDSA P-384 private key (mode 0600)")
    _print_public(key.public_key())
    return ExitCode.OK


def _public(args: argparse.Namespace) -> int:
    from archive.packaging.signing import read_private_key

    _print_public(read_private_key(args.file).public_key())
    return ExitCode.OK


def _print_public(key: Any) -> None:
    from archive.packaging.signing import key_fingerprint, public_key_b64

    print(f"public key:  {public_key_b64(key)}")
    print(f"fingerprint: {key_fingerprint(key)}")
