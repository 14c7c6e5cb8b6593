"""Strict, streaming reading of WARC files written as one gzip member per record.

Every gzip member must hold exactly one record: a ``WARC/x.y`` line, header fields, a block of
exactly Content-Length bytes and the CRLF CRLF end marker. Anything else, a truncated file
included, raises ``WarcFormatError`` naming the file and the member's offset. Memory use is one
record at a time.
"""

import importlib
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from archive.errors import WarcFormatError
from archive.warc.httphead import parse_http_head, status_code

_CHUNK = 1 << 16
# No record warcproof writes comes near this (bodies are cut at 32 MiB); a member inflating past
# it is refused rather than held in memory. Content-Encoding is undone up to the same size.
MAX_RECORD_BYTES = 128 * 1024 * 1024
_GZIP = zlib.MAX_WBITS | 16
_VERSION_RE = re.compile(r"WARC/\d+\.\d+")
_HTTP_RECORD_TYPES = ("request", "response", "revisit")


@dataclass(frozen=True)
class StoredRecord:
    """One record as stored. For request/response records ``payload`` is the HTTP body exactly
    as stored (no content or transfer decoding) and ``http_*`` describe the HTTP head."""

    rec_type: str
    record_id: str
    target_uri: str | None
    date: str | None
    warc_headers: list[tuple[str, str]]
    http_status: int | None  # response and revisit records only
    http_headers: list[tuple[str, str]] | None
    payload: bytes
    offset: int  # of the record's gzip member in the file
    length: int  # compressed length of that member
    http_start_line: str | None = None  # request line or status line

    def header(self, name: str) -> str | None:
        """The first WARC header of that name (case-insensitive), or None."""
        lowered = name.lower()
        return next((value for key, value in self.warc_headers if key.lower() == lowered), None)


def iter_records(path: Path) -> Iterator[StoredRecord]:
    """Every record of a ``.warc.gz`` file, in order."""
    with open(path, "rb") as stream:
        offset = 0
        pending = b""
        while (member := _read_member(stream, path, offset, pending)) is not None:
            data, length, pending = member
            yield _parse_located(path, data, offset, length)
            offset += length


