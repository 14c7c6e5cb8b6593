"""Screenshots at the end of a crawl (on by default; WARCPROOF_SCREENSHOTS=False turns them
off): every page fetched for a verdict is rendered by headless Chromium from the collection
alone, once the WARC files are closed and indexed, and the screenshots and replay findings go
into the collection (provenance.run.replay_check; `warcproof qa` does the same for any crawl
later).

Without Chromium the crawl goes on as usual and says once, at INFO level (a machine without a
browser is a normal one), that screenshots were skipped."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archive.errors import ArchiveError
from archive.index.collection_index import index_collection
from provenance.errors import ProvenanceError
from provenance.report.screenshot_records import screenshot_prefix
from provenance.run.headless_chromium import find_chromium
from provenance.run.replay_check import ReplayPage, record_results, replay_check, replica_alias
from spiders.items import SeedItem

log = logging.getLogger(__name__)


class ScreenshotsExtension:
    def __init__(self, collection: Path, binary: str, prefix: str) -> None:
        self.collection = collection
        self.binary = binary
        self.prefix = prefix
        self.pages: dict[str, ReplayPage] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScreenshotsExtension:
        settings = crawler.settings
        if not settings.getbool("WARCPROOF_SCREENSHOTS"):
            raise NotConfigured  # turned off: nothing to say
        binary = find_chromium()
        if binary is None:
            log.info(
                "Chromium is not installed: screenshots were skipped for this crawl "
                "(Debian: apt-get install chromium; WARCPROOF_SCREENSHOTS=False: do not try)"
            )
            raise NotConfigured  # no reason given: Scrapy would log it again as a WARNING
        extension = cls(
            Path(settings.get("WARCPROOF_COLLECTION")),
            binary,
            screenshot_prefix(settings.get("WARCPROOF_WARC_PREFIX")),
        )
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, SeedItem):
            return
        for version in item.versions or [item.live, *item.archived]:
            record = version.response_record
            if record is None or record.record_id in self.pages:
                continue
            archived = version.kind == "archived" and version.source_url
            self.pages[record.record_id] = ReplayPage(
                url=record.target_uri,
                response_record_id=record.record_id,
                captured_at=record.date,
                open_url=version.source_url if archived else None,
                source_url=version.source_url,
                seeds=(item.seed_id,),
            )

    def engine_stopped(self) -> None:
        """After the index extension (spiders.extensions.indexing) has indexed the crawl."""
        if not self.pages:
            return
        pages = list(self.pages.values())
        try:
            # Incremental, and a no-op when the index extension has just run: the replay
            # needs this crawl's closed WARC files in the index.
            index_collection(self.collection)
            with tempfile.TemporaryDirectory(prefix="warcproof-screenshots-") as scratch:
                results = replay_check(
                    self.collection,
                    pages,
                    self.binary,
                    workdir=Path(scratch),
                    alias=replica_alias(pages),
                )
            record_results(self.collection, results, prefix=self.prefix)
        except (ArchiveError, ProvenanceError, OSError) as exc:
            log.error("Screenshots of this crawl's pages failed: %s", exc)
            return
        missing = sum(len(result.missing) for result in results)
        log.info(
            "Screenshots: %d page(s) rendered from the archive, %d request(s) missing in replay",
            sum(result.screenshot is not None for result in results),
            missing,
        )
