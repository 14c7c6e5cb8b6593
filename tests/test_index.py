"""The collection's CDXJ index: written by the crawl itself (the indexing extension), sorted,
made of the records that replay under their own URI, equal to cdxj-indexer's own output, and
kept up to date incrementally."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.check.checker import check
from archive.check.problems import Problem
from archive.collection import Collection
from archive.index.collection_index import _write_unique, index_collection
from archive.warc.reader import iter_records, read_record
from archive.warc.record_uris import text_uri
from archive.warc.writer import WarcWriter
from provenance.cli.main import main
from provenance.sources.manifest import add_seed
from tests.conftest import SEEDS, run_crawl
from tests.test_check_warc import exchange, written_warc

BIN = Path(sys.executable).parent
URL_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"


def crawl_corpus(root: Path, replica: str, *, second_copy_of_004: bool = True) -> Path:
    """The default corpus (plus, by default, a second seed with 004's URL, so one page has two
    captures) crawled from the replica into `root/collection`; returns the collection."""
    corpus = root / "seeds"
    shutil.copytree(SEEDS, corpus)
    if second_copy_of_004:
        copy = root / "copy-of-004.txt"
        copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
        add_seed(corpus / "seeds.toml", copy, urls=[URL_004], seed_id="004-copy")
    collection = root / "collection"
    result = run_crawl(corpus / "seeds.toml", collection, replica)
    assert result.returncode == 0, result.stderr
    return collection


def cdxj(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    lines = []
    for line in path.read_text("utf-8").splitlines():
        key, ts, fields = line.split(" ", 2)
        lines.append((key, ts, json.loads(fields)))
    return lines


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory, replica_origin: str) -> Path:
    return crawl_corpus(tmp_path_factory.mktemp("index"), replica_origin)


@pytest.mark.crawl
def test_the_crawl_leaves_a_sorted_index_of_every_replayable_record(collection: Path) -> None:
    index = Collection(collection).index
    assert index.exists()  # written by the indexing extension, at the end of the crawl
    log = next((collection / "logs").glob("crawl-*.log")).read_text()
    assert "spiders.extensions.indexing" in log
    raw = index.read_text("utf-8").splitlines()
    assert raw == sorted(raw)
    indexed = {(e["filename"], int(e["offset"]), int(e["length"])) for _, _, e in cdxj(index)}
    expected = set()
    types = set()
    for warc in sorted((collection / "warcs").glob("*.warc.gz")):
        for record in iter_records(warc):
            types.add(record.rec_type)
            if record.rec_type in ("response", "revisit", "resource"):
                expected.add((warc.name, record.offset, record.length))
    assert {"conversion", "metadata", "request", "warcinfo"} <= types
    assert indexed == expected
    for _, _, entry in cdxj(index):
        record = read_record(collection / "warcs" / entry["filename"], int(entry["offset"]))
        assert record.target_uri == entry["url"]
        assert record.rec_type in ("response", "resource")
    seeds = [e["url"] for _, _, e in cdxj(index) if e["url"].startswith("urn:")]
    assert sorted(seeds) == [
        f"urn:warcproof:seed:{s}" for s in ("000", "001", "002", "003", "004", "004-copy")
    ]


@pytest.mark.crawl
def test_page_urls_have_only_their_responses_in_the_index(collection: Path) -> None:
    """The conversion and metadata records share the page URL; none may be indexed under it."""
    by_url: dict[str, list[str]] = {}
    for _, _, entry in cdxj(Collection(collection).index):
        by_url.setdefault(entry["url"], []).append(entry["mime"])
    page = next(url for url in by_url if url.endswith("feature-01"))
    assert by_url[page] == ["text/html"]  # one fetch for 004 and 004-copy (one per URL)
    assert not any("json" in mime for mimes in by_url.values() for mime in mimes)


@pytest.mark.crawl
def test_the_index_equals_cdxj_indexers_own_output_and_warcio_check_passes(
    collection: Path,
) -> None:
    warcs = sorted(str(p) for p in (collection / "warcs").glob("*.warc.gz"))
    theirs = subprocess.run(
        [str(BIN / "cdxj-indexer"), "--records", "response,revisit,resource", "-p", "-s", *warcs],
        capture_output=True,
        text=True,
        check=True,
    )
    assert theirs.stdout == (Collection(collection).index).read_text("utf-8")
    check = subprocess.run(
        [str(BIN / "warcio"), "check", "-v", *warcs], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout


@pytest.mark.crawl
def test_a_second_crawl_is_merged_in_and_equals_a_full_rebuild(
    collection: Path, tmp_path: Path, replica_origin: str
) -> None:
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy)
    before = cdxj(Collection(copy).index)
    result = run_crawl(
        SEEDS / "seeds.toml", copy, replica_origin, "--seed", "002",
        "-s", "WARCPROOF_REQUISITES=False",  # the page alone: its requisites are counted elsewhere
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    after = (Collection(copy).index).read_text("utf-8")
    assert len(list((copy / "warcs").glob("*.warc.gz"))) == 2
    # robots.txt, seed 002's page and its seed file
    assert len(cdxj(Collection(copy).index)) == len(before) + 3
    # Once more: nothing new to index, nothing changes.
    update = index_collection(copy)
    assert update.added == ()
    assert not update.rebuilt
    assert (Collection(copy).index).read_text("utf-8") == after
    rebuilt = index_collection(copy, rebuild=True)
    assert rebuilt.rebuilt
    assert len(rebuilt.added) == 2
    assert (Collection(copy).index).read_text("utf-8") == after


@pytest.mark.crawl
def test_a_warc_gone_from_the_collection_forces_a_rebuild(collection: Path, tmp_path: Path) -> None:
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy)
    index = Collection(copy).index
    index.write_text(
        index.read_text("utf-8")
        + 'zz,gone)/ 20200101000000 {"url": "http://gone.zz/", "filename": "gone.warc.gz"}\n',
        "utf-8",
    )
    update = index_collection(copy)
    assert update.rebuilt
    assert index.read_text("utf-8") == (Collection(collection).index).read_text("utf-8")


@pytest.mark.crawl
def test_a_truncated_warc_is_refused_by_name_and_the_index_is_kept(
    collection: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy)
    good = copy / "warcs" / "warcproof-20200101000000000-00000-1~host.warc.gz"
    data = next((collection / "warcs").glob("*.warc.gz")).read_bytes()
    good.write_bytes(data[: len(data) - 100])
    before = (Collection(copy).index).read_bytes()
    result = subprocess.run(
        [str(BIN / "warcproof"), "index", str(copy)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert good.name in result.stderr
    assert "truncated" in result.stderr
    assert (Collection(copy).index).read_bytes() == before
    assert not list((copy / "indexes").glob(".index-*"))


@pytest.mark.crawl
def test_index_command_reports_and_refuses_a_folder_without_warcs(
    collection: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [str(BIN / "warcproof"), "index", str(collection)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "0 new WARC file(s) added" in done.stdout
    empty = subprocess.run(
        [str(BIN / "warcproof"), "index", str(tmp_path)], capture_output=True, text=True
    )
    assert empty.returncode == 2
    assert "no warcs/ folder" in empty.stderr


@given(st.lists(st.lists(st.sampled_from("abc"), max_size=4).map("".join), max_size=30))
def test_merging_sorted_runs_keeps_each_line_once_in_order(words: list[str]) -> None:
    import heapq
    import io

    half = len(words) // 2
    runs = [sorted(f"{w}\n" for w in words[:half]), sorted(f"{w}\n" for w in words[half:])]
    out = io.StringIO()
    count = _write_unique(heapq.merge(*runs), out)
    expected = sorted({f"{w}\n" for w in words})
    assert out.getvalue() == "".join(expected)
    assert count == len(expected)


@pytest.mark.crawl
def test_indexing_on_close_can_be_switched_off(tmp_path: Path, replica_origin: str) -> None:
    collection = tmp_path / "collection"
    result = run_crawl(
        SEEDS / "seeds.toml",
        collection,
        replica_origin,
        "--seed",
        "002",
        "-s",
        "WARCPROOF_INDEX_ON_CLOSE=False",
    )
    assert result.returncode == 0, result.stderr
    assert list((collection / "warcs").glob("*.warc.gz"))
    assert not (Collection(collection).index).exists()


@pytest.mark.crawl
def test_old_and_new_record_uris_and_plain_warcs_are_indexed_alike(tmp_path: Path) -> None:
    """A collection written before (text and verdict records under the page's URL) next to a
    plain .warc in today's layout (the text under urn:text:URL): both are indexed, and only
    the responses stand under the pages' URLs."""
    warcs = Collection(tmp_path / "collection").warcs
    old, _ = written_warc(warcs)
    with WarcWriter(tmp_path / "new") as writer:
        _, response = writer.write_exchange(exchange(7))
        text = text_uri(response.target_uri)
        writer.write_conversion(text, b"text", "text/plain", refers_to=response)
    (new,) = (tmp_path / "new").glob("*.warc.gz")
    plain = warcs / new.name.removesuffix(".gz")
    plain.write_bytes(gzip.decompress(new.read_bytes()))
    update = index_collection(tmp_path / "collection")
    assert set(update.warcs) == {old.name, plain.name}
    lines = cdxj(update.path)
    assert {fields["filename"] for _, _, fields in lines} == {old.name, plain.name}
    responses = {
        record.target_uri for record in iter_records(old) if record.rec_type == "response"
    } | {response.target_uri}
    assert sorted(fields["url"] for _, _, fields in lines) == sorted(responses)


@pytest.mark.crawl
def test_a_plain_warc_in_a_collection_is_listed_indexed_packed_and_checked(
    collection: Path, tmp_path: Path
) -> None:
    """A plain `.warc` added by hand to a crawled collection is one of its closed WARC files for
    `index`, `pack` and `check DIR`; an `.open` file is not (it is still being written)."""
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy)
    layout = Collection(copy)
    with WarcWriter(tmp_path / "new") as writer:
        _, response = writer.write_exchange(exchange(7))
    (new,) = (tmp_path / "new").glob("*.warc.gz")
    plain = layout.warcs / new.name.removesuffix(".gz")
    plain.write_bytes(gzip.decompress(new.read_bytes()))
    crawled = layout.closed_warcs()
    still_open = layout.warcs / (new.name + ".open")
    shutil.copy(new, still_open)  # its records again: checked, they would be duplicates
    assert plain in crawled
    assert layout.closed_warcs() == crawled
    assert still_open not in crawled

    assert main(["index", str(copy)]) == 0
    lines = cdxj(layout.index)
    assert {fields["filename"] for _, _, fields in lines} == {warc.name for warc in crawled}
    assert response.target_uri in {fields["url"] for _, _, fields in lines}
    wacz = tmp_path / "x.wacz"
    assert main(["pack", str(copy), "-o", str(wacz)]) == 0
    with zipfile.ZipFile(wacz) as package:
        assert f"archive/{plain.name}" in package.namelist()

    found: list[Problem] = []
    summary = check([layout.warcs], on_problem=found.append)
    assert [p for p in found if p.level != "info"] == []
    assert str(plain) in summary.by_file
    assert [path for path, _ in summary.not_checked] == [str(still_open)]
    found.clear()
    check([wacz], on_problem=found.append)  # apart: the WACZ holds the same records again
    assert found == []
