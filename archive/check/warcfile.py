"""Checking one WARC stream (a file or a zip entry): sniff its kind, then scan it."""

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from archive.check.links import LinkRegistry
from archive.check.problems import ProblemSink
from archive.check.record import RecordChecker
from archive.check.shares import check_in_shares
from archive.warc.gzipscan import GZIP_MAGIC, READ_SIZE, scan_members

_SNIFF_SIZE = 1 << 16


class ReadStream(Protocol):
    """What ``check_warc`` reads: a binary file or a zip entry, as a context manager."""

    def read(self, size: int = -1, /) -> bytes: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> object: ...


StreamOpener = Callable[[], ReadStream]


@dataclass(frozen=True)
class WarcOutcome:
    kind: str | None  # "gzip", "plain", or None: the bytes are not a WARC
    records: int


def check_warc(
    name: str,
    opener: StreamOpener,
    emit: ProblemSink,
    links: LinkRegistry,
    tap: Callable[[bytes], None] | None = None,
    on_disk: tuple[Path, Callable[[int], None]] | None = None,
) -> WarcOutcome:
    """Check one WARC (gzipped or not) read from ``opener()``; ``tap`` sees every byte read.
    ``on_disk``, the file's path and a callback told how far the check has got, lets a large
    gzipped file be checked in shares on every core (``archive.check.shares``)."""
    with opener() as stream:
        kind = sniff(stream.read(_SNIFF_SIZE))
    if kind not in ("gzip", "plain"):
        kind = None
        if tap is not None:
            with opener() as stream:
                while block := stream.read(READ_SIZE):
                    tap(block)
        return WarcOutcome(kind=None, records=0)
    checker = RecordChecker(name, emit, links, gzipped=kind == "gzip")
    if kind == "gzip" and on_disk is not None and tap is None:
        check_in_shares(*on_disk, checker)
        checker.finish()
        return WarcOutcome(kind=kind, records=checker.records)
    with opener() as stream:

        def read(size: int) -> bytes:
            block = stream.read(size)
            if tap is not None and block:
                tap(block)
            return block

        if kind == "gzip":
            scan_members(read, checker)
        else:
            while block := read(READ_SIZE):
                checker.feed(block)
    checker.finish()
    return WarcOutcome(kind=kind, records=checker.records)


ZSTD_MAGICS = (b"\x28\xb5\x2f\xfd", b"\x5d\x2a\x4d\x18")  # a frame; WARC's dictionary frame
LZ4_MAGIC = b"\x04\x22\x4d\x18"
_ARC_MAGIC = b"filedesc://"


def sniff(start: bytes) -> str | None:
    """What the first bytes of a file say it is: ``"gzip"`` or ``"plain"`` (a WARC),
    ``"arc-gzip"`` or ``"arc"``, ``"zstd"`` or ``"lz4"`` (compressed with what this checker
    does not read), None (none of these)."""
    if start and GZIP_MAGIC.startswith(start[:3]):
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            first = decompressor.decompress(start, len(_ARC_MAGIC))
        except zlib.error:
            return "gzip"  # damage the scanner will report with its offset
        if first.startswith(b"WARC/") or len(first) < 5:
            return "gzip"
        return "arc-gzip" if _ARC_MAGIC.startswith(first) else None
    if start.startswith(ZSTD_MAGICS):
        return "zstd"
    if start.startswith(LZ4_MAGIC):
        return "lz4"
    if start.startswith(_ARC_MAGIC):
        return "arc"
    return "plain" if start.startswith(b"WARC/") else None
