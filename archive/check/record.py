"""The streaming WARC record checker: bytes in (gzip members or a plain WARC), problems out.

``RecordChecker`` is a push parser. For a ``.warc.gz`` it is the ``MemberSink`` of
``archive.warc.gzipscan`` and expects exactly one record per member; for a plain ``.warc`` it is fed
the file's bytes. It parses each WARC head itself, hashes the block and the payload
incrementally (de-chunking an HTTP body sent with ``Transfer-Encoding: chunked``), and holds at
most one head, never a block.
"""

import calendar
import hashlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from archive.check.digests import Dechunker, DigestFieldError, ExpectedDigest, parse_digest
from archive.check.links import LINK_FIELDS, LinkRegistry
from archive.check.problems import (
    BLOCK_DIGEST,
    DIGEST_UNSUPPORTED,
    DUPLICATE_ID,
    FIELD_VALUE,
    GZIP_CORRUPT,
    GZIP_TRUNCATED,
    HEADER_FIELD,
    HEADER_SYNTAX,
    HTTP_HEAD,
    LINE_ENDS,
    MEMBER_LAYOUT,
    NOT_GZIP,
    PAYLOAD_DIGEST,
    PAYLOAD_DIGEST_CHUNKED,
    RECORD_END,
    RECORD_TRUNCATED,
    WARC_VERSION,
    WARCINFO_ID_MISSING,
    WARCINFO_MISSING,
    Problem,
    ProblemSink,
)
from archive.errors import WarcFormatError
from archive.warc.httphead import parse_http_head, status_code

HEAD_LIMIT = 1 << 20  # a WARC or HTTP head longer than this is not a head
_PROBE = 4096  # heads are looked for in pieces this long, not in the whole block after them
_END = b"\r\n\r\n"
_LF_END = b"\n\n"  # LF-only line ends: a quirk warcio and pywb read
_OWS = " \t"
_VERSION_RE = re.compile(r"WARC/(\d+\.\d+)")
# A header line: a token, a colon, then a value without control characters (tab allowed).
_FIELD_LINE = r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):([^\x00-\x08\x0a-\x1f\x7f]*)"
_FIELD_LINE_RE = re.compile(_FIELD_LINE)
# One whole line (the lookahead): the head is all well-formed lines if there are as many
# matches as line breaks.
_FIELD_LINES_ITEM_RE = re.compile(rf"\r\n{_FIELD_LINE}(?=\r\n|\Z)")
# The lines of an HTTP head that ``parse_http_head`` reads as they are (no folding, no empty
# line, no error): one match per line break but the last two.
_HTTP_FIELD_RE = re.compile(r"\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n]*(?=\r\n)")
_BRACKETED_URI_RE = re.compile(r"<[^<>\s]+>")
_URI_RE = re.compile(r"[^<>\s]+")
_DATE_RE = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?Z")
_DATE_PARTS_RE = re.compile(r"[-T:]")
_REQUEST_LINE_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+ \S+ HTTP/\d(\.\d)?")
_MANDATORY = ("warc-record-id", "content-length", "warc-date", "warc-type")
_NEEDS_TARGET = frozenset({"response", "resource", "request", "revisit", "conversion"})
_HTTP_TYPES = frozenset({"request", "response", "revisit"})
_REPEATABLE = frozenset({"warc-concurrent-to", "warc-protocol"})
# Fields whose repetition makes the record ambiguous; other repeats are a warning.
_SINGLE = frozenset({"warc-record-id", "content-length", "warc-type", "warc-date"})
_ID_FIELDS = frozenset({*LINK_FIELDS, "warc-record-id", "warc-segment-origin-id"})
_CHECKED_VALUES = frozenset({*_ID_FIELDS, "warc-target-uri", "warc-date", "warc-ip-address"})


Carried = tuple[str | None, bool, bool, bool, str | None]


