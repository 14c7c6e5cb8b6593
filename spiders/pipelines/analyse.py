"""Item pipeline: every fetched version of a seed's page is extracted and compared with the
seed (provenance.compare.seedcheck.examine) in the crawl's worker processes
(spiders.extensions.worker_pool), and the live page's share of the seed's text measured when
the archive could offer another version.

Seeds naming one page share its fetch (spiders.spiders.seeds) and so its extraction: the first
of them to arrive has the page extracted and compared, the others are compared with the article
it found (provenance.run.shared_article), unless the live page's share of each seed is wanted.

Back-pressure comes from Scrapy itself: responses whose items are still being processed count
towards SCRAPER_SLOT_MAX_ACTIVE_SIZE, and the engine stops downloading while that is
exceeded."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from scrapy.crawler import Crawler

from provenance.compare.seedcheck import SeedCheck, check_seed, examine
from provenance.run.capture_rule import capture_refusal
from provenance.run.shared_article import check_extracted
from provenance.sources.locate import Shared
from provenance.sources.manifest import Manifest, Seed
from provenance.text.extract import Article, NoArticle
from spiders.crawl_manifest import crawl_manifest
from spiders.extensions.worker_pool import PoolStopped, WorkerPool
from spiders.items import PageVersion, SeedItem

SHARED_PAGES = 256  # extracted pages kept for the other seeds naming them


class AnalysePipeline:
    def __init__(self, crawler: Crawler, pool: WorkerPool) -> None:
        self.crawler = crawler
        self.pool = pool
        self.manifest: Manifest | None = None
        # A response's extraction, by its record id, while seeds sharing it may still come:
        # they come together (often at once: hence futures), so a few pages suffice.
        self.extracted: OrderedDict[str, asyncio.Future[Article | NoArticle | None]]
        self.extracted = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnalysePipeline:
        pool = crawler.get_extension(WorkerPool)
        if pool is None:
            raise RuntimeError("the worker pool extension is not enabled")
        return cls(crawler, pool)

    def open_spider(self) -> None:
        self.manifest = crawl_manifest(self.crawler)

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
        article, check, shared = await self._examine_once(seed, live, url, shared=wanted)
        live.article, live.check = article, check
        if isinstance(article, NoArticle) and article.blocked is not None:
            item.live_problem = article.reason  # the archive may hold the article
        elif item.min_shared is not None and check.seed_bytes is not None:
            item.live_problem = _too_little(live, shared, item.min_shared)

    async def _archived(self, version: PageVersion, seed: Seed) -> None:
        url = version.source_url or ""
        version.article, version.check, _ = await self._examine_once(seed, version, url)

    async def _examine_once(
        self, seed: Seed, version: PageVersion, url: str, *, shared: bool = False
    ) -> tuple[Article | NoArticle, SeedCheck, Shared | None]:
        """`_examine` of a fetched version, its page extracted once for all the seeds sharing
        its response (each extracts its own when the share is wanted)."""
        assert version.body is not None
        record = version.response_record.record_id if version.response_record else None
        key = None if shared else record
        known = self.extracted.get(key) if key is not None else None
        # None: the first seed's extraction failed; this one extracts the page itself.
        earlier = await known if known is not None else None
        if earlier is not None:
            return earlier, await self._check(seed, earlier), None
        found: asyncio.Future[Article | NoArticle | None] | None = None
        if key is not None and known is None:
            found = asyncio.get_running_loop().create_future()
            self.extracted[key] = found
            while len(self.extracted) > SHARED_PAGES:
                self.extracted.popitem(last=False)
        extracted = None
        try:
            examined = await self._examine(
                seed, version.body, url, version.content_type, shared=shared
            )
            extracted = examined[0]
            return examined
        finally:
            if found is not None:
                found.set_result(extracted)

    async def _examine(
        self, seed: Seed, body: bytes, url: str, content_type: str | None, *, shared: bool = False
    ) -> tuple[Article | NoArticle, SeedCheck, Shared | None]:
        try:
            return await self.pool.run(
                examine, seed, body, url=url, content_type=content_type, shared=shared
            )
        except PoolStopped as stopped:
            return NoArticle(str(stopped)), check_seed(seed, None, str(stopped)), None

    async def _check(self, seed: Seed, article: Article | NoArticle) -> SeedCheck:
        try:
            return await self.pool.run(check_extracted, seed, article)
        except PoolStopped as stopped:
            return check_seed(seed, None, str(stopped))


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
