"""Shared fixtures: the project's seed corpus copied into a scratch folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import stop

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


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
