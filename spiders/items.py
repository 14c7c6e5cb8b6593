"""What the seeds spider hands to the pipelines: one item per seed, carrying the live fetch of
its source page and any archived captures of it fetched as well, each a PageVersion."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.warc.records import RecordRef
from provenance.compare.evidence import SourceKind
from provenance.compare.seedcheck import SeedCheck
from provenance.compare.timeaxis import Finding
from provenance.ledger.store import SeedRecord, VerdictRow
from provenance.text.extract import Article, NoArticle


@dataclass
class PageVersion:
    """One fetched version of a seed's source page: the live page or an archived capture."""

    kind: SourceKind
    role: str  # "live", or for a capture "nearest" / "newest" / "nearest, newest"
    source_url: str | None  # the page's own URL (for a capture: the original URL)
    fetched_url: str | None = None  # what was fetched (for a capture: the archive's URL)
    status: int | None = None
    body: bytes | None = field(default=None, repr=False)  # Content-Encoding removed
    content_type: str | None = None
    request_record: RecordRef | None = None
    response_record: RecordRef | None = None
    redirects: list[str] = field(default_factory=list)
    error: str | None = None  # why there is no usable page
    truncated: str | None = None  # WARC-Truncated of the archived response: the page was cut
    not_archived: str | None = None  # why the response could not be archived
    memento_datetime: str | None = None  # captures: when the archive captured the page (UTC)
    capture_timestamp: str | None = None  # captures: the CDX timestamp
    article: Article | NoArticle | None = field(default=None, repr=False)
    check: SeedCheck | None = field(default=None, repr=False)


@dataclass
class SeedItem:
    seed_id: str
    live: PageVersion  # the fetch of the seed's own URL (kind "live" or "replica", role "live")
    check: SeedCheck | None = field(default=None, repr=False)  # on the version chosen
    live_problem: str | None = None  # why the live page is not (or may not be) the seed's source
    # Set when the archive can offer another version: a live page sharing less of the seed's
    # text than this is another article (spiders.pipelines.analyse).
    min_shared: float | None = None
    archive_note: str | None = None  # why the archive gave nothing, when it did not
    archived: list[PageVersion] = field(default_factory=list)
    versions: list[PageVersion] = field(default_factory=list)  # live first, then captures
    finding: Finding | None = field(default=None, repr=False)
    # Set by the records pipeline: the verdict's ledger row, each version's conversion record.
    verdict: VerdictRow | None = field(default=None, repr=False)
    conversions: list[RecordRef | None] = field(default_factory=list)
    seed_record: SeedRecord | None = None  # the seed file's resource record, when written now
