"""Item pipeline: each seed compared with its page's article (provenance.verify)."""

from __future__ import annotations

from pathlib import Path

from scrapy.crawler import Crawler

from provenance.manifest import Manifest, load
from provenance.verify import SeedCheck, check_seed
from spiders.items import SeedItem


class ComparePipeline:
    def __init__(self, manifest_path: Path) -> None:
        self.manifest_path = manifest_path
        self.manifest: Manifest | None = None
        self.checks: dict[str, SeedCheck] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ComparePipeline:
        return cls(Path(crawler.settings.get("WARCPROOF_SEEDS")))

    def open_spider(self) -> None:
        self.manifest = load(self.manifest_path)

    def process_item(self, item: SeedItem) -> SeedItem:
        assert self.manifest is not None
        check = check_seed(self.manifest.get(item.seed_id), item.article, item.error)
        item.check = check
        return item
