"""The extract pipeline when the crawl is stopping (issue 14, finding 11's second half): a
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
from spiders.items import PageVersion, SeedItem
from spiders.pipelines.extract import ExtractPipeline
from tests.conftest import ROOT

PAGE = (ROOT / "replica" / "pages" / "004_diyaruna.html").read_bytes()
REF = RecordRef("<urn:uuid:1>", "w.warc.gz", 0, 1, "response", "http://x/", "2026", None, "sha1:")


def item() -> SeedItem:
    live = PageVersion("replica", "live", "http://x/", "http://x/", 200, PAGE, "text/html")
    live.response_record = REF
    return SeedItem("004", live)


def test_a_stopping_crawl_does_not_examine_pages_itself_when_its_workers_die(corpus: Path) -> None:
    crawler = get_crawler()
    pipeline = ExtractPipeline(corpus, workers=1, crawler=crawler)
    pipeline.open_spider()
    try:
        assert pipeline.pool is not None
        for pid in list(pipeline.pool._processes):  # the SIGTERM Scrapy's process group got
            os.kill(pid, signal.SIGTERM)
        crawler.crawling = False  # what Crawler.stop() sets on the first SIGTERM
        done = asyncio.run(pipeline.process_item(item()))
    finally:
        pipeline.close_spider()
    assert done.live.check is not None
    assert done.live.check.assessment.verdict.value == "unverifiable"
    assert "the crawl was stopped before this page was examined" in " ".join(
        done.live.check.assessment.reasons
    )
