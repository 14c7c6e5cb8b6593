"""Reading a seed file's bytes as text: BOMs honoured, UTF-8 by default, a declared encoding
when the manifest gives one, and a clear refusal for anything that is not text."""

from __future__ import annotations

import codecs
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from provenance.errors import ProvenanceError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


# The longest news articles run to some 100 KB of text; ten megabytes is no article.
MAX_SEED_BYTES = 10 * 1024 * 1024


class SeedTextError(ProvenanceError):
    """A seed file cannot be read as text."""


@dataclass(frozen=True)
class SeedText:
    text: str
    encoding: str
    raw: bytes


def decode_seed(raw: bytes, name: str, encoding: str | None = None) -> SeedText:
    """Decode a seed's bytes; `name` is used in error messages."""
    for bom, bom_encoding in _BOMS:
        if raw.startswith(bom):
            return _decode(raw[len(bom) :], bom_encoding, name, raw, f"{bom_encoding} (BOM)")
    if encoding is not None:
        return _decode(raw, encoding, name, raw, encoding)
    if b"\x00" in raw:
        raise SeedTextError(
            f"{name}: contains NUL bytes: binary data or UTF-16/32 without a BOM; "
            "set 'encoding' for this seed in the manifest if it is text"
        )
    return _decode(raw, "utf-8", name, raw, "utf-8")


def _decode(body: bytes, encoding: str, name: str, raw: bytes, label: str) -> SeedText:
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SeedTextError(
            f"{name}: not valid {encoding} "
            f"(byte {exc.start}: {body[exc.start : exc.start + 4]!r}); "
            "set 'encoding' for this seed in the manifest"
        ) from None
    if not text.strip():
        raise SeedTextError(f"{name}: the file holds no text")
    return SeedText(text=text, encoding=label, raw=raw)


def open_regular(path: Path) -> BinaryIO:
    """Open a seed file for reading only if it is a regular file reached without following a
    symbolic link at its last component: a link (to /etc/passwd, or out of the corpus), a
    device (/dev/zero) or a FIFO is refused at once, never read (O_NONBLOCK: opening a FIFO
    does not wait for a writer). Raises SeedTextError naming the file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SeedTextError(
                f"{path}: is a symbolic link; seed files must be regular files inside the corpus"
            ) from None
        raise SeedTextError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SeedTextError(
            f"{path}: is not a regular file (a device, FIFO or folder); seed files must be "
            "regular files inside the corpus"
        )
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_seed(
    path: Path, encoding: str | None = None, *, max_bytes: int = MAX_SEED_BYTES
) -> SeedText:
    with open_regular(path) as handle:
        try:
            raw = handle.read(max_bytes + 1)  # never more than the limit, whatever stat says
        except OSError as exc:
            raise SeedTextError(f"{path}: cannot read: {exc.strerror}") from None
        if len(raw) > max_bytes:
            size = max(os.fstat(handle.fileno()).st_size, len(raw))
            raise SeedTextError(
                f"{path}: {size / 1e6:.1f} MB is more than a copy of one article can be "
                f"(the limit is {max_bytes / 1e6:.0f} MB); its sha256 is still checked"
            )
    return decode_seed(raw, str(path), encoding)
