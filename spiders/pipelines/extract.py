"""Item pipeline: every fetched version of a seed's page is extracted and compared with the
seed (provenance.compare.seedcheck.examine) in a pool of worker processes.

Extraction and alignment are CPU-bound and hold the GIL; run on the reactor thread they would
stall downloading and capture. The pool takes them off it, one process per core by default
(WARCPROOF_WORKERS; 0 runs them inline). Back-pressure comes from Scrapy itself: responses whose
items are still being processed count towards SCRAPER_SLOT_MAX_ACTIVE_SIZE, and the engine stops
downloading while that is exceeded."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from scrapy.crawler import Crawler

from provenance.compare.seedcheck import SeedCheck, examine
from provenance.sources.locate import Shared
from provenance.sources.manifest import Manifest, Seed, load
from provenance.text.extract import Article, NoArticle
from spiders.items import PageVersion, SeedItem

log = logging.getLogger(__name__)

STARTUP_SECONDS = 120


class ExtractPipeline:
    def __init__(self, manifest_path: Path, workers: int) -> None:
        self.manifest_path = manifest_path
        self.workers = workers
        self.manifest: Manifest | None = None
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.getint("WARCPROOF_WORKERS", -1)
        if workers < 0:
            workers = os.cpu_count() or 1
        return cls(Path(settings.get("WARCPROOF_SEEDS")), workers)

    def open_spider(self) -> None:
        self.manifest = load(self.manifest_path)
        if self.workers > 0:
            # forkserver, not fork: the crawler process runs threads (reactor, WARC writer),
            # and a forked copy of a held lock would never be released.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["provenance.compare.seedcheck"])
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
            # Workers started (trafilatura imported) before the first page arrives, not while
            # pages queue up for them; a pool that cannot start fails the crawl here.
            for started in [self.pool.submit(os.getpid) for _ in range(self.workers)]:
                started.result(timeout=STARTUP_SECONDS)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    async def process_item(self, item: SeedItem) -> SeedItem:
        assert self.manifest is not None
        seed = self.manifest.get(item.seed_id)
        jobs = []
        if item.live.error is None and item.live.body is not None:
            jobs.append(self._live(item, seed))
        jobs += [
            self._archived(version, seed)
            for version in item.archived
            if version.error is None and version.body is not None
        ]
        await asyncio.gather(*jobs)
        return item

    async def _live(self, item: SeedItem, seed: Seed) -> None:
        live = item.live
        assert live.body is not None
        url = live.source_url or live.fetched_url or ""
        wanted = item.min_shared is not None
        live.article, live.check, shared = await self._examine(
            seed, live.body, url, live.content_type, shared=wanted
        )
        if isinstance(live.article, NoArticle) and live.article.blocked is not None:
            item.live_problem = live.article.reason  # the archive may hold the article
        elif item.min_shared is not None and live.check.seed_bytes is not None:
            item.live_problem = _too_little(live, shared, item.min_shared)

    async def _archived(self, version: PageVersion, seed: Seed) -> None:
        assert version.body is not None
        version.article, version.check, _ = await self._examine(
            seed, version.body, version.source_url or "", version.content_type
        )

    async def _examine(
        self, seed: Seed, body: bytes, url: str, content_type: str | None, *, shared: bool = False
    ) -> tuple[Article | NoArticle, SeedCheck, Shared | None]:
        if self.pool is None:
            return examine(seed, body, url=url, content_type=content_type, shared=shared)
        future = self.pool.submit(
            examine, seed, body, url=url, content_type=content_type, shared=shared
        )
        try:
            return await asyncio.wrap_future(future)
        except (BrokenProcessPool, pickle.PicklingError) as exc:
            # The seed still gets its verdict: the page is examined here instead.
            log.warning("worker pool failed (%s); examining %s in the crawler", exc, url)
            return examine(seed, body, url=url, content_type=content_type, shared=shared)


def _too_little(live: PageVersion, shared: Shared | None, min_shared: float) -> str | None:
    """Why the live page is not the seed's article, when it shares too little with it."""
    if shared is not None and shared.score >= min_shared:
        return None
    found = f"{shared.score:.0%}" if shared else "none"
    return (
        f"the page at {live.fetched_url} shares {found} of the seed's text (less than "
        f"{min_shared:.0%}), too little to be the same article"
    )
