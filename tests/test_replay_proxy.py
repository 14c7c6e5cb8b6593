"""The WARC replay proxy (archive.replay.warc_proxy) answering a real HTTP client on loopback
from a collection written here: archived answers byte for byte, a revisit through to its
original payload, a Wayback-style capture under its original URL, https through a CONNECT
tunnel, and a marked 404 for what the archive lacks. Nothing is fetched from anywhere else."""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from archive.index.collection_index import index_collection
from archive.replay.warc_proxy import MISSING_HEADER, ReplayProxy, canonical, page_requests
from archive.warc.records import HttpExchange, Original
from archive.warc.writer import WarcWriter

CSS = b"body { color: #123 }\n"


def exchange(url: str, body: bytes, content_type: str, status: int = 200) -> HttpExchange:
    return HttpExchange(
        url=url, method="GET", request_headers=[("User-Agent", "test")], request_body=b"",
        protocol="HTTP/1.1", status=status, reason=None,
        response_headers=[("Content-Type", content_type), ("Content-Length", str(len(body)))],
        body=body, ip_address="127.0.0.1", started=datetime.now(UTC),
    )  # fmt: skip


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplayProxy]:
    collection = tmp_path_factory.mktemp("replay") / "collection"
    with WarcWriter(collection / "warcs") as writer:
        writer.write_exchange(exchange("http://site.test/a.html", b"<p>page</p>", "text/html"))
        _, first = writer.write_exchange(exchange("http://site.test/s.css", CSS, "text/css"))
        assert first.payload_digest is not None
        original = Original(first.record_id, first.target_uri, first.date, first.payload_digest)
        writer.write_exchange(
            exchange("http://site.test/again.css", CSS, "text/css"),
            previous=lambda uri, digest: original,
        )
        writer.write_exchange(
            exchange("http://archive.test/web/20170207100255im_/http://orig.test/i.png",
                     b"PNGDATA", "image/png")
        )  # fmt: skip
        writer.write_exchange(exchange("https://secure.test/x.js", b"var x;", "text/javascript"))
    index_collection(collection)
    with ReplayProxy(collection) as running:
        yield running


def get(proxy: ReplayProxy, url: str, referer: str | None = None) -> http.client.HTTPResponse:
    host, port = proxy.address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", url, headers={"Referer": referer} if referer else {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_archived_answers_and_a_marked_miss(proxy: ReplayProxy) -> None:
    host, port = proxy.address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", "http://site.test/a.html")
    page = connection.getresponse()
    assert (page.status, page.read(), page.getheader("Content-Type")) == (
        200, b"<p>page</p>", "text/html",
    )  # fmt: skip
    connection.request(
        "GET", "http://site.test/gone.png", headers={"Referer": "http://site.test/a.html"}
    )
    missing = connection.getresponse()
    missing.read()
    assert missing.status == 404
    assert missing.getheader(MISSING_HEADER) == "1"
    connection.close()
    log = page_requests(proxy.take_log(), "http://site.test/a.html")
    assert [(s.url, s.found) for s in log] == [
        ("http://site.test/a.html", True), ("http://site.test/gone.png", False),
    ]  # fmt: skip


def test_a_revisit_replays_its_originals_payload(proxy: ReplayProxy) -> None:
    host, port = proxy.address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", "http://site.test/again.css")
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, CSS)
    connection.close()


def test_a_wayback_capture_answers_for_its_original_url_in_any_mode(proxy: ReplayProxy) -> None:
    host, port = proxy.address.split(":")
    for url in (
        "http://orig.test/i.png",
        "http://archive.test/web/20170207100255id_/http://orig.test/i.png",
    ):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", url)
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"PNGDATA"), url
        connection.close()


def test_https_is_replayed_through_a_connect_tunnel(proxy: ReplayProxy) -> None:
    host, port = proxy.address.split(":")
    raw = socket.create_connection((host, int(port)), timeout=30)
    raw.sendall(b"CONNECT secure.test:443 HTTP/1.1\r\nHost: secure.test:443\r\n\r\n")
    assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the proxy's throwaway certificate
    tls = context.wrap_socket(raw, server_hostname="secure.test")
    tls.sendall(b"GET /x.js HTTP/1.1\r\nHost: secure.test\r\nConnection: close\r\n\r\n")
    answer = b""
    while chunk := tls.recv(65536):
        answer += chunk
    tls.close()
    assert answer.startswith(b"HTTP/1.1 200")
    assert answer.endswith(b"\r\n\r\nvar x;")


def test_canonical_urls() -> None:
    assert canonical("HTTP://Site.Test:80/a%7Eb?q=%41") == canonical("http://site.test/a~b?q=A")
    assert canonical("https://site.test:443/") == "https://site.test/"
    assert canonical("http://site.test:8080") == "http://site.test:8080/"
