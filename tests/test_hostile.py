"""Hostile responses in one real crawl (issue 14, findings 1 and 2): a header value holding a
NUL, statuses without three digits, a header name that is no token, a page cut short. The
crawl goes on past every one of them, each seed gets a verdict, no verdict is sound without
an archived 2xx capture that arrived whole, and `check` is clean on the collection."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from archive.collection import Collection
from archive.warc.reader import StoredRecord, iter_records
from archive.warc.records import archivable, exchange_specs
from provenance.ledger.store import Ledger
from provenance.run.reverification import reverify
from provenance.sources.manifest import add_seed, load
from tests.conftest import ROOT, SEEDS, crawl_command, run_crawl
from tests.hostile_origin import HOST, Scripted, hostile_origin, response
from tests.test_archive_writer import make_exchange

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
    "s404": Scripted(response(b"404 Not Found", [HTML], PAGE)),
    "s999": Scripted(response(b"999 Odd", [HTML], PAGE)),
    # Half the page arrives, then the connection closes: WARC-Truncated: disconnect.
    "cut": Scripted(response(b"200 OK", [HTML], PAGE, length=len(PAGE)), cut=len(PAGE) // 2),
}


def crawl_hostile(
    root: Path, cases: dict[str, Scripted], *extra: str, origin: str | None = None
) -> tuple[dict[str, dict[str, Any]], list[StoredRecord], subprocess.CompletedProcess[str]]:
    """Crawl one seed per case (the same text, its page served as scripted, by a new origin
    or the running `origin`); returns the report entries by seed id, every record, and the
    crawl's result."""
    folder = root / "seeds"
    folder.mkdir()
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    for case in cases:
        copy = root / f"{case}.txt"
        copy.write_bytes(SEED_TEXT)
        add_seed(manifest, copy, urls=[f"http://{HOST}/{case}"], seed_id=case)
    collection = root / "collection"
    options = ("-s", "DOWNLOAD_TIMEOUT=20", "-s", "RETRY_TIMES=0", *extra)
    if origin is not None:
        result = run_crawl(manifest, collection, origin, *options)
    else:
        with hostile_origin(cases) as served:
            result = run_crawl(manifest, collection, served, *options)
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
def test_a_nul_in_a_header_is_archived_with_the_change_said(hostile: Any) -> None:
    entries, records, _ = hostile
    (record,) = responses_of(records, "nul")
    assert ("X-Evil", "a%00b") in (record.http_headers or [])
    note = record.header("WARC-Warcproof-Reconstructed") or ""
    assert "CR, LF or NUL in the response header X-Evil written as %0D, %0A, %00" in note
    assert entries["nul"]["verdict"] in SOUND  # judged on what was archived


@pytest.mark.crawl
def test_a_header_name_the_http_client_refuses_is_a_named_fetch_failure(hostile: Any) -> None:
    entries, records, _ = hostile
    assert responses_of(records, "badname") == []  # Twisted refuses the head: nothing arrived
    entry = entries["badname"]
    assert entry["verdict"] == "unverifiable"
    assert "the fetch failed: InvalidHeaderName: b'bad name'" in " ".join(entry["reasons"])


def test_a_head_a_record_cannot_hold_is_made_archivable_and_says_so() -> None:
    exchange = make_exchange(
        request_headers=[("X-Split", "a\r\nInjected: yes")],
        response_headers=[("Bad Name", "x"), ("X-Nul", "a\x00b"), ("Content-Type", "text/html")],
    )
    fixed = archivable(exchange)
    assert fixed.request_headers == [("X-Split", "a%0D%0AInjected: yes")]
    assert fixed.response_headers == [("X-Nul", "a%00b"), ("Content-Type", "text/html")]
    assert "response header 'Bad Name' dropped" in (fixed.reconstructed or "")
    assert archivable(make_exchange()) == make_exchange()  # a clean head is left alone
    response_spec, _ = exchange_specs(fixed)  # and the writer accepts the result
    assert response_spec.headers[-1][0] == "WARC-Warcproof-Reconstructed"


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


@pytest.mark.crawl
def test_reverify_refuses_what_the_crawl_refuses(hostile: Any) -> None:
    entries, _, collection = hostile
    manifest = collection.parent / "seeds" / "seeds.toml"
    result = reverify(collection, load(manifest), jobs=1)
    for case in ("s404", "s999", "cut"):
        assert entries[case]["capture"] is not None, case  # the crawl recorded the capture
        assert result.verdicts[case] == "unverifiable", case
    assert result.verdicts["ok"] == entries["ok"]["verdict"]
    with Ledger(Collection(collection).ledger) as ledger:
        latest = {e.verdict.seed_id: e for e in ledger.entries()}
    assert "the server answered HTTP 404" in " ".join(latest["s404"].verdict.reasons)
    assert "the page was cut after" in " ".join(latest["cut"].verdict.reasons)


@pytest.mark.crawl
def test_no_remote_control_endpoint_is_enabled(hostile: Any) -> None:
    _, _, collection = hostile
    (log,) = Collection(collection).logs.glob("*.log")
    enabled = log.read_text("utf-8").partition("Enabled extensions:")[2].partition("]")[0]
    assert "spiders.extensions.capture.WarcCaptureExtension" in enabled
    assert "RemoteControl" not in enabled
    assert "TelnetConsole" not in enabled


