"""The page's peripheral blocks, told by their DOM role: captions, bylines and datelines,
asides, navigation, sharing and "related" boxes, tags, copyright lines, author bios.

An extractor may keep such a block in the article; a copy that leaves it out still holds the
whole article. The role comes from the element (figcaption, aside, nav, footer, time, address)
or a token of its class or id ("wp-caption", "byline", "post-meta", "share-tools")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html

from provenance.text.normalize import match_key, normalize

_ROLE_TAGS = {
    "figcaption": "a caption",
    "figure": "a caption",
    "aside": "an aside",
    "nav": "navigation",
    "footer": "a footer",
    "time": "a date",
    "address": "a byline",
    "header": "the article's header",
}
_ROLE_TOKENS = {
    "caption": "a caption",
    "credit": "a photo credit",
    "byline": "a byline",
    "author": "a byline",
    "dateline": "a dateline",
    "date": "a date",
    "timestamp": "a date",
    "published": "a date",
    "posted": "a byline",
    "meta": "a byline",
    "share": "sharing links",
    "sharing": "sharing links",
    "social": "sharing links",
    "related": "related links",
    "tags": "tags",
    "tag": "tags",
    "promo": "a promotion",
    "newsletter": "a newsletter prompt",
    "subscribe": "a newsletter prompt",
    "copyright": "a copyright line",
    "bio": "an author bio",
    "sidebar": "an aside",
    "breadcrumb": "navigation",
    "breadcrumbs": "navigation",
    "nav": "navigation",
    "menu": "navigation",
    "footer": "a footer",
    "standfirst": "the standfirst",
    "deck": "the standfirst",
    "dek": "the standfirst",
    "subtitle": "the standfirst",
    "teaser": "the standfirst",
    "pullquote": "a pull quote",
}
_TOKEN = re.compile(r"[a-z]+")
_LONGEST = 2000  # a longer block is a container that may hold the article itself


@dataclass(frozen=True)
class PeripheralBlock:
    role: str  # "a caption", "a byline", ...
    key: str  # match_key of the block's normalized text


def peripheral_blocks(root: html.HtmlElement) -> tuple[PeripheralBlock, ...]:
    """Every outermost element of a peripheral role, with its text (in document order)."""
    found: list[PeripheralBlock] = []
    body = root.find("body")
    if body is not None:
        _collect(body, found)
    return tuple(found)


def _collect(element: html.HtmlElement, found: list[PeripheralBlock]) -> None:
    for child in element:
        if not isinstance(child.tag, str) or child.tag in ("script", "style"):
            continue
        role = _role(child)
        if role is not None:
            text = normalize(child.text_content())
            if text and len(text) <= _LONGEST:
                found.append(PeripheralBlock(role, match_key(" ".join(text.split("\n")))))
                continue
        _collect(child, found)


def _role(element: html.HtmlElement) -> str | None:
    role = _ROLE_TAGS.get(element.tag)
    if role is not None:
        return role
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if not names.strip():
        return None
    for token in _TOKEN.findall(names):
        role = _ROLE_TOKENS.get(token)
        if role is not None:
            return role
    return None
