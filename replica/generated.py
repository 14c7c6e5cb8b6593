"""Generated article pages for crawls of many pages (load tests, distributed crawls, benchmarks).

``/<host>/_generated/<n>`` answers a deterministic news page: site furniture (navigation,
share bar, related stories, comments, footer, scripts, JSON-LD) around an article of about
``size`` bytes of markup (default 60 000). Pages whose number is divisible by 3 are gzipped when
the client accepts it, those with remainder 1 are sent chunked. ``article_text(n)`` gives the
article as a seed text would hold it, so each page can be verified against a seed."""

from __future__ import annotations

import html
import json
import random
from functools import lru_cache

PREFIX = "/_generated/"
DEFAULT_SIZE = 60_000

_WORDS = [
    "forces",
    "city",
    "officials",
    "residents",
    "said",
    "government",
    "security",
    "province",
    "operation",
    "militants",
    "commander",
    "offensive",
    "river",
    "bridge",
    "district",
    "council",
    "report",
    "week",
    "villages",
    "army",
    "police",
    "coalition",
    "civilians",
    "aid",
    "fighters",
    "control",
    "statement",
    "attack",
    "neighbourhood",
    "families",
    "local",
    "spokesman",
    "minister",
    "region",
    "checkpoint",
    "displaced",
    "supplies",
    "northern",
    "western",
    "eastern",
    "southern",
    "campaign",
    "battle",
    "airstrikes",
    "advance",
    "front",
    "lines",
    "humanitarian",
    "agencies",
    "reconstruction",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 24))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), f"{rng.randint(2, 9)},{rng.randint(100, 999)}")
    return " ".join(words) + "."


@lru_cache(maxsize=256)
def article(n: int, size: int = DEFAULT_SIZE) -> tuple[str, tuple[str, ...]]:
    """The headline and paragraphs of page `n` (the same for the same arguments, always)."""
    rng = random.Random(n * 7919 + size)
    headline = " ".join(rng.choice(_WORDS) for _ in range(8)).capitalize()
    paragraphs: list[str] = []
    budget = max(size - 4000, 500)  # furniture and markup take about 4 KB
    while budget > 0:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        budget -= len(paragraph) + 8
    return headline, tuple(paragraphs)


def article_text(n: int, size: int = DEFAULT_SIZE) -> str:
    """Page `n`'s article as a plain-text copy: headline, then one paragraph per line."""
    headline, paragraphs = article(n, size)
    return "\n\n".join((headline, *paragraphs)) + "\n"


def page(n: int, size: int = DEFAULT_SIZE) -> bytes:
    headline, paragraphs = article(n, size)
    rng = random.Random(n)
    title = html.escape(headline)
    related = "".join(
        f'<li><a href="/news/{n + k}">{html.escape(article(n + k, 2000)[0])}</a></li>'
        for k in range(1, 5)
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
<script>window.dataLayer = window.dataLayer || [];</script>
</head><body>
<header class="site-header"><a class="logo" href="/">Generated News</a>
<nav class="main-menu"><ul><li><a href="/world">World</a></li><li><a href="/region">Region</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
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
<footer class="site-footer"><p>Copyright Generated News. All rights reserved.</p></footer>
<script src="/static/site.js"></script>
</body></html>
"""
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
