"""Hostile responses in one real crawl (issue 14, findings 1 and 2): a header value holding a
NUL, statuses without three digits, a header name that is no token, a page cut short. The
crawl goes on past every one of them, each seed gets a verdict, no verdict is sound without
an archived 2xx capture that arrived whole, and `check` is clean on the collection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.warc.reader import StoredRecord, iter_records
from provenance.sources.manifest import add_seed
from tests.conftest import ROOT, SEEDS, run_crawl
from tests.hostile_origin import HOST, Scripted, hostile_origin, response

PAGE = (ROOT / "replica" / "pages" / "004_diyaruna.html").read_bytes()
SEED_TEXT = (SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes()
HTML = b"Content-Type: text/html; charset=utf-8"
SOUND = {"verbatim", "faithful", "excerpt"}

CASES = {
    "ok": Scripted(response(b"200 OK", [HTML], PAGE)),
    "nul": Scripted(response(b"200 OK", [HTML, b"X-Evil: a\x00b"], PAGE)),
    "badname": Scripted(response(b"200 OK", [HTML, b"Bad Name: x"], PAGE)),
    "s1000": Scripted(response(b"1000 Big", [HTML], PAGE)),
    "s0": Scripted(response(b"0 Zero", [HTML], PAGE)),
    "negative": Scripted(response(b"-1 Minus", [HTML], PAGE)),
    # Half the page arrives, then the connection closes: WARC-Truncated: disconnect.
    "cut": Scripted(response(b"200 OK", [HTML], PAGE, length=len(PAGE)), cut=len(PAGE) // 2),
}


def crawl_hostile(
    root: Path, cases: dict[str, Scripted], *extra: str
) -> tuple[dict[str, dict[str, Any]], list[StoredRecord], subprocess.CompletedProcess[str]]:
    """Crawl one seed per case (the same text, its page served as scripted); returns the
    report entries by seed id, every record, and the crawl's result."""
    folder = root / "seeds"
    folder.mkdir()
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    for case in cases:
        copy = root / f"{case}.txt"
        copy.write_bytes(SEED_TEXT)
        add_seed(manifest, copy, urls=[f"http://{HOST}/{case}"], seed_id=case)
    collection = root / "collection"
    with hostile_origin(cases) as origin:
        result = run_crawl(
            manifest, collection, origin, "-s", "DOWNLOAD_TIMEOUT=20", "-s", "RETRY_TIMES=0",
            *extra,
        )  # fmt: skip
    report = subprocess.run(
        [str(Path(sys.executable).parent / "warcproof"), "report", "--json", "--collection",
         str(collection)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    entries = {e["seed_id"]: e for e in json.loads(report.stdout or "[]")}
    records = [r for p in sorted((collection / "warcs").glob("*.warc.gz")) for r in iter_records(p)]
    return entries, records, result


def check_clean(collection: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "warcproof"), "check", "-q", str(collection / "warcs")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def sound_only_on_whole_2xx(
    entries: dict[str, dict[str, Any]], records: list[StoredRecord]
) -> None:
    """No sound verdict without an archived 2xx response that arrived whole."""
    by_id = {r.record_id: r for r in records}
    for seed_id, entry in entries.items():
        if entry["verdict"] not in SOUND:
            continue
        capture = entry["capture"]
        assert capture is not None, seed_id
        record = by_id[capture["response_record_id"]]
        assert record.http_status is not None, seed_id
        assert 200 <= record.http_status < 300, seed_id
        assert record.header("WARC-Truncated") is None, seed_id


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, dict[str, Any]], list[StoredRecord], Path]:
    root = tmp_path_factory.mktemp("hostile")
    entries, records, result = crawl_hostile(root, CASES)
    assert result.returncode == 0, result.stderr[-3000:]
    return entries, records, root / "collection"


def responses_of(records: list[StoredRecord], case: str) -> list[StoredRecord]:
    return [r for r in records if r.rec_type == "response" and (r.target_uri or "").endswith(case)]


@pytest.mark.crawl
def test_every_seed_gets_a_verdict_and_the_crawl_goes_on(hostile: Any) -> None:
    entries, _, _ = hostile
    assert set(entries) == set(CASES)
    assert entries["ok"]["verdict"] in SOUND


@pytest.mark.crawl
@pytest.mark.parametrize("case", ["nul", "badname"])
def test_a_head_a_record_cannot_hold_is_archived_with_the_change_said(
    hostile: Any, case: str
) -> None:
    entries, records, _ = hostile
    (record,) = responses_of(records, case)
    note = record.header("WARC-Warcproof-Reconstructed") or ""
    if case == "nul":
        assert ("X-Evil", "a%00b") in (record.http_headers or [])
        assert "CR, LF or NUL in the response header X-Evil written as %0D, %0A, %00" in note
    else:
        assert "Bad Name" in note
        assert "dropped" in note
    assert entries[case]["verdict"] in SOUND  # judged on what was archived


@pytest.mark.crawl
@pytest.mark.parametrize("case", ["s1000", "s0", "negative"])
def test_a_status_without_three_digits_is_refused_for_that_exchange_alone(
    hostile: Any, case: str
) -> None:
    entries, records, _ = hostile
    assert responses_of(records, case) == []
    entry = entries[case]
    assert entry["verdict"] == "unverifiable"
    assert entry["capture"] is None


@pytest.mark.crawl
def test_a_cut_page_is_unverifiable_and_says_where_it_was_cut(hostile: Any) -> None:
    entries, records, _ = hostile
    (record,) = responses_of(records, "cut")
    assert record.header("WARC-Truncated") == "disconnect"
    entry = entries["cut"]
    assert entry["verdict"] == "unverifiable"
    reasons = " ".join(entry["reasons"])
    assert f"the page was cut after {len(record.payload)} bytes" in reasons


@pytest.mark.crawl
def test_no_sound_verdict_without_a_whole_2xx_capture_and_check_is_clean(hostile: Any) -> None:
    entries, records, collection = hostile
    sound_only_on_whole_2xx(entries, records)
    checked = check_clean(collection)
    assert checked.returncode == 0, checked.stdout[-3000:]
