"""Item pipeline: per seed, the extracted text and the verdict go into WARC (conversion and
metadata records referring to the response) and into the ledger, in one transaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive.records import RecordRef
from archive.writer import WarcWriter
from provenance.extract import Article
from provenance.ledger import CaptureRow, Ledger, VerdictRow
from spiders.capture import WarcCaptureExtension
from spiders.items import SeedItem


class LedgerPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings.get("WARCPROOF_COLLECTION")) / "ledger.sqlite"
        self.ledger: Ledger | None = None
        self.crawl_id = 0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerPipeline:
        return cls(crawler)

    def _writer(self) -> WarcWriter:
        capture = self.crawler.get_extension(WarcCaptureExtension)
        if capture is None or capture.writer is None:
            raise RuntimeError("the WARC capture extension is not running")
        return capture.writer

    def open_spider(self) -> None:
        settings = self.crawler.settings
        self.ledger = Ledger(self.path)
        origin = settings.get("WARCPROOF_REPLICA_URL") or "live"
        self.crawl_id = self.ledger.begin_crawl(
            origin=origin,
            settings={
                "seeds": settings.get("WARCPROOF_SEEDS"),
                "user_agent": settings.get("USER_AGENT"),
                "robots": settings.getbool("ROBOTSTXT_OBEY"),
            },
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.ledger is not None:
            self.ledger.finish_crawl(self.crawl_id, reason)
            self.ledger.close()
            self.ledger = None

    def process_item(self, item: SeedItem) -> SeedItem:
        if self.ledger is None or item.check is None:
            raise RuntimeError("the ledger pipeline runs after the compare pipeline, once opened")
        check = item.check
        evidence = check.evidence()
        evidence["source"] = _source_evidence(item)
        conversion = seed_record = None
        writer = self._writer()
        target = item.fetched_url or item.source_url or seed_uri(item.seed_id)
        if check.seed_bytes is not None:
            # The claim travels with its evidence: the seed's exact bytes, linked from the
            # metadata record below.
            seed_record = writer.write_resource(
                seed_uri(item.seed_id),
                check.seed_bytes,
                "text/plain",
                extra_headers={
                    "WARC-Warcproof-Seed": item.seed_id,
                    "WARC-Warcproof-Seed-File": check.seed.file,
                },
            )
            evidence["seed"]["resource_record_id"] = seed_record.record_id
        if isinstance(check.article, Article) and item.response_record is not None:
            conversion = writer.write_conversion(
                target,
                check.article.text.encode("utf-8"),
                "text/plain; charset=utf-8",
                refers_to=item.response_record,
                extra_headers={"WARC-Warcproof-Extractor": check.article.extractor},
            )
            evidence["source"]["conversion_record_id"] = conversion.record_id
        metadata = writer.write_metadata(
            target,
            json.dumps(evidence, ensure_ascii=False, indent=1, default=str).encode("utf-8"),
            "application/json",
            refers_to=item.response_record,
            concurrent_to=seed_record,
            extra_headers={
                "WARC-Warcproof-Seed": item.seed_id,
                "WARC-Warcproof-Verdict": check.assessment.verdict.value,
            },
        )
        verdict = VerdictRow(
            seed_id=item.seed_id,
            verdict=check.assessment.verdict.value,
            reasons=check.assessment.reasons,
            counts=check.assessment.counts,
            evidence=evidence,
            seed_sha256=check.seed_sha256,
            seed_digest=check.seed_digest,
            article_digest=check.article_digest,
            normalizer=evidence["normalizer"],
            extractor=check.article.extractor if check.article is not None else None,
            conversion_record_id=conversion.record_id if conversion else None,
            metadata_record_id=metadata.record_id,
        )
        self.ledger.record(self.crawl_id, verdict, _capture_row(item))
        return item


def seed_uri(seed_id: str) -> str:
    """The Target-URI of a seed's resource record."""
    return f"urn:warcproof:seed:{seed_id}"


def _source_evidence(item: SeedItem) -> dict[str, Any]:
    response: RecordRef | None = item.response_record
    return {
        "source_url": item.source_url,
        "fetched_url": item.fetched_url,
        "source_kind": item.source_kind,
        "status": item.status,
        "redirects": item.redirects,
        "error": item.error,
        "captured_at": response.date if response else None,
        "warc_file": response.warc_file if response else None,
        "warc_offset": response.offset if response else None,
        "response_record_id": response.record_id if response else None,
        "request_record_id": item.request_record.record_id if item.request_record else None,
        "payload_digest": response.payload_digest if response else None,
    }


def _capture_row(item: SeedItem) -> CaptureRow | None:
    response = item.response_record
    if response is None or item.fetched_url is None:
        return None
    return CaptureRow(
        source_url=item.source_url,
        fetched_url=item.fetched_url,
        source_kind=item.source_kind,
        status=item.status,
        captured_at=response.date,
        warc_file=response.warc_file,
        warc_offset=response.offset,
        warc_length=response.length,
        response_record_id=response.record_id,
        request_record_id=item.request_record.record_id if item.request_record else None,
        payload_digest=response.payload_digest,
        redirects=tuple(item.redirects),
    )
