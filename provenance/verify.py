"""One seed checked against one fetched page: read the seed, align it with the article, and
gather the evidence a verdict rests on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from provenance.align import align
from provenance.extract import Article, NoArticle, extract_article
from provenance.manifest import Seed
from provenance.normalize import NORMALIZER_VERSION, normalized_digest
from provenance.seedtext import SeedTextError, read_seed
from provenance.verdict import Assessment, assess, unverifiable


@dataclass(frozen=True)
class SeedCheck:
    seed: Seed
    assessment: Assessment
    seed_sha256: str | None  # of the file as read now
    seed_digest: str | None  # of its normalized text
    article_digest: str | None
    article: Article | None
    seed_bytes: bytes | None = field(default=None, repr=False)  # exactly what was checked
    # Normalized digest of the page's whole visible text, furniture included.
    page_digest: str | None = None

    def evidence(self) -> dict[str, Any]:
        evidence: dict[str, Any] = {
            "seed": {
                "id": self.seed.id,
                "file": self.seed.file,
                "sha256": self.seed_sha256,
                "sha256_pinned": self.seed.sha256,
                "intact": self.seed_sha256 == self.seed.sha256,
                "normalized_digest": self.seed_digest,
            },
            "normalizer": NORMALIZER_VERSION,
            "article_digest": self.article_digest,
            "page_digest": self.page_digest,
            "assessment": self.assessment.to_dict(),
        }
        if self.article is not None:
            evidence["extraction"] = self.article.evidence()
        return evidence


def check_seed(seed: Seed, page: Article | NoArticle | None, error: str | None = None) -> SeedCheck:
    """`page` is the extraction result; `error` why there is no page at all."""
    try:
        seed_text = read_seed(seed.path, seed.encoding)
    except SeedTextError as exc:
        return SeedCheck(seed, unverifiable(str(exc)), None, None, None, None)
    raw = seed_text.raw
    sha = hashlib.sha256(raw).hexdigest()
    seed_digest = normalized_digest(seed_text.text)
    if error is not None or page is None:
        reason = error or "the source page was not fetched"
        return SeedCheck(seed, unverifiable(reason), sha, seed_digest, None, None, raw)
    if isinstance(page, NoArticle):
        return SeedCheck(seed, unverifiable(page.reason), sha, seed_digest, None, None, raw)
    alignment = align(seed_text.text, page.text, page.page_text, title=page.title)
    article_digest = normalized_digest(page.text)
    page_digest = normalized_digest(page.page_text)
    return SeedCheck(
        seed, assess(alignment), sha, seed_digest, article_digest, page, raw, page_digest
    )


def examine(
    seed: Seed, body: bytes, *, url: str, content_type: str | None
) -> tuple[Article | NoArticle, SeedCheck]:
    """Extract a fetched page's article and check the seed against it: the CPU-bound part of
    verification, in one call so that it can run in a worker process."""
    page = extract_article(body, url=url, content_type=content_type)
    check = check_seed(seed, page)
    check.assessment.to_dict()  # built here, in the worker, and cached on the assessment
    return page, check
