"""The code stays ruff and mypy clean, and the plain libraries never import Scrapy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "mypy")],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_static_checks(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", ["archive", "provenance", "replica"])
def test_plain_libraries_do_not_import_scrapy(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"import {package}\n"
        f"for info in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    if not info.name.endswith('__main__'): importlib.import_module(info.name)\n"
        "assert 'scrapy' not in sys.modules, sorted(m for m in sys.modules if 'scrapy' in m)\n"
        "assert 'twisted' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