@dataclass(slots=True)
class _Record:
    offset: int
    rec_type: str
    target: str
    record_id: str | None
    remaining: int
    http: bool
    block_hash: "hashlib._Hash | None"
    block_expected: ExpectedDigest | None
    payload_expected: ExpectedDigest | None
    length: int
    head: bytearray = field(default_factory=bytearray)
    in_http_head: bool = False
    payload_hash: "hashlib._Hash | None" = None
    dechunker: Dechunker | None = None
    dechunked_hash: "hashlib._Hash | None" = None

    def describe(self) -> str:
        about = f" for {self.target}" if self.target else ""
        return f"{self.rec_type or 'untyped'} record{about}"


class RecordChecker:
    """Checks the records of one file; ``name`` labels its problems."""

    _HEAD, _BLOCK, _TRAILER, _SKIP = range(4)

    def __init__(
        self,
        name: str,
        emit: ProblemSink,
        links: LinkRegistry,
        *,
        gzipped: bool,
        on_record_end: Callable[[int], None] | None = None,
    ) -> None:
        self.name = name
        # Told the stream offset after each well-framed record (decompressed, in its member).
        self.on_record_end = on_record_end
        self.emit = emit
        self.links = links
        self.gzipped = gzipped
        self.records = 0
        self.framing_problems = 0  # problems that break the file into unusable bytes
        self.version: str | None = None
        self.has_warcinfo = False
        self.state = self._HEAD
        self.pos = 0  # stream offset of the next byte fed (decompressed offset for gzip)
        self.member = 0  # offset of the current gzip member
        self.records_in_member = 0
        self.head = bytearray()
        self.head_start = 0
        self.trailer = bytearray()
        self.skip_carry = b""
        self.record: _Record | None = None
        self.record_id: str | None = None  # of the record being read, for the findings
        self.lf_ends = False  # the file's heads end lines with LF alone
        self.shared_member_seen = False
        self.mixed_versions = False
        self.no_warcinfo_id = 0  # records without WARC-Warcinfo-ID
        self.first_no_warcinfo_id = 0

    # -- MemberSink (gzip) -------------------------------------------------------------------

    def member_start(self, offset: int) -> None:
        self.member = offset
        self.records_in_member = 0
        self.pos = 0
        self.record_id = None
        self._reset()

    def member_data(self, data: bytes) -> None:
        self.feed(data)

    def member_end(self, offset: int, end: int) -> None:
        if self.state == self._HEAD and not self.head:
            if not self.records_in_member:
                self.emit(
                    Problem.of(self.name, offset, MEMBER_LAYOUT, "a gzip member holds no record")
                )
        elif self.state != self._SKIP:
            self._framing(offset, RECORD_TRUNCATED, f"the gzip member ends inside {self._where()}")
        self._reset()

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        code = GZIP_TRUNCATED if cut_short else GZIP_CORRUPT
        inside = "" if self.state == self._HEAD and not self.head else f" ({self._where()})"
        self._framing(offset, code, f"{reason}{inside}")
        self._reset()

    def garbage(self, offset: int, length: int) -> None:
        self._framing(offset, NOT_GZIP, f"{length} byte(s) that are not gzip data")

    # -- plain WARC and member contents -------------------------------------------------------

    def feed(self, data: bytes) -> None:
        # Each state takes bytes from data[index:] and returns the index after them.
        index, size = 0, len(data)
        while index < size:
            state = self.state
            if state == self._BLOCK:
                end = self._feed_block(data, index)
            elif state == self._HEAD:
                end = self._feed_head(data, index)
            elif state == self._TRAILER:
                end = self._feed_trailer(data, index)
            else:
                end = self._feed_skip(data, index)
            self.pos += end - index
            index = end
            if state == self._TRAILER and self.state == self._HEAD and self.on_record_end:
                self.on_record_end(self.pos)

    def finish(self) -> None:
        """The stream has ended (a plain WARC's end of file, or the last gzip member)."""
        if not self.gzipped and (self.state in (self._BLOCK, self._TRAILER) or self.head):
            self._framing(
                self.head_start, RECORD_TRUNCATED, f"the file ends inside {self._where()}"
            )
        if self.records and not self.has_warcinfo:
            self.emit(Problem.of(self.name, 0, WARCINFO_MISSING, "the file has no warcinfo record"))
        if self.no_warcinfo_id:
            self.emit(
                Problem.of(
                    self.name,
                    self.first_no_warcinfo_id,
                    WARCINFO_ID_MISSING,
                    f"{self.no_warcinfo_id} record(s) have no WARC-Warcinfo-ID, the first here",
                )
            )

    # -- states --------------------------------------------------------------------------------

    def _record_offset(self) -> int:
        return self.member if self.gzipped else self.head_start

    def _where(self) -> str:
        if self.state in (self._BLOCK, self._TRAILER) and self.record is not None:
            done = self.record.length - self.record.remaining
            return (
                f"the block of a {self.record.describe()}: {done} of its "
                f"{self.record.length} bytes present"
            )
        return f"the WARC header block of a record, {len(self.head)} bytes of it present"

    def _reset(self) -> None:
        self.state = self._HEAD
        if self.head:
            self.head.clear()
        if self.trailer:
            self.trailer.clear()
        self.record = None

    def _framing(self, offset: int, code: str, message: str) -> None:
        self.framing_problems += 1
        self.emit(Problem.of(self.name, offset, code, message, self.record_id))

    def _problem(self, code: str, message: str) -> None:
        message += self._placing()
        self.emit(Problem.of(self.name, self._record_offset(), code, message, self.record_id))

    def _placing(self) -> str:
        """What a finding about the current record adds to say where in its member it is."""
        if self.gzipped and self.records_in_member > 1:
            return f" (the record starts {self.head_start} bytes into the member's data)"
        return ""

    def _add_record(self, record_id: str, rec_type: str, offset: int) -> None:
        if not self.links.add_record(record_id, rec_type):
            self.emit(duplicate(self.name, offset, record_id, self._placing()))

    def _add_reference(self, offset: int, field: str, target: str, record_id: str | None) -> None:
        self.links.add_reference(self.name, offset, field, target, record_id)

    # -- the state a file's records share (what a check in shares carries from one to the next)

    def carried(self) -> Carried:
        """What checking the next gzip member depends on besides its bytes: the file's WARC
        version, LF-only heads seen, a shared member seen, mixed versions reported, and the
        last record's id (bytes after the member that are not gzip are found in its name)."""
        return (
            self.version,
            self.lf_ends,
            self.shared_member_seen,
            self.mixed_versions,
            self.record_id,
        )

    def carry(self, state: Carried) -> None:
        (
            self.version,
            self.lf_ends,
            self.shared_member_seen,
            self.mixed_versions,
            self.record_id,
        ) = state

    def totals(self) -> tuple[int, int, bool, int, int]:
        """The counts ``finish`` and the caller sum up over a file's records."""
        return (
            self.records,
            self.framing_problems,
            self.has_warcinfo,
            self.no_warcinfo_id,
            self.first_no_warcinfo_id,
        )

    def add_totals(self, totals: tuple[int, int, bool, int, int]) -> None:
        """Count the records of a share of the file checked elsewhere, after this one's."""
        records, framing, warcinfo, no_id, first_no_id = totals
        self.records += records
        self.framing_problems += framing
        self.has_warcinfo = self.has_warcinfo or warcinfo
        if no_id and not self.no_warcinfo_id:
            self.first_no_warcinfo_id = first_no_id
        self.no_warcinfo_id += no_id

    def _line_ends(self) -> None:
        if not self.lf_ends:
            self.lf_ends = True
            self._problem(LINE_ENDS, "record heads end their lines with LF, not CRLF")

    def _feed_head(self, data: bytes, index: int) -> int:
        if not self.head:
            self.head_start = self.pos
            self.record_id = None
            if self.gzipped and self.records_in_member and not self.shared_member_seen:
                self.shared_member_seen = True  # once per file: a file is written one way
                self._problem(
                    MEMBER_LAYOUT,
                    "a gzip member holds more than one record (WARC 1.1 Annex D: one record "
                    "per member lets readers seek to each); other findings in such members "
                    "name the member's offset",
                )
            found, size = _head_end(data, index, index + _PROBE)
            if found >= 0:  # the whole head is here: no copy into self.head
                self.records_in_member += 1
                self._start_record(data[index:found], size)
                return found + size
        before = len(self.head)
        probe_end = min(index + _PROBE, len(data))
        self.head += data[index:probe_end]
        found, size = _head_end(self.head, max(0, before - 3), len(self.head))
        if found < 0:
            if len(self.head) > HEAD_LIMIT or not self.head.startswith(b"WARC/"[: len(self.head)]):
                self._framing(
                    self._record_offset(), HEADER_SYNTAX, "no WARC header block starts here"
                )
                self._skip()
                return len(data)
            return probe_end
        head = bytes(self.head[:found])
        self.head.clear()
        self.records_in_member += 1
        self._start_record(head, size)
        return index + found + size - before

    def _skip(self) -> None:
        self.head.clear()
        self.record = None
        self.state = self._SKIP

    def _feed_skip(self, data: bytes, index: int) -> int:
        if self.gzipped:  # the member's end resynchronises
            return len(data)
        # A plain WARC: resume at the next line that starts a WARC head.
        carry = self.skip_carry
        joined = carry + data[index:]
        found = joined.find(b"\nWARC/")
        if found < 0:
            self.skip_carry = joined[-5:]
            return len(data)
        start = found + 1
        self.skip_carry = b""
        self.state = self._HEAD
        if start >= len(carry):
            return index + start - len(carry)
        self.head_start = self.pos - (len(carry) - start)  # the head began in carried bytes
        self.head += carry[start:]
        return index

    def _feed_block(self, data: bytes, index: int) -> int:
        record = self.record
        assert record is not None
        size = len(data)
        stop = index + record.remaining
        if stop > size:
            stop = size
        record.remaining -= stop - index
        if record.block_hash is not None:
            record.block_hash.update(data if stop - index == size else memoryview(data)[index:stop])
        start = self._feed_http_head(record, data, index, stop) if record.in_http_head else index
        if start < stop:
            self._feed_payload(record, data, start, stop)
        if not record.remaining:
            self._end_block(record)
        return stop

    def _feed_trailer(self, data: bytes, index: int) -> int:
        if not self.trailer and data.startswith(_END, index):
            self._finish_record()
            self._reset()
            return index + 4
        take = data[index : index + 4 - len(self.trailer)]
        if self.lf_ends:
            joined = bytes(self.trailer) + take
            if joined.startswith(_LF_END):
                self._finish_record()
                self._reset()
                return index + 2 - (len(joined) - len(take))
            if _LF_END.startswith(joined):  # one LF so far
                self.trailer += take
                return index + len(take)
        self.trailer += take
        if not _END.startswith(self.trailer):
            self._framing(
                self._record_offset(),
                RECORD_END,
                f"the {self.record.describe() if self.record else 'record'} does not end with "
                "CRLF CRLF after Content-Length bytes (is Content-Length wrong?)",
            )
            self._skip()  # its digests mean nothing when the block boundary is wrong
            return index + len(take)
        if len(self.trailer) == 4:
            self._finish_record()
            self._reset()
        return index + len(take)

    # -- one record ------------------------------------------------------------------------------

    def _start_record(self, head: bytes, end_size: int) -> None:
        offset = self._record_offset()
        if end_size == len(_LF_END):
            self._line_ends()
            head = head.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        parsed = self._parse_head(head)
        if parsed is None:
            self._skip()
            return
        version, fields = parsed
        found = {lowered: value for _, lowered, value in reversed(fields)}  # the first wins
        if len(found) < len(fields):
            self._report_repeats(fields)
        self.record_id = found.get("warc-record-id")
        length_text = found.get("content-length", "")
        if not length_text.isascii() or not length_text.isdigit():
            self._framing(offset, HEADER_SYNTAX, f"bad or missing Content-Length {length_text!r}")
            self._skip()
            return
        self.records += 1
        if self.version is None:
            self.version = version
        elif version != self.version and not self.mixed_versions:
            self.mixed_versions = True  # once per file: a writer mixes versions throughout
            self._problem(
                WARC_VERSION,
                f"WARC/{version} in a file that began with WARC/{self.version} (the first such "
                "record)",
            )
        for required in _MANDATORY:
            if required not in found:
                self._problem(HEADER_FIELD, f"mandatory field {_title(required)} is missing")
        rec_type = found.get("warc-type", "")
        links = self._check_values(rec_type, fields, found)
        record_id = self.record_id
        if record_id is not None:
            self._add_record(record_id, rec_type, offset)
        if rec_type == "warcinfo":
            self.has_warcinfo = True
        elif "warc-warcinfo-id" not in found and rec_type:
            if not self.no_warcinfo_id:
                self.first_no_warcinfo_id = offset
            self.no_warcinfo_id += 1
        for lowered, value in links:
            self._add_reference(offset, lowered, value, record_id)
        length = int(length_text)
        content_type = found.get("content-type", "").lower()
        http = rec_type in _HTTP_TYPES and content_type.startswith("application/http")
        block_expected = self._expected(found, "warc-block-digest")
        # A revisit's payload digest is that of the payload it stands for, not present here.
        payload_expected = (
            None if rec_type == "revisit" else self._expected(found, "warc-payload-digest")
        )
        record = _Record(
            offset=offset,
            rec_type=rec_type,
            target=found.get("warc-target-uri", "").strip("<>"),
            record_id=record_id,
            remaining=length,
            http=http,
            block_hash=block_expected.new_hash() if block_expected else None,
            block_expected=block_expected,
            payload_expected=payload_expected,
            length=length,
            in_http_head=http and length > 0,
        )
        if payload_expected is not None and not http:
            # The payload is the whole block: one hash serves both digests if they agree.
            same = block_expected and block_expected.algorithm == payload_expected.algorithm
            record.payload_hash = record.block_hash if same else payload_expected.new_hash()
        self.record = record
        self.state = self._BLOCK
        if not length:
            self._end_block(record)

    def _report_repeats(self, fields: list[tuple[str, str, str]]) -> None:
        seen: set[str] = set()
        for name, lowered, _ in fields:
            if lowered in seen and lowered not in _REPEATABLE:
                code = HEADER_FIELD if lowered in _SINGLE else FIELD_VALUE
                self._problem(code, f"{name} appears more than once")
            seen.add(lowered)

    def _parse_head(self, head: bytes) -> tuple[str, list[tuple[str, str, str]]] | None:
        """The version and the fields (name, lower-case name, value) of a WARC head."""
        offset = self._record_offset()
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            self._framing(offset, HEADER_SYNTAX, f"the WARC header block is not UTF-8 ({exc})")
            return None
        version_line, newline, rest = text.partition("\r\n")
        match = _VERSION_RE.fullmatch(version_line)
        if match is None:
            self._framing(offset, HEADER_SYNTAX, f"not a WARC version line: {version_line[:60]!r}")
            return None
        items = _FIELD_LINES_ITEM_RE.findall(text, len(version_line))
        if len(items) == text.count("\r\n"):  # no continuation, no error
            return match[1], [(name, name.lower(), value.strip(_OWS)) for name, value in items]
        lines = rest.split("\r\n") if newline else []
        fields: list[tuple[str, str, str]] = []
        for line in lines:
            if line[:1] in (" ", "\t") and fields:  # continuation line
                name, lowered, value = fields[-1]
                fields[-1] = (name, lowered, f"{value} {line.strip(_OWS)}")
                continue
            parts = _FIELD_LINE_RE.fullmatch(line)
            if parts is None:
                self._framing(offset, HEADER_SYNTAX, f"malformed WARC header line {line[:80]!r}")
                return None
            name = parts[1]
            fields.append((name, name.lower(), parts[2].strip(_OWS)))
        return match[1], fields

    def _check_values(
        self, rec_type: str, fields: list[tuple[str, str, str]], found: dict[str, str]
    ) -> list[tuple[str, str]]:
        """Reports malformed values; returns the well-formed links (field, target)."""
        links: list[tuple[str, str]] = []
        for name, lowered, value in fields:
            if lowered not in _CHECKED_VALUES:
                continue
            if lowered in _ID_FIELDS:
                if not _BRACKETED_URI_RE.fullmatch(value):
                    code = HEADER_FIELD if lowered == "warc-record-id" else FIELD_VALUE
                    self._problem(code, f"{name} {value[:80]!r} is not a <URI>")
                elif lowered in LINK_FIELDS:
                    links.append((lowered, value))
            elif lowered == "warc-target-uri" and not _URI_RE.fullmatch(value):
                if _BRACKETED_URI_RE.fullmatch(value):
                    self._problem(
                        FIELD_VALUE,
                        f"WARC-Target-URI {value[:80]!r} is in <...> (as some WARC/1.0 writers "
                        "do; readers strip them)",
                    )
                else:
                    self._problem(HEADER_FIELD, f"WARC-Target-URI {value[:80]!r} is not a URI")
            elif lowered == "warc-date" and not _valid_date(value):
                self._problem(HEADER_FIELD, f"WARC-Date {value[:40]!r} is not a UTC date-time")
            elif lowered == "warc-ip-address" and not _valid_ip(value):
                self._problem(FIELD_VALUE, f"WARC-IP-Address {value[:60]!r} is not an address")
        if rec_type in _NEEDS_TARGET and "warc-target-uri" not in found:
            self._problem(HEADER_FIELD, f"a {rec_type} record needs WARC-Target-URI")
        if rec_type == "revisit" and "warc-profile" not in found:
            self._problem(HEADER_FIELD, "a revisit record needs WARC-Profile")
        if rec_type == "continuation":
            for needed in ("warc-segment-origin-id", "warc-segment-number"):
                if needed not in found:
                    self._problem(HEADER_FIELD, f"a continuation record needs {_title(needed)}")
        return links

    def _expected(self, found: dict[str, str], name: str) -> ExpectedDigest | None:
        value = found.get(name)
        if value is None:
            return None
        try:
            return parse_digest(value)
        except DigestFieldError as exc:
            code = DIGEST_UNSUPPORTED if "unsupported" in str(exc) else HEADER_FIELD
            self._problem(code, f"{_title(name)}: {exc}")
            return None

    def _feed_http_head(self, record: _Record, data: bytes, index: int, stop: int) -> int:
        """Collect the HTTP head from ``data[index:stop]``; returns the index after it."""
        if not record.head:
            found, size = _head_end(data, index, min(stop, index + _PROBE))
            if found >= 0:  # the whole head is here: no copy into record.head
                record.in_http_head = False
                self._start_payload(record, data[index : found + size])
                return found + size
        for start in range(index, stop, _PROBE):
            before = len(record.head)
            record.head += data[start : min(stop, start + _PROBE)]
            found, size = _head_end(record.head, max(0, before - 3), len(record.head))
            if found >= 0:
                record.in_http_head = False
                self._start_payload(record, bytes(record.head[: found + size]))
                record.head = bytearray()
                return start + found + size - before
            if len(record.head) > HEAD_LIMIT:
                self._problem(HTTP_HEAD, f"the HTTP head of the {record.describe()} is too long")
                record.in_http_head = False
                record.head = bytearray()
                break
        return stop

    def _start_payload(self, record: _Record, head: bytes) -> None:
        headers: list[tuple[str, str]] | None = None  # parsed only when needed
        start_line = plain_http_head(head)
        if start_line is None:  # folded or empty lines, LF line ends, an error: parse it all
            try:
                start_line, headers = parse_http_head(head)
            except WarcFormatError as exc:
                self._problem(HTTP_HEAD, f"{record.describe()}: {exc}")
                return
        if record.rec_type == "request":
            if not _REQUEST_LINE_RE.fullmatch(start_line):
                self._problem(HTTP_HEAD, f"not an HTTP request line: {start_line[:80]!r}")
        elif status_code(start_line) is None:
            self._problem(HTTP_HEAD, f"not an HTTP status line: {start_line[:80]!r}")
        expected = record.payload_expected
        if expected is None:
            return
        record.payload_hash = expected.new_hash()
        chunked = b"chunked" in head.lower() and any(
            name.lower() == "transfer-encoding" and "chunked" in value.lower()
            for name, value in (headers if headers is not None else parse_http_head(head)[1])
        )
        if chunked:
            record.dechunker = Dechunker()
            record.dechunked_hash = expected.new_hash()

    def _feed_payload(self, record: _Record, data: bytes, start: int, stop: int) -> None:
        payload = data if stop - start == len(data) else memoryview(data)[start:stop]
        if record.payload_hash is not None and record.payload_hash is not record.block_hash:
            record.payload_hash.update(payload)
        if record.dechunker is not None and record.dechunked_hash is not None:
            for part in record.dechunker.feed(payload):
                record.dechunked_hash.update(part)

    def _end_block(self, record: _Record) -> None:
        if record.in_http_head and record.head:
            self._problem(HTTP_HEAD, f"the HTTP head of the {record.describe()} is incomplete")
        self.state = self._TRAILER

    def _finish_record(self) -> None:
        record = self.record
        if record is None or record.remaining:
            return
        block = record.block_expected
        if block and record.block_hash and record.block_hash.digest() != block.value:
            self._problem(
                BLOCK_DIGEST, f"the {record.describe()} does not match its WARC-Block-Digest"
            )
        expected = record.payload_expected
        if expected is None or record.payload_hash is None:
            return
        raw_ok = record.payload_hash.digest() == expected.value
        dechunker = record.dechunker
        if dechunker is None or dechunker.error is not None or not dechunker.complete:
            if not raw_ok:
                self._problem(
                    PAYLOAD_DIGEST,
                    f"the {record.describe()} does not match its WARC-Payload-Digest",
                )
            return
        assert record.dechunked_hash is not None
        if record.dechunked_hash.digest() == expected.value:
            return
        if raw_ok:
            self._problem(
                PAYLOAD_DIGEST_CHUNKED,
                f"the WARC-Payload-Digest of the {record.describe()} is over the chunked "
                "transfer coding, not over the entity body",
            )
        else:
            self._problem(
                PAYLOAD_DIGEST, f"the {record.describe()} does not match its WARC-Payload-Digest"
            )


