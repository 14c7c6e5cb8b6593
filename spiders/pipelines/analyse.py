"""Item pipeline: every fetched version of a seed's page is extracted and compared with the
seed (provenance.compare.seedcheck.examine) in the crawl's worker processes
(spiders.extensions.worker_pool), and the live page's share of the seed's text measured when
the archive could offer another version.

Back-pressure comes from Scrapy itself: responses whose items are still being processed count
towards SCRAPER_SLOT_MAX_ACTIVE_SIZE, and the engine stops downloading while that is
exceeded."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scrapy.crawler import Crawler

from provenance.compare.seedcheck import SeedCheck, check_seed, examine
from provenance.run.capture_rule import capture_refusal
from provenance.sources.locate import Shared
from provenance.sources.manifest import Manifest, Seed, load
from provenance.text.extract import Article, NoArticle
from spiders.extensions.worker_pool import PoolStopped, WorkerPool
from spiders.items import PageVersion, SeedItem


class AnalysePipeline:
    def __init__(self, manifest_path: Path, pool: WorkerPool) -> None:
        self.manifest_path = manifest_path
        self.pool = pool
        self.manifest: Manifest | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnalysePipeline:
        pool = crawler.get_extension(WorkerPool)
        if pool is None:
            raise RuntimeError("the worker pool extension is not enabled")
        return cls(Path(crawler.settings.get("WARCPROOF_SEEDS")), pool)

    def open_spider(self) -> None:
        self.manifest = load(self.manifest_path)

    async def process_item(self, item: SeedItem) -> SeedItem:
        assert self.manifest is not None
        seed = self.manifest.get(item.seed_id)
        for version in [item.live, *item.archived]:
            version.error = version.error or not_evidence(version)
        if item.live.error is not None:
            item.live_problem = item.live_problem or item.live.error
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
        article, check, shared = await self._examine(
            seed, live.body, url, live.content_type, shared=wanted
        )
        live.article, live.check = article, check
        if isinstance(article, NoArticle) and article.blocked is not None:
            item.live_problem = article.reason  # the archive may hold the article
        elif item.min_shared is not None and check.seed_bytes is not None:
            item.live_problem = _too_little(live, shared, item.min_shared)

    async def _archived(self, version: PageVersion, seed: Seed) -> None:
        assert version.body is not None
        version.article, version.check, _ = await self._examine(
            seed, version.body, version.source_url or "", version.content_type
        )

    async def _examine(
        self, seed: Seed, body: bytes, url: str, content_type: str | None, *, shared: bool = False
    ) -> tuple[Article | NoArticle, SeedCheck, Shared | None]:
        try:
            return await self.pool.run(
                examine, seed, body, url=url, content_type=content_type, shared=shared
            )
        except PoolStopped as stopped:
            return NoArticle(str(stopped)), check_seed(seed, None, str(stopped)), None


def not_evidence(version: PageVersion) -> str | None:
    """Why a fetched page may not be judged: a verdict rests only on an archived 2xx response
    that arrived whole. None for a page that may (or one with no body to judge)."""
    if version.body is None:
        return None
    if version.not_archived is not None:
        return version.not_archived
    if version.response_record is None:
        return "the response was not archived, so no verdict can rest on it"
    return capture_refusal(
        version.status, version.truncated, len(version.body), version.fetched_url or ""
    )


def _too_little(live: PageVersion, shared: Shared | None, min_shared: float) -> str | None:
    """Why the live page is not the seed's article, when it shares too little with it."""
    if shared is not None and shared.score >= min_shared:
        return None
    found = f"{shared.score:.0%}" if shared else "none"
    return (
        f"the page at {live.fetched_url} shares {found} of the seed's text (less than "
        f"{min_shared:.0%}), too little to be the same article"
    )
