"""Checking one WARC stream (a file or a zip entry): sniff its kind, then scan it."""

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

from archive.check.links import LinkRegistry
from archive.check.problems import ProblemSink
from archive.check.record import RecordChecker
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
    kind: str | None  # "gzip", "plain", or None: the bytes are not a WARC at all
    records: int


def check_warc(
    name: str,
    opener: StreamOpener,
    emit: ProblemSink,
    links: LinkRegistry,
    tap: Callable[[bytes], None] | None = None,
) -> WarcOutcome:
    """Check one WARC (gzipped or not) read from ``opener()``; ``tap`` sees every byte read."""
    with opener() as stream:
        kind = _sniff(stream.read(_SNIFF_SIZE))
    if kind is None:
        if tap is not None:
            with opener() as stream:
                while block := stream.read(READ_SIZE):
                    tap(block)
        return WarcOutcome(kind=None, records=0)
    checker = RecordChecker(name, emit, links, gzipped=kind == "gzip")
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


def _sniff(start: bytes) -> str | None:
    """``"gzip"`` or ``"plain"`` if ``start`` can begin a WARC file, None if it cannot."""
    if start and GZIP_MAGIC.startswith(start[:3]):
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            first = decompressor.decompress(start, 5)
        except zlib.error:
            return "gzip"  # damage the scanner will report with its offset
        return "gzip" if len(first) < 5 or first == b"WARC/" else None
    return "plain" if start.startswith(b"WARC/") else None
