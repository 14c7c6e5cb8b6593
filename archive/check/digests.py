"""Digest fields (``label:value``) and the incremental hashing ``warcproof check`` needs.

Labels ``sha1``/``sha-1``, ``sha256``/``sha-256``, ``sha512``/``sha-512`` and ``md5``; values in
base32 (the convention for sha1), base16, base64 or URL-safe base64. A value is decoded to bytes
and compared with the digest, so its case and padding do not matter.
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import NamedTuple

_ALGORITHMS = {
    "sha1": "sha1",
    "sha-1": "sha1",
    "sha256": "sha256",
    "sha-256": "sha256",
    "sha512": "sha512",
    "sha-512": "sha512",
    "md5": "md5",
}
_HEX_RE = re.compile(r"[0-9A-Fa-f]+")
_BASE32_RE = re.compile(r"[A-Za-z2-7]+")
# base32 digits (RFC 4648) to the digits int() reads in base 32.
_BASE32_TO_INT = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz",
    "0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnop",
)
_CONSTRUCTORS: dict[str, Callable[[], "hashlib._Hash"]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "md5": hashlib.md5,
}
_SIZES = {name: make().digest_size for name, make in _CONSTRUCTORS.items()}
_CHUNK_SIZE_RE = re.compile(rb"[0-9A-Fa-f]{1,16}")


class DigestFieldError(ValueError):
    """A digest field that is malformed or names an algorithm this checker does not know."""


class ExpectedDigest(NamedTuple):
    label: str  # as written
    algorithm: str  # hashlib name
    value: bytes  # decoded digest

    def new_hash(self) -> "hashlib._Hash":
        """A fresh hash object of this digest's algorithm."""
        return _CONSTRUCTORS[self.algorithm]()


def parse_digest(field: str) -> ExpectedDigest:
    """``sha1:B32VALUE`` -> the algorithm and the digest bytes it announces."""
    label, colon, encoded = field.strip().partition(":")
    if not colon or not encoded:
        raise DigestFieldError(f"digest {field!r} is not label:value")
    algorithm = _ALGORITHMS.get(label.lower())
    if algorithm is None:
        raise DigestFieldError(f"unsupported digest algorithm {label!r}")
    size = _SIZES[algorithm]
    value = _decode(encoded, size)
    if value is None:
        raise DigestFieldError(
            f"digest {field!r} is not a {size}-byte value in base32, base16 or base64"
        )
    return ExpectedDigest(label, algorithm, value)


def _decode(encoded: str, size: int) -> bytes | None:
    if len(encoded) * 5 == size * 8 and _BASE32_RE.fullmatch(encoded):
        # Unpadded base32 that fills the digest exactly (sha1's usual form): what
        # base64.b32decode would return, without its slow pure-Python loop.
        return int(encoded.translate(_BASE32_TO_INT), 32).to_bytes(size, "big")
    candidates = []
    if len(encoded) == 2 * size and _HEX_RE.fullmatch(encoded):
        candidates.append(bytes.fromhex(encoded))
    padded32 = encoded.upper() + "=" * (-len(encoded) % 8)
    padded64 = encoded + "=" * (-len(encoded) % 4)
    decoders = (
        (base64.b32decode, padded32),
        (base64.b64decode, padded64),
        (base64.urlsafe_b64decode, padded64),  # '-' and '_' for '+' and '/': some writers
    )
    for decode, text in decoders:
        try:
            candidates.append(decode(text))
        except (binascii.Error, ValueError):
            continue
    return next((value for value in candidates if len(value) == size), None)


class Dechunker:
    """Removes HTTP/1.1 chunked transfer coding incrementally; ``error`` says why it gave up."""

    _SIZE, _DATA, _DATA_END, _TRAILER, _DONE = range(5)
    _LINE_LIMIT = 8192

    def __init__(self) -> None:
        self.state = self._SIZE
        self.line = bytearray()
        self.remaining = 0
        self.error: str | None = None

    @property
    def complete(self) -> bool:
        return self.state == self._DONE

    def feed(self, data: bytes | memoryview) -> list[memoryview]:
        """The entity-body bytes ``data`` carries (empty once an error has been found), as views
        of ``data``."""
        out: list[memoryview] = []
        view = memoryview(data)
        while view and self.error is None and self.state != self._DONE:
            if self.state == self._DATA:
                take = view[: self.remaining]
                out.append(take)
                self.remaining -= len(take)
                view = view[len(take) :]
                if not self.remaining:
                    self.state = self._DATA_END
                continue
            end = bytes(view[: self._LINE_LIMIT]).find(b"\n")
            if end < 0:
                self.line += view
                view = view[len(view) :]
                if len(self.line) > self._LINE_LIMIT:
                    self.error = "a chunk-size line is too long"
                continue
            self.line += view[: end + 1]
            view = view[end + 1 :]
            self._line(bytes(self.line).rstrip(b"\r\n"))
            self.line.clear()
        return out

    def _line(self, line: bytes) -> None:
        if self.state == self._DATA_END:
            if line:
                self.error = "chunk data is not followed by CRLF"
            self.state = self._SIZE
        elif self.state == self._SIZE:
            size = line.split(b";", 1)[0].strip(b" \t")
            if not _CHUNK_SIZE_RE.fullmatch(size):
                self.error = f"bad chunk size {size[:20]!r}"
                return
            self.remaining = int(size, 16)
            self.state = self._DATA if self.remaining else self._TRAILER
        elif not line:  # the empty line ending the trailer section
            self.state = self._DONE
