"""Shared fixtures: the project's seed corpus copied into a scratch folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of seeds/ (texts, manifest, SOURCES.md); returns the manifest path."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target / "seeds.toml"
