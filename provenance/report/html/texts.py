"""The texts a report shows, read back from the collection's WARC files: the seed's exact bytes
(its resource record) and the extracted article (the conversion record), each checked against
the digests the ledger holds, so the report rests on the collection alone; the TLS evidence
of an HTTPS capture (its metadata record) and the screenshot of the page (`warcproof qa`). Each
WARC file is read at most once for all of them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.warc.reader import StoredRecord, iter_records, read_record
from provenance.ledger.store import LedgerEntry
from provenance.report.screenshot_records import FILE_MARK, SCREENSHOT_PREFIX, Screenshot
from provenance.text.normalize import normalized_digest
from provenance.text.seedtext import SeedTextError, decode_seed

# Records written for a seed follow its response closely; look this far before a full scan.
_NEARBY_RECORDS = 64
TLS_PROFILE = "profile=urn:warcproof:tls"  # the content type's end in spiders' tls_evidence


@dataclass(frozen=True)
class TextFromRecord:
    """A text read from a record, where it was found, and whether its digest agrees."""

    text: str | None
    record_id: str | None
    location: str | None  # "file.warc.gz at offset N"
    digest_ok: bool  # the record's content has the digest the ledger recorded
    problem: str | None  # why there is no text, or why it is doubtful


@dataclass(frozen=True)
class SeedTexts:
    seed: TextFromRecord
    article: TextFromRecord
    tls: Mapping[str, Any] | None = None  # the TLS evidence record of the response, if any


@dataclass
class _Found:
    """Where records are: by record id, and the TLS evidence by the response it refers to."""

    where: dict[str, tuple[Path, int]] = field(default_factory=dict)
    tls: dict[str, tuple[Path, int]] = field(default_factory=dict)


class CollectionTexts:
    """Finds records by id in ``collection/warcs``: first among the records right after the
    seed's response (forgotten once the seed is done, so memory does not grow with the
    collection), else by scanning whole files (remembered); notes the TLS evidence and
    screenshot records met on the way."""

    def __init__(self, collection: Path) -> None:
        self.warcs = Collection(collection).warcs
        self._scans = _Found()  # what whole-file scans found
        self._scanned: set[Path] = set()
        self._shots: dict[str, Screenshot] = {}  # response record id -> its newest screenshot

    def screenshot(self, response_id: str) -> Screenshot | None:
        """The newest screenshot of the page a response record holds; the files screenshots
        are written to (named with FILE_MARK) are read once, by the same scan as the texts."""
        for path in sorted(self.warcs.glob(f"*{FILE_MARK}-*.warc.gz")):
            if path not in self._scanned:
                self._scanned.add(path)
                try:
                    self._note(path, iter_records(path), self._scans)
                except (ArchiveError, OSError):
                    continue  # a damaged file: the screenshots before the damage are kept
        return self._shots.get(response_id)

    def texts(self, entry: LedgerEntry) -> SeedTexts:
        capture = entry.capture
        seed_id = entry.evidence.seed.resource_record_id
        article_id = entry.verdict.conversion_record_id
        near = _Found()
        if capture is not None:
            wanted = {record for record in (seed_id, article_id) if record}
            tls = capture.fetched_url.startswith("https:")
            path = self.warcs / capture.warc_file
            try:
                if path.exists():
                    for record in _records_after(path, capture.warc_offset):
                        self._note(path, (record,), near)
                        if wanted <= near.where.keys() and (
                            not tls or capture.response_record_id in near.tls
                        ):
                            break
            except (ArchiveError, OSError):
                pass  # a damaged stretch: the records are looked for by scanning instead
        return SeedTexts(
            seed=self._seed_text(seed_id, entry, near),
            article=self._article_text(article_id, entry, near),
            tls=self._tls_evidence(capture.response_record_id, near) if capture else None,
        )

    def _tls_evidence(self, response_id: str, near: _Found) -> Mapping[str, Any] | None:
        """The TLS evidence record written right after the response (spiders' tls_evidence)."""
        where = near.tls.get(response_id) or self._scans.tls.get(response_id)
        if where is None:
            return None
        try:
            found = json.loads(read_record(*where).payload)
        except (ArchiveError, OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def _seed_text(self, record_id: str | None, entry: LedgerEntry, near: _Found) -> TextFromRecord:
        if record_id is None:
            return _missing(None, "the collection holds no copy of this seed's file")
        found = self._find(record_id, near)
        if isinstance(found, str):
            return _missing(record_id, found)
        record, where = found
        sha = hashlib.sha256(record.payload).hexdigest()
        intact = sha == entry.verdict.seed_sha256
        try:
            text = decode_seed(record.payload, f"seed record {record_id}").text
        except SeedTextError as exc:
            return TextFromRecord(None, record_id, where, intact, str(exc))
        if not intact:
            problem = f"its sha256 {sha} differs from the ledger's {entry.verdict.seed_sha256}"
            return TextFromRecord(text, record_id, where, False, problem)
        return TextFromRecord(text, record_id, where, True, None)

    def _article_text(
        self, record_id: str | None, entry: LedgerEntry, near: _Found
    ) -> TextFromRecord:
        if record_id is None:
            return _missing(None, "no article text was extracted, so there is none to show")
        found = self._find(record_id, near)
        if isinstance(found, str):
            return _missing(record_id, found)
        record, where = found
        try:
            text = record.payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            return TextFromRecord(None, record_id, where, False, f"not UTF-8 text: {exc}")
        digest = normalized_digest(text)
        if digest != entry.verdict.article_digest:
            problem = f"its normalized digest {digest} differs from the ledger's"
            return TextFromRecord(text, record_id, where, False, problem)
        return TextFromRecord(text, record_id, where, True, None)

    def _find(self, record_id: str, near: _Found) -> tuple[StoredRecord, str] | str:
        """The record and where it is, or a sentence saying why it cannot be read."""
        try:
            scans = self._scans.where
            for path in sorted(self.warcs.glob("*.warc.gz")):
                if record_id in near.where or record_id in scans:
                    break
                if path not in self._scanned:
                    self._scanned.add(path)
                    self._note(path, iter_records(path), self._scans)
            found = near.where.get(record_id) or scans.get(record_id)
            if found is None:
                return f"record {record_id} is not in any WARC file under {self.warcs}"
            path, offset = found
            return read_record(path, offset), f"{path.name} at offset {offset}"
        except (ArchiveError, OSError) as exc:
            return f"record {record_id} cannot be read: {exc}"

    def _note(self, path: Path, records: Iterable[StoredRecord], into: _Found) -> None:
        for record in records:
            into.where.setdefault(record.record_id, (path, record.offset))
            refers_to = record.header("WARC-Refers-To")
            kind = record.header("Content-Type") or ""
            if not refers_to:
                continue
            if record.rec_type == "metadata" and kind.endswith(TLS_PROFILE):
                into.tls.setdefault(refers_to, (path, record.offset))
            uri = record.target_uri or ""
            if record.rec_type == "resource" and uri.startswith(SCREENSHOT_PREFIX):
                shot = Screenshot(record.record_id, uri, path, record.offset)
                known = self._shots.get(refers_to)  # files are met in any order: newest wins
                if known is None or (known.warc.name, known.offset) < (path.name, record.offset):
                    self._shots[refers_to] = shot


def _records_after(path: Path, offset: int) -> Iterator[StoredRecord]:
    """The records from ``offset`` on, at most ``_NEARBY_RECORDS`` of them."""
    size = path.stat().st_size
    for _ in range(_NEARBY_RECORDS):
        if offset >= size:
            return
        record = read_record(path, offset)
        yield record
        offset += record.length


def _missing(record_id: str | None, problem: str) -> TextFromRecord:
    return TextFromRecord(None, record_id, None, False, problem)
