"""Two consecutive crawls of one collection: the second stores unchanged pages as revisit
records pointing at the first crawl's responses, and a page edited between the runs in full;
`warcproof check` is clean, reverify reads revisits through to their payload, and a real pywb
replays both crawls, from the collection with warcproof's index and from the WACZ."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive.collection import Collection
from archive.warc.reader import StoredRecord, iter_records, read_record
from archive.warc.records import REVISIT_PROFILE
from provenance.ledger.store import Ledger, LedgerEntry
from provenance.report.html.texts import CollectionTexts
from replica.routes import DEFAULT_PAGES_DIR
from replica.server import ReplicaServer
from tests.conftest import SEEDS, run_crawl
from tests.pywb import COLLECTION, pywb_server, unpacked_wacz
from tests.test_replay_pywb import fetch, timestamp

BIN = Path(sys.executable).parent
EDITED_PAGE = "004_diyaruna.html"
BEFORE, AFTER = "At least 3,300 ISIL fighters", "At least 3,800 ISIL fighters"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The default corpus crawled twice from a replica whose page 004 is edited in between;
    returns the collection and the two crawls' stdout."""
    root = tmp_path_factory.mktemp("revisits")
    pages = root / "pages"
    shutil.copytree(DEFAULT_PAGES_DIR, pages)
    corpus = root / "seeds"
    shutil.copytree(SEEDS, corpus)
    collection = root / "collection"
    outputs = []
    with ReplicaServer(pages_dir=pages) as replica:
        first = run_crawl(corpus / "seeds.toml", collection, replica.url)
        assert first.returncode == 0, first.stderr
        page = pages / EDITED_PAGE
        page.write_text(page.read_text("utf-8").replace(BEFORE, AFTER), "utf-8")
        second = run_crawl(corpus / "seeds.toml", collection, replica.url)
        assert second.returncode == 3, second.stdout + second.stderr  # an article changed
        outputs = [first.stdout, second.stdout]
    return collection, outputs


def entries(collection: Path, crawl: int) -> dict[str, LedgerEntry]:
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        return {e.verdict.seed_id: e for e in ledger.entries(crawl) if e.capture is not None}


def record(collection: Path, entry: LedgerEntry) -> StoredRecord:
    assert entry.capture is not None
    return read_record(collection / "warcs" / entry.capture.warc_file, entry.capture.warc_offset)


@pytest.mark.crawl
def test_unchanged_pages_are_revisits_of_the_first_crawl_and_the_edited_page_is_full(
    crawls: tuple[Path, list[str]],
) -> None:
    collection, _ = crawls
    first, second = entries(collection, 1), entries(collection, 2)
    assert set(first) == set(second) == {"000", "002", "003", "004"}
    for seed_id, entry in second.items():
        now, before = record(collection, entry), record(collection, first[seed_id])
        assert before.rec_type == "response"
        if seed_id == "004":
            assert now.rec_type == "response"
            assert AFTER.encode() in now.payload
            continue
        assert now.rec_type == "revisit", seed_id
        assert now.payload == b""
        assert now.header("WARC-Profile") == REVISIT_PROFILE
        assert now.header("WARC-Refers-To") == before.record_id
        assert now.header("WARC-Refers-To-Target-URI") == before.target_uri
        assert now.header("WARC-Refers-To-Date") == before.date
        assert now.header("WARC-Payload-Digest") == before.header("WARC-Payload-Digest")
        assert now.http_status == 200  # the new answer's own head is kept
        earlier = first[seed_id].capture
        assert entry.capture is not None
        assert earlier is not None
        assert entry.capture.payload_digest == earlier.payload_digest


@pytest.mark.crawl
def test_the_second_crawl_refers_to_the_seed_files_the_first_archived(
    crawls: tuple[Path, list[str]],
) -> None:
    collection, _ = crawls
    found: dict[str, list[StoredRecord]] = {"resource": [], "revisit": []}
    for warc in sorted((collection / "warcs").glob("*.warc.gz")):
        for stored in iter_records(warc):
            if (stored.target_uri or "").startswith("urn:warcproof:seed:"):
                found[stored.rec_type].append(stored)
    resources = {stored.record_id: stored for stored in found["resource"]}
    assert len(resources) == len(found["revisit"]) == 5  # each seed file once, then referred to
    for revisit in found["revisit"]:
        original = resources[revisit.header("WARC-Refers-To") or ""]
        assert revisit.payload == b""
        assert revisit.header("WARC-Profile") == REVISIT_PROFILE
        assert revisit.header("WARC-Refers-To-Target-URI") == original.target_uri
        assert revisit.header("WARC-Refers-To-Date") == original.date
        assert revisit.header("WARC-Payload-Digest") == original.header("WARC-Payload-Digest")
    texts = CollectionTexts(collection)
    for seed_id, entry in entries(collection, 2).items():
        assert entry.evidence.seed.resource_record_id in resources
        seed = texts.texts(entry).seed  # the report shows the seed text from the first crawl
        assert seed.digest_ok, seed.problem
        file = next((collection.parent / "seeds").glob(f"{seed_id}_*.txt"))
        assert seed.text is not None
        assert seed.text.split() == file.read_text("utf-8").split()


