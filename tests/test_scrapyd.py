"""Scheduling through scrapyd: a real scrapyd on loopback, the project deployed to it with
scrapyd-deploy (the egg built from scrapy.cfg and setup.py), a crawl scheduled through its API,
and the run's WARCs and verdicts landing in the collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.check.checker import check
from archive.collection import Collection
from provenance.ledger.store import Ledger
from provenance.sources.manifest import load
from tests.conftest import ROOT, SCREENSHOTS_OFF
from tests.processes import free_port, stop

BIN = Path(sys.executable).parent
WAIT = 120.0  # seconds; every wait below is bounded by this


@dataclass(frozen=True)
class Scrapyd:
    url: str
    folder: Path

    def api(self, endpoint: str, form: list[tuple[str, str]] | None = None) -> Any:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        with urllib.request.urlopen(f"{self.url}/{endpoint}", data=data, timeout=30) as answer:
            return json.load(answer)


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    """scrapyd on a free loopback port, with its own config, eggs, logs and databases."""
    folder = tmp_path / "scrapyd"
    folder.mkdir()
    port = free_port()
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {folder / 'eggs'}\nlogs_dir = {folder / 'logs'}\ndbs_dir = {folder / 'dbs'}\n"
        "items_dir =\npoll_interval = 0.2\nmax_proc = 2\n",
        "utf-8",
    )
    output = (folder / "scrapyd.out").open("wb")
    process = subprocess.Popen(
        [str(BIN / "scrapyd")], cwd=folder, stdout=output, stderr=subprocess.STDOUT
    )
    server = Scrapyd(f"http://127.0.0.1:{port}", folder)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            assert process.poll() is None, (folder / "scrapyd.out").read_text()
            try:
                if server.api("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.1)
        yield server
    finally:
        stop(process, timeout=15)
        output.close()


def deploy(server: Scrapyd, version: str) -> subprocess.CompletedProcess[str]:
    """`scrapyd-deploy test` from the project folder, the `test` target in a user config."""
    config = server.folder / "config"
    config.mkdir()
    (config / "scrapy.cfg").write_text(
        f"[deploy:test]\nurl = {server.url}/\nproject = warcproof\n", "utf-8"
    )
    return subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test", "--version", version],
        cwd=ROOT,
        env={**os.environ, "XDG_CONFIG_HOME": str(config)},
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


@pytest.mark.crawl
@pytest.mark.external
def test_a_crawl_scheduled_through_scrapyd(
    scrapyd: Scrapyd, corpus: Path, replica_origin: str, tmp_path: Path
) -> None:
    deployed = deploy(scrapyd, "t1")
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["spiders"] == 1

    # The egg carries every package of the project and the replica's pages.
    (egg,) = (scrapyd.folder / "eggs" / "warcproof").glob("t1*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    for name in (
        "spiders/spiders/seeds.py",
        "spiders/frontier.py",
        "spiders/extensions/capture.py",
        "archive/warc/writer.py",
        "provenance/compare/seedcheck.py",
        "provenance/report/html/document.py",
        "replica/server.py",
        "replica/pages/routes.toml",
        "replica/pages/archived/captures.toml",
    ):
        assert name in names
    assert not [name for name in names if name.startswith(("tests/", "bench/"))]
    assert "[scrapy]\nsettings = spiders.settings" in entry_points

    collection = tmp_path / "collection"
    job = scrapyd.api(
        "schedule.json",
        [
            ("project", "warcproof"),
            ("spider", "seeds"),
            ("setting", f"WARCPROOF_COLLECTION={collection}"),
            ("setting", f"WARCPROOF_SEEDS={corpus}"),
            ("setting", f"WARCPROOF_REPLICA_URL={replica_origin}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"),
            ("setting", SCREENSHOTS_OFF),
        ],
    )
    assert job["status"] == "ok", job
    deadline = time.monotonic() + WAIT
    while not finished(scrapyd, job["jobid"]):
        assert time.monotonic() < deadline, scrapyd.api("listjobs.json?project=warcproof")
        time.sleep(0.2)

    (log,) = (scrapyd.folder / "logs" / "warcproof" / "seeds").glob(f"{job['jobid']}.log")
    assert "'finish_reason': 'finished'" in log.read_text("utf-8")
    with Ledger(collection / "ledger.sqlite") as ledger:
        entries = ledger.entries()
    assert sorted(entry.verdict.seed_id for entry in entries) == [
        seed.id for seed in load(corpus).seeds
    ]
    captured = {entry.capture.warc_file for entry in entries if entry.capture is not None}
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    assert captured
    assert captured <= {warc.name for warc in warcs}
    problems: list[object] = []
    check(warcs, on_problem=problems.append)
    assert problems == []
    assert (Collection(collection).index).stat().st_size > 0


def finished(server: Scrapyd, job: str) -> bool:
    jobs = server.api("listjobs.json?project=warcproof")
    return any(entry["id"] == job for entry in jobs["finished"])
