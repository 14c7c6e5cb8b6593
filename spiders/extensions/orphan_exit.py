"""A crawler started by `warcproof crawl` never outlives it for long.

`warcproof crawl` passes its own process id as WARCPROOF_PARENT_PID (internal, not a user
setting: provenance.run.crawl_process.Crawlers.start); once that process is gone
(even by `kill -9`), the crawler has WARCPROOF_ORPHAN_GRACE seconds to stop cleanly on the
SIGTERM the kernel sends it (provenance.run.parent_death), then it exits hard. A crawler run by
hand (`scrapy crawl seeds`, under nohup or scrapyd) has no such setting and is left alone."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from provenance.run.parent_death import exit_when_orphaned

log = logging.getLogger(__name__)


class OrphanExitExtension:
    def __init__(self, parent: int, grace: float) -> None:
        self.parent = parent
        self.grace = grace

        def before_exit() -> None:
            log.warning(
                "the process that started this crawl (pid %d) is gone and the crawl has not "
                "ended %.0f s later: exiting now (completed WARC records are kept; run "
                "`warcproof warc recover` on the collection's warcs)",
                parent,
                grace,
            )

        exit_when_orphaned(parent, grace, before_exit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OrphanExitExtension:
        parent = crawler.settings.getint("WARCPROOF_PARENT_PID")
        if parent <= 0:
            raise NotConfigured("not started by warcproof crawl")
        return cls(parent, crawler.settings.getfloat("WARCPROOF_ORPHAN_GRACE"))
