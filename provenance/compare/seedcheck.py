"""One seed checked against one fetched page: read the seed, align it with the article, and
gather the evidence a verdict rests on."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from provenance.compare.evidence import SerialisedEvidence, dumps
from provenance.compare.text_check import PreparedText, compare_prepared, prepare_text
from provenance.compare.verdict import Assessment, unverifiable
from provenance.ledger.store import VerdictRow
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

    def evidence(self) -> dict[str, Any]:
        """The evidence of this check, all but the assessment (`serialise` adds it)."""
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
        }
        if self.article is not None:
            evidence["extraction"] = self.article.evidence()
        return evidence

    def serialise(self, evidence: Mapping[str, Any]) -> str:
        """`evidence` (from `evidence()`, with what the caller added: the source, record ids)
        as JSON, with the assessment."""
        return dumps(evidence, assessment=self.assessment.evidence_json)

    def detached(self) -> SeedCheck:
        """This check with its assessment detached from the alignment (`Assessment.detached`),
        to send to another process."""
        return replace(self, assessment=self.assessment.detached())

    def verdict_row(
        self,
        evidence_json: str,
        *,
        reasons_before: tuple[str, ...] = (),
        conversion_record_id: str | None = None,
        metadata_record_id: str | None = None,
    ) -> VerdictRow:
        """The ledger row of this check; `evidence_json` is from `serialise`, `reasons_before`
        e.g. the time axis's findings."""
        return VerdictRow(
            seed_id=self.seed.id,
            verdict=self.assessment.verdict.value,
            reasons=(*reasons_before, *self.assessment.reasons),
            counts=dict(self.assessment.counts),
            evidence=SerialisedEvidence(evidence_json),
            seed_sha256=self.seed_sha256,
            seed_digest=self.seed_digest,
            article_digest=self.article_digest,
            normalizer=NORMALIZER_VERSION,
            extractor=self.article.extractor if self.article is not None else None,
            conversion_record_id=conversion_record_id,
            metadata_record_id=metadata_record_id,
            page_digest=self.page_digest,
        )


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
