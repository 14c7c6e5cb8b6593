"""Generated article pages for crawls of many pages (load tests, distributed crawls, benchmarks).

``/<host>/_generated/<n>`` answers a deterministic news page of about ``size`` bytes (default
60 000), shaped like a real one: an article of 4-9 KB of prose (words drawn with Zipf's law from
a vocabulary of a few thousand, so it compresses like English text) inside the markup of a news
site: inline configuration script and styles, navigation menus, a share bar, related stories,
comments, footer link lists and JSON-LD. Pages whose number is divisible by 3 are gzipped when
the client accepts it, those with remainder 1 are sent chunked. ``article_text(n)`` gives the
article as a seed text would hold it, so each page can be verified against a seed."""

from __future__ import annotations

import html
import json
import random
from functools import lru_cache
from itertools import accumulate

PREFIX = "/_generated/"
DEFAULT_SIZE = 60_000
ARTICLE_BYTES = (4_000, 9_000)  # the prose of a news article, at most a third of a small page

_ONSETS = "b c d f g h j k l m n p r s t v w y z br ch cr dr fl gr kh pl sh st th tr"
_NUCLEI = "a e i o u ai ea ee ia io ou"
_CODAS = ["", "", "", "n", "r", "s", "l", "t", "m", "nd", "st", "rk", "ng"]
_COMMON = (
    "the of and to in a is that for on was with he it as said by at from his an were are which "
    "this be has had not have after its they but their who been also more one two there when "
    "would city forces government officials people over new year into than other some"
)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Common words first, then pseudo-words; cumulative Zipf weights (rank ** -1)."""
    rng = random.Random(1729)
    onsets, nuclei = _ONSETS.split(), _NUCLEI.split()
    words = _COMMON.split()
    seen = set(words)
    while len(words) < 4000:
        word = "".join(
            rng.choice(onsets) + rng.choice(nuclei) + rng.choice(_CODAS)
            for _ in range(rng.choice((1, 2, 2, 3)))
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return tuple(words), tuple(accumulate(1 / rank for rank in range(1, len(words) + 1)))


def _words(rng: random.Random, count: int) -> list[str]:
    words, weights = _vocabulary()
    return rng.choices(words, cum_weights=weights, k=count)


def _sentence(rng: random.Random) -> str:
    words = _words(rng, rng.randint(9, 28))
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), f"{rng.randint(2, 9)},{rng.randint(100, 999)}")
    if rng.random() < 0.15:
        at = rng.randint(0, len(words) - 2)
        words[at] = "\u201c" + words[at]
        words[-1] = words[-1] + ",\u201d said " + " ".join(_words(rng, 2)).title()
    return " ".join(words) + "."


def _title(rng: random.Random, words: int) -> str:
    return " ".join(_words(rng, words)).capitalize()


@lru_cache(maxsize=256)
def page_path(host: str, n: int, size: int = DEFAULT_SIZE) -> str:
    """The replica's path of generated page `n` of `size` bytes, as served for `host`."""
    return f"/{host}{PREFIX}{n}?size={size}"


