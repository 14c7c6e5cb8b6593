"""Article text from a fetched page: one decode, trafilatura with pinned options, and a reason
whenever there is no article (never a bare None)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import etree, html
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

from provenance.text.decode import Decoding, decode_html
from provenance.text.extraction_evidence import ExtractionEvidence
from provenance.text.interstitial import BlockKind, find_interstitial
from provenance.text.normalize import normalize
from provenance.text.pagetext import visible_text
from provenance.text.periphery import (
    Paragraph,
    PeripheralBlock,
    page_paragraphs,
    peripheral_blocks,
)

# Pinned so that the same bytes give the same text in every run: `deduplicate` keeps a
# process-wide cache that makes a second extraction of a page differ from the first. Of the
# metadata only the title is used: `_title` finds it as `with_metadata` would, without the dates,
# authors, licence and categories that cost a quarter of the extraction.
TRAFILATURA_OPTIONS: Mapping[str, bool] = {
    "with_metadata": False,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_formatting": False,
    "include_links": False,
    "deduplicate": False,
    "favor_precision": False,
    "favor_recall": False,
}


def _title(tree: html.HtmlElement) -> str | None:
    """The title trafilatura's metadata extraction gives, by the same steps: meta tags, then
    JSON-LD, then the page's headings and <title>; then its cleaning of every field."""
    metadata = examine_meta(tree)
    with contextlib.suppress(Exception):  # as trafilatura does: its JSON-LD parser has bugs
        metadata = extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    metadata.clean_and_trim()
    title: str | None = metadata.title
    return title


def _run_trafilatura(tree: html.HtmlElement, url: str) -> Any:
    options = TRAFILATURA_OPTIONS
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=options["with_metadata"],
        include_comments=options["include_comments"],
        include_tables=options["include_tables"],
        include_images=options["include_images"],
        include_formatting=options["include_formatting"],
        include_links=options["include_links"],
        deduplicate=options["deduplicate"],
        favor_precision=options["favor_precision"],
        favor_recall=options["favor_recall"],
    )


EXTRACTOR = f"trafilatura {trafilatura.__version__}"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str  # trafilatura's plain text; the first line is usually the headline
    page_text: str  # the page's full visible text (see provenance.text.pagetext)
    decoding: Decoding  # how the bytes were read (not the decoded HTML: it is not kept)
    extractor: str = EXTRACTOR
    headings: tuple[str, ...] = ()  # the page's h1 texts, normalized: headline candidates
    periphery: tuple[PeripheralBlock, ...] = ()  # captions, bylines, asides... by DOM role
    paragraphs: tuple[Paragraph, ...] = ()  # the page's <p> elements and where they stand

    def evidence(self) -> ExtractionEvidence:
        return ExtractionEvidence(
            extractor=self.extractor,
            options=dict(TRAFILATURA_OPTIONS),
            encoding=self.decoding.encoding,
            encoding_how=self.decoding.how,
            declared_charsets=tuple(self.decoding.declared),
            title=self.title,
            headings=tuple(self.headings),
        )


@dataclass(frozen=True)
class NoArticle:
    reason: str
    extractor: str = EXTRACTOR
    blocked: BlockKind | None = None  # set when the page stands in front of the article


def is_html(content_type: str | None, body: bytes) -> bool:
    if content_type:
        return content_type.split(";")[0].strip().lower() in _HTML_TYPES
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head


def extract_article(body: bytes, *, url: str, content_type: str | None) -> Article | NoArticle:
    """`body` is the entity body with any Content-Encoding already removed."""
    if not body.strip():
        return NoArticle("the page is empty (0 bytes of content)")
    if not is_html(content_type, body):
        kind = (content_type or "unknown type").split(";")[0]
        return NoArticle(f"not an HTML page ({kind}): archived, but there is no article to extract")
    decoded = decode_html(body, content_type)
    try:
        tree = _parse(decoded.text)
    except (etree.ParserError, ValueError) as exc:
        return NoArticle(f"the HTML could not be parsed: {exc}")
    page_text = visible_text(tree)
    if (blocked := find_interstitial(tree, page_text)) is not None:
        return NoArticle(blocked.reason, blocked=blocked.kind)
    title = _title(tree)
    h1s = (h for h in tree.iter("h1") if isinstance(h, html.HtmlElement))
    headings = tuple(dict.fromkeys(normalize(h.text_content()) for h in h1s))
    periphery = peripheral_blocks(tree)
    paragraphs = page_paragraphs(tree)
    # Last: trafilatura prunes a copy of the tree it is given, but nothing reads the tree after.
    document = _run_trafilatura(tree, url)
    text = (document.text or "").strip() if document is not None else ""
    if not text:
        if len(page_text) < 200:
            return NoArticle(f"the page has almost no visible text ({len(page_text)} characters)")
        return NoArticle(
            "trafilatura found no article body on the page "
            f"({len(page_text)} characters of visible text, none of it in a main-content block)"
        )
    return Article(
        title=title or None,
        text=text,
        page_text=page_text,
        decoding=decoded.decoding,
        headings=tuple(h for h in headings if h),
        periphery=periphery,
        paragraphs=paragraphs,
    )


_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*>")


_TITLE_OPEN = re.compile(r"<title[^>]*>", re.IGNORECASE)


def _parse(text: str) -> html.HtmlElement:
    """The document tree; lxml refuses a str that starts with an XML declaration naming an
    encoding, which means nothing once the bytes are decoded, so it is dropped. A <title> left
    open (damaged pages) would swallow the whole document as its text: it is closed where the
    next tag starts."""
    match = _XML_DECLARATION.match(text)
    if match:
        text = text[match.end() :]
    title = _TITLE_OPEN.search(text)
    if title is not None:
        end = text.find("<", title.end())
        if end >= 0 and text[end : end + 7].lower() != "</title":
            text = text[:end] + "</title>" + text[end:]
    return html.document_fromstring(text)
