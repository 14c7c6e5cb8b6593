"""The page's peripheral blocks, told by their DOM role: captions, bylines and datelines,
asides, navigation, sharing and "related" boxes, tags, copyright lines, author bios, and the
alt and title texts of images.

An extractor may keep such a block in the article; a copy that leaves it out still holds the
whole article. The role comes from the element (figcaption, aside, nav, footer, time, address)
or a token of its class or id ("wp-caption", "byline", "post-meta", "share-tools")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
    "cutline": "a caption",
    "header": "the page's header",
    "masthead": "the page's header",
    "previous": "related links",
    "toolbar": "sharing links",
    "tools": "sharing links",
    "comments": "comments",
    "sponsored": "a promotion",
    "sponsor": "a promotion",
    "advertisement": "an advertisement",
}
# Words long enough to be looked for inside a class or id ("photoCaption", "articleByline").
_ROLE_WORDS = re.compile(
    "caption|cutline|credit|byline|dateline|timestamp|sharing|social|related|newsletter|"
    "subscribe|copyright|sidebar|breadcrumb|standfirst|pullquote|author"
)
_TOKEN = re.compile(r"[a-z]+")
# A page repeats short texts (a link in the menu and the footer, a caption in its figure and
# around its image): each is normalized once.
_normalized = lru_cache(maxsize=4096)(normalize)
_CAPTION_CHARS = 400
_LINK_CHARS = 300
_LINK_MIN_CHARS = 15
_LABEL_RAW_CHARS = 120  # a link's text this long at most, white space included, is a label
_PARAGRAPH_CHARS = 20000  # the text next to an image, up to this long, is its caption
_LONGEST = 2000  # a longer block is a container that may hold the article itself
# A block whose text is mostly link text is a list of pointers to other pages (related
# stories, a menu, "Print | E-mail | Comments (0)"), not a passage of the story.
_LINK_SHARE = 0.6
LINKS_ROLE = "links to other pages"
LINK_ROLE = "a link"  # the text of one link, long enough to be a headline
# Inline elements: a link inside a sentence makes no block of links of it.
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "em", "font", "i", "kbd", "mark", "q"}
    | {"s", "small", "span", "strong", "sub", "sup", "time", "u"}
)


@dataclass(frozen=True)
class PeripheralBlock:
    role: str  # "a caption", "a byline", ...
    key: str  # match_key of the block's normalized text


@dataclass(frozen=True)
class Paragraph:
    """A <p> of the page: its text and where it stands (ids of its parent and grandparent)."""

    key: str  # match_key of its normalized text, on one line
    parent: int
    grandparent: int
    text: str = ""  # its normalized text, on one line


def page_paragraphs(root: html.HtmlElement) -> tuple[Paragraph, ...]:
    """Every non-empty <p>, in document order: the body of an article is a run of paragraphs
    under one element, and text the extractor kept from elsewhere is not among them."""
    ids: dict[object, int] = {}
    found: list[Paragraph] = []
    for element in root.iter("p"):
        text = _flat_text(element, _PARAGRAPH_CHARS)
        parent = element.getparent()
        if not text or parent is None:
            continue
        grandparent = parent.getparent()
        line = " ".join(text.split("\n"))
        found.append(
            Paragraph(
                match_key(line),
                ids.setdefault(parent, len(ids)),
                ids.setdefault(grandparent, len(ids)),
                line,
            )
        )
    return tuple(found)


def peripheral_blocks(root: html.HtmlElement) -> tuple[PeripheralBlock, ...]:
    """Every outermost element of a peripheral role, with its text (in document order)."""
    found: list[PeripheralBlock] = []
    body = root.find("body")
    if body is not None:
        sizes = _Sizes(root)
        _collect(body, found, sizes)
        found += _image_texts(body, sizes)
        found += _links(body)
    return tuple(found)


def _links(body: html.HtmlElement) -> list[PeripheralBlock]:
    """The text of each link long enough to be a headline: a sentence that is all link is a
    pointer to another page ("Read: ...", related stories), not a sentence of the story."""
    found: list[PeripheralBlock] = []
    for link in body.iter("a"):
        text = _flat_text(link, _LINK_CHARS, _LINK_MIN_CHARS)
        if text:
            found.append(_block(LINK_ROLE, text))
    return found


def link_labels(root: html.HtmlElement) -> frozenset[str]:
    """The page's short link texts ("post a comment", "@jdoe", "Travel") and the alt and title
    texts of its images (a linked icon's "Google+ Profile for Jane Doe"), their white space
    collapsed but not normalized (that is left to the few comparisons that ask): a copy made by
    a reader view or a selection may drop a link's label or an image's text from a sentence or
    a line, which leaves the words around it as the page has them."""
    body = root.find("body")
    if body is None:
        return frozenset()
    texts = [link.text_content() for link in body.iter("a")]
    texts += [image.get(name, "") for image in body.iter("img") for name in ("alt", "title")]
    return frozenset(
        " ".join(text.split())
        for text in texts
        if len(text) <= _LABEL_RAW_CHARS and text and not text.isspace()
    )


def _image_texts(body: html.HtmlElement, sizes: _Sizes) -> list[PeripheralBlock]:
    """Per image: its alt and title texts (a reader sees them only when the image is missing or
    the pointer rests on it; a browser's select-all copy leaves them out), and the short text
    of the nearest element around it that has text of its own (not a paragraph: an image set
    in a paragraph is not captioned by it, unless by the fine print that follows it)."""
    found: list[PeripheralBlock] = []
    for image in body.iter("img"):
        for name in ("alt", "title"):
            drawn = _normalized(image.get(name, ""))
            if drawn and len(drawn) <= _CAPTION_CHARS:
                found.append(_block("an image's alt or title text", drawn))
        small = _fine_print_after(image)
        if small is not None:
            text = _short_text(small, _CAPTION_CHARS, sizes)
            if text:
                found.append(_block("a caption", text))
        holder = image.getparent()
        for _ in range(3):
            if holder is None or holder.tag == "p":
                break
            text = _short_text(holder, _CAPTION_CHARS, sizes)
            if text is None or text:
                if text:
                    found.append(_block("a caption", text))
                break
            holder = holder.getparent()
    return found


def _fine_print_after(image: html.HtmlElement) -> html.HtmlElement | None:
    """The <small> that follows an image (or the link around it) that opens its paragraph,
    past line breaks only: the caption a blog sets under a picture inside the paragraph (not
    an emoticon's neighbour inside a sentence)."""
    parent = image.getparent()
    anchor = parent if parent is not None and parent.tag == "a" else image
    holder = anchor.getparent()
    opens = holder is not None and not (holder.text or "").strip() and anchor.getprevious() is None
    if not opens or (anchor.tail and not anchor.tail.isspace()):
        return None
    following = anchor.getnext()
    while following is not None and following.tag == "br":
        if following.tail and not following.tail.isspace():
            return None
        following = following.getnext()
    return following if following is not None and following.tag == "small" else None


class _Sizes:
    """How much text each element holds, found in one pass from the leaves up (each element's
    counts are its children's plus its own): every character its text has (what `itertext`
    gives), and the visible characters and link characters of the elements of at most
    `_LONGEST` visible characters whose text is mostly link text (`dense`)."""

    def __init__(self, root: html.HtmlElement) -> None:
        self.raw: dict[html.HtmlElement, int] = {}
        self.dense: set[html.HtmlElement] = set()
        chars: dict[html.HtmlElement, int] = {}
        linked: dict[html.HtmlElement, int] = {}
        raw = self.raw
        for element in reversed(list(root.iter())):
            tag = element.tag
            if not isinstance(tag, str):
                chars[element] = linked[element] = raw[element] = 0
                continue
            size = len(element.text or "")
            if tag in ("script", "style"):
                for child in element:
                    size += raw[child] + len(child.tail or "")
                raw[element] = size
                chars[element] = linked[element] = 0
                continue
            inner = _visible_chars(element.text)
            inner_links = 0
            for child in element:
                tail = child.tail
                if tail:
                    size += len(tail)
                    if not tail.isspace():
                        inner += len("".join(tail.split()))
                size += raw[child]
                inner += chars[child]
                inner_links += linked[child]
            raw[element] = size
            chars[element] = inner
            linked[element] = inner if tag == "a" else inner_links
            if (
                tag not in _INLINE
                and 0 < inner <= _LONGEST
                and linked[element] >= _LINK_SHARE * inner
            ):
                self.dense.add(element)


def _visible_chars(text: str | None) -> int:
    if not text or text.isspace():
        return 0
    return len("".join(text.split()))


def _collect(element: html.HtmlElement, found: list[PeripheralBlock], sizes: _Sizes) -> None:
    for child in element:
        if not isinstance(child.tag, str) or child.tag in ("script", "style"):
            continue
        role = _role(child)
        if role is None and child in sizes.dense:
            role = LINKS_ROLE
        if role is not None:
            text = _short_text(child, _LONGEST, sizes)
            if text:
                found.append(_block(role, text))
                continue
        _collect(child, found, sizes)


def _block(role: str, text: str) -> PeripheralBlock:
    """A block of ``role`` whose normalized ``text`` may run over several lines."""
    return PeripheralBlock(role, match_key(" ".join(text.split("\n"))))


def _flat_text(element: html.HtmlElement, limit: int, shortest: int = 1) -> str | None:
    """`_short_text` of an element that cannot hold itself (a <p>, an <a>): its text read at
    once, the elements nested in it being few; None also when it is shorter than ``shortest``
    (told before the text is normalized: most links are a word or two)."""
    raw = element.text_content()
    if len(raw) > 2 * limit or len(raw.strip()) < shortest:
        return None
    text = _normalized(raw)
    return text if shortest <= len(text) <= limit else None


def _short_text(element: html.HtmlElement, limit: int, sizes: _Sizes) -> str | None:
    """The element's normalized text if it is at most ``limit`` characters, else None (read
    only when its raw text is at most twice that: the element may hold the whole page)."""
    if sizes.raw[element] > 2 * limit:
        return None
    text = _normalized("".join(element.itertext()))
    return text if len(text) <= limit else None


def _role(element: html.HtmlElement) -> str | None:
    role = _ROLE_TAGS.get(element.tag)
    if role is not None:
        return role
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if not names.strip():
        return None
    word = _ROLE_WORDS.search(names)
    if word is not None:
        return _ROLE_TOKENS.get(word.group(), "a caption")
    for token in _TOKEN.findall(names):
        role = _ROLE_TOKENS.get(token)
        if role is not None:
            return role
    return None