@pytest.mark.crawl
@pytest.mark.parametrize(("address", "base"), [("::1", None), ("127.0.0.1", "localhost")])
def test_ipv6_literals_and_names_are_fetched_through_the_pinned_resolver(
    tmp_path: Path, address: str, base: str | None
) -> None:
    cases = {"ok": CASES["ok"]}
    with hostile_origin(cases, address=address) as origin:
        if base is not None:  # the same origin, named instead of numbered
            origin = origin.replace(address, base)
        entries, records, result = crawl_hostile(tmp_path, cases, origin=origin)
    assert result.returncode == 0, result.stderr[-3000:]
    assert entries["ok"]["verdict"] in SOUND, entries["ok"]["reasons"]
    (record,) = responses_of(records, "ok")
    assert record.header("WARC-IP-Address") == address


@pytest.mark.crawl
def test_a_damaged_ledger_stops_the_crawl_before_anything_is_fetched(tmp_path: Path) -> None:
    collection = tmp_path / "collection"
    Ledger(Collection(collection).ledger).close()
    with closing(sqlite3.connect(Collection(collection).ledger)) as db, db:
        db.execute("DROP TABLE captures")
    _, records, result = crawl_hostile(tmp_path, {"ok": CASES["ok"]})
    assert result.returncode != 0
    assert "the ledger is damaged (table captures missing)" in result.stderr
    assert [r for r in records if r.rec_type == "response"] == []


@pytest.mark.crawl
def test_a_silent_host_is_asked_once(tmp_path: Path) -> None:
    hits: dict[str, int] = {}
    cases = {"silent": Scripted(b"", silent=True)}
    with hostile_origin(cases, hits=hits) as origin:
        entries, _, result = crawl_hostile(
            tmp_path, cases, "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=2", origin=origin
        )
    # The only seed could not be fetched: the crawl says so first and exits 1.
    assert result.returncode == 1, result.stderr[-3000:]
    assert "no seed's source page could be fetched" in result.stderr
    assert hits[f"/{HOST}/silent"] == 1  # not once more per retry
    assert "took longer than 3.0 seconds" in " ".join(entries["silent"]["reasons"])


@pytest.mark.crawl
@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_warcproof_crawl_reaches_the_crawler(
    tmp_path: Path, sent: signal.Signals
) -> None:
    """SIGTERM is passed on; SIGKILL of `warcproof crawl` makes the kernel send the crawler
    SIGTERM (PR_SET_PDEATHSIG). Either way the crawler starts its shutdown instead of
    running on, orphaned, with the collection's lock."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    (tmp_path / "s.txt").write_bytes(SEED_TEXT)
    add_seed(manifest, tmp_path / "s.txt", urls=[f"http://{HOST}/silent"], seed_id="s")
    collection = tmp_path / "collection"
    with hostile_origin({"silent": Scripted(b"", silent=True)}) as origin:
        command = crawl_command(manifest, collection, origin, "-s", "DOWNLOAD_TIMEOUT=30")
        parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lock = Collection(collection).lock
        while not (lock.exists() and lock.read_text()):
            assert parent.poll() is None
            time.sleep(0.1)
        crawler = int(json.loads(lock.read_text().splitlines()[0])["pid"])
        assert crawler != parent.pid
        (log,) = Collection(collection).logs.glob("*.log")
        try:
            while "Spider opened" not in log.read_text("utf-8"):
                time.sleep(0.1)
            parent.send_signal(sent)
            deadline = time.monotonic() + 120
            while "Received SIGTERM" not in log.read_text("utf-8"):
                assert time.monotonic() < deadline, "the crawler never got the signal"
                time.sleep(0.2)
        finally:
            for pid in (crawler, parent.pid):  # the test's own processes, whatever happened
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            parent.wait(timeout=60)


@pytest.mark.crawl
def test_an_archive_redirecting_a_replay_to_another_page_is_not_judged(tmp_path: Path) -> None:
    """Both seeds' pages are gone (410); the archive lists a capture of each, but replays one
    by redirecting to a capture of another page holding the seed's article."""
    gone = Scripted(response(b"410 Gone", [HTML], b"gone"))
    stamp = "20200101000000"
    listing = [["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]]
    for case in ("kept", "moved"):
        listing.append([f"test,hostile)/{case}", stamp, f"http://{HOST}/{case}", "text/html",
                        "200", "sha1:X", "100"])  # fmt: skip
    memento = [HTML, b"Memento-Datetime: Wed, 01 Jan 2020 00:00:00 GMT"]
    elsewhere = f"/web/{stamp}id_/http://evil.test/other"
    archive = {
        "/web/cdx": Scripted(response(b"200 OK", [], json.dumps(listing).encode())),
        f"/web/{stamp}id_/http://{HOST}/kept": Scripted(response(b"200 OK", memento, PAGE)),
        f"/web/{stamp}id_/http://{HOST}/moved": Scripted(
            response(b"302 Found", [f"Location: {elsewhere}".encode()], b"")
        ),
        elsewhere: Scripted(response(b"200 OK", memento, PAGE)),
    }
    with hostile_origin(archive) as wayback:
        entries, records, result = crawl_hostile(
            tmp_path,
            {"kept": gone, "moved": gone},
            "-s",
            f"WARCPROOF_WAYBACK_URL={wayback}",
            "-s",
            "WARCPROOF_WAYBACK_CDX={base}/web/cdx",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert entries["kept"]["verdict"] in SOUND, entries["kept"]["reasons"]
    assert entries["kept"]["capture"]["source_kind"] == "archived"
    moved = entries["moved"]
    assert moved["verdict"] == "unverifiable", moved["reasons"]
    assert "which is not a capture of the seed's page: not used" in " ".join(moved["reasons"])
    # Archived all the same: what the archive sent is kept.
    assert any((r.target_uri or "").endswith(elsewhere) for r in records)
