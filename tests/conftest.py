"""Shared fixtures: the project's seed corpus copied into a scratch folder, the replica origin;
and the test tiers: every test marked `crawl` or `external` is also `slow`, so that
`pytest -m "not slow"` is the fast tier."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.processes import stop

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("crawl") or item.get_closest_marker("external"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of seeds/ (texts, manifest, SOURCES.md); returns the manifest path."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target / "seeds.toml"


@pytest.fixture(scope="session")
def replica_origin() -> Iterator[str]:
    """The replica origin as its own process on a free loopback port; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        stop(process)
        if process.stdout is not None:
            process.stdout.close()


def crawl_command(manifest: Path, collection: Path, replica: str, *extra: str) -> list[str]:
    """The `warcproof crawl` command line of a crawl of the replica."""
    warcproof = str(Path(sys.executable).parent / "warcproof")
    return [warcproof, "crawl", "--manifest", str(manifest), "--collection", str(collection),
            "--replica", replica, *extra]  # fmt: skip


def run_crawl(
    manifest: Path, collection: Path, replica: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`warcproof crawl` against the replica, as a user runs it."""
    return subprocess.run(
        crawl_command(manifest, collection, replica, *extra),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
