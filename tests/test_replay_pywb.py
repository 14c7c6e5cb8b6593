"""Replay in a real pywb (its own virtual environment, started on loopback): every seed capture
comes back byte for byte through `id_`, served from warcproof's collection with warcproof's
index, and from warcproof's WACZ as pywb itself unpacks it (`wb-manager add --unpack-wacz`).

warcproof's index holds only what replays under its URI, so the conversion and metadata records
that share a page's URL and nearly its date never stand in for the page."""

from __future__ import annotations

import http.client
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from archive.collection import Collection
from archive.warc.reader import StoredRecord, iter_records, read_record
from provenance.ledger.store import Ledger, LedgerEntry
from provenance.sources.manifest import load
from tests.pywb import COLLECTION, pywb_server, unpacked_wacz
from tests.test_index import crawl_corpus

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory, replica_origin: str) -> Path:
    return crawl_corpus(tmp_path_factory.mktemp("replay"), replica_origin)


@pytest.fixture(scope="module")
def captures(collection: Path) -> list[LedgerEntry]:
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        entries = [entry for entry in ledger.entries() if entry.capture is not None]
    assert len(entries) == 5  # 001 has no URL; 004's page was captured twice
    return entries


@pytest.fixture(scope="module")
def from_collection(tmp_path_factory: pytest.TempPathFactory, collection: Path) -> Iterator[str]:
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    workdir = tmp_path_factory.mktemp("pywb-collection")
    with pywb_server(workdir, warcs, index=Collection(collection).index) as base:
        yield base


@pytest.fixture(scope="module")
def from_wacz(tmp_path_factory: pytest.TempPathFactory, collection: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pywb-wacz")
    files = unpacked_wacz(collection, root)
    warcs = sorted((files / "archive").glob("*.warc.gz"))
    assert [w.name for w in warcs] == ["collection-0.warc.gz"]
    with pywb_server(root / "served", warcs, index=files / "indexes" / "index.cdxj") as base:
        yield base


@pytest.fixture(params=["collection", "wacz"])
def pywb(request: pytest.FixtureRequest) -> str:
    base: str = request.getfixturevalue(f"from_{request.param}")
    return base


def fetch(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET without any decoding but de-chunking, so the body is what pywb sent."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip, deflate"})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def timestamp(warc_date: str) -> str:
    return "".join(c for c in warc_date if c.isdigit())[:14]


def stored(collection: Path, entry: LedgerEntry) -> StoredRecord:
    assert entry.capture is not None
    capture = entry.capture
    return read_record(collection / "warcs" / capture.warc_file, capture.warc_offset)


@pytest.mark.crawl
@pytest.mark.external
def test_id_replay_of_every_seed_capture_is_the_captured_payload(
    pywb: str, collection: Path, captures: list[LedgerEntry]
) -> None:
    for entry in captures:
        assert entry.capture is not None
        record = stored(collection, entry)
        assert record.rec_type == "response"
        path = (
            f"/{COLLECTION}/{timestamp(entry.capture.captured_at)}id_/{entry.capture.fetched_url}"
        )
        status, headers, body = fetch(pywb, path)
        assert status == entry.capture.status, (entry.verdict.seed_id, status)
        assert body == record.payload, entry.verdict.seed_id
        stored_encoding = dict((k.lower(), v) for k, v in record.http_headers or []).get(
            "content-encoding"
        )
        assert headers.get("content-encoding") == stored_encoding
    # The replica sends one page gzip-encoded: it replays still encoded, as captured.
    encodings = {
        dict((k.lower(), v) for k, v in stored(collection, e).http_headers or []).get(
            "content-encoding"
        )
        for e in captures
    }
    assert "gzip" in encodings


@pytest.mark.crawl
@pytest.mark.external
def test_pywbs_cdx_api_lists_only_the_responses_under_each_page_url(
    pywb: str, collection: Path, captures: list[LedgerEntry]
) -> None:
    responses: dict[str, list[str]] = {}
    for warc in sorted((collection / "warcs").glob("*.warc.gz")):
        for record in iter_records(warc):
            if record.rec_type == "response" and record.target_uri:
                responses.setdefault(record.target_uri, []).append(record.record_id)
    for url in {e.capture.fetched_url for e in captures if e.capture is not None}:
        status, _, body = fetch(pywb, f"/{COLLECTION}/cdx?output=json&url={quote(url, safe='')}")
        assert status == 200
        rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
        assert [row["mime"] for row in rows] == ["text/html"] * len(responses[url]), rows
        for row in rows:
            assert row["url"] == url
            assert row["status"] == "200"
    # 004 and 004-copy name one URL: one fetch, one response record (one fetch per URL).
    page_004 = next(e.capture.fetched_url for e in captures if e.verdict.seed_id == "004")
    assert len(responses[page_004]) == 1


@pytest.mark.crawl
@pytest.mark.external
def test_seed_files_replay_from_their_resource_records(
    pywb: str, collection: Path, captures: list[LedgerEntry]
) -> None:
    manifest = load(collection.parent / "seeds" / "seeds.toml")
    for entry in captures:
        resource_id = entry.verdict.evidence["seed"]["resource_record_id"]
        seed_id = entry.verdict.seed_id
        assert entry.capture is not None
        ts = timestamp(entry.capture.captured_at)
        status, headers, body = fetch(pywb, f"/{COLLECTION}/{ts}id_/urn:warcproof:seed:{seed_id}")
        assert status == 200, seed_id
        assert body == manifest.get(seed_id).path.read_bytes(), (seed_id, resource_id)
        assert headers["content-type"].startswith("text/plain")


@pytest.mark.external
@pytest.mark.crawl
def test_after_pywbs_own_wb_manager_add_the_page_url_replays_the_page(
    tmp_path: Path, collection: Path, captures: list[LedgerEntry]
) -> None:
    """pywb indexing the WARCs itself (every record, metadata and conversion included) lists
    only the response under the page URL: the text and the verdict have their own urn: URIs,
    and the text replays under urn:text:URL."""
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    with pywb_server(tmp_path / "pywb", warcs) as base:
        for entry in captures:
            assert entry.capture is not None
            url = entry.capture.fetched_url
            _, _, body = fetch(base, f"/{COLLECTION}/cdx?output=json&url={quote(url, safe='')}")
            rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
            assert {row["mime"] for row in rows} == {"text/html"}, rows
            ts = timestamp(entry.capture.captured_at)
            status, headers, page = fetch(base, f"/{COLLECTION}/{ts}id_/{url}")
            assert status == entry.capture.status
            assert headers["content-type"].startswith("text/html")
            assert page == stored(collection, entry).payload
            conversion_id = entry.verdict.evidence["source"]["conversion_record_id"]
            text = next(
                record
                for warc in warcs
                for record in iter_records(warc)
                if record.record_id == conversion_id
            )
            assert text.target_uri == f"urn:text:{url}"
            status, _, replayed = fetch(base, f"/{COLLECTION}/{ts}id_/urn:text:{url}")
            assert (status, replayed) == (200, text.payload)