def plain_http_head(head: bytes) -> str | None:
    """The start line of an HTTP head whose every other line is ``name:value`` (what
    ``parse_http_head`` reads as it is, without folding or error); None for any other head."""
    text = head.decode("latin-1")
    if text.endswith("\r\n\r\n") and len(_HTTP_FIELD_RE.findall(text)) == text.count("\r\n") - 2:
        return text[: text.find("\r\n")]
    return None


def duplicate(name: str, offset: int, record_id: str, placing: str) -> Problem:
    """The finding for a record whose id an earlier record had."""
    message = f"WARC-Record-ID {record_id} was already used{placing}"
    return Problem.of(name, offset, DUPLICATE_ID, message, record_id)


def _head_end(data: bytes | bytearray, start: int, stop: int) -> tuple[int, int]:
    """Where the first head in ``data[start:stop]`` ends (CRLF CRLF, or LF LF), and the size
    of that end; (-1, 0) if no head ends there."""
    found = data.find(_END, start, stop)
    lf = data.find(_LF_END, start, found + 1 if found >= 0 else stop)
    if lf >= 0:
        return lf, 2
    return found, 4 if found >= 0 else 0


def _title(lowered: str) -> str:
    return "-".join(
        "ID" if part == "id" else part.capitalize() for part in lowered.split("-")
    ).replace("Warc", "WARC")


def _valid_date(value: str) -> bool:
    match = _DATE_RE.fullmatch(value)
    return match is not None and _valid_second(match[1])


@lru_cache(maxsize=4096)  # a crawl writes many records in the same second
def _valid_second(value: str) -> bool:
    year, month, day, hour, minute, second = (int(part) for part in _DATE_PARTS_RE.split(value))
    if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 60):
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]


@lru_cache(maxsize=4096)  # and fetches from few addresses
def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
