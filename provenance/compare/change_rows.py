"""The rows of change detection (provenance.compare.page_changes): what a crawl saw of a seed's
live page, and how it changed since the previous crawl. Light to import: the ledger and the
command line use them without loading the extractor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    ARTICLE = "article"
    FURNITURE = "furniture"
    GONE = "gone"
    BACK = "back"


# Changes that make `warcproof crawl` exit 3: the article itself was edited or is gone.
ALERTING = frozenset({ChangeKind.ARTICLE, ChangeKind.GONE})


@dataclass(frozen=True)
class ObservationRow:
    """A seed's source page as one crawl fetched it live: what change detection compares."""

    seed_id: str
    url: str | None
    status: int | None
    error: str | None  # why there is no usable page
    response_record_id: str | None
    warc_file: str | None
    warc_offset: int | None
    captured_at: str | None
    article_digest: str | None  # None: no article was extracted
    page_digest: str | None
    conversion_record_id: str | None  # the extracted article text
    conversion_warc_file: str | None
    conversion_warc_offset: int | None
    crawl_id: int = 0  # set when read back


@dataclass(frozen=True)
class ChangeRow:
    """How a seed's source page changed since its previous observation
    (provenance.compare.page_changes)."""

    seed_id: str
    kind: ChangeKind
    previous_crawl_id: int
    previous_record_id: str | None  # response (or revisit) record of each capture
    record_id: str | None
    previous_conversion_id: str | None  # conversion record of each article text
    conversion_id: str | None
    summary: str
    diff: Sequence[Mapping[str, Any]]
    crawl_id: int = 0  # set when read back
    detected_at: str = ""
