"""Item pipeline: per seed, the extracted text of every version of its page and the verdict go
into WARC (conversion and metadata records referring to each response; for an archived capture
also a metadata record naming the original URL and the Memento-Datetime) and into the ledger,
in one transaction, with the capture the verdict rests on, what the live page was this time
(an observation) and how it changed since the seed's previous crawl
(provenance.compare.page_changes).

With JOBDIR, a resumed job records into the crawl it started (its id kept in the job folder,
spiders.middlewares.resume), and a seed already recorded in that crawl is not recorded twice."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.collection import Collection
from archive.warc.record_uris import memento_uri, seed_uri, text_uri, verdict_uri
from archive.warc.records import WARC_FIELDS_TYPE, RecordRef, warc_fields
from archive.warc.writer import WarcWriter
from provenance.compare.page_changes import detect
from provenance.ledger.store import CaptureRow, ChangeRow, Ledger, ObservationRow
from provenance.text.extract import Article
from spiders.extensions.capture import WarcCaptureExtension
from spiders.items import PageVersion, SeedItem
from spiders.middlewares.resume import CRAWL_FILE, job_file

log = logging.getLogger(__name__)


class LedgerPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.collection = Path(crawler.settings.get("WARCPROOF_COLLECTION"))
        self.path = Collection(self.collection).ledger
        self.ledger: Ledger | None = None
        self.crawl_id = 0
        self.recorded: set[str] = set()  # seeds with a verdict in this crawl
        self.job_crawl = job_file(crawler, CRAWL_FILE)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerPipeline:
        return cls(crawler)

    def _capture(self) -> tuple[WarcCaptureExtension, WarcWriter]:
        capture = self.crawler.get_extension(WarcCaptureExtension)
        if capture is None or capture.writer is None:
            raise RuntimeError("the WARC capture extension is not running")
        return capture, capture.writer

    def open_spider(self) -> None:
        settings = self.crawler.settings
        self.ledger = Ledger(self.path)
        if self.job_crawl is not None and self.job_crawl.exists():
            resumed = int(self.job_crawl.read_text("utf-8"))
            if self.ledger.resume_crawl(resumed):
                self.crawl_id = resumed
                self.recorded = self.ledger.recorded_seeds(resumed)
                log.info("Resuming crawl %d (%d seed(s) recorded)", resumed, len(self.recorded))
                return
        origin = settings.get("WARCPROOF_REPLICA_URL") or "live"
        self.crawl_id = self.ledger.begin_crawl(
            origin=origin,
            settings={
                "seeds": settings.get("WARCPROOF_SEEDS"),
                "user_agent": settings.get("USER_AGENT"),
                "robots": settings.getbool("ROBOTSTXT_OBEY"),
                # Groups the crawls of one distributed run (one per crawler process).
                "run_id": settings.get("WARCPROOF_RUN_ID") or None,
            },
        )
        if self.job_crawl is not None:
            self.job_crawl.parent.mkdir(parents=True, exist_ok=True)
            self.job_crawl.write_text(str(self.crawl_id), "utf-8")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.ledger is not None:
            self.ledger.finish_crawl(self.crawl_id, reason)
            if self.job_crawl is not None and reason == "finished":
                self.job_crawl.unlink(missing_ok=True)
            self.ledger.close()
            self.ledger = None

    async def process_item(self, item: SeedItem) -> SeedItem:
        if self.ledger is None or item.check is None:
            raise RuntimeError("the ledger pipeline runs after the compare pipeline, once opened")
        if item.seed_id in self.recorded:
            raise DropItem(f"seed {item.seed_id} is already recorded in crawl {self.crawl_id}")
        check = item.check
        versions = item.versions or [item.live]
        finding = item.finding
        chosen = versions[finding.chosen] if finding else versions[0]
        evidence = check.evidence()
        evidence["source"] = _source_evidence(chosen)
        seed_record = None
        capture, writer = self._capture()
        if check.seed_bytes is not None:
            # The claim travels with its evidence: the seed's exact bytes, linked from the
            # metadata record below.
            seed_record = await capture.call(
                writer.write_resource,
                seed_uri(item.seed_id),
                check.seed_bytes,
                "text/plain",
                extra_headers={
                    "WARC-Warcproof-Seed": item.seed_id,
                    "WARC-Warcproof-Seed-File": check.seed.file,
                },
            )
            evidence["seed"]["resource_record_id"] = seed_record.record_id
        archived = [await self._archive_version(capture, writer, item.seed_id, v) for v in versions]
        sources = [source for source, _ in archived]
        conversion_id = sources[versions.index(chosen)].get("conversion_record_id")
        evidence["source"].update(sources[versions.index(chosen)])
        if finding is not None and (len(versions) > 1 or finding.reasons):
            time_axis = finding.evidence()
            for entry, source in zip(time_axis["versions"], sources, strict=True):
                entry["source"] = source
            evidence["time_axis"] = time_axis
        # Serialised once: the same JSON is the metadata record's payload and the ledger's.
        evidence_json = check.serialise(evidence)
        metadata = await capture.call(
            writer.write_metadata,
            verdict_uri(item.seed_id),
            evidence_json.encode("utf-8"),
            "application/json",
            refers_to=chosen.response_record,
            concurrent_to=seed_record,
            extra_headers={
                "WARC-Warcproof-Seed": item.seed_id,
                "WARC-Warcproof-Verdict": check.assessment.verdict.value,
            },
        )
        verdict = check.verdict_row(
            evidence_json,
            reasons_before=finding.reasons if finding else (),
            conversion_record_id=conversion_id,
            metadata_record_id=metadata.record_id,
        )
        live = versions[0]
        observation = change = None
        if live.kind != "archived" and live.source_url is not None:
            observation = _observation(item.seed_id, live, archived[0][1])
            change = self._change(observation, live)
        self.ledger.record(
            self.crawl_id, verdict, _capture_row(chosen), observation=observation, change=change
        )
        self.recorded.add(item.seed_id)
        if change is not None:
            log.warning("Seed %s changed (%s): %s", item.seed_id, change.kind, change.summary)
        return item

    def _change(self, observation: ObservationRow, live: PageVersion) -> ChangeRow | None:
        assert self.ledger is not None
        seed_id = observation.seed_id
        previous = self.ledger.last_observation(seed_id, self.crawl_id)
        last_article = None
        if previous is not None and previous.article_digest is None:
            last_article = self.ledger.last_observation(seed_id, self.crawl_id, with_article=True)
        article = live.check.article if live.check is not None else None
        return detect(self.collection, previous, observation, article, last_article=last_article)

    async def _archive_version(
        self, capture: WarcCaptureExtension, writer: WarcWriter, seed_id: str, version: PageVersion
    ) -> tuple[dict[str, Any], RecordRef | None]:
        """A version's own records: its extracted text (conversion) and, for an archived
        capture, a metadata record naming the original URL and the Memento-Datetime; returns
        the version's source evidence and its conversion record."""
        source = _source_evidence(version)
        response = version.response_record
        conversion = None
        if response is None or version.fetched_url is None:
            return source, conversion
        if version.kind == "archived":
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
            source["memento_record_id"] = memento.record_id
        article = version.check.article if version.check else None
        if isinstance(article, Article):
            conversion = await capture.call(
                writer.write_conversion,
                text_uri(version.fetched_url),
                article.text.encode("utf-8"),
                "text/plain; charset=utf-8",
                refers_to=response,
                extra_headers={"WARC-Warcproof-Extractor": article.extractor},
            )
            source["conversion_record_id"] = conversion.record_id
        return source, conversion


