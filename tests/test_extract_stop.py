"""The analyse pipeline when the crawl is stopping (issue 14, finding 11's second half): a
SIGTERM that reaches the worker processes must not move extraction onto the crawler's reactor
thread, where it would hold off a second SIGTERM. Built with Scrapy's test crawler and a
hand-made item; the worker pool is real and its workers are really killed."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from scrapy.utils.test import get_crawler

from archive.warc.records import RecordRef
from provenance.compare.evidence import SourceKind
from spiders.extensions.worker_pool import WorkerPool
from spiders.items import PageVersion, SeedItem
from spiders.pipelines.analyse import AnalysePipeline
from tests.conftest import ROOT

PAGE = (ROOT / "replica" / "pages" / "004_diyaruna.html").read_bytes()
REF = RecordRef("<urn:uuid:1>", "w.warc.gz", 0, 1, "response", "http://x/", "2026", None, "sha1:")


def item() -> SeedItem:
    live = PageVersion(SourceKind.REPLICA, "live", "http://x/", "http://x/", 200, PAGE, "text/html")
    live.response_record = REF
    return SeedItem("004", live)


def test_a_stopping_crawl_does_not_examine_pages_itself_when_its_workers_die(corpus: Path) -> None:
    crawler = get_crawler(settings_dict={"WARCPROOF_SEEDS": str(corpus)})
    pool = WorkerPool(1, crawler)
    pipeline = AnalysePipeline(crawler, pool)
    pipeline.open_spider()
    pool.start()
    try:
        assert pool.pool is not None
        for pid in list(pool.pool._processes):  # the SIGTERM Scrapy's process group got
            os.kill(pid, signal.SIGTERM)
        crawler.crawling = False  # what Crawler.stop() sets on the first SIGTERM
        done = asyncio.run(pipeline.process_item(item()))
    finally:
        pool.stop()
    assert done.live.check is not None
    assert done.live.check.assessment.verdict.value == "unverifiable"
    assert "the crawl was stopped before this work was done" in " ".join(
        done.live.check.assessment.reasons
    )
