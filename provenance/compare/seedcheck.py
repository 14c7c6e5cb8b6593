"""One seed checked against one fetched page: read the seed, align it with the article, and
gather the evidence a verdict rests on."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from provenance.compare.evidence import (
    Evidence,
    RunKind,
    SeedEvidence,
    SourceEvidence,
)
from provenance.compare.text_check import PreparedText, compare_prepared, prepare_text
from provenance.compare.verdict import Assessment, unverifiable
from provenance.sources.locate import Shared, shared_units
from provenance.sources.manifest import Seed
from provenance.text.extract import Article, NoArticle, extract_article
from provenance.text.normalize import NORMALIZER_VERSION
from provenance.text.seedtext import SeedTextError, read_seed
from provenance.text.segment import Unit


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

    def evidence(
        self,
        source: SourceEvidence,
        *,
        seed_record_id: str | None = None,
        time_axis: Mapping[str, Any] | None = None,
        run: RunKind = RunKind.CRAWL,
    ) -> Evidence:
        """The evidence of this check against the page `source` describes: the one builder
        of evidence, for crawls and re-verifications alike."""
        article = self.article
        return Evidence(
            seed=SeedEvidence(
                id=self.seed.id,
                file=self.seed.file,
                sha256=self.seed_sha256,
                sha256_pinned=self.seed.sha256,
                normalized_digest=self.seed_digest,
                resource_record_id=seed_record_id,
            ),
            source=source,
            normalizer=NORMALIZER_VERSION,
            article_digest=self.article_digest,
            page_digest=self.page_digest,
            extraction=None if article is None else article.evidence(),
            time_axis=time_axis,
            run=run,
            assessment_json=self.assessment.evidence_json,
        )

    def detached(self) -> SeedCheck:
        """This check with its assessment detached from the alignment (`Assessment.detached`),
        to send to another process."""
        return replace(self, assessment=self.assessment.detached())


def check_seed(seed: Seed, page: Article | NoArticle | None, error: str | None = None) -> SeedCheck:
    """`page` is the extraction result; `error` why there is no page at all."""
    return _checked(seed, page, error)[0]


def _checked(
    seed: Seed, page: Article | NoArticle | None, error: str | None = None
) -> tuple[SeedCheck, tuple[Unit, ...] | None]:
    """`check_seed`, with the seed's units (None when it cannot be read)."""
    try:
        seed_text = read_seed(seed.path, seed.encoding)
    except SeedTextError as exc:
        return SeedCheck(seed, unverifiable(str(exc)), None, None, None, None), None
    raw = seed_text.raw
    sha = hashlib.sha256(raw).hexdigest()
    prepared = _prepared(sha, seed.encoding, seed_text.text)
    if error is not None or page is None:
        reason = error or "the source page was not fetched"
        check = SeedCheck(seed, unverifiable(reason), sha, prepared.digest, None, None, raw)
        return check, prepared.units
    found = compare_prepared(prepared, page)
    article = page if isinstance(page, Article) else None
    check = SeedCheck(
        seed,
        found.assessment,
        sha,
        prepared.digest,
        found.article_digest,
        article,
        raw,
        found.page_digest,
    )
    return check, prepared.units


# A seed is checked once for every version of its page that is fetched; its prepared form is
# kept for a few seeds, keyed by the digest of the bytes just read. Only single dict operations,
# atomic under the GIL: no lock that a fork could copy while it is held.
_PREPARED: dict[tuple[str, str | None], PreparedText] = {}
_PREPARED_KEPT = 8


def _prepared(sha: str, encoding: str | None, text: str) -> PreparedText:
    """The seed's text normalized and cut into units."""
    key = (sha, encoding)
    form = _PREPARED.get(key)
    if form is None:
        form = prepare_text(text)
        if len(_PREPARED) >= _PREPARED_KEPT:
            _PREPARED.clear()
        _PREPARED[key] = form
    return form


def examine(
    seed: Seed, body: bytes, *, url: str, content_type: str | None, shared: bool = False
) -> tuple[Article | NoArticle, SeedCheck, Shared | None]:
    """Extract a fetched page's article and check the seed against it: the CPU-bound part of
    verification, in one call so that it can run in a worker process (the check comes back
    detached: its evidence already serialised). With `shared`, also how much of the seed's
    text the article holds (None when there is no article or the seed cannot be read)."""
    page = extract_article(body, url=url, content_type=content_type)
    check, seed_units = _checked(seed, page)
    share = None
    if shared and isinstance(page, Article) and seed_units is not None:
        share = shared_units(seed_units, page.text)
    return page, check.detached(), share
