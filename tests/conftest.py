"""Shared fixtures: the project's seed corpus copied into a scratch folder, the replica origin,
a pywb archive of past captures (`wayback`), and crawling and reporting as a user does;
and the test tiers: every test marked `crawl` or `external` is also `slow`, so that
`pytest -m "not slow"` is the fast tier."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from provenance.sources.manifest import add_seed
from replica.server import ReplicaServer
from tests.archive_fixture import past_captures, write_archive
from tests.processes import announced_url
from tests.pywb import pywb_server

# The suite runs on shared, loaded machines: no Hypothesis deadline or speed health check, which
# fail a correct test when the machine is busy (the bench measures speed, tests do not).
settings.register_profile(
    "loaded",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
settings.load_profile("loaded")

# Screenshots are on by default when Chromium is installed: a few seconds of browser per page.
# Crawl tests go without them unless they ask (`-s WARCPROOF_SCREENSHOTS=True`, or an
# environment without this variable); `warcproof` reads the environment, a bare `scrapy crawl`
# (scrapyd, JOBDIR, recovery, distributed tests) is given SCREENSHOTS_OFF.
SCREENSHOTS_OFF = "WARCPROOF_SCREENSHOTS=False"
os.environ.setdefault(*SCREENSHOTS_OFF.split("="))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# The ledger schema of warcproof 0.2 (schema 3), frozen, to build old ledgers for migration tests.
LEDGER_SCHEMA_3 = (ROOT / "tests" / "data" / "ledger_schema3.sql").read_text(encoding="utf-8")
# `warcproof crawl` kills its crawler 8 s after Ctrl-C; the margin is for a loaded machine.
CRAWL_STOPS_WITHIN = 30


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C reaches the processes the tests start as a terminal delivers it: a test run
    started in the background of a shell ignores SIGINT, and its children would inherit that."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_files = set()
    for item in items:
        if item.get_closest_marker("crawl") or item.get_closest_marker("external"):
            item.add_marker(pytest.mark.slow)
            slow_files.add(item.path)
    # Files with slow tests first, each file's tests kept together and in order: the xdist
    # workers (pyproject's addopts) take whole files in this order, so the long ones start
    # early and the many short ones even out the end of the run. Longest of all are the two
    # installs from the package registry (two files, for two workers): they go first.
    items.sort(
        key=lambda item: (
            not item.path.name.startswith("test_install"),
            item.path not in slow_files,
        )
    )


def clean_copy(project: Path) -> None:
    """A copy of the project's tracked files in `project`, nothing built or installed."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in tracked:
        if (ROOT / name).is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, project / name)


def project_settings() -> Any:
    """The Scrapy settings of the project, as `scrapy crawl` loads them."""
    from scrapy.settings import Settings

    import spiders.settings

    loaded = Settings()
    loaded.setmodule(spiders.settings, priority="project")
    return loaded


def downloader_middlewares() -> list[str]:
    """The project's downloader middlewares in the order Scrapy calls their process_request."""
    from scrapy.core.downloader.middleware import DownloaderMiddlewareManager

    order: list[str] = DownloaderMiddlewareManager._get_mwlist_from_settings(project_settings())
    return order


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of seeds/ (texts, manifest, SOURCES.md); returns the manifest path."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target / "seeds.toml"


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    """The replica origin served in this process on a free loopback port."""
    with ReplicaServer() as server:
        yield server


@pytest.fixture(scope="session")
def replica_origin() -> Iterator[str]:
    """The replica origin as its own process on a free loopback port; yields its URL."""
    with announced_url([sys.executable, "-m", "replica", "--port", "0"]) as url:
        assert url.startswith("http://"), url
        yield url


@pytest.fixture(scope="module")
def wayback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real pywb serving every past capture of
    replica/pages/archived/captures.toml in collection "web" (tests/archive_fixture.py)."""
    root = tmp_path_factory.mktemp("wayback")
    warcs = write_archive(root / "warcs", past_captures())
    with pywb_server(root / "pywb", warcs) as base:
        yield base


def crawl_command(manifest: Path, collection: Path, replica: str, *extra: str) -> list[str]:
    """The `warcproof crawl` command line of a crawl of the replica."""
    warcproof = str(Path(sys.executable).parent / "warcproof")
    return [warcproof, "crawl", "--manifest", str(manifest), "--collection", str(collection),
            "--replica", replica, *extra]  # fmt: skip


def run_crawl(
    manifest: Path, collection: Path, replica: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`warcproof crawl` against the replica, as a user runs it."""
    command = crawl_command(manifest, collection, replica, *extra)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=300)
        except KeyboardInterrupt:
            # Ctrl-C reached the crawl as well: it stops its crawler within seconds. Killed
            # now, it would leave that crawler stopping with no one to end it.
            with suppress(subprocess.TimeoutExpired):
                process.communicate(timeout=CRAWL_STOPS_WITHIN)
            process.kill()
            raise
        except BaseException:
            process.kill()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def report_by_seed(collection: Path) -> dict[str, dict[str, Any]]:
    """`warcproof report --json` of the collection, as a user runs it: its entries by seed id."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "warcproof"), "report", "--json", "--collection",
         str(collection)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {entry["seed_id"]: entry for entry in json.loads(result.stdout)}


def seeds_at(root: Path, urls: dict[str, str]) -> Path:
    """A manifest under ROOT/seeds of one seed per entry of `urls` (seed id -> URL), each filed
    with seed 004's text; returns the manifest's path."""
    folder = root / "seeds"
    folder.mkdir()
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    text = (SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes()
    for seed_id, url in urls.items():
        copy = root / f"{seed_id}.txt"
        copy.write_bytes(text)
        add_seed(manifest, copy, urls=[url], seed_id=seed_id)
    return manifest
