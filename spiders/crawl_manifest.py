"""The crawl's manifest (WARCPROOF_SEEDS), read once per crawl and shared by the spider and the
pipelines: for a corpus of 100,000 seeds each reading takes seconds and tens of megabytes."""

from __future__ import annotations

from pathlib import Path
from weakref import WeakKeyDictionary

from scrapy.crawler import Crawler

from provenance.sources.manifest import Manifest, load

_READ: WeakKeyDictionary[Crawler, Manifest] = WeakKeyDictionary()


def crawl_manifest(crawler: Crawler) -> Manifest:
    manifest = _READ.get(crawler)
    if manifest is None:
        manifest = _READ[crawler] = load(Path(crawler.settings.get("WARCPROOF_SEEDS")))
    return manifest