@pytest.mark.crawl
def test_the_second_crawl_stores_the_unchanged_pages_in_far_fewer_bytes(
    crawls: tuple[Path, list[str]],
) -> None:
    collection, _ = crawls
    page_bytes = []
    for crawl in (1, 2):
        unchanged = [e for seed, e in entries(collection, crawl).items() if seed != "004"]
        page_bytes.append(sum(record(collection, entry).length for entry in unchanged))
    assert page_bytes[1] * 5 < page_bytes[0], page_bytes


@pytest.mark.crawl
@pytest.mark.external
def test_check_is_clean_and_the_index_lists_revisits_for_pywb(
    crawls: tuple[Path, list[str]],
) -> None:
    collection, _ = crawls
    check = subprocess.run(
        [str(BIN / "warcproof"), "check", str(collection / "warcs")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    index = (Collection(collection).index).read_text("utf-8").splitlines()
    lines = [json.loads(line.split(" ", 2)[2]) for line in index]
    revisits = [line for line in lines if line["mime"] == "warc/revisit"]
    pages = {e.capture.fetched_url for e in entries(collection, 2).values() if e.capture}
    of_pages = [r for r in revisits if r["url"] in pages or r["url"].endswith("/robots.txt")]
    assert len(of_pages) == 4  # robots.txt and three unchanged pages (requisites aside)
    assert all(line["digest"].startswith("sha1:") for line in revisits)


@pytest.mark.crawl
def test_reverify_reads_a_revisit_through_to_its_original_payload(
    crawls: tuple[Path, list[str]],
) -> None:
    collection, _ = crawls
    result = subprocess.run(
        [
            str(BIN / "warcproof"),
            "reverify",
            "--collection",
            str(collection),
            "--manifest",
            str(collection.parent / "seeds" / "seeds.toml"),
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 verdict(s) changed" in result.stdout
    assert "cannot be read" not in result.stdout


def _replays_both_crawls(base: str, collection: Path) -> None:
    for crawl in (1, 2):
        for seed_id, entry in entries(collection, crawl).items():
            assert entry.capture is not None
            capture = entry.capture
            path = f"/{COLLECTION}/{timestamp(capture.captured_at)}id_/{capture.fetched_url}"
            status, _, body = fetch(base, path)
            assert status == 200, (crawl, seed_id)
            stored = record(collection, entry)
            if stored.rec_type == "revisit":
                stored = record(collection, entries(collection, 1)[seed_id])
            assert body == stored.payload, (crawl, seed_id)


@pytest.mark.crawl
@pytest.mark.external
def test_pywb_replays_both_crawls_from_the_collection(
    crawls: tuple[Path, list[str]], tmp_path: Path
) -> None:
    collection, _ = crawls
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    with pywb_server(tmp_path / "pywb", warcs, index=Collection(collection).index) as base:
        _replays_both_crawls(base, collection)


@pytest.mark.crawl
@pytest.mark.external
def test_pywb_replays_both_crawls_from_the_wacz(
    crawls: tuple[Path, list[str]], tmp_path: Path
) -> None:
    collection, _ = crawls
    files = unpacked_wacz(collection, tmp_path)
    warcs = sorted((files / "archive").glob("*.warc.gz"))
    revisits = [r for w in warcs for r in iter_records(w) if r.rec_type == "revisit"]
    pages = {e.capture.fetched_url for e in entries(collection, 2).values() if e.capture}
    of_pages = [r for r in revisits if r.target_uri in pages or (r.target_uri or "").endswith(
        "/robots.txt")]  # fmt: skip
    assert len(of_pages) == 4  # robots.txt and three unchanged pages (requisites aside)
    with pywb_server(tmp_path / "served", warcs, index=files / "indexes" / "index.cdxj") as base:
        _replays_both_crawls(base, collection)
