"""Crawl progress on the terminal: seeds done out of the seeds to crawl, rate and time left.

Enabled when stderr is a terminal (``warcproof crawl`` runs Scrapy as a subprocess that
inherits it). ``-s WARCPROOF_PROGRESS_INTERVAL=N`` asks for one plain line every N seconds
when stderr is not a terminal; ``-s WARCPROOF_PROGRESS=False`` switches it off.
"""

from __future__ import annotations

import sys

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from provenance.run.progress import Progress
from spiders.spiders.seeds import SeedsSpider


class CrawlProgressExtension:
    def __init__(self, interval: float | None) -> None:
        self.interval = interval
        self.progress: Progress | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgressExtension:
        settings = crawler.settings
        interval = settings.getfloat("WARCPROOF_PROGRESS_INTERVAL", 0) or None
        if not settings.getbool("WARCPROOF_PROGRESS", True):
            # Off: WARCPROOF_PROGRESS is off (no message: Scrapy logs one as a WARNING).
            raise NotConfigured()
        if not sys.stderr.isatty() and interval is None:
            # Off: stderr is not a terminal (no message: Scrapy logs one as a WARNING).
            raise NotConfigured()
        extension = cls(interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.seed_done, signal=signals.item_scraped)
        crawler.signals.connect(extension.seed_done, signal=signals.item_dropped)
        crawler.signals.connect(extension.seed_done, signal=signals.item_error)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.progress = Progress(
            "crawl", total=seed_count(spider), unit="seeds", interval=self.interval
        )

    def seed_done(self) -> None:
        if self.progress is not None:
            self.progress.advance()

    def spider_closed(self) -> None:
        if self.progress is not None:
            self.progress.finish()
            self.progress = None


def seed_count(spider: Spider) -> int | None:
    """How many seeds (one item each) the spider will produce, None if it is not known."""
    if not isinstance(spider, SeedsSpider):
        return None
    seeds = spider.manifest().seeds
    return sum(1 for seed in seeds if not spider.only or seed.id in spider.only)
