"""Generated pages: deterministic, served gzip or chunked by number, verifiable against their
own article text."""

from __future__ import annotations

import gzip
import http.client

import pytest

from provenance.compare.align import align
from provenance.compare.verdict import assess
from provenance.text.extract import Article, extract_article
from replica.generated import article_text, page, parse
from replica.server import ReplicaServer


def fetch(server: ReplicaServer, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_pages_are_served_gzipped_chunked_or_plain_by_number() -> None:
    with ReplicaServer() as server:
        zipped, body0 = fetch(server, "/news.test/_generated/3")
        chunked, body1 = fetch(server, "/news.test/_generated/4")
        plain, body2 = fetch(server, "/news.test/_generated/5?size=20000")
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body0) == page(3)
    assert chunked.getheader("Transfer-Encoding") == "chunked"
    assert body1 == page(4)
    assert plain.getheader("Content-Length") == str(len(body2))
    assert body2 == page(5, 20000)


def test_pages_are_deterministic_and_about_the_asked_size() -> None:
    assert page(7) == page(7)
    assert page(7) != page(8)
    assert 50_000 < len(page(7)) < 70_000


@pytest.mark.parametrize("number", [0, 1, 2, 10])
def test_article_text_is_faithful_to_its_page(number: int) -> None:
    result = extract_article(page(number), url="http://news.test/", content_type="text/html")
    assert isinstance(result, Article)
    verdict = assess(align(article_text(number), result.text, result.page_text, title=result.title))
    assert verdict.verdict in ("verbatim", "faithful"), verdict.reasons


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a.test/_generated/12", (12, 60_000)),
        ("/_generated/3?size=500", (3, 500)),
        ("/a/b/_generated/1", None),
        ("/a.test/_generated/x", None),
        ("/a.test/_generated/1?size=0", (1, 60_000)),
    ],
)
def test_paths(path: str, expected: tuple[int, int] | None) -> None:
    assert parse(path) == expected
