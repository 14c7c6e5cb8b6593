"""The seeds pipeline end to end: `warcproof crawl` (a real Scrapy process) against the replica
origin (a real server process), then the verdicts, the ledger and the WARCs it left."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from provenance.sources.manifest import add_seed, load
from tests.conftest import SEEDS, run_crawl

SEED_004 = (SEEDS / "004_3a71e7ca43e17fc5.txt").read_text("utf-8")
URL_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"

FURNITURE = {
    "000": ["2 min read"],
    "002": ["Related Story"],
    "003": [
        "search",
        "An Iraqi forces M109 self-propelled howitzer fires towards the village",
        "A member of the Iraqi forces dressed in camouflage walks",
        "Join us!",
        "A message from the Editor of Times of Israel",
        "Become a member of The Times of Israel Community",
        "read more:",
        "comments",
    ],
    "004": [
        "Iraq News",
        "Terrorism",
        "Iraqi forces take control of east Mosul after liberating",
        "Do you like this article?",
        "0 Comment(s)",
        "Comment Policy * Denotes Required Field 1500 / 1500",
    ],
}

# (name, seed text, expected verdict, text the evidence must name)
TAMPERED = [
    (
        "figure",
        SEED_004.replace("At least 3,300 ISIL fighters", "At least 3,800 ISIL fighters"),
        "modified",
        "3,800",
    ),
    (
        "inserted",
        SEED_004.replace(
            "Al-Hollandi was in charge of European suicide bombers for ISIL.",
            "Al-Hollandi was in charge of European suicide bombers for ISIL. "
            "Witnesses said he had been seen in Raqqa only a week earlier.",
        ),
        "foreign content",
        "Witnesses said he had been seen in Raqqa only a week earlier.",
    ),
    (
        "deleted",
        SEED_004.replace("Al-Hollandi was in charge of European suicide bombers for ISIL.\n\n", ""),
        "excerpt",
        "Al-Hollandi was in charge of European suicide bombers for ISIL.",
    ),
    (
        "reworded",
        SEED_004.replace(
            "The group has threatened to kill all those who refuse to join its ranks",
            "The group has vowed to kill everyone who refuses to join its ranks",
        ),
        "modified",
        "vowed to kill everyone",
    ),
]


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, replica_origin: str
) -> tuple[Path, list[dict[str, Any]], subprocess.CompletedProcess[str]]:
    """The default corpus plus tampered copies of seed 004, crawled once from the replica."""
    root = tmp_path_factory.mktemp("pipeline")
    corpus = root / "seeds"
    corpus.mkdir()
    for item in SEEDS.iterdir():
        (corpus / item.name).write_bytes(item.read_bytes())
    manifest = corpus / "seeds.toml"
    for name, text, _, _ in TAMPERED:
        source = root / f"tampered-{name}.txt"
        source.write_text(text, "utf-8")
        add_seed(manifest, source, urls=[URL_004], seed_id=f"004-{name}")
    collection = root / "collection"
    result = run_crawl(manifest, collection, replica_origin)
    report = subprocess.run(
        [
            str(Path(sys.executable).parent / "warcproof"),
            "report",
            "--json",
            "--collection",
            str(collection),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return collection, json.loads(report.stdout), result


def by_seed(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["seed_id"]: entry for entry in entries}


@pytest.mark.crawl
def test_crawl_exits_normally_and_prints_the_table(crawled: Any) -> None:
    _, entries, result = crawled
    assert result.returncode == 0, result.stderr
    assert re.search(r"^001 +unverifiable", result.stdout, re.M)
    assert "no source URL is known" in result.stdout
    assert len(entries) == 5 + len(TAMPERED)


@pytest.mark.crawl
@pytest.mark.parametrize("seed_id", ["000", "002", "003", "004"])
def test_seeds_are_faithful_with_their_furniture_named(crawled: Any, seed_id: str) -> None:
    entry = by_seed(crawled[1])[seed_id]
    assert entry["verdict"] == "faithful", entry["reasons"]
    assert entry["capture"]["status"] == 200
    units = entry["evidence"]["assessment"]["seed_units"]
    assert all(u["class"] in ("matched", "furniture") for u in units)
    for line in FURNITURE[seed_id]:
        classes = {u["class"] for u in units if u["text"].startswith(line)}
        assert classes == {"furniture"}, (line, classes)


@pytest.mark.crawl
def test_seed_without_url_is_unverifiable_with_reason(crawled: Any) -> None:
    entry = by_seed(crawled[1])["001"]
    assert entry["verdict"] == "unverifiable"
    assert entry["capture"] is None
    assert "no source URL is known" in " ".join(entry["reasons"])


@pytest.mark.crawl
@pytest.mark.parametrize(("name", "verdict", "named"), [(t[0], t[2], t[3]) for t in TAMPERED])
def test_tampered_copies_get_the_right_verdict(
    crawled: Any, name: str, verdict: str, named: str
) -> None:
    entry = by_seed(crawled[1])[f"004-{name}"]
    assert entry["verdict"] == verdict, entry["reasons"]
    assert named in " ".join(entry["reasons"])


@pytest.mark.crawl
def test_verdict_evidence_points_at_real_records(crawled: Any) -> None:
    collection, entries, _ = crawled
    records: dict[str, Any] = {}
    for path in sorted((collection / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                records[record.rec_headers.get_header("WARC-Record-ID")] = (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Refers-To"),
                    path.name,
                )
    for entry in entries:
        metadata = records[entry["records"]["metadata"]]
        assert metadata[0] == "metadata"
        capture = entry["capture"]
        if capture is None:
            continue
        assert records[capture["response_record_id"]][0] == "response"
        assert records[capture["response_record_id"]][2] == capture["warc_file"]
        assert metadata[1] == capture["response_record_id"]
        conversion = records[entry["records"]["conversion"]]
        assert conversion[:2] == ("conversion", capture["response_record_id"])
        assert entry["digests"]["seed_sha256"] == load(SEEDS / "seeds.toml").get(
            entry["seed_id"][:3]
        ).sha256 or entry["seed_id"].startswith("004-")


@pytest.mark.crawl
def test_no_open_files_and_warcio_check_passes(crawled: Any) -> None:
    collection = crawled[0]
    assert not list((collection / "warcs").glob("*.open"))
    files = sorted((collection / "warcs").glob("*.warc.gz"))
    assert files
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


def raw_body(replica: str, path: str, accept_encoding: str) -> tuple[str | None, bytes]:
    """The Transfer-Encoding and the entity body exactly as the replica sends it (chunking
    removed, content coding kept)."""
    parts = urlsplit(replica)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": accept_encoding})
    response = connection.getresponse()
    body = response.read()  # http.client removes chunking only
    connection.close()
    return response.getheader("Transfer-Encoding"), body


@pytest.mark.crawl
def test_response_payloads_are_byte_identical_to_what_the_replica_sent(
    crawled: Any, replica_origin: str
) -> None:
    collection = crawled[0]
    seen = {"gzip": False, "chunked": False}
    for path in sorted((collection / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                payload = record.raw_stream.read()
                headers = record.http_headers
                encoding = headers.get_header("Content-Encoding") or "identity"
                target = url[len(replica_origin) :]
                transfer, expected = raw_body(replica_origin, target, "gzip, deflate")
                if encoding == "gzip":
                    seen["gzip"] = True
                    assert gzip.decompress(payload) == gzip.decompress(expected)
                    assert payload == expected
                else:
                    assert payload == expected, url
                if transfer == "chunked":
                    seen["chunked"] = True
                    # The body is stored de-chunked, so the head must not claim chunking.
                    assert headers.get_header("Transfer-Encoding") is None
    assert seen == {"gzip": True, "chunked": True}


@pytest.mark.crawl
def test_redirect_from_the_old_url_is_archived_hop_by_hop(
    tmp_path: Path, corpus: Path, replica_origin: str
) -> None:
    old = load(SEEDS / "seeds.toml").get("000").urls[1]
    text = corpus.read_text().replace(
        '"https://newarab.com/news/exclusive-resistance-weakening-militants-flee-mosul-battle",\n',
        "",
    )
    corpus.write_text(text)
    assert load(corpus).get("000").url == old
    collection = tmp_path / "collection"
    result = run_crawl(
        corpus, collection, replica_origin, "--seed", "000",
        "-s", "WARCPROOF_REQUISITES=False",  # the page's hops alone
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    statuses = []
    for path in sorted((collection / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response" and "robots.txt" not in (
                    record.rec_headers.get_header("WARC-Target-URI")
                ):
                    statuses.append(record.http_headers.get_statuscode())
    assert statuses == ["301", "200"]
    assert re.search(r"^000 +faithful", result.stdout, re.M)


@pytest.mark.crawl
def test_gone_missing_and_refused_sources_are_unverifiable_with_the_reason(
    tmp_path: Path, replica_origin: str
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    text = SEEDS / "004_3a71e7ca43e17fc5.txt"
    cases = {
        "gone": "http://diyaruna.com/en_GB/articles/cnmi_di/features/2016/01/01/feature-99",
        "missing": "http://diyaruna.com/en_GB/articles/no-such-page",
    }
    for seed_id, url in cases.items():
        copy = tmp_path / f"{seed_id}.txt"
        copy.write_bytes(text.read_bytes())
        add_seed(manifest, copy, urls=[url], seed_id=seed_id)
    collection = tmp_path / "collection"
    result = run_crawl(manifest, collection, replica_origin)
    # No seed's source could be fetched: the crawl fails, and says so first.
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("warcproof: no seed's source page could be fetched")
    assert re.search(r"^gone +unverifiable", result.stdout, re.M)
    assert "the server answered HTTP 410" in result.stdout
    assert "the server answered HTTP 404" in result.stdout
    # The error pages are archived like any other response.
    statuses = set()
    for path in (collection / "warcs").glob("*.warc.gz"):
        with path.open("rb") as stream:
            statuses |= {
                r.http_headers.get_statuscode()
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            }
    assert {"404", "410"} <= statuses

    # A live crawl (no replica) of a loopback port nobody listens on.
    refused = tmp_path / "refused.txt"
    refused.write_bytes(text.read_bytes())
    add_seed(manifest, refused, urls=["http://127.0.0.1:9/closed"], seed_id="refused")
    live = subprocess.run(
        [
            str(Path(sys.executable).parent / "warcproof"),
            "crawl",
            "--manifest",
            str(manifest),
            "--collection",
            str(collection),
            "--seed",
            "refused",
            "-s",
            "RETRY_TIMES=0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert live.returncode == 1, live.stderr  # no seed fetched
    assert re.search(r"^refused +unverifiable", live.stdout, re.M)
    assert "the fetch failed" in live.stdout


@pytest.mark.crawl
def test_crawl_log_is_clean(crawled: Any) -> None:
    """No tracebacks, no errors, no attempt to download the public suffix list."""
    log = next((crawled[0] / "logs").glob("crawl-*.log")).read_text()
    assert "Traceback" not in log
    assert " ERROR: " not in log
    assert "publicsuffix" not in log.lower()


@pytest.mark.crawl
def test_seed_bytes_travel_in_a_resource_record_linked_from_the_metadata(crawled: Any) -> None:
    collection, entries, _ = crawled
    resources: dict[str, bytes] = {}
    links: dict[str, list[str]] = {}
    for path in sorted((collection / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                if record.rec_type == "resource":
                    resources[record_id] = record.content_stream().read()
                elif record.rec_type == "metadata":
                    links[record_id] = [
                        value
                        for name, value in record.rec_headers.headers
                        if name == "WARC-Concurrent-To"
                    ]
    for entry in entries:
        seed_record = entry["evidence"]["seed"]["resource_record_id"]
        assert links[entry["records"]["metadata"]] == [seed_record]
        if not entry["seed_id"].startswith("004-"):
            seed = load(SEEDS / "seeds.toml").get(entry["seed_id"])
            assert resources[seed_record] == seed.path.read_bytes()
