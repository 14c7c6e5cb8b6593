"""Scrapy's JOBDIR pause and resume (SIGINT once, then the same command again): every seed gets
exactly one verdict in one crawl, no finished seed is fetched twice, the WARCs pass
`warcproof check`; a finished job's folder starts a new crawl next time."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.warc.reader import iter_records
from provenance.run.crawl_process import scrapy_command
from provenance.sources.manifest import add_seed
from replica.generated import article_text
from tests.conftest import SCREENSHOTS_OFF

BIN = Path(sys.executable).parent
PAGES = 8


def verdict_count(ledger: Path) -> int:
    if not ledger.exists():
        return 0
    db = sqlite3.connect(ledger)
    try:
        return int(db.execute("SELECT count(*) FROM verdicts").fetchone()[0])
    except sqlite3.OperationalError:  # the crawl has not created its tables yet
        return 0
    finally:
        db.close()


@pytest.mark.crawl
def test_a_paused_crawl_resumes_without_redoing_or_losing_a_seed(
    tmp_path: Path, replica_origin: str
) -> None:
    manifest = tmp_path / "seeds" / "seeds.toml"
    manifest.parent.mkdir()
    for n in range(PAGES):
        text = tmp_path / f"page-{n}.txt"
        text.write_text(article_text(n), "utf-8")
        add_seed(manifest, text, urls=[f"http://news.test/_generated/{n}"], seed_id=f"p{n}")
    collection, jobdir = tmp_path / "collection", tmp_path / "job"
    (collection / "logs").mkdir(parents=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}

    def command(run: int) -> list[str]:
        log = collection / "logs" / f"run-{run}.log"
        slow = ["CONCURRENT_REQUESTS=1", "DOWNLOAD_DELAY=0.4", f"JOBDIR={jobdir}", SCREENSHOTS_OFF]
        return scrapy_command(manifest, collection, (), replica_origin, log, slow)

    ledger = collection / "ledger.sqlite"
    first = subprocess.Popen(command(1), env=env)
    while verdict_count(ledger) == 0:
        assert first.poll() is None, "the crawl ended before it could be paused"
    first.send_signal(signal.SIGINT)  # once: Scrapy finishes what is in flight and saves the job
    assert first.wait(timeout=120) == 0
    db = sqlite3.connect(ledger)
    try:
        paused = db.execute("SELECT id, status FROM crawls").fetchall()
        done_before = db.execute("SELECT count(*) FROM verdicts").fetchone()[0]
    finally:
        db.close()
    assert paused == [(1, "shutdown")]
    assert 0 < done_before < PAGES

    assert subprocess.run(command(2), env=env, check=False).returncode == 0
    db = sqlite3.connect(ledger)
    try:
        crawls = db.execute("SELECT id, status FROM crawls").fetchall()
        verdicts = db.execute(
            "SELECT seed_id, crawl_id, count(*) FROM verdicts GROUP BY seed_id"
        ).fetchall()
        captures = db.execute("SELECT count(DISTINCT response_record_id) FROM captures").fetchone()
    finally:
        db.close()
    assert crawls == [(1, "finished")]
    assert verdicts == [(f"p{n}", 1, 1) for n in range(PAGES)]
    assert captures == (PAGES,)
    check = subprocess.run(
        [str(BIN / "warcproof"), "check", str(collection / "warcs")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    pages = [
        record.target_uri or ""
        for warc in sorted((collection / "warcs").glob("*.warc.gz"))
        for record in iter_records(warc)
        if record.rec_type in ("response", "revisit") and "_generated" in (record.target_uri or "")
    ]
    assert sorted(pages) == sorted(set(pages))  # no page fetched twice
    assert len(pages) == PAGES
    assert "not started again" in (collection / "logs" / "run-2.log").read_text()

    # The job finished: the same JOBDIR now starts a new crawl of every seed.
    assert subprocess.run(command(3), env=env, check=False).returncode == 0
    db = sqlite3.connect(ledger)
    try:
        again = db.execute("SELECT count(*) FROM verdicts WHERE crawl_id = 2").fetchone()
    finally:
        db.close()
    assert again == (PAGES,)
