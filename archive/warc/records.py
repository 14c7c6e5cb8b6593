"""What goes into a WARC record: the exchange and reference types, and record building.

Records are assembled and serialised by warcio's ``WARCWriter`` (WARC header block, Content-Length,
block and payload digests); this module chooses the headers, supplies the HTTP head bytes from
``archive.warc.httphead`` and gzips each record as one member at the configured level: levels 1
to 3 with ISA-L (``isal``), which on real pages compresses smaller than zlib at levels 1 and 3
(the two compared) and three to nine times faster; 0 (stored) and 4 to 9 with zlib.
"""

import base64
import hashlib
import ipaddress
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from io import BytesIO

from isal import isal_zlib
from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import InvalidInputError
from archive.warc.httphead import TOKEN_RE, encode_uri, request_head, response_head

# A header value byte a WARC record cannot hold as received, and how it is written instead.
_ESCAPES = {"\r": "%0D", "\n": "%0A", "\0": "%00"}
_MAX_NOTE = 2000  # characters of the change note kept in the record

WARC_VERSION = "WARC/1.1"
ISAL_LEVELS = range(1, 4)  # ISA-L's own levels 1-3; its level 0 compresses, zlib's stores
# ISA-L's level 2: about zlib level 3's size (some 10% more than level 6) at a ninth of level 6's
# time, which a crawl otherwise spends on the reactor thread (bench/RESULTS.md, capture only).
DEFAULT_GZIP_LEVEL = 2
RECONSTRUCTED_HEADER = "WARC-Warcproof-Reconstructed"
TRUNCATED_REASONS = frozenset({"length", "time", "disconnect", "unspecified"})
HTTP_REQUEST_TYPE = "application/http; msgtype=request"
HTTP_RESPONSE_TYPE = "application/http; msgtype=response"
WARC_FIELDS_TYPE = "application/warc-fields"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# Headers the writer sets itself; callers may not pass them as extra headers.
_WRITER_HEADERS = frozenset(
    name.lower()
    for name in (
        "WARC-Type",
        "WARC-Record-ID",
        "WARC-Date",
        "WARC-Target-URI",
        "WARC-Warcinfo-ID",
        "WARC-Filename",
        "WARC-Block-Digest",
        "WARC-Payload-Digest",
        "Content-Type",
        "Content-Length",
    )
)
_FORBIDDEN_IN_VALUE = ("\r", "\n", "\0")


@dataclass(frozen=True)
class HttpExchange:
    """One HTTP request and its response as downloaded.

    Header names and values hold the raw bytes decoded with ``latin-1``. ``body`` is the entity
    body with Content-Encoding intact and transfer coding (chunking) removed.
    """

    url: str
    method: str
    request_headers: Sequence[tuple[str, str]]
    request_body: bytes
    protocol: str
    status: int
    reason: str | None
    response_headers: Sequence[tuple[str, str]]
    body: bytes
    ip_address: str | None
    started: datetime
    truncated: str | None = None
    reconstructed: str | None = None


@dataclass(frozen=True)
class RecordRef:
    """Where a written record is and what identifies it."""

    record_id: str
    warc_file: str
    offset: int
    length: int
    rec_type: str
    target_uri: str
    date: str
    payload_digest: str | None
    block_digest: str


@dataclass(frozen=True)
class Original:
    """The earlier capture a revisit record points at."""

    record_id: str
    target_uri: str
    date: str
    payload_digest: str


@dataclass(frozen=True)
class RecordSpec:
    """A validated record, ready to serialise once the file's warcinfo id is known."""

    rec_type: str
    record_id: str
    date: str
    target_uri: str | None
    headers: tuple[tuple[str, str], ...]  # further WARC headers, in order
    content_type: str
    payload: bytes
    http_head: bytes | None = None
    payload_digest: str | None = None  # of `payload`, when the caller has computed it already


@dataclass(frozen=True)
class SerialisedRecord:
    """A record as one gzip member, with the digests warcio computed for it."""

    spec: RecordSpec
    member: bytes
    payload_digest: str | None
    block_digest: str


class _VerbatimHead(StatusAndHeaders):  # type: ignore[misc]
    """An HTTP head written exactly as built.

    warcio re-serialises a head from its parsed fields at write time and then percent-encodes
    every non-ASCII value; this keeps the bytes made by ``archive.warc.httphead`` instead.
    """

    def __init__(self, raw: bytes) -> None:
        super().__init__(raw.partition(b"\r\n")[0].decode("latin-1"), [])
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        """Keep the verbatim bytes (warcio calls this before writing)."""