def article(n: int, size: int = DEFAULT_SIZE) -> tuple[str, tuple[str, ...]]:
    """The headline and paragraphs of page `n` (the same for the same arguments, always)."""
    rng = random.Random(n * 7919 + size)
    headline = _title(rng, 9)
    paragraphs: list[str] = []
    budget = min(rng.randint(*ARTICLE_BYTES), max(size // 3, 300))
    while budget > 0:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
        paragraphs.append(paragraph)
        budget -= len(paragraph.encode("utf-8")) + 8
    return headline, tuple(paragraphs)


def article_text(n: int, size: int = DEFAULT_SIZE) -> str:
    """Page `n`'s article as a plain-text copy: headline, then one paragraph per line."""
    headline, paragraphs = article(n, size)
    return "\n\n".join((headline, *paragraphs)) + "\n"


def _links(rng: random.Random, count: int, css: str) -> str:
    return "".join(
        f'<li class="{css}__item {css}__item--{k}"><a class="{css}__link" '
        f'href="/{"-".join(_words(rng, 3))}/{rng.randint(10_000, 99_999)}" '
        f'data-track="{css}:{k}">{html.escape(_title(rng, rng.randint(1, 3)))}</a></li>'
        for k in range(count)
    )


def _configuration(rng: random.Random, size: int) -> str:
    """An inline script the size of a site's tag-manager and ad configuration."""
    slots: list[str] = []
    length = 0
    while length < size:
        slots.append(
            json.dumps(
                {
                    "id": f"div-gpt-ad-{rng.randint(10**12, 10**13)}-{len(slots)}",
                    "path": f"/{rng.randint(1000, 9999)}/news/{'_'.join(_words(rng, 2))}",
                    "sizes": [[300, 250], [728, 90], [rng.choice((160, 300)), 600]],
                    "targeting": {"section": _words(rng, 1)[0], "pos": len(slots)},
                    "lazy": rng.random() < 0.5,
                }
            )
        )
        length += len(slots[-1])
    return 'window.__SITE_CONFIG__ = {"slots": [' + ",".join(slots) + "]};"


def _styles(rng: random.Random, size: int) -> str:
    rules: list[str] = []
    length = 0
    while length < size:
        name = "-".join(_words(rng, 2))
        rules.append(
            f".{name}{{margin:{rng.randint(0, 24)}px {rng.randint(0, 24)}px;"
            f"color:#{rng.randint(0, 0xFFFFFF):06x};font-size:{rng.randint(11, 22)}px}}"
        )
        length += len(rules[-1])
    return "".join(rules)


def page(n: int, size: int = DEFAULT_SIZE) -> bytes:
    headline, paragraphs = article(n, size)
    rng = random.Random(n)
    title = html.escape(headline)
    related = "".join(
        f'<li class="related__item"><a href="/news/{n + k}">'
        f'{html.escape(article(n + k, 2000)[0])}</a><p class="related__teaser">'
        f"{html.escape(_sentence(rng))}</p></li>"
        for k in range(1, 6)
    )
    comments = "".join(
        f'<div class="comment"><p class="comment-author">Reader {rng.randint(1, 999)}</p>'
        f'<p>{html.escape(_sentence(rng))}</p><a class="reply">Reply</a></div>'
        for _ in range(3)
    )
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    metadata = json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
         "datePublished": f"2016-{1 + n % 12:02d}-{1 + n % 28:02d}"}
    )  # fmt: skip
    document = f"""<!DOCTYPE html>
<!-- warcproof replica: a GENERATED page (number {n}) for crawls of many pages, not a capture. -->
<html lang="en"><head><meta charset="utf-8">
<meta name="warcproof-replica" content="reconstruction: generated page, not a capture">
<title>{title} | Generated News</title>
<script type="application/ld+json">{metadata}</script>
<script>{{configuration}}</script>
<style>{{styles}}</style>
</head><body class="page page--article">
<header class="site-header"><a class="logo" href="/">Generated News</a>
<nav class="main-menu"><ul class="menu">{_links(rng, 14, "menu")}</ul></nav>
<nav class="sub-menu"><ul class="sub">{_links(rng, 10, "sub")}</ul></nav></header>
<main><article class="node-article">
<h1 class="headline">{title}</h1>
<div class="byline">By Staff Writer</div>
<div class="share-bar"><a class="share-facebook">Share</a><a class="share-twitter">Tweet</a></div>
<div class="article-body">
{body}
</div></article>
<aside class="related-stories"><h2>Related stories</h2><ul>{related}</ul></aside>
<section class="comments"><h2>3 Comments</h2>{comments}</section>
</main>
<footer class="site-footer"><ul class="footer">{_links(rng, 24, "footer")}</ul>
<p>Copyright Generated News. All rights reserved.</p></footer>
<script src="/static/site.js"></script>
</body></html>
"""
    # What is left of `size` goes to the inline script (two thirds) and styles, as on a news
    # site whose markup dwarfs its prose.
    left = max(size - len(document.encode("utf-8")), 0)
    document = document.replace("{configuration}", _configuration(rng, left * 2 // 3), 1)
    document = document.replace("{styles}", _styles(rng, left // 3), 1)
    return document.encode("utf-8")


def parse(path: str) -> tuple[int, int] | None:
    """(page number, size) for a ``.../_generated/<n>`` path with optional ``?size=``."""
    route, _, query = path.partition("?")
    at = route.find(PREFIX)
    if at < 0 or "/" in route[1:at]:
        return None
    number = route[at + len(PREFIX) :]
    if not number.isdigit() or len(number) > 9:
        return None
    size = DEFAULT_SIZE
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "size" and value.isdigit() and 0 < int(value) <= 10_000_000:
            size = int(value)
    return int(number), size
