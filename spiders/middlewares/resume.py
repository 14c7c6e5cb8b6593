"""Pausing and resuming a crawl with Scrapy's JOBDIR, without redoing or losing a seed.

On resume, Scrapy takes the requests still queued from JOBDIR and calls the spider's `start()`
again, which yields every seed once more (its requests are `dont_filter`, so the dupefilter
lets them through). This spider middleware passes on only the seeds this job has not started
yet: every seed it lets through is appended to `JOBDIR/warcproof-started` at once, so the list
is right even when the process was killed. The ledger pipeline keeps the crawl id in
`JOBDIR/warcproof-crawl`, so the resumed run records into the same crawl. When a crawl
finishes, both files are removed: the next run with that JOBDIR is a new crawl."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

log = logging.getLogger(__name__)

STARTED_FILE = "warcproof-started"
CRAWL_FILE = "warcproof-crawl"


def job_file(crawler: Crawler, name: str) -> Path | None:
    """`JOBDIR/name`, or None when the crawl is not a resumable job."""
    directory = job_dir(crawler.settings)
    return Path(directory) / name if directory else None


class ResumeMiddleware:
    def __init__(self, started: Path) -> None:
        self.path = started
        self.started = set(started.read_text("utf-8").split()) if started.exists() else set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeMiddleware:
        path = job_file(crawler, STARTED_FILE)
        if path is None:
            # Off: no JOBDIR: nothing to resume (no message: Scrapy logs one as a WARNING).
            raise NotConfigured()
        middleware = cls(path)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        skipped = 0
        with self.path.open("a", encoding="utf-8") as started:
            async for request_or_item in start:
                seed_id = _seed_id(request_or_item)
                if seed_id is not None and seed_id in self.started:
                    skipped += 1
                    continue
                if seed_id is not None:
                    self.started.add(seed_id)
                    started.write(f"{seed_id}\n")
                    started.flush()
                yield request_or_item
        if skipped:
            log.info(
                "Resumed job: %d seed(s) already started in this crawl not started again", skipped
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason == "finished":
            self.path.unlink(missing_ok=True)


def _seed_id(request_or_item: Any) -> str | None:
    meta = getattr(request_or_item, "meta", None)
    seed_id = meta.get("seed_id") if isinstance(meta, dict) else None
    seed_id = seed_id or getattr(request_or_item, "seed_id", None)
    return seed_id if isinstance(seed_id, str) else None
