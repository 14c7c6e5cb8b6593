"""A seed file archived once per distinct content: the first crawl that checks a file writes its
bytes as a resource record (`urn:warcproof:seed:ID`), later crawls (and other seeds of the same
bytes) a revisit record naming it (identical-payload-digest profile: WARC-Refers-To,
WARC-Refers-To-Target-URI, WARC-Refers-To-Date, WARC-Payload-Digest). The verdict's evidence
names the record that holds the bytes, so every reader of a seed's text finds it as before.

The resource records are known from the ledger (provenance.ledger.store.SeedRecord); one is
referred to only while its WARC file is in the collection and, as for pages
(spiders.extensions.capture), when it was written by an earlier crawl unless
WARCPROOF_DEDUP_WITHIN_CRAWL is set. WARCPROOF_DEDUP=False writes every seed file again."""

from __future__ import annotations

from dataclasses import dataclass

from archive.collection import Collection
from archive.warc.record_uris import seed_uri
from archive.warc.records import RecordRef
from provenance.compare.seedcheck import SeedCheck
from provenance.ledger.store import Ledger, SeedRecord
from spiders.extensions.capture import WarcCaptureExtension


@dataclass(frozen=True)
class ArchivedSeed:
    """A seed file's record in this crawl and where its bytes are."""

    record: RecordRef  # the resource record written, or the revisit standing for it
    holder_id: str  # the record holding the bytes (the resource record, this crawl's or older)
    new: SeedRecord | None  # a resource record written now, for the ledger to remember


class SeedArchive:
    def __init__(self, collection: Collection, capture: WarcCaptureExtension) -> None:
        self.collection = collection
        self.capture = capture
        self.ledger: Ledger | None = None

    def close(self) -> None:
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None

    async def archive(self, seed_id: str, check: SeedCheck, seed_bytes: bytes) -> ArchivedSeed:
        writer = self.capture.writer
        assert writer is not None
        headers = {"WARC-Warcproof-Seed": seed_id, "WARC-Warcproof-Seed-File": check.seed.file}
        known = self._known(check.seed_sha256) if check.seed_sha256 else None
        if known is not None:
            revisit = await self.capture.call(
                writer.write_revisit, seed_uri(seed_id), known.original(), extra_headers=headers
            )
            return ArchivedSeed(revisit, known.record_id, None)
        record = await self.capture.call(
            writer.write_resource,
            seed_uri(seed_id),
            seed_bytes,
            "text/plain",
            extra_headers=headers,
        )
        new = None
        if check.seed_sha256 is not None and record.payload_digest is not None:
            new = SeedRecord(
                check.seed_sha256,
                record.record_id,
                record.target_uri,
                record.date,
                record.payload_digest,
                record.warc_file,
                record.offset,
            )
        return ArchivedSeed(record, record.record_id, new)

    def _known(self, sha256: str) -> SeedRecord | None:
        """An earlier resource record of these bytes that a revisit may name."""
        if self.capture.dedup is None:
            return None
        if self.ledger is None:
            self.ledger = Ledger(self.collection.ledger)
        known = self.ledger.seed_record(sha256)
        if known is None or not (self.collection.warcs / known.warc_file).exists():
            return None
        writer = self.capture.writer
        ours = {path.name for path in writer.files} if writer is not None else set()
        if known.warc_file in ours and not self.capture.dedup_within_crawl:
            return None
        return known
