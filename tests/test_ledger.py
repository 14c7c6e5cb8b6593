from __future__ import annotations

import sqlite3
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from archive.collection import Collection
from provenance.compare.evidence import SerialisedEvidence, SourceKind
from provenance.ledger.store import CaptureRow, Ledger, LedgerError, VerdictRow

CAPTURE = CaptureRow(
    source_url="https://example.org/a",
    fetched_url="http://127.0.0.1:1/example.org/a",
    source_kind=SourceKind.REPLICA,
    status=200,
    captured_at="2026-11-21T10:00:00.000001Z",
    warc_file="w.warc.gz",
    warc_offset=1234,
    warc_length=567,
    response_record_id="<urn:uuid:1>",
    request_record_id="<urn:uuid:2>",
    payload_digest="sha1:ABC",
    redirects=("http://old/",),
)


def verdict(seed_id: str, value: str = "faithful") -> VerdictRow:
    return VerdictRow(
        seed_id=seed_id,
        verdict=value,
        reasons=("Page furniture: x",),
        counts={"matched": 3, "furniture": 1},
        evidence=SerialisedEvidence('{"k":[1,2]}'),
        seed_sha256="0" * 64,
    )


def test_round_trip_and_latest_crawl(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = ledger.begin_crawl(origin="replica", settings={"a": 1})
        ledger.record(first, verdict("000"), CAPTURE)
        ledger.finish_crawl(first, "finished")
        second = ledger.begin_crawl(origin="live", settings={})
        ledger.record(second, verdict("001", "unverifiable"), None)
        ledger.record(second, verdict("000", "modified"), CAPTURE)
    with Ledger(tmp_path / "l.sqlite", create=False) as ledger:
        entries = ledger.entries()
        assert [(e.verdict.seed_id, e.verdict.verdict) for e in entries] == [
            ("000", "modified"),
            ("001", "unverifiable"),
        ]
        assert entries[0].capture == CAPTURE
        assert entries[1].capture is None
        assert entries[0].verdict.counts == {"matched": 3, "furniture": 1}
        assert [e.verdict.verdict for e in ledger.entries(first)] == ["faithful"]


def test_a_failed_record_leaves_nothing_half_written(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        crawl = ledger.begin_crawl(origin="live", settings={})
        ledger.record(crawl, verdict("000"), CAPTURE)
        bad = VerdictRow(
            seed_id="000",
            verdict=None,  # type: ignore[arg-type]
            reasons=(),
            counts={},
            evidence=SerialisedEvidence("{}"),
        )
        with pytest.raises(LedgerError):
            ledger.record(crawl, bad, CAPTURE)  # NOT NULL verdict fails after the capture insert
    with closing(sqlite3.connect(tmp_path / "l.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM captures").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM verdicts").fetchone() == (1,)


def test_corrupt_or_missing_ledger_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="cannot open the ledger"):
        Ledger(path)
    with pytest.raises(LedgerError, match="no ledger here"):
        Ledger(tmp_path / "absent.sqlite", create=False)


def test_a_locked_ledger_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        crawl = ledger.begin_crawl(origin="live", settings={})
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with Ledger(path, busy_timeout=0.2) as ledger:
            holder.execute("BEGIN EXCLUSIVE")
            with pytest.raises(LedgerError, match="locked by another process"):
                ledger.record(crawl, verdict("000"), CAPTURE)
            holder.execute("ROLLBACK")
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(LedgerError, match="cannot open the ledger: it is locked"):
            Ledger(path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Ledger(path) as ledger:
        assert ledger.entries(crawl) == []  # nothing half-written


def _open_and_begin(path: Path) -> int:
    with Ledger(path) as ledger:
        return ledger.begin_crawl(origin="live", settings={})


def test_processes_opening_a_new_ledger_at_once_all_succeed(tmp_path: Path) -> None:
    """Crawler processes of one distributed run create the ledger at the same moment."""
    for attempt in range(5):
        path = tmp_path / f"l{attempt}.sqlite"
        with ProcessPoolExecutor(6) as pool:
            crawls = sorted(pool.map(_open_and_begin, [path] * 12))
        assert crawls == list(range(1, 13))


def test_a_ledger_missing_a_table_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE verdict_rows")
    with pytest.raises(LedgerError, match=r"damaged \(table verdict_rows missing\)"):
        Ledger(path)


def test_a_ledger_with_a_damaged_page_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        for number in range(400):
            ledger.begin_crawl(origin="live", settings={"filler": "x" * 200, "n": number})
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    assert pages > 10
    with path.open("r+b") as handle:  # an inner page of the crawls table zeroed
        handle.seek(page_size * (pages // 2))
        handle.write(b"\0" * page_size)
    with pytest.raises(LedgerError, match=r"damaged|malformed"):
        Ledger(path)


def test_report_after_a_killed_crawl_says_it_is_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from provenance.cli.main import main

    collection = tmp_path / "collection"
    with Ledger(Collection(collection).ledger) as ledger:
        crawl = ledger.begin_crawl(origin="live", settings={})
        ledger.record(crawl, verdict("000"), CAPTURE)  # then the crawl was killed
    assert main(["report", "--collection", str(collection)]) == 0
    err = capsys.readouterr().err
    assert "crawl 1 is incomplete (no finish recorded: killed, or still running)" in err
    with Ledger(Collection(collection).ledger) as ledger:
        ledger.finish_crawl(crawl, "finished")
    assert main(["report", "--collection", str(collection)]) == 0
    assert "incomplete" not in capsys.readouterr().err
