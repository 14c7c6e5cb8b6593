"""The benchmark's pages and the seed corpus that claims them.

Pages are the replica's generated news pages (``replica.generated``): about 60 KB, of which the
article's prose is 4-9 KB and the rest a news site's markup, inline script and styles;
gzip-encoded when the number is divisible by 3, sent chunked when the remainder is 1. Seed
``n`` is ``article_text(n)``, the page's article as a plain-text copy, claimed by the URL
``http://bench.test/_generated/n``."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from archive.warc.records import HttpExchange
from replica.generated import article_text, page

HOST = "bench.test"
MANIFEST = "seeds.toml"
# What Scrapy sends with warcproof's settings (DEFAULT_REQUEST_HEADERS and the compression
# middleware); the user agent names the benchmark.
REQUEST_HEADERS = (
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("Accept-Language", "en"),
    ("User-Agent", "warcproof-bench"),
    ("Accept-Encoding", "gzip, deflate"),
)


def page_url(number: int) -> str:
    return f"http://{HOST}/_generated/{number}"


def seed_id(number: int) -> str:
    return f"{number:06d}"


def write_seed(folder: Path, number: int) -> str:
    """Write seed `number`'s text file into `folder`; returns its manifest entry."""
    raw = article_text(number).encode("utf-8")
    name = f"{seed_id(number)}.txt"
    (folder / name).write_bytes(raw)
    return (
        f'[[seed]]\nid = "{seed_id(number)}"\nfile = "{name}"\n'
        f'urls = ["{page_url(number)}"]\nsha256 = "{hashlib.sha256(raw).hexdigest()}"\n'
    )


def write_manifest(folder: Path, entries: Iterable[str]) -> Path:
    """`seeds.toml` listing `entries` (from `write_seed`), written in one go: the manifest
    module's `add_seed` re-reads the manifest for every seed, too slow for thousands."""
    path = folder / MANIFEST
    path.write_text("\n".join(["version = 1\n", *entries]), "utf-8")
    return path


def write_corpus(folder: Path, numbers: Iterable[int]) -> Path:
    """Seed files and manifest for the pages `numbers`; returns the manifest path."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_manifest(folder, [write_seed(folder, number) for number in numbers])


def exchange(number: int) -> HttpExchange:
    """Page `number` fetched as a crawl fetches it: the body content-encoded as the replica
    sends it, chunking removed (as Scrapy hands it over)."""
    body = page(number)
    headers = [("Content-Type", "text/html; charset=utf-8")]
    if number % 3 == 0:
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers += [("Vary", "Accept-Encoding"), ("Content-Encoding", "gzip")]
    if number % 3 != 1:
        headers.append(("Content-Length", str(len(body))))
    return HttpExchange(
        url=page_url(number),
        method="GET",
        request_headers=REQUEST_HEADERS,
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=headers,
        body=body,
        ip_address="127.0.0.1",
        started=datetime.now(UTC),
    )
