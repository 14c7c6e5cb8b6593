"""Item pipeline: a seed's WARC records beyond the HTTP exchanges (which the capture extension
wrote): the seed file's bytes (a resource record, or a revisit of an earlier one of the same
bytes: spiders.seed_records), per fetched version its extracted text (a
conversion record) and, for an archived capture, a metadata record naming the original URL and
the Memento-Datetime; then the verdict's evidence (built once, provenance.compare.evidence) as a
metadata record referring to the response it rests on. All are written on the capture's writer
thread; the item leaves with its ledger row (`item.verdict`) and each version's conversion.

Seeds naming one URL share its fetch (spiders.spiders.seeds): the response's conversion and
memento records are written for the first of them and referred to by the others."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from scrapy.crawler import Crawler

from archive.collection import Collection
from archive.warc.record_uris import memento_uri, text_uri, verdict_uri
from archive.warc.records import WARC_FIELDS_TYPE, RecordRef, warc_fields
from archive.warc.writer import WarcWriter
from provenance.compare.evidence import SourceEvidence, SourceKind
from provenance.ledger.store import verdict_row
from provenance.text.extract import Article
from spiders.extensions.capture import WarcCaptureExtension
from spiders.items import PageVersion, SeedItem
from spiders.seed_records import SeedArchive

_Records = tuple[str | None, RecordRef | None]  # a version's memento id, conversion record
SHARED_RESPONSES = 1024  # responses whose records are remembered for seeds sharing them


class EvidenceRecordsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # A response's records (being) written, by its record id: the digest of the article
        # text they hold and (memento id, conversion). The items of seeds sharing a response
        # come together (often at once: hence the tasks), so a few suffice.
        self.written: OrderedDict[str, tuple[bytes | None, asyncio.Future[_Records]]]
        self.written = OrderedDict()
        self.seeds: SeedArchive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidenceRecordsPipeline:
        return cls(crawler)

    def close_spider(self) -> None:
        if self.seeds is not None:
            self.seeds.close()

    def _capture(self) -> tuple[WarcCaptureExtension, WarcWriter]:
        capture = self.crawler.get_extension(WarcCaptureExtension)
        if capture is None or capture.writer is None:
            raise RuntimeError("the WARC capture extension is not running")
        if self.seeds is None:
            collection = Collection(Path(self.crawler.settings.get("WARCPROOF_COLLECTION")))
            self.seeds = SeedArchive(collection, capture)
        return capture, capture.writer

    async def process_item(self, item: SeedItem) -> SeedItem:
        check = item.check
        if check is None:
            raise RuntimeError("the records pipeline runs after the judge pipeline")
        versions = item.versions or [item.live]
        finding = item.finding
        chosen = versions[finding.chosen] if finding else versions[0]
        capture, writer = self._capture()
        assert self.seeds is not None
        seed_record = holder = None
        if check.seed_bytes is not None:
            # The claim travels with its evidence: the seed's exact bytes (or a revisit of the
            # record holding them), linked from the metadata record below.
            archived_seed = await self.seeds.archive(item.seed_id, check, check.seed_bytes)
            seed_record, holder = archived_seed.record, archived_seed.holder_id
            item.seed_record = archived_seed.new
        archived = [await self._archive_version(capture, writer, item.seed_id, v) for v in versions]
        sources = [source for source, _ in archived]
        source = sources[versions.index(chosen)]
        time_axis = None
        if finding is not None and (len(versions) > 1 or finding.reasons):
            time_axis = finding.evidence()
            for entry, version_source in zip(time_axis["versions"], sources, strict=True):
                entry["source"] = version_source.plain()
        evidence = check.evidence(
            source,
            seed_record_id=holder,
            time_axis=time_axis,
        )
        row = verdict_row(
            check,
            evidence,
            reasons_before=finding.reasons if finding else (),
            conversion_record_id=source.conversion_record_id,
        )
        metadata = await capture.call(
            writer.write_metadata,
            verdict_uri(item.seed_id),
            row.evidence.json.encode("utf-8"),  # the same JSON as the ledger's, encoded once
            "application/json",
            refers_to=chosen.response_record,
            concurrent_to=seed_record,
            extra_headers={
                "WARC-Warcproof-Seed": item.seed_id,
                "WARC-Warcproof-Verdict": check.assessment.verdict.value,
            },
        )
        item.verdict = replace(row, metadata_record_id=metadata.record_id)
        item.conversions = [conversion for _, conversion in archived]
        return item

    async def _archive_version(
        self, capture: WarcCaptureExtension, writer: WarcWriter, seed_id: str, version: PageVersion
    ) -> tuple[SourceEvidence, RecordRef | None]:
        """A version's own records: its extracted text (conversion) and, for an archived
        capture, a metadata record naming the original URL and the Memento-Datetime; returns
        the version's source evidence and its conversion record."""
        source = source_evidence(version)
        response = version.response_record
        if response is None or version.fetched_url is None:
            return source, None
        article = version.check.article if version.check else None
        text = _digest(article.text) if isinstance(article, Article) else None
        known = self.written.get(response.record_id)
        if known is not None and known[0] == text:
            task = known[1]
        else:
            task = asyncio.ensure_future(self._write(capture, writer, seed_id, version, response))
            self.written[response.record_id] = (text, task)
            while len(self.written) > SHARED_RESPONSES:
                self.written.popitem(last=False)
        memento_id, conversion = await task
        records = source.with_records(
            memento_record_id=memento_id,
            conversion_record_id=conversion.record_id if conversion else None,
        )
        return records, conversion

    async def _write(
        self,
        capture: WarcCaptureExtension,
        writer: WarcWriter,
        seed_id: str,
        version: PageVersion,
        response: RecordRef,
    ) -> _Records:
        """The records of a fetched version: memento (for a capture) and conversion."""
        assert version.fetched_url is not None
        article = version.check.article if version.check else None
        memento_id = conversion = None
        if version.kind is SourceKind.ARCHIVED:
            fields = [
                ("original-url", version.source_url or ""),
                ("memento-datetime", version.memento_datetime or ""),
                ("cdx-timestamp", version.capture_timestamp or ""),
                ("archive-url", version.fetched_url),
                ("role", version.role),
            ]
            memento = await capture.call(
                writer.write_metadata,
                memento_uri(version.fetched_url),
                warc_fields(fields),
                WARC_FIELDS_TYPE,
                refers_to=response,
                extra_headers={"WARC-Warcproof-Seed": seed_id},
            )
            memento_id = memento.record_id
        if isinstance(article, Article):
            conversion = await capture.call(
                writer.write_conversion,
                text_uri(version.fetched_url),
                article.text.encode("utf-8"),
                "text/plain; charset=utf-8",
                refers_to=response,
                extra_headers={"WARC-Warcproof-Extractor": article.extractor},
            )
        return memento_id, conversion


def source_evidence(version: PageVersion) -> SourceEvidence:
    response: RecordRef | None = version.response_record
    archived = version.kind is SourceKind.ARCHIVED
    return SourceEvidence(
        source_url=version.source_url,
        fetched_url=version.fetched_url,
        source_kind=version.kind,
        status=version.status,
        redirects=tuple(version.redirects),
        error=version.error,
        captured_at=response.date if response else None,
        warc_file=response.warc_file if response else None,
        warc_offset=response.offset if response else None,
        response_record_id=response.record_id if response else None,
        request_record_id=version.request_record.record_id if version.request_record else None,
        payload_digest=response.payload_digest if response else None,
        role=version.role if archived else None,
        original_url=version.source_url if archived else None,
        memento_datetime=version.memento_datetime if archived else None,
        cdx_timestamp=version.capture_timestamp if archived else None,
    )


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()
