"""`warcproof pack`: a WACZ 1.1.1 that `wacz validate` accepts, whose every part is checked here
independently (hashes and sizes, stored WARCs, the index blocks, one page per seed capture with
the extracted text), written in bounded memory."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.collection import Collection
from archive.errors import InvalidInputError, WarcFormatError
from archive.packaging.pages import Page, page_lines
from archive.packaging.wacz import _named, pack_wacz
from archive.warc.reader import iter_records
from provenance.ledger.store import Ledger
from tests.test_index import crawl_corpus

BIN = Path(sys.executable).parent


def pack(collection: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`warcproof pack COLLECTION -o OUT`, its output captured."""
    command = [str(BIN / "warcproof"), "pack", str(collection), "-o", str(out)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


LAYOUT_EXTRA = {
    "indexes/index.cdx.gz",
    "indexes/index.idx",
    "pages/pages.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
}


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory, replica_origin: str) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("wacz")
    collection = crawl_corpus(root, replica_origin)
    wacz = root / "out" / "collection.wacz"
    result = pack(collection, wacz)
    assert result.returncode == 0, result.stderr
    # 000, 002, 003 and 004, whose one fetch 004-copy shares (one fetch per URL): 001 has no URL.
    assert "4 page(s)" in result.stdout
    return collection, wacz


@pytest.mark.crawl
def test_wacz_validate_accepts_it(packed: tuple[Path, Path]) -> None:
    result = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(packed[1])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded, the passed WACZ is valid" in result.stdout
    assert "Version detected as 1.1.1" in result.stdout


@pytest.mark.crawl
def test_layout_stored_warcs_and_datapackage_hashes(packed: tuple[Path, Path]) -> None:
    collection, wacz = packed
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    with zipfile.ZipFile(wacz) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert set(infos) == {f"archive/{w.name}" for w in warcs} | LAYOUT_EXTRA
        for warc in warcs:
            info = infos[f"archive/{warc.name}"]
            assert info.compress_type == zipfile.ZIP_STORED
            assert archive.read(info) == warc.read_bytes()
        assert infos["indexes/index.cdx.gz"].compress_type == zipfile.ZIP_STORED
        package = json.loads(archive.read("datapackage.json"))
        assert package["profile"] == "data-package"
        assert package["wacz_version"] == "1.1.1"
        for key in ("title", "description", "created", "software"):
            assert package[key]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", package["created"])
        listed = {resource["path"]: resource for resource in package["resources"]}
        assert set(listed) == set(infos) - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in listed.items():
            data = archive.read(path)
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert len({resource["name"] for resource in package["resources"]}) == len(listed)
        digest = json.loads(archive.read("datapackage-digest.json"))
        expected = "sha256:" + hashlib.sha256(archive.read("datapackage.json")).hexdigest()
        assert digest == {"path": "datapackage.json", "hash": expected}


@pytest.mark.crawl
def test_index_blocks_hold_the_collection_index(packed: tuple[Path, Path]) -> None:
    collection, wacz = packed
    with zipfile.ZipFile(wacz) as archive:
        blocks = archive.read("indexes/index.cdx.gz")
        idx = archive.read("indexes/index.idx").decode("utf-8").splitlines()
    index = Collection(collection).index
    assert gzip.decompress(blocks).decode("utf-8") == index.read_text("utf-8")
    assert idx[0].startswith("!meta 0 ")
    assert json.loads(idx[0].split(" ", 2)[2])["format"] == "cdxj-gzip-1.0"
    for line in idx[1:]:
        key, ts, fields = line.split(" ", 2)
        block = json.loads(fields)
        data = blocks[block["offset"] : block["offset"] + block["length"]]
        assert block["digest"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert gzip.decompress(data).decode("utf-8").startswith(f"{key} {ts} ")


@pytest.mark.crawl
def test_one_page_per_seed_capture_with_its_extracted_text(packed: tuple[Path, Path]) -> None:
    collection, wacz = packed
    with zipfile.ZipFile(wacz) as archive:
        header, *lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert json.loads(header)["format"] == "json-pages-1.0"
    assert json.loads(header)["hasText"] is True
    pages = [json.loads(line) for line in lines]
    conversions: dict[str, Any] = {}
    for warc in (collection / "warcs").glob("*.warc.gz"):
        for record in iter_records(warc):
            if record.rec_type == "conversion":
                conversions[record.record_id] = record.payload.decode("utf-8")
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        entries = [e for e in ledger.entries() if e.capture is not None]
    # One page per capture: 004 and 004-copy name one URL, fetched once and judged twice.
    assert (len(pages), len(entries)) == (4, 5)
    by_seed = {seed: page for page in pages for seed in page["seeds"]}
    assert by_seed["004"] is by_seed["004-copy"]
    for entry in entries:
        assert entry.capture is not None
        page = by_seed[entry.verdict.seed_id]
        assert page["url"] == entry.capture.fetched_url
        assert page["ts"] == entry.capture.captured_at
        assert page["text"] == conversions[entry.verdict.conversion_record_id]
        assert page["title"] == entry.verdict.evidence["extraction"]["title"]
        assert page["verdicts"][entry.verdict.seed_id] == entry.verdict.verdict
    assert len({page["id"] for page in pages}) == len(pages)
    assert "ISIL ranks depleted" in by_seed["004"]["title"]


@pytest.mark.crawl
def test_pages_are_the_same_when_the_ledger_does_not_place_the_texts(
    packed: tuple[Path, Path], tmp_path: Path
) -> None:
    """A ledger whose observations do not say where the extracted texts are (an older crawl):
    pack finds them by a pass over the WARCs, and lists the same pages."""
    collection, wacz = packed
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy)
    with sqlite3.connect(copy / "ledger.sqlite") as db:
        placed = db.execute(
            "UPDATE observations SET conversion_warc_file = NULL, conversion_warc_offset = NULL"
        ).rowcount
    assert placed > 0
    again = tmp_path / "again.wacz"
    result = pack(copy, again)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(wacz) as first, zipfile.ZipFile(again) as second:
        assert first.read("pages/pages.jsonl") == second.read("pages/pages.jsonl")


