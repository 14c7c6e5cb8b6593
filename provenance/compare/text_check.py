"""The comparison as a library call: a text against a page, no manifest, no files.

`compare_text(text, page_bytes, url=..., content_type=...)` extracts the page's article and
returns the assessment (verdict, reasons, counts, every unit's class and diff) with the digests
it rests on. The crawl, re-verification, `seeds locate` and the benchmarks all come here, so
what is measured is what users get."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, replace

from provenance.compare.align import Alignment, UnitClass, align_units
from provenance.compare.core_text import is_prose
from provenance.compare.line_index import LineIndex
from provenance.compare.verdict import Assessment, assess, unverifiable
from provenance.text.extract import Article, NoArticle, extract_article
from provenance.text.mojibake import read_back_as
from provenance.text.normalize import bytes_digest, match_key, normalize
from provenance.text.segment import Unit, normalized_units, paragraphs


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
    source: str = ""  # the text as given, for reading back a browser's garbling of a page


def prepare_text(text: str) -> PreparedText:
    normalized = normalize(text)
    return PreparedText(
        bytes_digest(normalized.encode("utf-8")), tuple(normalized_units(normalized)), text
    )


def _read_back(prepared: PreparedText, page: Article) -> tuple[PreparedText, str | None]:
    """The text to compare and a note: a page whose UTF-8 bytes declare another charset is
    shown garbled by a browser, and a reader's copy carries that garbling ("\u0432\u0402\u045a"
    for a quote read as windows-1251); it is read back first."""
    codec = page.decoding.misread_as
    if codec is None or not prepared.source:
        return prepared, None
    back = read_back_as(prepared.source, codec)
    if back == prepared.source:
        return prepared, None
    note = (
        f"The copy holds the page's text as a browser shows it, its UTF-8 bytes read as {codec} "
        "(as the page declares); that was read back before comparing."
    )
    return replace(prepared, units=prepare_text(back).units), note


def compare_prepared(prepared: PreparedText, page: Article | NoArticle) -> TextComparison:
    """A prepared text against an extraction result (`extract_article`)."""
    if isinstance(page, NoArticle):
        return TextComparison(unverifiable(page.reason), page, prepared.digest, None, None)
    article_text = normalize(page.text)
    page_text = normalize(page.page_text)
    prepared, read_back_note = _read_back(prepared, page)

    def aligned(article_units: list[Unit]) -> Alignment:
        return align_units(
            prepared.units,
            article_units,
            page_text,
            title=page.title,
            headings=page.headings,
            periphery=page.periphery,
            paragraph_elements=page.paragraphs,
            links=page.links,
        )

    alignment = aligned(normalized_units(article_text))
    assessment = assess(alignment)
    if _extractor_missed(alignment, page.links):
        region = _page_region(prepared.units, page_text)
        if region is not None:
            second = aligned(normalized_units(region))
            if _held_chars(second) > _held_chars(alignment):
                assessment = replace(
                    assess(second), reasons=(*assess(second).reasons, _REGION_NOTE)
                )
    if read_back_note is not None:
        assessment = replace(assessment, reasons=(*assessment.reasons, read_back_note))
    return TextComparison(
        assessment,
        page,
        prepared.digest,
        bytes_digest(article_text.encode("utf-8")),
        bytes_digest(page_text.encode("utf-8")),
    )


_LONG_UNIT = 40  # characters of a seed unit that place it on the page
# The copy's long sentences outside the article outweigh those in it this many times over.
_MISSED_RATIO = 3
_REGION_NOTE = (
    "The extracted article held little of the copy, so the copy was checked against the page's "
    "own text from the first to the last of the copy's sentences on it."
)


def _held_chars(alignment: Alignment) -> int:
    return sum(len(r.unit.text) for r in alignment.seed_units if r.cls is UnitClass.MATCHED)


def _extractor_missed(alignment: Alignment, links: Set[str]) -> bool:
    """Whether the copy's long sentences are mostly page text outside the extracted article:
    the extractor took another block (comments, a list of links) for the article. Only if the
    copy holds prose outside it that is not a link's label: a copy of a headline and related
    links lacks the article rather than holding another."""
    outside = [
        r.unit.text
        for r in alignment.seed_units
        if r.cls is UnitClass.FURNITURE and len(r.unit.text) >= _LONG_UNIT
    ]
    if sum(map(len, outside)) <= _MISSED_RATIO * _held_chars(alignment):
        return False
    labels = {match_key(normalize(label)) for label in links}
    return any(is_prose(text) and match_key(text) not in labels for text in outside)


def _page_region(seed: Sequence[Unit], normalized_page: str) -> str | None:
    """The page's lines from the first to the last that holds a long sentence of the copy."""
    lines = paragraphs(normalized_page)
    index = LineIndex([match_key(line) for line in lines])
    places = (index.find(match_key(u.text)) for u in seed if len(u.text) >= _LONG_UNIT)
    found = [place for place in places if place is not None]
    if len(found) < 2:
        return None
    return "\n".join(lines[min(found) : max(found) + 1])


def compare_text(
    text: str, page: bytes, *, url: str, content_type: str | None = "text/html"
) -> TextComparison:
    """Is `text` a faithful copy of the article of the page whose bytes (as served: any charset,
    content coding already removed) are `page`?"""
    article = extract_article(page, url=url, content_type=content_type)
    return compare_prepared(prepare_text(text), article)
