"""Item pipeline: per seed, one ledger transaction: the verdict (its row built by the records
pipeline, spiders.pipelines.evidence_records), the capture it rests on, what the live page was
this time (an observation) and how it changed since the seed's previous crawl
(provenance.compare.page_changes, which reads older records back and may extract them: it runs
in the crawl's worker processes).

With JOBDIR, a resumed job records into the crawl it started (its id kept in the job folder,
spiders.middlewares.resume), and a seed already recorded in that crawl is not recorded twice."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.collection import Collection
from archive.warc.records import RecordRef
from provenance.compare.change_rows import ChangeRow, ObservationRow
from provenance.compare.evidence import SourceKind
from provenance.compare.page_changes import detect
from provenance.ledger.store import CaptureRow, Ledger
from spiders.extensions.worker_pool import WorkerPool
from spiders.items import PageVersion, SeedItem
from spiders.middlewares.resume import CRAWL_FILE, job_file

log = logging.getLogger(__name__)


class LedgerPipeline:
    def __init__(self, crawler: Crawler, pool: WorkerPool) -> None:
        self.crawler = crawler
        self.pool = pool
        self.collection = Path(crawler.settings.get("WARCPROOF_COLLECTION"))
        self.path = Collection(self.collection).ledger
        self.ledger: Ledger | None = None
        self.crawl_id = 0
        self.recorded: set[str] = set()  # seeds with a verdict in this crawl
        self.job_crawl = job_file(crawler, CRAWL_FILE)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LedgerPipeline:
        pool = crawler.get_extension(WorkerPool)
        if pool is None:
            raise RuntimeError("the worker pool extension is not enabled")
        return cls(crawler, pool)

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
        if self.ledger is None or item.verdict is None:
            raise RuntimeError("the ledger pipeline runs after the records pipeline, once opened")
        if item.seed_id in self.recorded:
            raise DropItem(f"seed {item.seed_id} is already recorded in crawl {self.crawl_id}")
        versions = item.versions or [item.live]
        chosen = versions[item.finding.chosen] if item.finding else versions[0]
        live = versions[0]
        observation = change = None
        if live.kind is not SourceKind.ARCHIVED and live.source_url is not None:
            observation = _observation(item.seed_id, live, item.conversions[0])
            change = await self._change(observation, live)
        self.ledger.record(
            self.crawl_id,
            item.verdict,
            _capture_row(chosen),
            observation=observation,
            change=change,
            seed_record=item.seed_record,
        )
        self.recorded.add(item.seed_id)
        if change is not None:
            log.warning("Seed %s changed (%s): %s", item.seed_id, change.kind, change.summary)
        return item

    async def _change(self, observation: ObservationRow, live: PageVersion) -> ChangeRow | None:
        assert self.ledger is not None
        seed_id = observation.seed_id
        previous = self.ledger.last_observation(seed_id, self.crawl_id)
        if previous is None:
            return None  # a first sight: nothing to compare (no round trip to a worker)
        last_article = None
        if previous is not None and previous.article_digest is None:
            last_article = self.ledger.last_observation(seed_id, self.crawl_id, with_article=True)
        article = live.check.article if live.check is not None else None
        return await self.pool.run(
            detect, self.collection, previous, observation, article, last_article=last_article
        )


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
