"""`bench/run.py --quick` runs end to end and writes every row of its results table with a
number (never a timed assertion: the figures themselves are not checked)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "Bare Scrapy",
    "warcproof capture only",
    "capture only / bare Scrapy",
    "trafilatura.extract, 2 processes",
    "Full pipeline",
    "Machine limit L",
    "full pipeline / L",
    "Re-verification from the WARCs",
    "re-verification / trafilatura 2-process",
    "`warcio check`",
    "`warcproof check`",
    "warcproof check / warcio check",
    "`gzip -dc`",
    "Python zlib",
    "warcproof check / plain gzip",
    "ISA-L (`isal`), every member inflated",
    "warcproof check / ISA-L inflating",
    "CPU time, `warcio check`",
    "CPU time, `warcproof check`",
    "CPU time, Python zlib",
    "CPU time, ISA-L",
    "by CPU time: warcproof check / warcio check",
    "by CPU time: warcproof check / Python zlib",
    "by CPU time: warcproof check / ISA-L",
    "Peak memory, `warcproof check`, 0.1 MB",
    "Peak memory, `warcproof check`, 1 MB",
    "check peak memory, large / small",
    "Peak memory, re-verification, 0.1 MB",
    "Peak memory, re-verification, 1 MB",
    "re-verification peak memory, large / small",
)
NUMBER = re.compile(r"^\d+(\.\d+)?(e[+-]\d+)?$")


@pytest.mark.crawl
def test_quick_run_writes_every_row_with_a_number(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--quick",
            "--results",
            str(results),
            "--scratch",
            str(tmp_path / "scratch"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in results.read_text("utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| Measurement")
    ]
    assert len(rows) == len(ROWS)
    for expected, row in zip(ROWS, rows, strict=True):
        assert row[0].startswith(expected), row
        assert NUMBER.match(row[1]), row
    ratios = [row for row in rows if row[4]]
    assert all(row[5] in ("yes", "**no**", "") for row in ratios)
