"""Page requisites: the resources a page needs to be seen as its readers saw it, found in its
HTML and in its stylesheets. Pure functions over bytes; nothing is fetched here.

From HTML: stylesheets, icons and preloads (`<link>`), scripts, images (`src`, the candidate a
desktop browser picks from `srcset` and `<picture>`, lazy-loading `data-src`/`data-srcset`),
`og:image`/`twitter:image`, iframes, inline `style` and `<style>` (their `@import` and
`url()`), and with `media=True` video and audio. From CSS: `@import` and `url()` (fonts,
images). Only http(s) URLs come out, absolute, without fragment, each once, in document order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

# The viewport and pixel density of the desktop browser whose choices are imitated.
DESKTOP_WIDTH = 1280
DESKTOP_DENSITY = 1.0
# Image types every current desktop browser renders (for `<picture><source type=...>`).
RENDERED_TYPES = frozenset(
    {"image/webp", "image/avif", "image/png", "image/jpeg", "image/gif", "image/svg+xml"}
)
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".otf", ".eot")
_ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "mask-icon"})
_PRELOAD_KINDS = {"style": "stylesheet", "script": "script", "font": "font", "image": "image"}
_META_IMAGES = frozenset({"og:image", "og:image:url", "og:image:secure_url", "twitter:image"})

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*(?P<q1>["']?)(?P<u1>[^"')]*)(?P=q1)\s*\)|(?P<q2>["'])(?P<u2>[^"']*)(?P=q2))""",
    re.I,
)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<u>[^"')]*)(?P=q)\s*\)""", re.I)
_SRCSET_DESCRIPTOR = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>[wx])$", re.I)
_LENGTH = re.compile(r"^(?P<value>\d+(?:\.\d+)?)(?P<unit>px|vw)$", re.I)


@dataclass(frozen=True)
class Requisite:
    """A resource a page or stylesheet asks for."""

    url: str
    kind: str  # stylesheet | script | image | font | icon | frame | media


def html_requisites(body: bytes, base_url: str, *, media: bool = False) -> list[Requisite]:
    """The requisites of an HTML page fetched from `base_url`, in document order."""
    try:
        # A plain parser: lxml.html's element classes cost a Python call per element reached.
        root = etree.fromstring(body, etree.HTMLParser())
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return []  # no document in the bytes: nothing to fetch
    base = base_url
    for element in root.iter("base"):
        if element.get("href"):
            base = urljoin(base_url, element.get("href", "").strip())
            break
    return _unique(base, _found_in(root, media=media))


def css_requisites(text: bytes | str, base_url: str) -> list[Requisite]:
    """The `@import`ed stylesheets and the `url()` resources of a stylesheet."""
    css = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return _unique(base_url, _css_found(css))


def pick_srcset(srcset: str, sizes: str | None = None) -> str | None:
    """The candidate of a `srcset` a desktop browser (DESKTOP_WIDTH CSS pixels wide, density
    DESKTOP_DENSITY) loads: the smallest whose density reaches the screen's, else the densest.
    `w` descriptors are turned into densities with the slot width `sizes` gives (its last,
    unconditional length in px or vw; the full viewport otherwise)."""
    slot = _slot_width(sizes)
    candidates: list[tuple[float, str]] = []
    for url, descriptor in _srcset_candidates(srcset):
        match = _SRCSET_DESCRIPTOR.match(descriptor) if descriptor else None
        if descriptor and match is None:
            continue  # a descriptor the browser would drop the candidate for (e.g. "h")
        if match is None:
            density = 1.0
        elif match["unit"].lower() == "x":
            density = float(match["value"])
        else:
            density = float(match["value"]) / slot
        candidates.append((density, url))
    if not candidates:
        return None
    enough = [c for c in candidates if c[0] >= DESKTOP_DENSITY]
    return min(enough, key=lambda c: c[0])[1] if enough else max(candidates, key=lambda c: c[0])[1]


def _slot_width(sizes: str | None) -> float:
    if sizes:
        last = sizes.split(",")[-1].strip()
        match = _LENGTH.match(last)
        if match is not None and float(match["value"]) > 0:
            value = float(match["value"])
            return value if match["unit"].lower() == "px" else DESKTOP_WIDTH * value / 100
    return float(DESKTOP_WIDTH)


def _srcset_candidates(srcset: str) -> Iterator[tuple[str, str]]:
    """(URL, descriptor) pairs of a srcset (a comma inside a URL is kept, as browsers do)."""
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = srcset.find(",", position)
            end = length if end < 0 else end
            descriptor = srcset[position:end].strip()
            position = end + 1
        if url:
            yield url, descriptor.split()[0] if descriptor else ""


