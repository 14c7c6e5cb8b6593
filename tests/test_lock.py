"""One run at a time per collection (archive.collection_lock): a second scheduled run stops at
once with a clear message, or waits with WARCPROOF_LOCK_WAIT; a killed holder frees the
collection; processes of one WARCPROOF_RUN_ID share it, other runs cannot."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.ledger.store import Ledger
from provenance.sources.manifest import add_seed
from tests.conftest import SEEDS, run_crawl

BIN = Path(sys.executable).parent
HOLD = """
import sys
from pathlib import Path
from archive.collection_lock import CollectionLock, CollectionLocked
lock = CollectionLock(Path(sys.argv[1]), sys.argv[2])
try:
    lock.acquire(float(sys.argv[3]))
except CollectionLocked as exc:
    print("locked:", exc.message, flush=True)
    sys.exit(4)
print("held", flush=True)
sys.stdin.read()
lock.release()
"""


def holder(collection: Path, run_id: str = "", wait: float = 0) -> subprocess.Popen[str]:
    """A process that takes the collection's lock and keeps it until its stdin is closed."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, str(collection), run_id, str(wait)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def first_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def finish(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None:
        process.stdin.close()
    process.wait(timeout=30)
    if process.stdout is not None:
        process.stdout.close()


@pytest.mark.crawl
def test_a_second_run_stops_at_once_naming_the_holder_and_writes_nothing(
    tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    held = holder(collection)
    try:
        assert first_line(held) == "held"
        result = run_crawl(SEEDS / "seeds.toml", collection, replica_origin, "--seed", "002")
        assert result.returncode == 4, result.stdout + result.stderr
        assert f"the collection {collection.resolve()} is in use by another run" in result.stderr
        assert f"pid {held.pid} on " in result.stderr
        assert "seed  verdict" not in result.stdout  # no table of another run's verdicts
        assert not (collection / "warcs").exists()
        assert not (collection / "ledger.sqlite").exists()
    finally:
        held.send_signal(signal.SIGKILL)
        finish(held)
    # The kernel dropped the killed holder's lock: the next run goes ahead.
    result = run_crawl(SEEDS / "seeds.toml", collection, replica_origin, "--seed", "002")
    assert result.returncode == 0, result.stderr


@pytest.mark.crawl
def test_a_run_told_to_wait_goes_ahead_once_the_holder_is_done(
    tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    held = holder(collection)
    try:
        assert first_line(held) == "held"
        waiting = subprocess.Popen(
            [
                str(BIN / "warcproof"), "crawl", "--collection", str(collection),
                "--manifest", str(SEEDS / "seeds.toml"), "--replica", replica_origin,
                "--seed", "002", "-s", "WARCPROOF_LOCK_WAIT=120",
            ],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        log = collection / "logs"
        while not any("Waiting up to" in f.read_text() for f in log.glob("crawl-*.log")):
            assert waiting.poll() is None, waiting.communicate()
    finally:
        finish(held)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, out + err


@pytest.mark.crawl
def test_two_overlapping_crawls_one_stops_and_nothing_is_corrupted(
    tmp_path: Path, corpus: Path, replica_origin: str
) -> None:
    """A slow page keeps the first crawl busy while the second starts (20 s: on a loaded
    machine the second crawl's start alone took more than 4)."""
    slow = tmp_path / "slow.txt"
    slow.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(corpus, slow, urls=["http://slow.test/_faults/stall?seconds=20"], seed_id="slow")
    collection = tmp_path / "collection"
    first = subprocess.Popen(
        [
            str(BIN / "warcproof"), "crawl", "--collection", str(collection),
            "--manifest", str(corpus), "--replica", replica_origin,
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = collection / ".lock"
    while not (lock.exists() and lock.read_text()):
        assert first.poll() is None, first.communicate()
    assert json.loads(lock.read_text().splitlines()[0])["pid"] != first.pid  # scrapy's process
    second = run_crawl(corpus, collection, replica_origin)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert second.returncode == 4
    assert "is in use by another run" in second.stderr
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        assert ledger.last_crawl_id() == 1
        assert len(ledger.entries(1)) == 6
    check = subprocess.run(
        [str(BIN / "warcproof"), "check", str(collection / "warcs")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout


@pytest.mark.crawl
@pytest.mark.parametrize(("other_run", "shares"), [("run-a", True), ("run-b", False), ("", False)])
def test_processes_of_one_run_share_the_lock_and_no_other_run_gets_in(
    tmp_path: Path, other_run: str, shares: bool
) -> None:
    collection = tmp_path / "collection"
    first = holder(collection, "run-a")
    try:
        assert first_line(first) == "held"
        second = holder(collection, other_run)
        try:
            line = first_line(second)
            if shares:
                assert line == "held"
            else:
                assert line.startswith("locked: ")
                assert "run run-a" in line
        finally:
            finish(second)
        exclusive = holder(collection)
        try:
            assert first_line(exclusive).startswith("locked: ")
        finally:
            finish(exclusive)
    finally:
        finish(first)
    after = holder(collection)
    try:
        assert first_line(after) == "held"  # every holder gone: exclusive again
    finally:
        finish(after)
