"""The comparison as a library call: a text against a page, no manifest, no files.

`compare_text(text, page_bytes, url=..., content_type=...)` extracts the page's article and
returns the assessment (verdict, reasons, counts, every unit's class and diff) with the digests
it rests on. The crawl, re-verification, `seeds locate` and the benchmarks all come here, so
what is measured is what users get."""

from __future__ import annotations

from dataclasses import dataclass

from provenance.compare.align import align_units
from provenance.compare.verdict import Assessment, assess, unverifiable
from provenance.text.extract import Article, NoArticle, extract_article
from provenance.text.normalize import bytes_digest, normalize
from provenance.text.segment import Unit, normalized_units


@dataclass(frozen=True)
class TextComparison:
    """What comparing a text with one page found."""

    assessment: Assessment
    article: Article | NoArticle
    text_digest: str  # normalized digest of the compared text
    article_digest: str | None  # normalized digest of the article (None without one)
    page_digest: str | None  # normalized digest of the page's whole visible text


@dataclass(frozen=True)
class PreparedText:
    """A text normalized and cut into units once, to compare with several pages."""

    digest: str
    units: tuple[Unit, ...]


def prepare_text(text: str) -> PreparedText:
    normalized = normalize(text)
    return PreparedText(
        bytes_digest(normalized.encode("utf-8")), tuple(normalized_units(normalized))
    )


def compare_prepared(prepared: PreparedText, page: Article | NoArticle) -> TextComparison:
    """A prepared text against an extraction result (`extract_article`)."""
    if isinstance(page, NoArticle):
        return TextComparison(unverifiable(page.reason), page, prepared.digest, None, None)
    article_text = normalize(page.text)
    page_text = normalize(page.page_text)
    alignment = align_units(
        prepared.units,
        normalized_units(article_text),
        page_text,
        title=page.title,
        headings=page.headings,
        periphery=page.periphery,
        paragraph_elements=page.paragraphs,
    )
    return TextComparison(
        assess(alignment),
        page,
        prepared.digest,
        bytes_digest(article_text.encode("utf-8")),
        bytes_digest(page_text.encode("utf-8")),
    )


def compare_text(
    text: str, page: bytes, *, url: str, content_type: str | None = "text/html"
) -> TextComparison:
    """Is `text` a faithful copy of the article of the page whose bytes (as served: any charset,
    content coding already removed) are `page`?"""
    article = extract_article(page, url=url, content_type=content_type)
    return compare_prepared(prepare_text(text), article)