def _source_evidence(version: PageVersion) -> dict[str, Any]:
    response: RecordRef | None = version.response_record
    evidence: dict[str, Any] = {
        "source_url": version.source_url,
        "fetched_url": version.fetched_url,
        "source_kind": version.kind,
        "status": version.status,
        "redirects": version.redirects,
        "error": version.error,
        "captured_at": response.date if response else None,
        "warc_file": response.warc_file if response else None,
        "warc_offset": response.offset if response else None,
        "response_record_id": response.record_id if response else None,
        "request_record_id": version.request_record.record_id if version.request_record else None,
        "payload_digest": response.payload_digest if response else None,
    }
    if version.kind == "archived":
        evidence["role"] = version.role
        evidence["original_url"] = version.source_url
        evidence["memento_datetime"] = version.memento_datetime
        evidence["cdx_timestamp"] = version.capture_timestamp
    return evidence


def _capture_row(version: PageVersion) -> CaptureRow | None:
    response = version.response_record
    if response is None or version.fetched_url is None:
        return None
    return CaptureRow(
        source_url=version.source_url,
        fetched_url=version.fetched_url,
        source_kind=version.kind,
        status=version.status,
        captured_at=response.date,
        warc_file=response.warc_file,
        warc_offset=response.offset,
        warc_length=response.length,
        response_record_id=response.record_id,
        request_record_id=version.request_record.record_id if version.request_record else None,
        payload_digest=response.payload_digest,
        redirects=tuple(version.redirects),
    )


def _observation(seed_id: str, live: PageVersion, conversion: RecordRef | None) -> ObservationRow:
    response = live.response_record
    check = live.check
    return ObservationRow(
        seed_id=seed_id,
        url=live.fetched_url or live.source_url,
        status=live.status,
        error=live.error,
        response_record_id=response.record_id if response else None,
        warc_file=response.warc_file if response else None,
        warc_offset=response.offset if response else None,
        captured_at=response.date if response else None,
        article_digest=check.article_digest if check else None,
        page_digest=check.page_digest if check else None,
        conversion_record_id=conversion.record_id if conversion else None,
        conversion_warc_file=conversion.warc_file if conversion else None,
        conversion_warc_offset=conversion.offset if conversion else None,
    )
