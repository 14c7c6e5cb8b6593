"""Re-index the collection when a crawl ends, so its CDXJ index always covers every closed WARC.

Runs on `engine_stopped`, which Scrapy sends after every `spider_closed` handler has run, so
the capture extension has closed (and renamed) the WARC files by then. A failure is logged and
leaves the previous index in place; `warcproof index` can be run by hand at any time.
Set WARCPROOF_INDEX_ON_CLOSE = False to switch it off."""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.errors import ArchiveError
from archive.index.collection_index import index_collection

log = logging.getLogger(__name__)


class CollectionIndexExtension:
    def __init__(self, collection: Path) -> None:
        self.collection = collection

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectionIndexExtension:
        if not crawler.settings.getbool("WARCPROOF_INDEX_ON_CLOSE", True):
            # Off: WARCPROOF_INDEX_ON_CLOSE is off (no message: Scrapy logs one as a WARNING).
            raise NotConfigured()
        extension = cls(Path(crawler.settings.get("WARCPROOF_COLLECTION")))
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        try:
            update = index_collection(self.collection)
        except (ArchiveError, OSError) as exc:
            log.error("Cannot update the index of %s: %s", self.collection, exc)
            return
        log.info(
            "Index %s: %d lines over %d WARC file(s), %d newly indexed",
            update.path,
            update.lines,
            len(update.warcs),
            len(update.added),
        )
