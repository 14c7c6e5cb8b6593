"""A rolling WARC writer: gzip member per record, ``.open`` while written, warcinfo first.

File lifecycle: a file is created (exclusively) on the first record after construction or
rollover as ``NAME.warc.gz.open``, starts with its own warcinfo record, receives whole gzip
members (one ``write`` per record, flushed at once), and is renamed to ``NAME.warc.gz`` when it is
rolled over or the writer is closed. When a file has reached ``max_size`` bytes, the next record
goes to a new file with the next serial; the two records of an exchange always share one file.

A failed write (``OSError``, e.g. disk full) truncates the file back to where the record began and
re-raises, so earlier records stay intact and nothing follows a partial record. If the truncation
fails too, the file is abandoned as it is (``.open`` suffix kept, listed in ``abandoned``) and the
next record starts a new file.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from archive.errors import ArchiveError, InvalidInputError, WriterClosedError
from archive.warc.httphead import encode_uri
from archive.warc.naming import OPEN_SUFFIX, warc_filename
from archive.warc.records import (
    DEFAULT_GZIP_LEVEL,
    HttpExchange,
    Original,
    RecordRef,
    RecordSpec,
    SerialisedRecord,
    exchange_specs,
    original_headers,
    payload_spec,
    revisit_specs,
    serialise,
    sha1_digest,
    warc_fields,
    warcinfo_spec,
)

logger = logging.getLogger(__name__)

CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


class WarcSink(Protocol):
    """What the writer needs of an open file; ``open(path, "xb", buffering=0)`` provides it."""

    def write(self, data: bytes, /) -> int | None: ...
    def flush(self) -> None: ...
    def truncate(self, size: int, /) -> int: ...
    def seek(self, offset: int, /) -> int: ...
    def close(self) -> None: ...


def open_exclusive(path: Path) -> WarcSink:
    """The default ``opener``: create the file, failing if it exists; unbuffered, so a failed
    write leaves nothing queued in Python that a later flush could append after a truncation."""
    return open(path, "xb", buffering=0)


def _software() -> str:
    def package_version(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "unknown"

    return f"warcproof/{package_version('warcproof')} warcio/{package_version('warcio')}"


@dataclass
class _OpenFile:
    final_path: Path
    open_path: Path
    sink: WarcSink
    warcinfo_id: str
    size: int


class WarcWriter:
    """Write WARC 1.1 records into size-limited ``.warc.gz`` files in ``directory`` (created on
    the first record if missing).

    ``info`` adds warcinfo fields (e.g. ``http-header-user-agent``, ``robots``, ``isPartOf``) and
    may override the defaults (``software``, ``format``, ``conformsTo``, ``hostname``).
    ``opener`` creates a file exclusively and returns its sink (a hook for tests and for callers
    wanting e.g. ``fsync``); it must raise ``FileExistsError`` if the path exists.
    Thread-safe: one lock serialises all writes.
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "warcproof",
        max_size: int = 1_000_000_000,
        info: Mapping[str, str] | None = None,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        opener: Callable[[Path], WarcSink] = open_exclusive,
    ) -> None:
        if max_size <= 0:
            raise InvalidInputError(f"max_size must be positive, not {max_size}")
        if not 0 <= gzip_level <= 9:
            raise InvalidInputError(f"gzip_level must be 0..9, not {gzip_level}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.gzip_level = gzip_level
        self._opener = opener
        self._host = socket.gethostname()
        fields = {
            "software": _software(),
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "hostname": self._host,
            **(info or {}),
        }
        self._warcinfo_fields = warc_fields(fields.items())
        warc_filename(prefix, datetime.now(UTC), 0, os.getpid(), self._host)  # validates prefix
        self._serial = 0
        self._current: _OpenFile | None = None
        self._closed_files: list[Path] = []
        self._abandoned: list[Path] = []
        self._closed = False
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def files(self) -> list[Path]:
        """Final paths of the files closed so far, plus the final path of the current file."""
        with self._lock:
            current = [self._current.final_path] if self._current else []
            return [*self._closed_files, *current]

    @property
    def abandoned(self) -> list[Path]:
        """``.open`` files left behind because a failed write could not be rolled back."""
        with self._lock:
            return list(self._abandoned)

    def write_exchange(
        self,
        ex: HttpExchange,
        *,
        previous: Callable[[str, str], Original | None] | None = None,
    ) -> tuple[RecordRef, RecordRef]:
        """Write the response record, then the request record (``WARC-Concurrent-To`` the
        response), into one file; returns ``(request, response)``.

        With `previous` (called with the target URI and the payload digest), an exchange whose
        payload it knows from an earlier capture is written as a revisit record instead."""
        original = digest = None
        if previous is not None and ex.truncated is None:
            digest = sha1_digest(ex.body)
            original = previous(encode_uri(ex.url), digest)
        if original is None:
            response, request = exchange_specs(ex)
            response = replace(response, payload_digest=digest)
        else:
            response, request = revisit_specs(ex, original)
        response_ref, request_ref = self._write([response, request])
        return request_ref, response_ref

    def write_metadata(
        self,
        target_uri: str,
        payload: bytes,
        content_type: str,
        *,
        refers_to: RecordRef | None = None,
        concurrent_to: RecordRef | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RecordRef:
        spec = payload_spec(
            "metadata",
            target_uri,
            payload,
            content_type,
            refers_to=refers_to.record_id if refers_to else None,
            concurrent_to=concurrent_to.record_id if concurrent_to else None,
            extra_headers=extra_headers,
        )
        return self._write([spec])[0]

    def write_conversion(
        self,
        target_uri: str,
        payload: bytes,
        content_type: str,
        *,
        refers_to: RecordRef | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RecordRef:
        spec = payload_spec(
            "conversion",
            target_uri,
            payload,
            content_type,
            refers_to=refers_to.record_id if refers_to else None,
            extra_headers=extra_headers,
        )
        return self._write([spec])[0]

    def write_resource(
        self,
        target_uri: str,
        payload: bytes,
        content_type: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        concurrent_to: RecordRef | None = None,
        refers_to: str | None = None,
    ) -> RecordRef:
        spec = payload_spec(
            "resource",
            target_uri,
            payload,
            content_type,
            concurrent_to=concurrent_to.record_id if concurrent_to else None,
            refers_to=refers_to,
            extra_headers=extra_headers,
        )
        return self._write([spec])[0]

    def write_revisit(
        self,
        target_uri: str,
        original: Original,
        *,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RecordRef:
        """A revisit record (identical-payload-digest profile, no block) standing for a
        payload `original` holds: e.g. a file archived again unchanged."""
        spec = payload_spec(
            "revisit", target_uri, b"", "application/octet-stream", extra_headers=extra_headers
        )
        spec = replace(spec, headers=(*original_headers(original), *spec.headers))
        return self._write([spec])[0]

    def close(self) -> list[Path]:
        """Close and rename the current file; returns every final path written. Idempotent."""
        with self._lock:
            self._closed = True
            self._finish_current()
            return list(self._closed_files)

    def _write(self, specs: list[RecordSpec]) -> list[RecordRef]:
        with self._lock:
            if self._closed:
                raise WriterClosedError("WarcWriter is closed")
            if self._current is not None and self._current.size >= self.max_size:
                self._finish_current()
            current = self._current or self._start_file()
            return [
                self._append(current, serialise(spec, current.warcinfo_id, self.gzip_level))
                for spec in specs
            ]

    def _start_file(self) -> _OpenFile:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            name = warc_filename(
                self.prefix, datetime.now(UTC), self._serial, os.getpid(), self._host
            )
            self._serial += 1
            final_path = self.directory / name
            open_path = final_path.with_name(name + OPEN_SUFFIX)
            if final_path.exists():
                continue
            try:
                sink = self._opener(open_path)
            except FileExistsError:
                continue
            break
        warcinfo = serialise(warcinfo_spec(name, self._warcinfo_fields), None, self.gzip_level)
        opened = _OpenFile(final_path, open_path, sink, warcinfo.spec.record_id, size=0)
        try:
            _write_all(sink, warcinfo.member)
            sink.flush()
        except OSError:
            sink.close()
            open_path.unlink(missing_ok=True)
            raise
        opened.size = len(warcinfo.member)
        self._current = opened
        logger.debug("opened %s", open_path)
        return opened

    def _append(self, current: _OpenFile, record: SerialisedRecord) -> RecordRef:
        start = current.size
        try:
            _write_all(current.sink, record.member)
            current.sink.flush()
        except OSError:
            self._roll_back(current, start)
            raise
        current.size += len(record.member)
        spec = record.spec
        return RecordRef(
            record_id=spec.record_id,
            warc_file=current.final_path.name,
            offset=start,
            length=len(record.member),
            rec_type=spec.rec_type,
            target_uri=spec.target_uri or "",
            date=spec.date,
            payload_digest=record.payload_digest,
            block_digest=record.block_digest,
        )

    def _roll_back(self, current: _OpenFile, start: int) -> None:
        try:
            current.sink.truncate(start)
            current.sink.seek(start)
        except OSError:
            logger.exception(
                "cannot truncate %s after a failed write; abandoning it", current.open_path
            )
            self._abandoned.append(current.open_path)
            self._current = None
            try:
                current.sink.close()
            except OSError:
                logger.exception("cannot close abandoned %s", current.open_path)

    def _finish_current(self) -> None:
        current, self._current = self._current, None
        if current is None:
            return
        current.sink.close()
        if current.final_path.exists():
            raise ArchiveError(f"refusing to overwrite {current.final_path}")
        current.open_path.rename(current.final_path)
        self._closed_files.append(current.final_path)
        logger.debug("closed %s", current.final_path)


def _write_all(sink: WarcSink, data: bytes) -> None:
    written = 0
    while written < len(data):
        count = sink.write(data[written:])
        if not count:
            raise OSError(f"write made no progress after {written} of {len(data)} bytes")
        written += count