def test_packing_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A 64 MiB WARC goes through 1 MiB chunks: peak Python memory stays far below its size."""
    big = tmp_path / "big.warc.gz"
    with big.open("wb") as out:
        for _ in range(64):
            out.write(b"\0" * (1 << 20))
    index = tmp_path / "index.cdxj"
    index.write_text('a)/ 20200101000000 {"url": "http://a/", "filename": "big.warc.gz"}\n')
    page = Page(id="a", url="http://a/", ts="2020-01-01T00:00:00Z", title="A", text="text")
    tracemalloc.start()
    try:
        package = pack_wacz(
            tmp_path / "big.wacz",
            warcs=[big],
            index=index,
            pages=[page],
            title="t",
            description="d",
            software="s",
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert package.resources[0].bytes == 64 << 20
    assert peak < 8 << 20, peak


def test_an_index_naming_other_files_or_unsorted_is_refused(tmp_path: Path) -> None:
    warc = tmp_path / "a.warc.gz"
    warc.write_bytes(b"")
    index = tmp_path / "index.cdxj"
    index.write_text('b)/ 2020 {"filename": "other.warc.gz"}\n')
    target = tmp_path / "x.wacz"

    def pack() -> None:
        pack_wacz(
            target, warcs=[warc], index=index, pages=[], title="t", description="d", software="s"
        )

    with pytest.raises(WarcFormatError, match=r"line 1: names other\.warc\.gz"):
        pack()
    index.write_text('b)/ 2020 {"filename": "a.warc.gz"}\na)/ 2020 {"filename": "a.warc.gz"}\n')
    with pytest.raises(WarcFormatError, match="line 2: the index is not sorted"):
        pack()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.warc.gz", "index.cdxj"]
    with pytest.raises(InvalidInputError, match="at least one WARC"):
        pack_wacz(target, warcs=[], index=index, pages=[], title="t", description="d", software="s")


def test_pack_refuses_a_name_without_wacz_and_a_missing_collection(tmp_path: Path) -> None:
    wrong = pack(tmp_path, tmp_path / "x.zip")
    assert wrong.returncode == 2
    assert "must end in .wacz" in wrong.stderr
    missing = pack(tmp_path / "none", tmp_path / "x.wacz")
    assert missing.returncode == 2
    assert "no warcs/ folder" in missing.stderr
    assert not (tmp_path / "x.wacz").exists()


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=12))
def test_resource_names_are_distinct_and_frictionless_valid(files: list[str]) -> None:
    from archive.packaging.wacz import Resource

    named = _named([Resource("", f"archive/{name}", "sha256:0", 0) for name in files])
    names = [resource.name for resource in named]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[-a-z0-9._]+", name) for name in names)


@given(
    st.text(min_size=1, max_size=20),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.text(max_size=200)),
)
def test_page_lines_round_trip(page_id: str, title: str | None, text: str | None) -> None:
    page = Page(page_id, "http://example.org/a b", "2020-01-01T00:00:00.5+02:00", title, text)
    header, line = (json.loads(raw) for raw in page_lines([page]))
    assert header["format"] == "json-pages-1.0"
    assert line["id"] == page_id
    assert line.get("title") == title
    assert line.get("text") == text
    assert line["ts"] == page.ts


def test_a_page_needs_an_rfc3339_time_and_unclashing_extras() -> None:
    with pytest.raises(InvalidInputError, match="not an RFC 3339"):
        list(page_lines([Page("a", "http://a/", "20200101000000")]))
    with pytest.raises(InvalidInputError, match="clash"):
        list(page_lines([Page("a", "http://a/", "2020-01-01T00:00:00Z", extra={"url": "x"})]))
