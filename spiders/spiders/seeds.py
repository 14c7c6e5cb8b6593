"""`scrapy crawl seeds`: fetch the source page of every seed in the manifest.

Seeds with no known URL become items at once, so every seed gets a verdict. With
WARCPROOF_REPLICA_URL set, pages come from the loopback replica instead of the live web."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from provenance.manifest import Manifest, load
from replica.routing import replica_url
from spiders.capture import REQUEST_RECORD_KEY, RESPONSE_RECORD_KEY
from spiders.items import SeedItem

NO_URL = "no source URL is known for this seed (its manifest entry lists none)"


class SeedsSpider(scrapy.Spider):
    name = "seeds"

    def __init__(self, seeds: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `-a seeds=000,002` restricts the crawl to those seed ids.
        self.only = {seed_id.strip() for seed_id in seeds.split(",") if seed_id.strip()}

    def manifest(self) -> Manifest:
        return load(Path(self.settings.get("WARCPROOF_SEEDS")))

    async def start(self) -> AsyncIterator[Any]:
        replica = self.settings.get("WARCPROOF_REPLICA_URL")
        manifest = self.manifest()
        unknown = self.only - {seed.id for seed in manifest.seeds}
        if unknown:
            self.logger.error(
                "No such seed id(s) in %s: %s", manifest.path, ", ".join(sorted(unknown))
            )
        for seed in manifest.seeds:
            if self.only and seed.id not in self.only:
                continue
            if seed.url is None:
                yield SeedItem(seed_id=seed.id, source_url=None, error=NO_URL)
                continue
            target = replica_url(replica, seed.url) if replica else seed.url
            yield scrapy.Request(
                target,
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
                meta={
                    "seed_id": seed.id,
                    "source_url": seed.url,
                    "source_kind": "replica" if replica else "live",
                },
            )

    def parse(self, response: Response) -> SeedItem:
        item = self._item(response.meta, response)
        item.body = response.body
        return item

    def failed(self, failure: Failure) -> SeedItem:
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            item = self._item(response.meta, response)
            item.error = f"the server answered HTTP {response.status} for {response.url}"
            return item
        item = self._item(request.meta, None)
        item.fetched_url = request.url
        item.response_record = None  # a record in meta belongs to an earlier redirect hop
        item.error = (
            f"the fetch failed: {failure.getErrorMessage() or type(failure.value).__name__}"
        )
        return item

    def _item(self, meta: dict[str, Any], response: Response | None) -> SeedItem:
        item = SeedItem(
            seed_id=meta["seed_id"],
            source_url=meta["source_url"],
            source_kind=meta["source_kind"],
            request_record=meta.get(REQUEST_RECORD_KEY),
            response_record=meta.get(RESPONSE_RECORD_KEY),
            redirects=list(meta.get("redirect_urls", [])),
        )
        if response is not None:
            item.fetched_url = response.url
            item.status = response.status
            content_type = response.headers.get("Content-Type")
            item.content_type = content_type.decode("latin-1") if content_type else None
        return item
