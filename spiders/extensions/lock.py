"""One run at a time per collection: the Scrapy extension over the collection's lock
(archive.collection_lock, which holds the protocol).

Taken when the crawler is built, before any other warcproof component opens a WARC file or
the ledger (the extension is listed first), and held until the crawl's last writer is done:
released on `engine_stopped`, after the index extension has updated the index.

Processes that share one `WARCPROOF_RUN_ID` (the crawler processes of one distributed run) hold
it together. A run that finds the collection locked waits up to `WARCPROOF_LOCK_WAIT` seconds
(default 0), then says which collection and who holds it and exits with status 4
(provenance.exitcodes.ExitCode.LOCKED) before fetching anything, writing nothing."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

from archive.collection_lock import CollectionLock, CollectionLocked

log = logging.getLogger(__name__)


class CollectionLockExtension:
    def __init__(self, crawler: Crawler, lock: CollectionLock) -> None:
        self.crawler = crawler
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectionLockExtension:
        settings = crawler.settings
        lock = CollectionLock(
            Path(settings.get("WARCPROOF_COLLECTION")), settings.get("WARCPROOF_RUN_ID")
        )
        try:
            lock.acquire(settings.getfloat("WARCPROOF_LOCK_WAIT"))
        except CollectionLocked as exc:
            log.error("%s", exc.message)
            print(f"warcproof: {exc.message}", file=sys.stderr, flush=True)
            raise
        extension = cls(crawler, lock)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        # Connected now, this handler runs after every engine_stopped handler connected at
        # start-up (the index extension's among them): the index is written under the lock.
        self.crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    def engine_stopped(self) -> None:
        self.lock.release()
