"""A ledger that stays small: each distinct assessment stored once however many crawls record it,
every verdict still read back with its whole evidence as written; schema-3 ledgers migrated,
still readable, and shrunk by `warcproof ledger vacuum`."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.compare.evidence import SourceEvidence, SourceKind
from provenance.compare.seedcheck import examine
from provenance.ledger.store import (
    SCHEMA_VERSION,
    Ledger,
    LedgerLockedError,
    VerdictRow,
    split_evidence,
    verdict_row,
)
from provenance.sources.manifest import Seed
from replica.generated import article_text, page
from tests.conftest import LEDGER_SCHEMA_3

WARCPROOF = str(Path(sys.executable).parent / "warcproof")


def real_verdict(folder: Path, number: int, crawl: int, *, tampered: bool = False) -> VerdictRow:
    """A verdict as a crawl records it: a seed checked against a generated page, its evidence
    naming this crawl's own (made-up) records, as every crawl's do."""
    text = article_text(number, 3000)
    if tampered:
        text = text.replace(" the ", " no ", 5)
    raw = text.encode("utf-8")
    path = folder / f"s{number}{'t' if tampered else ''}.txt"
    path.write_bytes(raw)
    seed = Seed(path.stem, path.name, path, hashlib.sha256(raw).hexdigest(), urls=("http://x/",))
    _, check, _ = examine(seed, page(number, 3000), url="http://x/", content_type="text/html")
    source = SourceEvidence(
        source_url="http://x/",
        fetched_url="http://x/",
        source_kind=SourceKind.LIVE,
        status=200,
        captured_at=f"2026-01-{crawl:02d}T00:00:00Z",
        response_record_id=f"<urn:uuid:{crawl}-{number}>",
    )
    time_axis = {"versions": [{"assessment": {"verdict": "x"}, "source": {"n": crawl}}]}
    evidence = check.evidence(source, seed_record_id=f"<urn:uuid:s{crawl}>", time_axis=time_axis)
    return verdict_row(check, evidence)


def test_unchanged_assessments_are_stored_once(tmp_path: Path) -> None:
    written: dict[tuple[int, str], str] = {}
    with Ledger(tmp_path / "l.sqlite") as ledger:
        for crawl_number in range(1, 6):
            crawl = ledger.begin_crawl(origin="live", settings={})
            for row in (
                real_verdict(tmp_path, 1, crawl_number),
                real_verdict(tmp_path, 2, crawl_number, tampered=True),
            ):
                ledger.record(crawl, row, None)
                written[(crawl, row.seed_id)] = row.evidence.json
        read = {
            (entry.crawl_id, entry.verdict.seed_id): entry.verdict.evidence.json
            for crawl in range(1, 6)
            for entry in ledger.entries(crawl)
        }
        assert read == written  # byte for byte, each naming its own crawl's records
        assert read[(5, "s2t")] != read[(4, "s2t")]
        assert ledger.entries(5)[1].evidence.assessment["verdict"] == "modified"
    with closing(sqlite3.connect(tmp_path / "l.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (2,)
        assert db.execute("SELECT count(*) FROM verdict_rows").fetchone() == (10,)
        (stored,) = db.execute("SELECT sum(length(evidence)) FROM verdict_rows").fetchone()
    assert stored < sum(map(len, written.values())) / 3


@given(
    head=st.dictionaries(st.text(max_size=5), st.recursive(st.text(), st.lists), max_size=4),
    assessment=st.recursive(st.text(max_size=8), lambda inner: st.dictionaries(st.text(), inner)),
)
def test_evidence_splits_only_at_its_top_level_assessment(head: dict, assessment: object) -> None:
    head.pop("assessment", None)
    head["nested"] = {"assessment": assessment}  # never mistaken for the top-level one
    text = json.dumps({**head, "assessment": assessment}, ensure_ascii=False, separators=(",", ":"))
    parts = split_evidence(text)
    assert parts is not None
    assert json.loads(parts[0]) == head
    assert json.loads(parts[1]) == assessment
    assert parts[0][:-1] + ',"assessment":' + parts[1] + "}" == text
    assert split_evidence(json.dumps(head)) is None


def schema_3_ledger(path: Path, folder: Path, crawls: int) -> dict[tuple[int, str], str]:
    """A ledger as warcproof 0.2 wrote it, its evidence whole; returns that evidence."""
    written = {}
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(LEDGER_SCHEMA_3)
        db.execute("PRAGMA user_version = 3")
        for crawl in range(1, crawls + 1):
            db.execute(
                "INSERT INTO crawls (id, started, origin) VALUES (?, '2026-01-01', 'live')",
                (crawl,),
            )
            for number in range(3):
                row = real_verdict(folder, number, crawl)
                db.execute(
                    """INSERT INTO verdicts (crawl_id, seed_id, verdict, reasons, counts,
                       evidence, decided_at) VALUES (?, ?, ?, '[]', '{}', ?, '2026-01-01')""",
                    (crawl, row.seed_id, row.verdict.value, row.evidence.json),
                )
                written[(crawl, row.seed_id)] = row.evidence.json
    return written


def test_a_schema_3_ledger_is_read_then_vacuumed_smaller(tmp_path: Path) -> None:
    collection = tmp_path / "collection"
    collection.mkdir()
    path = collection / "ledger.sqlite"
    written = schema_3_ledger(path, tmp_path, crawls=12)

    def read_back() -> dict[tuple[int, str], str]:
        with Ledger(path) as ledger:
            return {
                (entry.crawl_id, entry.verdict.seed_id): entry.verdict.evidence.json
                for crawl in range(1, 13)
                for entry in ledger.entries(crawl)
            }

    assert read_back() == written  # migrated to schema 4 on open, evidence whole
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    size = path.stat().st_size

    result = subprocess.run(
        [WARCPROOF, "ledger", "vacuum", "--collection", str(collection)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "36 verdict(s) now share their assessment" in result.stdout
    assert read_back() == written
    assert path.stat().st_size < size * 0.7  # 3 KB articles: larger ones shrink more
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (3,)


def test_vacuum_without_a_ledger_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [WARCPROOF, "ledger", "vacuum", "--collection", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "no ledger here" in result.stderr
    assert not (tmp_path / "none").exists()


def test_vacuum_while_another_process_holds_the_ledger_changes_nothing(tmp_path: Path) -> None:
    collection = tmp_path / "collection"
    collection.mkdir()
    path = collection / "ledger.sqlite"
    written = schema_3_ledger(path, tmp_path, crawls=1)
    Ledger(path).close()  # migrated: the rows still hold their whole evidence
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        with Ledger(path, create=False, busy_timeout=0.2) as ledger:
            holder.execute("BEGIN EXCLUSIVE")  # as a crawl writing a verdict holds it
            with pytest.raises(LedgerLockedError, match="locked by another process"):
                ledger.vacuum()
            holder.execute("ROLLBACK")
    finally:
        holder.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM assessments").fetchone() == (0,)
        evidence = db.execute("SELECT crawl_id, seed_id, evidence FROM verdicts").fetchall()
    assert {(crawl, seed): text for crawl, seed, text in evidence} == written
