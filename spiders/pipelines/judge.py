"""Item pipeline: each seed compared with every version of its page that was fetched (the live
page, archived captures; provenance.compare.seedcheck), and the versions judged together
(provenance.compare.timeaxis): the verdict rests on the best-supported version."""

from __future__ import annotations

from scrapy.crawler import Crawler

from provenance.compare.evidence import SourceKind
from provenance.compare.seedcheck import check_seed
from provenance.compare.timeaxis import Version, judge
from provenance.sources.manifest import Manifest, Seed
from spiders.crawl_manifest import crawl_manifest
from spiders.items import PageVersion, SeedItem


class JudgePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.manifest: Manifest | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JudgePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.manifest = crawl_manifest(self.crawler)

    def process_item(self, item: SeedItem) -> SeedItem:
        assert self.manifest is not None
        seed = self.manifest.get(item.seed_id)
        item.versions = [item.live, *item.archived]
        checked = [_checked(seed, version) for version in item.versions]
        item.finding = judge(
            checked, live_problem=item.live_problem, archive_note=item.archive_note
        )
        item.check = checked[item.finding.chosen].check
        return item


def _checked(seed: Seed, version: PageVersion) -> Version:
    if version.check is None:  # no page to examine: the check only reads the seed
        version.check = check_seed(seed, version.article, version.error)
    if version.kind is SourceKind.ARCHIVED:
        when = version.memento_datetime
    else:
        when = version.response_record.date if version.response_record else None
    return Version(version.kind, version.role, version.fetched_url, when, version.check)
