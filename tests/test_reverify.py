"""Re-verification from the WARCs alone reproduces the crawl's verdicts, and catches a seed
file changed since."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from provenance.ledger.store import Ledger
from provenance.run.reverification import CHUNK, WINDOW, Task, _Checker, reverify
from provenance.sources.manifest import load
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
        latest = ledger.entries()
    assert [e.verdict.seed_id for e in latest] == ["000", "002", "003", "004"]
    assert all(e.capture is not None for e in latest)


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
            Task(seeds[n % len(seeds)], tmp_path / f"missing-{n}.warc.gz", n, "http://x/"),
            str(n),
            CAPTURE,
        )
        for n in range(count)
    ]
    with _Checker(2) as checker:
        results = list(checker.check(iter(work)))
    assert [item for item, _ in results] == work
    for (task, _, _), verdict in results:
        assert verdict.seed_id == task.seed.id
        assert verdict.verdict == "unverifiable"
        assert f"missing-{task.offset}.warc.gz" in verdict.reasons[0]