def read_record(path: Path, offset: int) -> StoredRecord:
    """The record whose gzip member starts at ``offset``."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        member = _read_member(stream, path, offset)
    if member is None:
        raise WarcFormatError(f"{path}: offset {offset}: no record there (end of file)")
    data, length, _ = member
    return _parse_located(path, data, offset, length)


def decoded_body(record: StoredRecord) -> bytes:
    """The payload with every Content-Encoding (gzip, deflate, br, zstd, identity) removed."""
    codings = [
        coding.strip().lower()
        for name, value in record.http_headers or []
        if name.lower() == "content-encoding"
        for coding in value.split(",")
    ]
    body = record.payload
    for coding in reversed(codings):
        if coding in ("", "identity"):
            continue
        try:
            body = _DECODERS[coding](body)
        except KeyError:
            raise WarcFormatError(
                f"record {record.record_id} at offset {record.offset}: "
                f"unsupported Content-Encoding {coding!r}"
            ) from None
        except WarcFormatError as exc:
            raise WarcFormatError(
                f"record {record.record_id} at offset {record.offset}: {coding} body: {exc}"
            ) from exc
    return body


def _parse_located(path: Path, data: bytes, offset: int, length: int) -> StoredRecord:
    try:
        return _parse_record(data, offset, length)
    except WarcFormatError as exc:
        raise WarcFormatError(f"{path}: offset {offset}: {exc}") from None


def _read_member(
    stream: BinaryIO, path: Path, offset: int, pending: bytes = b""
) -> tuple[bytes, int, bytes] | None:
    """Decompress the gzip member at ``offset``, whose first bytes may already be in
    ``pending``; returns (data, compressed length, bytes read past its end), None at end of file."""
    decompressor = zlib.decompressobj(_GZIP)
    data = bytearray()
    consumed = 0
    chunk = pending
    while not decompressor.eof:
        if not chunk:
            chunk = stream.read(_CHUNK)
            if not chunk:
                if consumed == 0 and not data:
                    return None
                raise WarcFormatError(f"{path}: offset {offset}: gzip member truncated (file ends)")
        try:
            data += decompressor.decompress(chunk, MAX_RECORD_BYTES + 1 - len(data))
        except zlib.error as exc:
            raise WarcFormatError(f"{path}: offset {offset}: not valid gzip data: {exc}") from None
        if len(data) > MAX_RECORD_BYTES:
            raise WarcFormatError(
                f"{path}: offset {offset}: the record inflates to more than "
                f"{MAX_RECORD_BYTES >> 20} MiB (a decompression bomb?); not read"
            )
        tail = decompressor.unconsumed_tail
        consumed += len(chunk) - len(tail)
        chunk = tail
    rest = decompressor.unused_data
    return bytes(data), consumed - len(rest), rest


def _parse_fields(lines: list[str]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and fields:  # continuation line
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise WarcFormatError(f"malformed WARC header line {line!r}")
        fields.append((name, value.strip(" \t")))
    return fields


def _parse_record(data: bytes, offset: int, length: int) -> StoredRecord:
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        raise WarcFormatError("WARC header block does not end with CRLF CRLF")
    try:
        version, *lines = data[:head_end].decode("utf-8").split("\r\n")
    except UnicodeDecodeError as exc:
        raise WarcFormatError(f"WARC header block is not UTF-8: {exc}") from None
    if not _VERSION_RE.fullmatch(version):
        raise WarcFormatError(f"not a WARC record: starts with {version[:40]!r}")
    fields = _parse_fields(lines)
    found = {name.lower(): value for name, value in reversed(fields)}
    for required in ("warc-type", "warc-record-id", "content-length"):
        if required not in found:
            raise WarcFormatError(f"record has no {required} header")
    if not found["content-length"].isdigit():
        raise WarcFormatError(f"bad Content-Length {found['content-length']!r}")
    block_start = head_end + 4
    block_end = block_start + int(found["content-length"])
    if len(data) < block_end:
        declared = block_end - block_start
        raise WarcFormatError(
            f"block is {len(data) - block_start} bytes, Content-Length {declared}"
        )
    if data[block_end:] != b"\r\n\r\n":
        raise WarcFormatError("record does not end with exactly CRLF CRLF after its block")
    rec_type = found["warc-type"]
    start_line = status = http_headers = None
    payload = data[block_start:block_end]
    is_http = found.get("content-type", "").lower().startswith("application/http")
    if rec_type in _HTTP_RECORD_TYPES and is_http and payload:
        http_end = payload.find(b"\r\n\r\n")
        if http_end < 0:
            raise WarcFormatError("HTTP head does not end with CRLF CRLF")
        start_line, http_headers = parse_http_head(payload[: http_end + 4])
        if rec_type != "request":
            status = status_code(start_line)
            if status is None:
                raise WarcFormatError(f"not an HTTP status line: {start_line[:80]!r}")
        payload = payload[http_end + 4 :]
    return StoredRecord(
        rec_type=rec_type,
        record_id=found["warc-record-id"],
        target_uri=found.get("warc-target-uri"),
        date=found.get("warc-date"),
        warc_headers=fields,
        http_status=status,
        http_headers=http_headers,
        payload=payload,
        offset=offset,
        length=length,
        http_start_line=start_line,
    )


def _gunzip(body: bytes) -> bytes:
    out = bytearray()
    rest = body
    while True:  # concatenated gzip members decode to the concatenation
        decompressor = zlib.decompressobj(_GZIP)
        try:
            out += decompressor.decompress(rest, MAX_RECORD_BYTES + 1 - len(out))
        except zlib.error as exc:
            raise WarcFormatError(f"bad gzip data: {exc}") from exc
        _within_limit(len(out))
        if not decompressor.eof:
            raise WarcFormatError("gzip data truncated")
        rest = decompressor.unused_data
        if rest[:2] != b"\x1f\x8b":
            return bytes(out)


def _within_limit(size: int) -> None:
    if size > MAX_RECORD_BYTES:
        raise WarcFormatError(
            f"decodes to more than {MAX_RECORD_BYTES >> 20} MiB (a decompression bomb?)"
        )


def _inflate(body: bytes) -> bytes:
    # "deflate" means zlib-wrapped data, but some servers send raw deflate.
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        decompressor = zlib.decompressobj(wbits)
        try:
            out = decompressor.decompress(body, MAX_RECORD_BYTES + 1)
        except zlib.error:
            continue
        _within_limit(len(out))
        if not decompressor.eof:
            raise WarcFormatError("deflate data truncated")
        return out
    raise WarcFormatError("bad deflate data (neither zlib nor raw deflate)")


def _optional_module(*names: str) -> ModuleType | None:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def _with_module(module: ModuleType | None, package: str) -> Callable[[bytes], bytes]:
    """A decoder using `module`'s incremental decompressor, stopped at MAX_RECORD_BYTES."""

    def decode(body: bytes) -> bytes:
        if module is None:
            raise WarcFormatError(f"decoding needs the {package} package")
        try:
            if package == "brotli":
                decompressor = module.Decompressor()
                out = decompressor.process(body, output_buffer_limit=MAX_RECORD_BYTES + 1)
                _within_limit(len(out))
                finished = decompressor.is_finished()
            else:
                decompressor = module.ZstdDecompressor()
                out = decompressor.decompress(body, MAX_RECORD_BYTES + 1)
                _within_limit(len(out))
                finished = decompressor.eof
        except WarcFormatError:
            raise
        except Exception as exc:  # each optional codec has its own error class
            raise WarcFormatError(f"bad data: {exc}") from exc
        if not finished:
            raise WarcFormatError(f"{package} data truncated")
        return bytes(out)

    return decode


_DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _with_module(_optional_module("brotli", "brotlicffi"), "brotli"),
    "zstd": _with_module(_optional_module("compression.zstd", "backports.zstd"), "backports.zstd"),
}
