"""Item pipeline: the article text of each fetched page (provenance.extract)."""

from __future__ import annotations

from provenance.extract import extract_article
from spiders.items import SeedItem


class ExtractPipeline:
    def process_item(self, item: SeedItem) -> SeedItem:
        if item.error is None and item.body is not None:
            item.article = extract_article(
                item.body,
                url=item.source_url or item.fetched_url or "",
                content_type=item.content_type,
            )
        return item
