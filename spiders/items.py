"""What the seeds spider hands to the pipelines: one item per seed."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.records import RecordRef
from provenance.extract import Article, NoArticle
from provenance.verify import SeedCheck


@dataclass
class SeedItem:
    seed_id: str
    source_url: str | None
    fetched_url: str | None = None
    source_kind: str = "live"  # "live" | "replica"
    status: int | None = None
    body: bytes | None = field(default=None, repr=False)  # Content-Encoding removed
    content_type: str | None = None
    request_record: RecordRef | None = None
    response_record: RecordRef | None = None
    redirects: list[str] = field(default_factory=list)
    error: str | None = None  # why there is no usable page
    article: Article | NoArticle | None = field(default=None, repr=False)
    check: SeedCheck | None = field(default=None, repr=False)
