"""Sources that died or changed: `warcproof crawl` against a replica where Diyaruna is gone
(410) and a real pywb serving past captures (tests/archive_fixture.py), and the time axis."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from provenance.compare.evidence import SourceKind
from provenance.compare.seedcheck import check_seed
from provenance.compare.timeaxis import Version, judge
from provenance.sources.manifest import add_seed, load
from provenance.text.extract import Article, extract_article
from replica.server import ReplicaServer
from spiders.spiders.seeds import NOT_IN_REPLICA_MODE, PRIVATE_URL
from tests.archive_fixture import PAGES, PYWB_CDX
from tests.conftest import SEEDS, report_by_seed, run_crawl

WARCPROOF = str(Path(sys.executable).parent / "warcproof")
URL_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"
TOI = "https://www.timesofisrael.com/us-general-claims-is-leaders-abandoning-mosul/"


def archive_settings(base: str) -> list[str]:
    return ["-s", f"WARCPROOF_WAYBACK_URL={base}", "-s", f"WARCPROOF_WAYBACK_CDX={PYWB_CDX}"]


def records(collection: Path) -> list[Any]:
    found = []
    for path in sorted((collection / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                payload = record.content_stream().read()
                found.append((record.rec_type, record.rec_headers, record.http_headers, payload))
    return found


@pytest.fixture(scope="module")
def gone_replica() -> Iterator[str]:
    with ReplicaServer(gone_hosts={"diyaruna.com"}) as server:
        yield server.url


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, gone_replica: str, wayback: str
) -> tuple[Path, dict[str, dict[str, Any]], subprocess.CompletedProcess[str]]:
    """The default corpus plus seed 004's text filed under the Times of Israel URL."""
    root = tmp_path_factory.mktemp("fallback")
    corpus = root / "seeds"
    corpus.mkdir()
    for item in SEEDS.iterdir():
        (corpus / item.name).write_bytes(item.read_bytes())
    stray = root / "stray.txt"
    stray.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(corpus / "seeds.toml", stray, urls=[TOI], seed_id="stray")
    collection = root / "collection"
    result = run_crawl(corpus / "seeds.toml", collection, gone_replica, *archive_settings(wayback))
    return collection, report_by_seed(collection), result


@pytest.mark.crawl
@pytest.mark.external
def test_gone_page_is_verified_from_its_archived_capture(crawled: Any, wayback: str) -> None:
    _, entries, result = crawled
    assert result.returncode == 0, result.stderr
    entry = entries["004"]
    assert entry["verdict"] == "faithful", entry["reasons"]
    capture = entry["capture"]
    replay = f"{wayback}/web/20170207100255id_/{URL_004}"
    assert capture["source_kind"] == "archived"
    assert capture["fetched_url"] == replay
    assert capture["source_url"] == URL_004
    first = entry["reasons"][0]
    assert "archived capture of 2017-02-07 10:02:55 UTC" in first
    assert replay in first
    assert "HTTP 410" in first
    source = entry["evidence"]["source"]
    assert source["memento_datetime"] == "2017-02-07T10:02:55Z"
    assert source["original_url"] == URL_004
    assert "archived 200" in result.stdout


@pytest.mark.crawl
@pytest.mark.external
def test_warc_holds_what_was_fetched_and_names_the_original(crawled: Any, wayback: str) -> None:
    collection, entries, _ = crawled
    found = records(collection)
    targets = [h.get_header("WARC-Target-URI") for kind, h, _, _ in found if kind == "response"]
    assert any(
        t.endswith("/diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01")
        for t in targets
    )  # the live 410, archived like any response
    assert any(t.startswith(f"{wayback}/web/cdx?") for t in targets)
    replay = entries["004"]["capture"]["fetched_url"]
    response_id = entries["004"]["capture"]["response_record_id"]
    assert replay in targets
    mementos = [
        payload.decode()
        for kind, headers, _, payload in found
        if kind == "metadata"
        and headers.get_header("WARC-Refers-To") == response_id
        and headers.get_header("Content-Type") == "application/warc-fields"
    ]
    assert len(mementos) == 1
    assert f"original-url: {URL_004}\r\n" in mementos[0]
    assert "memento-datetime: 2017-02-07T10:02:55Z\r\n" in mementos[0]