def _found_in(root: etree._Element, *, media: bool) -> Iterator[tuple[str, str]]:
    # libxml2 keeps what follows a stray `</html>` beside the root; browsers load it too.
    tops = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    for element in itertools.chain.from_iterable(top.iter() for top in tops):
        tag = element.tag  # lowercased by libxml2's HTML parser; not a str for comments
        if tag == "link":
            yield from _link(element)
        elif tag == "script" and element.get("src"):
            yield element.get("src", ""), "script"
        elif tag == "img" or (tag == "input" and element.get("type", "").lower() == "image"):
            if next(element.iterancestors("picture"), None) is None:  # else <picture> decides
                yield from _image(element, in_picture=False)
        elif tag == "picture":
            yield from _picture(element)
        elif tag in ("iframe", "frame") and element.get("src"):
            yield element.get("src", ""), "frame"
        elif tag == "meta":
            key = (element.get("property") or element.get("name") or "").lower()
            if key in _META_IMAGES and element.get("content"):
                yield element.get("content", ""), "image"
        elif tag == "style" and element.text:
            yield from _css_found(element.text)
        elif tag in ("video", "audio") and media:
            yield from _media(element)
        if element.get("style"):
            yield from _css_found(element.get("style", ""))
        if element.get("background"):
            yield element.get("background", ""), "image"


def _link(element: etree._Element) -> Iterator[tuple[str, str]]:
    rels = set(element.get("rel", "").lower().split())
    href = element.get("href")
    if not href:
        return
    if "stylesheet" in rels and "alternate" not in rels:
        yield href, "stylesheet"
    elif rels & _ICON_RELS:
        yield href, "icon"
    elif "preload" in rels and element.get("as", "").lower() in _PRELOAD_KINDS:
        yield href, _PRELOAD_KINDS[element.get("as", "").lower()]
    elif "modulepreload" in rels:
        yield href, "script"


def _image(element: etree._Element, *, in_picture: bool) -> Iterator[tuple[str, str]]:
    """What the browser loads for an `<img>` (`src` or a `srcset` pick), and what a lazy
    loader's script would (`data-src`/`data-srcset`)."""
    sizes = element.get("sizes")
    if not in_picture:
        chosen = pick_srcset(element.get("srcset", ""), sizes) if element.get("srcset") else None
        source = chosen or element.get("src")
        if source:
            yield source, "image"
    lazy = element.get("data-srcset")
    lazy_pick = pick_srcset(lazy, element.get("data-sizes") or sizes) if lazy else None
    if lazy_pick or element.get("data-src"):
        yield lazy_pick or element.get("data-src") or "", "image"


def _picture(element: etree._Element) -> Iterator[tuple[str, str]]:
    """The first `<source>` of a `<picture>` whose type renders and that has no media
    condition (conditions are not evaluated), else the `<img>` inside."""
    for child in element.iter("source", "img"):
        if child.tag == "img":
            yield from _image(child, in_picture=False)
            return
        kind = child.get("type", "").lower().strip()
        if child.get("media") or (kind and kind not in RENDERED_TYPES):
            continue
        srcset = child.get("srcset") or child.get("data-srcset")
        pick = pick_srcset(srcset, child.get("sizes")) if srcset else None
        if pick:
            yield pick, "image"
            for img in element.iter("img"):
                yield from _image(img, in_picture=True)
            return


def _media(element: etree._Element) -> Iterator[tuple[str, str]]:
    if element.get("poster"):
        yield element.get("poster", ""), "image"
    if element.get("src"):
        yield element.get("src", ""), "media"
    for source in element.iter("source", "track"):
        if source.get("src"):
            yield source.get("src", ""), "media"


def _css_found(css: str) -> Iterator[tuple[str, str]]:
    lowered = css.lower()
    if "url(" not in lowered and "@import" not in lowered:
        return  # most inline styles name nothing; a comment never joins a token in CSS
    css = _CSS_COMMENT.sub(" ", css)  # a comment separates tokens, as a space does
    imported: set[tuple[int, int]] = set()
    for match in _CSS_IMPORT.finditer(css):
        imported.add(match.span("u1") if match["u1"] is not None else match.span("u2"))
        yield (match["u1"] if match["u1"] is not None else match["u2"]), "stylesheet"
    for match in _CSS_URL.finditer(css):
        if match.span("u") in imported:
            continue
        url = match["u"]
        path = urlsplit(url.strip()).path.lower()
        yield url, "font" if path.endswith(FONT_SUFFIXES) else "image"


def _absolute(base: str, raw: str) -> str | None:
    """The http(s) URL a reference names, without its fragment; None for any other."""
    if not raw:
        return None
    try:
        url = urldefrag(urljoin(base, raw)).url
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None  # e.g. an invalid IPv6 literal
    if scheme not in ("http", "https"):
        return None  # data:, javascript:, blob:, about: ...
    return url


def _unique(base: str, found: Iterable[tuple[str, str]]) -> list[Requisite]:
    """Each URL once, as first found; a reference a page repeats is resolved once."""
    resolved: dict[str, str | None] = {}
    seen: dict[str, Requisite] = {}
    for raw, kind in found:
        raw = raw.strip()
        if raw not in resolved:
            resolved[raw] = _absolute(base, raw)
        url = resolved[raw]
        if url is not None and url not in seen:
            seen[url] = Requisite(url, kind)
    return list(seen.values())