class _GzipMember:
    """A file-like sink for warcio that gzips what it is given into one member.

    The parts are compressed in one call when the record is complete: zlib releases the GIL for
    each call, and on a busy process every release costs a wait to get it back (a crawl's
    writer thread would otherwise wait for the reactor thread some ten times a record)."""

    def __init__(self, level: int) -> None:
        self._level = level
        self._parts: list[bytes] = []
        self._member = b""

    def write(self, data: bytes) -> None:
        self._parts.append(data)

    def flush(self) -> None:
        library = isal_zlib if self._level in ISAL_LEVELS else zlib
        self._member = library.compress(b"".join(self._parts), self._level, zlib.MAX_WBITS | 16)
        self._parts = []

    def getvalue(self) -> bytes:
        return self._member


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime) -> str:
    """WARC-Date in UTC with microseconds, e.g. ``2026-11-21T10:13:45.123456Z``."""
    if moment.tzinfo is None:
        raise InvalidInputError("WARC-Date needs a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _checked_value(name: str, value: str) -> str:
    if any(char in value for char in _FORBIDDEN_IN_VALUE):
        raise InvalidInputError(f"CR, LF or NUL in the value of {name!r}")
    return value


def _extra_headers(headers: Mapping[str, str] | None) -> list[tuple[str, str]]:
    checked = []
    for name, value in (headers or {}).items():
        if not TOKEN_RE.fullmatch(name):
            raise InvalidInputError(f"invalid WARC header name {name!r}")
        if name.lower() in _WRITER_HEADERS:
            raise InvalidInputError(f"{name} is set by the writer, not by extra_headers")
        checked.append((name, _checked_value(name, value)))
    return checked


def exchange_specs(ex: HttpExchange) -> tuple[RecordSpec, RecordSpec]:
    """The (response, request) records of an exchange; the request is concurrent to the response."""
    if ex.truncated is not None and ex.truncated not in TRUNCATED_REASONS:
        raise InvalidInputError(f"WARC-Truncated must be one of {sorted(TRUNCATED_REASONS)}")
    shared: list[tuple[str, str]] = []
    if ex.ip_address is not None:
        try:
            shared.append(("WARC-IP-Address", str(ipaddress.ip_address(ex.ip_address))))
        except ValueError:
            raise InvalidInputError(f"not an IP address: {ex.ip_address!r}") from None
    if ex.reconstructed:
        shared.append((RECONSTRUCTED_HEADER, _checked_value("reconstructed", ex.reconstructed)))
    date, target = warc_date(ex.started), encode_uri(ex.url)
    response_id = new_record_id()
    truncated = [("WARC-Truncated", ex.truncated)] if ex.truncated else []
    response = RecordSpec(
        rec_type="response",
        record_id=response_id,
        date=date,
        target_uri=target,
        headers=(*shared, *truncated),
        content_type=HTTP_RESPONSE_TYPE,
        payload=ex.body,
        http_head=response_head(ex.protocol, ex.status, ex.reason, ex.response_headers),
    )
    request = RecordSpec(
        rec_type="request",
        record_id=new_record_id(),
        date=date,
        target_uri=target,
        headers=(("WARC-Concurrent-To", response_id), *shared),
        content_type=HTTP_REQUEST_TYPE,
        payload=ex.request_body,
        http_head=request_head(ex.method, ex.url, ex.request_headers, ex.protocol),
    )
    return response, request


def archivable(ex: HttpExchange) -> HttpExchange:
    """The exchange as a record can hold it: a header whose name is not an HTTP token is
    dropped, CR, LF and NUL in a value are written as ``%0D``, ``%0A``, ``%00``, and every
    such change is appended to ``reconstructed`` (``WARC-Warcproof-Reconstructed``), so the
    record says what differs from the wire. A head it cannot repair (e.g. a status without
    three digits) is still refused by the writer, for this exchange alone."""
    changes: list[str] = []
    request_headers = _archivable_headers("request", ex.request_headers, changes)
    response_headers = _archivable_headers("response", ex.response_headers, changes)
    if not changes:
        return ex
    note = "; ".join(changes)
    if len(note) > _MAX_NOTE:
        note = note[:_MAX_NOTE] + f"... ({len(changes)} changes)"
    reconstructed = f"{ex.reconstructed}; {note}" if ex.reconstructed else note
    return replace(
        ex,
        request_headers=request_headers,
        response_headers=response_headers,
        reconstructed=_escaped(reconstructed),
    )


def _archivable_headers(
    role: str, headers: Sequence[tuple[str, str]], changes: list[str]
) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        if not TOKEN_RE.fullmatch(name):
            changes.append(f"{role} header {ascii(name)[:80]} dropped: not a valid field name")
        elif any(char in value for char in _ESCAPES):
            kept.append((name, _escaped(value)))
            changes.append(f"CR, LF or NUL in the {role} header {name} written as %0D, %0A, %00")
        else:
            kept.append((name, value))
    return kept


def _escaped(text: str) -> str:
    for char, escape in _ESCAPES.items():
        text = text.replace(char, escape)
    return text


def sha1_digest(payload: bytes) -> str:
    """A payload digest in the WARC convention: ``sha1:`` and base32."""
    return _sha1_label(hashlib.sha1(payload).digest())


def _sha1_label(digest: bytes) -> str:
    return "sha1:" + base64.b32encode(digest).decode("ascii")


def revisit_specs(ex: HttpExchange, original: Original) -> tuple[RecordSpec, RecordSpec]:
    """(revisit, request) for an exchange whose payload is identical to `original`'s: the
    revisit keeps the new HTTP head and leaves the payload to the original record."""
    response, request = exchange_specs(ex)
    revisit = replace(
        response,
        rec_type="revisit",
        payload=b"",
        headers=(*original_headers(original), *response.headers),
    )
    return revisit, request


def original_headers(original: Original) -> tuple[tuple[str, str], ...]:
    """The WARC headers of a revisit record naming its original."""
    return (
        ("WARC-Profile", REVISIT_PROFILE),
        ("WARC-Refers-To", original.record_id),
        ("WARC-Refers-To-Target-URI", original.target_uri),
        ("WARC-Refers-To-Date", original.date),
        ("WARC-Payload-Digest", original.payload_digest),
    )


def payload_spec(
    rec_type: str,
    target_uri: str,
    payload: bytes,
    content_type: str,
    *,
    refers_to: str | None = None,
    concurrent_to: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> RecordSpec:
    """A metadata, conversion or resource record with the payload as its whole block."""
    links = [("WARC-Concurrent-To", concurrent_to)] if concurrent_to else []
    links += [("WARC-Refers-To", refers_to)] if refers_to else []
    return RecordSpec(
        rec_type=rec_type,
        record_id=new_record_id(),
        date=warc_date(datetime.now(UTC)),
        target_uri=encode_uri(target_uri),
        headers=(*links, *_extra_headers(extra_headers)),
        content_type=_checked_value("Content-Type", content_type),
        payload=payload,
    )


def warc_fields(fields: Iterable[tuple[str, str]]) -> bytes:
    """``application/warc-fields`` content: one ``name: value`` line per field, UTF-8."""
    lines = []
    for name, value in fields:
        if not name or ":" in name or any(char in name for char in _FORBIDDEN_IN_VALUE):
            raise InvalidInputError(f"invalid warc-fields name {name!r}")
        lines.append(f"{name}: {_checked_value(name, value)}\r\n")
    return "".join(lines).encode("utf-8")


def warcinfo_spec(filename: str, fields: bytes) -> RecordSpec:
    """The warcinfo record opening a file; ``fields`` from ``warc_fields``."""
    return RecordSpec(
        rec_type="warcinfo",
        record_id=new_record_id(),
        date=warc_date(datetime.now(UTC)),
        target_uri=None,
        headers=(("WARC-Filename", filename),),
        content_type=WARC_FIELDS_TYPE,
        payload=fields,
    )


def serialise(spec: RecordSpec, warcinfo_id: str | None, gzip_level: int) -> SerialisedRecord:
    """Serialise with warcio into one gzip member; ``warcinfo_id`` is None for warcinfo itself."""
    warc_headers = StatusAndHeaders("", [], protocol=WARC_VERSION)
    warc_headers.add_header("WARC-Type", spec.rec_type)
    warc_headers.add_header("WARC-Record-ID", spec.record_id)
    warc_headers.add_header("WARC-Date", spec.date)
    if spec.target_uri is not None:
        warc_headers.add_header("WARC-Target-URI", spec.target_uri)
    if warcinfo_id is not None:
        warc_headers.add_header("WARC-Warcinfo-ID", warcinfo_id)
    for name, value in spec.headers:
        warc_headers.add_header(name, value)
    # Digests computed here in one pass each (warcio would feed them 16 KiB at a time, and
    # hashlib releases the GIL for every piece): warcio keeps digest headers it is given.
    if spec.rec_type not in RecordBuilder.NO_PAYLOAD_DIGEST_TYPES:
        payload_digest = spec.payload_digest or sha1_digest(spec.payload)
        warc_headers.add_header("WARC-Payload-Digest", payload_digest)
    block = hashlib.sha1(spec.http_head or b"")
    block.update(spec.payload)
    warc_headers.add_header("WARC-Block-Digest", _sha1_label(block.digest()))
    member = _GzipMember(gzip_level)
    writer = WARCWriter(member, gzip=False, warc_version=WARC_VERSION)
    record = writer.create_warc_record(
        spec.target_uri or "",
        spec.rec_type,
        payload=BytesIO(spec.payload),
        length=len(spec.payload),
        warc_content_type=spec.content_type,
        warc_headers=warc_headers,
        http_headers=None if spec.http_head is None else _VerbatimHead(spec.http_head),
    )
    writer.write_record(record)
    headers = record.rec_headers
    return SerialisedRecord(
        spec=spec,
        member=member.getvalue(),
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        block_digest=headers.get_header("WARC-Block-Digest"),
    )