@pytest.mark.crawl
@pytest.mark.external
def test_times_of_israel_seed_was_copied_after_the_older_capture(crawled: Any) -> None:
    entry = crawled[1]["003"]
    assert entry["verdict"] == "faithful", entry["reasons"]
    assert entry["capture"]["source_kind"] == "replica"
    axis = entry["evidence"]["time_axis"]
    assert axis["finding"] == "copied after change"
    verdicts = {v["role"]: (v["verdict"], v["when"]) for v in axis["versions"]}
    assert verdicts["nearest"] == ("foreign content", "2016-10-19T21:14:03Z")
    assert verdicts["newest"] == ("faithful", "2023-06-02T08:41:17Z")
    (said,) = [r for r in entry["reasons"] if "earlier version" in r]
    assert "archived capture of 2016-10-19 21:14:03 UTC" in said
    assert '"Join us!"' in said
    assert "copied from the page after 2016-10-19" in said
    assert "the seed was not altered" in said


@pytest.mark.crawl
@pytest.mark.external
def test_a_seed_matching_no_version_says_so(crawled: Any) -> None:
    entry = crawled[1]["stray"]
    assert entry["verdict"] == "foreign content"
    reasons = " ".join(entry["reasons"])
    assert "too little to be the same article" in reasons
    assert "The seed differs from every version of the page checked" in reasons
    assert entry["evidence"]["time_axis"]["finding"] == "differs"


@pytest.mark.crawl
@pytest.mark.external
def test_seed_without_url_stays_unverifiable(crawled: Any) -> None:
    entry = crawled[1]["001"]
    assert entry["verdict"] == "unverifiable"
    assert entry["capture"] is None


@pytest.mark.crawl
@pytest.mark.external
def test_all_archive_traffic_stayed_on_loopback(crawled: Any) -> None:
    for kind, headers, _, _ in records(crawled[0]):
        if kind in ("request", "response"):
            assert urlsplit(headers.get_header("WARC-Target-URI")).hostname == "127.0.0.1"
            assert headers.get_header("WARC-IP-Address") == "127.0.0.1"


@pytest.mark.crawl
def test_replica_mode_never_asks_the_internet_archive(tmp_path: Path, gone_replica: str) -> None:
    """The offline guarantee: no WARCPROOF_WAYBACK_URL given, so no archive is asked, even
    with the fallback on and a seed whose page is gone."""
    manifest = tmp_path / "seeds" / "seeds.toml"
    manifest.parent.mkdir()
    manifest.write_text("version = 1\n")
    copy = tmp_path / "004.txt"
    copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(manifest, copy, urls=[URL_004], seed_id="004")
    collection = tmp_path / "collection"
    result = run_crawl(manifest, collection, gone_replica, "-s", "WARCPROOF_FALLBACK=True")
    assert result.returncode == 1, result.stderr  # no seed fetched, nor an archived copy
    entry = report_by_seed(collection)["004"]
    assert entry["verdict"] == "unverifiable"
    reasons = " ".join(entry["reasons"])
    assert "the server answered HTTP 410" in reasons
    assert NOT_IN_REPLICA_MODE in reasons
    for kind, headers, _, _ in records(collection):
        if kind in ("request", "response"):
            assert headers.get_header("WARC-Target-URI").startswith(gone_replica)
    log = next((collection / "logs").glob("crawl-*.log")).read_text()
    assert "archive.org" not in log
    hosts = {urlsplit(url).hostname for url in _urls_in(log)}
    assert hosts <= {"127.0.0.1"}, hosts


