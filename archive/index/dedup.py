"""Which earlier capture a new response may point at: the collection's dedup index.

Built at crawl start from the collection's CDXJ index (`indexes/index.cdxj`, brought up to date
first when it misses closed WARC files): the latest capture of every URL. A response whose
payload digest equals that capture's becomes a revisit record pointing at the record that holds
the payload. The original's record ID is read lazily, from that record's WARC header at its
offset; a latest capture that is itself a revisit is followed (WARC-Refers-To) to its original
response. Every doubt (an unreadable record, a digest or URI that does not agree, two captures
of one URL in the same second with different digests) means no revisit: dedup less, never
wrongly. A revisit only ever points at a complete response record with exactly that digest.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.index.collection_index import index_collection, indexed_files
from archive.warc.reader import StoredRecord, read_record
from archive.warc.records import REVISIT_PROFILE, Original

log = logging.getLogger(__name__)

REVISIT_MIME = "warc/revisit"


@dataclass(frozen=True)
class IndexLine:
    """What the dedup index keeps of one CDXJ line."""

    timestamp: str
    filename: str
    offset: int
    digest: str  # bare base32, no "sha1:" prefix
    revisit: bool


@dataclass
class _Latest:
    """The newest capture of one URL: its digest, and (once resolved) what holds its payload."""

    digest: str | None  # None: not known for sure, so never deduplicated
    line: IndexLine | None = None
    original: Original | None = None
    resolved: bool = False


@dataclass
class DedupIndex:
    """Latest capture per URL, plus each URL's response lines by digest (to follow revisits)."""

    warcs: Path
    latest: dict[str, _Latest] = field(default_factory=dict)
    responses: dict[str, dict[str, list[IndexLine]]] = field(default_factory=dict)

    @classmethod
    def load(cls, collection: Path, *, refresh: bool = True) -> DedupIndex:
        """The dedup index of `collection`. With `refresh`, an index that does not cover every
        closed WARC file is updated first; an index that cannot be read or updated gives an
        empty dedup index (every response is then stored in full)."""
        index = Collection(collection).index
        dedup = cls(Collection(collection).warcs)
        try:
            names = {warc.name for warc in Collection(collection).closed_warcs()}
            if not names:
                return dedup
            covered = indexed_files(index) if index.exists() else set()
            if covered != names:
                if not refresh:
                    log.warning("%s does not cover every WARC file: no revisit records", index)
                    return dedup
                index_collection(collection)
            with index.open(encoding="utf-8") as lines:
                for line in lines:
                    dedup._add_line(line)
        except (ArchiveError, OSError, ValueError, KeyError) as exc:
            log.warning(
                "No revisit records this crawl: cannot read the index of %s: %s", index, exc
            )
            return cls(Collection(collection).warcs)
        return dedup

    def _add_line(self, line: str) -> None:
        _, timestamp, fields = line.split(" ", 2)
        entry = json.loads(fields)
        url, digest = entry.get("url"), entry.get("digest")
        if not url or not digest:
            return
        parsed = IndexLine(
            timestamp=timestamp,
            filename=entry["filename"],
            offset=int(entry["offset"]),
            digest=bare_digest(digest),
            revisit=entry.get("mime") == REVISIT_MIME,
        )
        if not parsed.revisit:
            self.responses.setdefault(url, {}).setdefault(parsed.digest, []).append(parsed)
        known = self.latest.get(url)
        if known is None or known.line is None or parsed.timestamp > known.line.timestamp:
            self.latest[url] = _Latest(parsed.digest, parsed)
        elif parsed.timestamp == known.line.timestamp and parsed.digest != known.digest:
            known.digest = None  # two captures in one second: which is the latest is unknown

    def previous(self, target_uri: str, payload_digest: str) -> Original | None:
        """The record a revisit of `target_uri` with this payload digest may point at: only
        when the URL's latest capture has exactly that digest."""
        latest = self.latest.get(target_uri)
        if latest is None or latest.digest is None or latest.digest != bare_digest(payload_digest):
            return None
        if not latest.resolved:
            latest.resolved = True
            if latest.line is not None:
                latest.original = self._resolve(target_uri, latest.line)
        return latest.original

    def note(self, target_uri: str, payload_digest: str | None, original: Original | None) -> None:
        """A capture of `target_uri` was just written: it is now the latest. `original` is what
        a later revisit may point at (None: nothing, e.g. a truncated capture)."""
        digest = bare_digest(payload_digest) if payload_digest else None
        self.latest[target_uri] = _Latest(digest, None, original, resolved=True)

    def _resolve(self, url: str, line: IndexLine) -> Original | None:
        try:
            record = read_record(self.warcs / line.filename, line.offset)
            if record.target_uri != url:
                return None
            if record.rec_type == "response":
                return _original(record, line.digest)
            if record.rec_type != "revisit" or record.header("WARC-Profile") != REVISIT_PROFILE:
                return None
            if bare_digest(record.header("WARC-Payload-Digest") or "") != line.digest:
                return None
            refers_to = record.header("WARC-Refers-To")
            refers_uri = record.header("WARC-Refers-To-Target-URI") or url
            for candidate in self.responses.get(refers_uri, {}).get(line.digest, []):
                original = read_record(self.warcs / candidate.filename, candidate.offset)
                if original.record_id == refers_to and original.target_uri == refers_uri:
                    return _original(original, line.digest)
        except (ArchiveError, OSError) as exc:
            log.info("No revisit of %s: its latest capture cannot be read: %s", url, exc)
        return None


def _original(record: StoredRecord, digest: str) -> Original | None:
    """The record as a revisit's target, if it is a complete response with that digest."""
    stated = record.header("WARC-Payload-Digest")
    if (
        record.rec_type != "response"
        or stated is None
        or bare_digest(stated) != digest
        or record.header("WARC-Truncated") is not None
        or record.target_uri is None
        or record.date is None
    ):
        return None
    return Original(record.record_id, record.target_uri, record.date, stated)


def bare_digest(digest: str) -> str:
    """`sha1:ABC...` and `ABC...` (as CDXJ lines hold it) compare equal."""
    return digest.rpartition(":")[2].upper()
