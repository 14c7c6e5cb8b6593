"""Checking an ARC file (``.arc``, ``.arc.gz``) as warcio reads it.

ARC records carry no digests and few fields, so the check is what a reader needs: every record
head parses, every record holds the bytes its head announces and is followed by the blank line
that ends it, and (gzipped) every gzip member is whole.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import zlib
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, cast

from archive.check.problems import (
    GZIP_CORRUPT,
    GZIP_TRUNCATED,
    HEADER_SYNTAX,
    MEMBER_LAYOUT,
    NOT_GZIP,
    RECORD_END,
    RECORD_TRUNCATED,
    Problem,
    ProblemSink,
)
from archive.check.warcfile import ReadStream, StreamOpener
from archive.warc.gzipscan import READ_SIZE, scan_members

if TYPE_CHECKING:
    from warcio.archiveiterator import ArchiveIterator

ARC_MAGIC = b"filedesc://"
# warcio writes this to stderr when a record is not followed by a blank line.
_NOT_FOLLOWED_RE = re.compile(r"Record not followed by newline.*?Offset: (\d+)", re.DOTALL)


def check_arc(name: str, opener: StreamOpener, emit: ProblemSink, *, gzipped: bool) -> int:
    """Check one ARC file; returns the number of records read."""
    if gzipped:
        with opener() as stream:
            scan_members(stream.read, _GzipFraming(name, emit))
    with opener() as stream:
        records, shared = _check_records(name, stream, emit, gzipped=gzipped)
    if not shared:
        return records
    # warcio reads one record per gzip member only; the records of a file compressed whole
    # are read from the decompressed stream, their offsets counted in it.
    emit(
        Problem.of(
            name,
            0,
            MEMBER_LAYOUT,
            "a gzip member holds more than one record; offsets are in the decompressed data",
        )
    )
    with opener() as stream, gzip.GzipFile(fileobj=cast(IO[bytes], stream)) as whole:
        return _check_records(name, whole, emit, gzipped=True)[0]


def _check_records(
    name: str, stream: ReadStream | IO[bytes], emit: ProblemSink, *, gzipped: bool
) -> tuple[int, bool]:
    """The records read, and whether warcio found several records in one gzip member."""
    # warcio loads only when an ARC file is checked: a WARC check never needs it.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = 0
    warnings = io.StringIO()
    # warcio reports a record not followed by a blank line only on stderr: catch it there.
    with contextlib.redirect_stderr(warnings):
        iterator = ArchiveIterator(stream, arc2warc=False, no_record_parse=True)
        try:
            for record in iterator:
                records += 1
                _read_record(name, iterator, record, emit)
        except (ArchiveLoadFailed, ValueError) as exc:
            message = " ".join(str(exc).split())
            if "non-chunked gzip" in message:
                return records, True
            where = int(getattr(iterator, "offset", 0))
            emit(Problem.of(name, where, HEADER_SYNTAX, message[:200] or "unreadable record"))
        except (EOFError, zlib.error, gzip.BadGzipFile):
            if not gzipped:  # else the member scan has named the damage
                raise
    for match in _NOT_FOLLOWED_RE.finditer(warnings.getvalue()):
        emit(
            Problem.of(
                name,
                int(match[1]),
                RECORD_END,
                "the record is not followed by a blank line (is its length wrong?)",
            )
        )
    return records, False


def _read_record(name: str, iterator: ArchiveIterator, record: Any, emit: ProblemSink) -> None:
    declared = int(record.length or 0)  # what warcio will read of the body
    stream = record.raw_stream
    got = 0
    while block := stream.read(READ_SIZE):
        got += len(block)
    if got < declared:
        uri = record.rec_headers.get_header("uri") or ""
        emit(
            Problem.of(
                name,
                int(iterator.get_record_offset()),  # (asked before reading, it skips the record)
                RECORD_TRUNCATED,
                f"the ARC record for {uri} holds {got} of its {declared} bytes",
            )
        )


class _GzipFraming:
    """A ``MemberSink`` that reports only damage to the gzip members."""

    def __init__(self, name: str, emit: ProblemSink) -> None:
        self.name = name
        self.emit: Callable[[Problem], None] = emit

    def member_start(self, offset: int) -> None:
        return None

    def member_data(self, data: bytes) -> None:
        return None

    def member_end(self, offset: int, end: int) -> None:
        return None

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        code = GZIP_TRUNCATED if cut_short else GZIP_CORRUPT
        self.emit(Problem.of(self.name, offset, code, reason))

    def garbage(self, offset: int, length: int) -> None:
        self.emit(Problem.of(self.name, offset, NOT_GZIP, f"{length} byte(s) that are not gzip"))
