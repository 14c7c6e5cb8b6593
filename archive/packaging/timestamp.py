"""RFC 3161 timestamps: asking an authority (TSA) over HTTP, and checking what it says.

The request hashes with SHA-256, asked for explicitly (rfc3161-client defaults to SHA-512),
carries a nonce and asks for the TSA's certificates, so the token carries its own chain.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from archive.errors import ArchiveError

SHA256 = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")


class TimestampError(ArchiveError):
    """A TSA could not be reached, refused, or gave a token that does not check."""


@dataclass(frozen=True)
class Timestamp:
    response: bytes  # the DER TimeStampResp, as the TSA sent it
    time: datetime
    chain: tuple[x509.Certificate, ...]  # the TSA's certificate first


def request_timestamp(url: str, data: bytes, *, timeout: float = 30.0) -> Timestamp:
    """A timestamp over `data` from the TSA at `url`, checked against the request."""
    request = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).build()
    post = urllib.request.Request(
        url,
        data=request.as_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(post, timeout=timeout) as reply:
            body = reply.read()
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"{url}: the TSA answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampError(f"{url}: cannot reach the TSA: {reason}") from None
    try:
        response = decode_timestamp_response(body)
    except ValueError as exc:
        # rfc3161-client reads strict DER: e.g. a token whose certificates are not in DER set
        # order (as some OpenSSL-based TSAs write them) is refused here.
        raise TimestampError(f"{url}: the answer is not a readable TimeStampResp: {exc}") from None
    if response.status not in (0, 1):
        detail = "; ".join(response.status_string) or f"status {response.status}"
        raise TimestampError(f"{url}: the TSA refused: {detail}")
    info = response.tst_info
    if info.nonce != request.nonce or info.message_imprint.message != (
        request.message_imprint.message
    ):
        raise TimestampError(f"{url}: the token does not answer this request (nonce or hash)")
    chain = token_chain(response)
    if not chain:
        raise TimestampError(f"{url}: the token carries no certificate (the TSA ignored certReq)")
    return Timestamp(body, gen_time(response), chain)


def gen_time(response: TimeStampResponse) -> datetime:
    time = response.tst_info.gen_time
    return time if time.tzinfo else time.replace(tzinfo=UTC)


def token_chain(response: TimeStampResponse) -> tuple[x509.Certificate, ...]:
    """The certificates in a token, ordered from the one that signed it up to the last issuer
    found among them."""
    certs = [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]
    signers = list(response.signed_data.signer_infos)
    if len(signers) != 1:
        return ()
    leaf = next(
        (
            c
            for c in certs
            if (c.issuer, c.serial_number) == (signers[0].issuer, signers[0].serial_number)
        ),
        None,
    )
    chain: list[x509.Certificate] = []
    while leaf is not None and leaf not in chain:
        chain.append(leaf)
        if leaf.issuer == leaf.subject:
            break
        leaf = next((c for c in certs if c.subject == leaf.issuer), None)
    return tuple(chain)


def verify_timestamp(
    response: TimeStampResponse, message: bytes, roots: Sequence[x509.Certificate]
) -> None:
    """Check that `response` is a granted SHA-256 timestamp over `message`, signed by a TSA
    certificate that chains, through the certificates in the token, to one of `roots` and was
    valid at the time stamped. Raises TimestampError saying what failed."""
    if response.tst_info.message_imprint.hash_algorithm != SHA256:
        raise TimestampError("the token is not over a SHA-256 hash")
    if not roots:
        raise TimestampError("no trust root to check the TSA's chain against")
    stamped = gen_time(response)
    for cert in token_chain(response):
        name = f"TSA certificate {cert.subject.rfc4514_string()}"
        if stamped < cert.not_valid_before_utc:
            raise TimestampError(
                f"{name}: not yet valid when it stamped ({stamped:%Y-%m-%dT%H:%M:%SZ}); valid "
                f"from {cert.not_valid_before_utc:%Y-%m-%dT%H:%M:%SZ}"
            )
        if stamped > cert.not_valid_after_utc:
            raise TimestampError(
                f"{name}: expired when it stamped ({stamped:%Y-%m-%dT%H:%M:%SZ}); valid until "
                f"{cert.not_valid_after_utc:%Y-%m-%dT%H:%M:%SZ}"
            )
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify_message(response, message)
    except VerificationError as exc:
        raise TimestampError(_reason(str(exc))) from None


def _reason(message: str) -> str:
    """rfc3161-client's message, shortened to what a reader can act on."""
    if "Mismatch between messages" in message:
        return "the token is over other data than this signature"
    if "certificate verify error" in message:
        detail = re.search(r'Verify error: ([^"]+)"', message)
        why = f" ({detail.group(1)})" if detail else ""
        return f"the TSA's certificate chain does not lead to a trust root{why}"
    if "PKCS7_verify" in message or "pkcs7" in message:
        return "the TSA's signature over the token does not verify (altered?)"
    return message
