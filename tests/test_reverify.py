"""Re-verification from the WARCs alone reproduces the crawl's verdicts, and catches a seed
file changed since."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.compare.evidence import EVIDENCE_SCHEMA, RunKind, SourceEvidence
from provenance.ledger.store import Ledger
from provenance.run.reverification import (
    CHUNK,
    WINDOW,
    Task,
    Work,
    _by_capture,
    _Checker,
    _chunks,
    reverify,
)
from provenance.sources.manifest import Seed, load
from tests.conftest import run_crawl
from tests.test_ledger import CAPTURE

WARCPROOF = str(Path(sys.executable).parent / "warcproof")


@pytest.fixture
def crawled(tmp_path: Path, corpus: Path, replica_origin: str) -> Path:
    collection = tmp_path / "collection"
    # The pages alone (requisites would move the page records the cut below must reach).
    result = run_crawl(corpus, collection, replica_origin, "-s", "WARCPROOF_REQUISITES=False")
    assert result.returncode == 0
    return collection


@pytest.mark.crawl
@pytest.mark.parametrize("jobs", [1, 2])
def test_verdicts_are_reproduced_offline(crawled: Path, corpus: Path, jobs: int) -> None:
    result = reverify(crawled, load(corpus), jobs=jobs)
    assert result.verdicts == {
        "000": "faithful",
        "002": "faithful",
        "003": "faithful",
        "004": "faithful",
    }
    assert result.changed == ()
    with Ledger(crawled / "ledger.sqlite") as ledger:
        latest = ledger.entries()  # the crawl: a re-verification is not a crawl
        rechecked = ledger.entries(result.crawl_id)
    assert [e.verdict.seed_id for e in latest] == ["000", "001", "002", "003", "004"]
    assert {e.run for e in latest} == {RunKind.CRAWL}
    assert [e.verdict.seed_id for e in rechecked] == ["000", "002", "003", "004"]
    crawl = {e.verdict.seed_id: e for e in latest}
    for entry in rechecked:
        assert entry.run is RunKind.REVERIFICATION
        assert entry.evidence.run is RunKind.REVERIFICATION
        assert entry.capture == crawl[entry.verdict.seed_id].capture
        # The capture's records and the seed's resource record are kept, not thinned.
        before, after = crawl[entry.verdict.seed_id].evidence, entry.evidence
        assert before.seed.resource_record_id is not None
        assert after.seed.resource_record_id == before.seed.resource_record_id
        assert after.source == before.source
        assert entry.verdict.conversion_record_id == before.source.conversion_record_id
        assert after.schema == EVIDENCE_SCHEMA


@pytest.mark.crawl
def test_reports_after_reverify_show_every_seed_with_its_texts_and_records(
    crawled: Path, corpus: Path, tmp_path: Path
) -> None:
    """demo -> reverify -> report, report --json, report --html, export --bag."""
    reverify(crawled, load(corpus), jobs=1)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [WARCPROOF, *args], capture_output=True, text=True, check=False, timeout=300
        )

    table = run("report", "--collection", str(crawled))
    assert table.returncode == 0, table.stderr
    for seed in ("000", "001", "002", "003", "004"):
        assert f"\n{seed} " in "\n" + table.stdout
    assert table.stdout.count("re-verified offline") == 4

    shown = run("report", "--json", "--collection", str(crawled))
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert [item["seed_id"] for item in report] == ["000", "001", "002", "003", "004"]
    for item in report:
        assert item["evidence"]["schema"] == EVIDENCE_SCHEMA
        if item["seed_id"] != "001":
            assert item["records"]["conversion"]
            assert item["records"]["metadata"]
            assert item["evidence"]["seed"]["resource_record_id"]
            assert item["reverification"]["verdict"] == "faithful"

    page = tmp_path / "report.html"
    html = run("report", "--collection", str(crawled), "--html", str(page))
    assert html.returncode == 0, html.stderr
    text = page.read_text("utf-8")
    assert "could not be read from the collection" not in text
    assert "holds no copy of this seed" not in text
    assert text.count("re-verified offline") == 4  # in each re-verified seed's history

    bag = tmp_path / "bag"
    exported = run("export", str(crawled), "--bag", str(bag), "--manifest", str(corpus))
    assert exported.returncode == 0, exported.stderr
    bagged = json.loads((bag / "data" / "report.json").read_text("utf-8"))
    assert [item["seed_id"] for item in bagged] == ["000", "001", "002", "003", "004"]
    assert all(item["records"]["conversion"] for item in bagged if item["seed_id"] != "001")


@pytest.mark.crawl
def test_a_seed_changed_since_the_crawl_is_caught(crawled: Path, corpus: Path) -> None:
    seed = corpus.parent / "004_3a71e7ca43e17fc5.txt"
    seed.write_text(seed.read_text("utf-8").replace("3,300", "3,800"), "utf-8")
    result = subprocess.run(
        [WARCPROOF, "reverify", "--collection", str(crawled), "--manifest", str(corpus)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "004  modified  (was faithful)" in result.stdout
    assert '"At least 3,800 ISIL fighters were..." reads "At least 3,300' in result.stdout


@pytest.mark.crawl
def test_an_unreadable_capture_is_unverifiable_with_the_reason(crawled: Path, corpus: Path) -> None:
    for warc in (crawled / "warcs").glob("*.warc.gz"):
        data = warc.read_bytes()
        warc.write_bytes(data[: len(data) // 3])  # cut: later records are gone
    result = reverify(crawled, load(corpus), jobs=1)
    broken = [o for o in result.changed if o.verdict.verdict == "unverifiable"]
    assert broken
    for outcome in broken:
        assert "the archived capture cannot be read" in outcome.verdict.reasons[0]
    with Ledger(crawled / "ledger.sqlite") as ledger:
        recorded = {e.verdict.seed_id: e.verdict.verdict for e in ledger.entries(result.crawl_id)}
    assert recorded == dict(result.verdicts)


def test_workers_return_every_verdict_in_order_across_chunks_and_batches(
    tmp_path: Path, corpus: Path
) -> None:
    """More tasks than the workers hold at once (CHUNK x WINDOW per worker) and than one ledger
    batch: each comes back once, with its own task, in order."""
    seeds = load(corpus).seeds
    count = 2 * CHUNK * WINDOW * 2 + 3
    work = [
        (
            Task(
                seeds[n % len(seeds)],
                tmp_path / f"missing-{n}.warc.gz",
                SourceEvidence(source_url="http://x/", warc_offset=n),
                None,
                None,
            ),
            str(n),
            replace(CAPTURE, warc_offset=n),  # distinct captures: chunks cut at CHUNK tasks
        )
        for n in range(count)
    ]
    with _Checker(2) as checker:
        results = list(checker.check(iter(work)))
    assert [item for item, _ in results] == work
    for (task, _, _), verdict in results:
        assert verdict.seed_id == task.seed.id
        assert verdict.verdict == "unverifiable"
        assert f"missing-{task.source.warc_offset}.warc.gz" in verdict.reasons[0]


def _work(captures: list[int]) -> list[Work]:
    """One piece of work per entry, naming capture `n` (its offset) of one WARC file."""
    task = Task(_seed(), Path("w.warc.gz"), SourceEvidence(source_url="http://x/"), None, None)
    return [(task, str(at), replace(CAPTURE, warc_offset=n)) for at, n in enumerate(captures)]


def _seed() -> Seed:
    return Seed(id="s", file="s.txt", path=Path("s.txt"), sha256="0" * 64)


@given(st.lists(st.integers(0, 6), max_size=60), st.integers(1, 20))
def test_the_seeds_of_one_capture_are_gathered_within_the_window(
    captures: list[int], window: int
) -> None:
    work = _work(captures)
    gathered = list(_by_capture(iter(work), window))
    assert sorted(item[1] for item in gathered) == sorted(item[1] for item in work)
    runs = [item[2].warc_offset for item in gathered]
    for n in set(captures):
        places = [at for at, item in enumerate(work) if item[2].warc_offset == n]
        if places[-1] - places[0] < window:  # all within the window of the first: one run
            where = [at for at, offset in enumerate(runs) if offset == n]
            assert where == list(range(where[0], where[0] + len(where)))
    # Chunks never cut a run of one capture; every piece of work goes into exactly one chunk.
    chunks = list(_chunks(gathered, 4))
    assert [item for chunk in chunks for item in chunk] == gathered
    for before, after in itertools.pairwise(chunks):
        assert before[-1][2].warc_offset != after[0][2].warc_offset
