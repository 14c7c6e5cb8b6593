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
    link_labels,
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


# Measured cost limits (bench/PAGE_SIZE.md). jusText, trafilatura's fallback, looks through the
# whole run of short blocks around each short block: its time grows with the sum of the squared
# lengths of those runs (a page of 5,000 tiny paragraphs took 52 s). The real pages of the
# accuracy corpus reach 1.2 million; above SHORT_RUNS_LIMIT only trafilatura's own extractor
# runs, and the evidence says so. That extractor is quadratic too (libxml2 merges node sets
# pairwise), more slowly: pages of more than ELEMENT_LIMIT elements (the corpus's largest has
# 10,534) are not extracted, with the reason.
SHORT_RUNS_LIMIT = 2_000_000
ELEMENT_LIMIT = 25_000
_SHORT_BLOCK = 50  # characters: jusText's `length_low` as trafilatura calls it
_BLOCK_TAGS = ("p", "div", "li", "td", "tr", "dd", "dt", "pre", "blockquote", "section", "h1")
# libxml2 drops a document nested deeper than 255 elements unless told it is "huge"; then the
# limit is 2,048, past which the text is lost and the parser says so. The page's text is walked
# recursively (two Python frames a level, under the default limit of 1,000), so pages nested
# deeper than DEPTH_LIMIT are refused with the reason; Chromium itself stops nesting at 512.
_DEPTH_ERROR = "Excessive depth"
DEPTH_LIMIT = 400


def _run_trafilatura(tree: html.HtmlElement, url: str, *, fast: bool) -> Any:
    options = TRAFILATURA_OPTIONS
    return trafilatura.bare_extraction(
        tree,
        url=url,
        fast=fast,
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
    limit: str | None = None  # a cost limit that changed how the page was extracted, and why
    headings: tuple[str, ...] = ()  # the page's h1 texts, normalized: headline candidates
    periphery: tuple[PeripheralBlock, ...] = ()  # captions, bylines, asides... by DOM role
    paragraphs: tuple[Paragraph, ...] = ()  # the page's <p> elements and where they stand
    links: frozenset[str] = frozenset()  # short link and image texts (`link_labels`)

    def evidence(self) -> ExtractionEvidence:
        return ExtractionEvidence(
            extractor=self.extractor,
            options={**TRAFILATURA_OPTIONS, "fast": self.limit is not None},
            limit=self.limit,
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
    # `proxies` holds every element's Python proxy while the page is read: lxml.html makes a
    # proxy (through a Python class lookup) each time a pass reaches an element that has none,
    # which cost the half-dozen passes below more than much of their own work.
    proxies, depth = _size(tree)
    elements = len(proxies)
    if depth > DEPTH_LIMIT:
        return NoArticle(
            f"the page nests its elements {depth:,} deep, more than the {DEPTH_LIMIT} "
            "extraction reads"
        )
    if elements > ELEMENT_LIMIT:
        return NoArticle(
            f"the page has {elements:,} HTML elements, more than the {ELEMENT_LIMIT:,} extraction "
            "takes (its time grows with the square of the count; article pages have far fewer)"
        )
    runs = _short_runs_cost(tree)
    limit = (
        f"the runs of short blocks cost {runs:,}, more than {SHORT_RUNS_LIMIT:,}: trafilatura's "
        "fallback extractors (readability, jusText) skipped, their time grows with that cost"
        if runs > SHORT_RUNS_LIMIT
        else None
    )
    page_text = visible_text(tree)
    if (blocked := find_interstitial(tree, page_text)) is not None:
        return NoArticle(blocked.reason, blocked=blocked.kind)
    title = _title(tree)
    h1s = (h for h in tree.iter("h1") if isinstance(h, html.HtmlElement))
    headings = tuple(dict.fromkeys(normalize(h.text_content()) for h in h1s))
    periphery = peripheral_blocks(tree)
    paragraphs = page_paragraphs(tree)
    links = link_labels(tree)
    # Last: trafilatura prunes a copy of the tree it is given, but nothing reads the tree after.
    document = _run_trafilatura(tree, url, fast=limit is not None)
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
        limit=limit,
        headings=tuple(h for h in headings if h),
        periphery=periphery,
        paragraphs=paragraphs,
        links=links,
    )


def _size(tree: html.HtmlElement) -> tuple[list[html.HtmlElement], int]:
    """The tree's elements and depth, in one pass without recursion."""
    elements: list[html.HtmlElement] = []
    depth = deepest = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            elements.append(element)
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return elements, deepest


def _short_runs_cost(tree: html.HtmlElement) -> int:
    """The sum of the squared lengths of the runs of consecutive short blocks (own text under
    `_SHORT_BLOCK` characters), in one pass: what jusText's neighbour search costs."""
    total = run = 0
    for block in tree.iter(_BLOCK_TAGS):
        own = len((block.text or "").strip())
        for child in block:
            tail = child.tail
            if tail:
                own += len(tail.strip())
        if own < _SHORT_BLOCK:
            run += 1
        else:
            total, run = total + run * run, 0
    return total + run * run


_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*>")


_TITLE_OPEN = re.compile(r"<title[^>]*>", re.IGNORECASE)


def _html_classes() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes (those of `html.HTMLParser`), looked up in C: lxml.html's
    own lookup is a Python method called for each element proxy made, hundreds of thousands a
    page in trafilatura's copies of the tree."""
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=html.HtmlElement,
            comment=html.HtmlComment,
            pi=html.HtmlProcessingInstruction,
            entity=html.HtmlEntity,
        )
    )
    lookup.get_namespace(None).update(
        {
            "form": html.FormElement,
            "input": html.InputElement,
            "label": html.LabelElement,
            "select": html.SelectElement,
            "textarea": html.TextareaElement,
        }
    )
    return lookup


_HTML_CLASSES = _html_classes()


def _parse(text: str) -> html.HtmlElement:
    """The document tree; lxml refuses a str that starts with an XML declaration naming an
    encoding, which means nothing once the bytes are decoded, so it is dropped. A <title> left
    open (damaged pages) would swallow the whole document as its text: it is closed where the
    next tag starts. <noframes> content is dropped. Raises ValueError for a document nested too
    deep to read."""
    match = _XML_DECLARATION.match(text)
    if match:
        text = text[match.end() :]
    title = _TITLE_OPEN.search(text)
    if title is not None:
        end = text.find("<", title.end())
        if end >= 0 and text[end : end + 7].lower() != "</title":
            text = text[:end] + "</title>" + text[end:]
    parser = etree.HTMLParser(huge_tree=True)
    parser.set_element_class_lookup(_HTML_CLASSES)
    tree = html.document_fromstring(text, parser=parser)
    if any(_DEPTH_ERROR in error.message for error in parser.error_log):
        raise ValueError("its elements nest more than 2,048 deep, past which no text can be read")
    # What a browser without frames would show; the parser keeps it as raw markup ("<a href=")
    # that no browser shows as text, so no reader can see or copy it.
    etree.strip_elements(tree, "noframes", with_tail=False)
    return tree