def _urls_in(text: str) -> list[str]:
    return [word.strip("<>()[],'\"") for word in text.split() if "://" in word]


@pytest.mark.crawl
def test_an_unreachable_archive_is_named(tmp_path: Path, gone_replica: str) -> None:
    manifest = tmp_path / "seeds" / "seeds.toml"
    manifest.parent.mkdir()
    manifest.write_text("version = 1\n")
    copy = tmp_path / "004.txt"
    copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(manifest, copy, urls=[URL_004], seed_id="004")
    collection = tmp_path / "collection"
    settings = [*archive_settings("http://127.0.0.1:9"), "-s", "RETRY_TIMES=0"]
    result = run_crawl(manifest, collection, gone_replica, *settings)
    assert result.returncode == 1, result.stderr  # no seed fetched, nor an archived copy
    entry = report_by_seed(collection)["004"]
    assert entry["verdict"] == "unverifiable"
    reasons = " ".join(entry["reasons"])
    assert "HTTP 410" in reasons
    assert "the archive could not be reached at http://127.0.0.1:9/web/cdx?" in reasons


class _ThrottlingFront:
    """A loopback front to pywb that answers the first CDX query with 429, Retry-After: 1."""

    def __init__(self, upstream: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        front = self
        self.upstream = urlsplit(upstream)
        self.statuses: list[tuple[str, int]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/web/cdx") and not any(
                    path.startswith("/web/cdx") for path, _ in front.statuses
                ):
                    front.statuses.append((self.path, 429))
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                connection = http.client.HTTPConnection(
                    front.upstream.hostname or "", front.upstream.port, timeout=30
                )
                connection.request("GET", self.path)
                answer = connection.getresponse()
                body = answer.read()
                connection.close()
                front.statuses.append((self.path, answer.status))
                self.send_response(answer.status)
                for name in ("Content-Type", "Memento-Datetime", "Link"):
                    if answer.getheader(name):
                        self.send_header(name, answer.getheader(name) or "")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _ThrottlingFront:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.mark.crawl
@pytest.mark.external
def test_a_throttling_archive_is_waited_out(
    tmp_path: Path, gone_replica: str, wayback: str
) -> None:
    manifest = tmp_path / "seeds" / "seeds.toml"
    manifest.parent.mkdir()
    manifest.write_text("version = 1\n")
    copy = tmp_path / "004.txt"
    copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(manifest, copy, urls=[URL_004], seed_id="004", published=None)
    collection = tmp_path / "collection"
    with _ThrottlingFront(wayback) as front:
        result = run_crawl(manifest, collection, gone_replica, *archive_settings(front.url))
    assert result.returncode == 0, result.stderr
    entry = report_by_seed(collection)["004"]
    assert entry["verdict"] == "faithful", entry["reasons"]
    assert entry["capture"]["source_kind"] == "archived"
    first_cdx = [status for path, status in front.statuses if path.startswith("/web/cdx")][:2]
    assert first_cdx == [429, 200]
    cdx_statuses = [
        http_headers.get_statuscode()
        for kind, headers, http_headers, _ in records(collection)
        if kind == "response" and "/web/cdx?" in headers.get_header("WARC-Target-URI")
    ]
    assert cdx_statuses[:2] == ["429", "200"]  # the throttled answer is archived too


def _article(html: bytes) -> Article:
    page = extract_article(html, url=TOI, content_type="text/html; charset=utf-8")
    assert isinstance(page, Article)
    return page


def test_faithful_to_an_older_version_where_the_page_changed_later() -> None:
    seed = load(SEEDS / "seeds.toml").get("003")
    original = (PAGES / "003_timesofisrael.html").read_bytes()
    sentence = b"Launched on Monday, the long-awaited advance on Mosul"
    assert sentence in original
    edited = original.replace(
        sentence, b"Launched on October 17, the long-awaited advance on Mosul"
    )
    then = Version(
        SourceKind.ARCHIVED,
        "nearest",
        "http://a/then",
        "2021-01-01T00:00:00Z",
        check_seed(seed, _article(original)),
    )
    later = Version(
        SourceKind.ARCHIVED,
        "newest",
        "http://a/later",
        "2024-05-01T00:00:00Z",
        check_seed(seed, _article(edited)),
    )
    live = Version(
        SourceKind.LIVE, "live", TOI, None, check_seed(seed, None, "the fetch failed: DNS")
    )
    finding = judge([live, then, later], live_problem="the fetch failed: DNS")
    assert finding.chosen == 1
    assert finding.kind == "changed later"
    text = " ".join(finding.reasons)
    assert (
        "Verified against the archived capture of 2021-01-01 00:00:00 UTC (http://a/then)" in text
    )
    assert "faithful to the page as it stood on 2021-01-01; the page changed later" in text
    assert "against the archived capture of 2024-05-01 00:00:00 UTC" in text
    assert "the verdict is modified" in text
    assert "October 17" in text


@pytest.mark.crawl
def test_live_crawl_of_a_loopback_url_asks_no_public_archive(tmp_path: Path) -> None:
    """With every default (the Internet Archive as endpoint), a seed on a loopback address
    that fails is not looked up in the public archive: nothing leaves 127.0.0.1."""
    manifest = tmp_path / "seeds" / "seeds.toml"
    manifest.parent.mkdir()
    manifest.write_text("version = 1\n")
    copy = tmp_path / "refused.txt"
    copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(manifest, copy, urls=["http://127.0.0.1:9/closed"], seed_id="refused")
    collection = tmp_path / "collection"
    options = ["--manifest", str(manifest), "--collection", str(collection), "-s", "RETRY_TIMES=0"]
    result = subprocess.run(
        [WARCPROOF, "crawl", *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # no seed fetched, nor an archived copy
    entry = report_by_seed(collection)["refused"]
    assert entry["verdict"] == "unverifiable"
    assert PRIVATE_URL in " ".join(entry["reasons"])
    for kind, headers, _, _ in records(collection):
        if kind in ("request", "response"):
            assert urlsplit(headers.get_header("WARC-Target-URI")).hostname == "127.0.0.1"
    log = next((collection / "logs").glob("crawl-*.log")).read_text()
    assert "archive.org/cdx" not in log
    assert "archive.org/robots.txt" not in log


@pytest.mark.crawl
@pytest.mark.external
def test_a_captures_requisites_come_from_the_archive_at_its_time(
    crawled: Any, wayback: str
) -> None:
    collection, entries, _ = crawled
    capture = entries["004"]["capture"]
    timestamp = capture["fetched_url"].split("/web/", 1)[1].split("id_/", 1)[0]
    (listing,) = [
        json.loads(payload)
        for kind, headers, _, payload in records(collection)
        if kind == "metadata"
        and headers.get_header("WARC-Warcproof-Requisites") is not None
        and headers.get_header("WARC-Refers-To") == capture["response_record_id"]
    ]
    assert listing["source_url"] == URL_004
    assert listing["fetched"]
    for entry in listing["fetched"]:
        mode = "im_" if entry["kind"] == "image" else "id_"
        # Asked at the capture's timestamp; the archive may answer from the nearest one.
        assert entry["fetched_url"].startswith(f"{wayback}/web/"), entry
        assert f"{mode}/" in entry["fetched_url"], entry
        assert entry["fetched_url"].endswith(entry["url"].split("://", 1)[1]), entry
    requested = [
        headers.get_header("WARC-Target-URI")
        for kind, headers, _, _ in records(collection)
        if kind == "request" and "/web/" in (headers.get_header("WARC-Target-URI") or "")
    ]
    assert any(f"/web/{timestamp}im_/" in url for url in requested)
