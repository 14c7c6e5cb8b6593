"""`bench/RESULTS.md`: the table of medians and within-round ratios, the machine, the versions."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

PACKAGES = ("warcproof", "scrapy", "twisted", "trafilatura", "lxml", "warcio", "rapidfuzz")


@dataclass(frozen=True)
class Row:
    name: str
    unit: str
    values: Sequence[float]  # one per round (or one measurement)
    target: str = ""
    met: bool | None = None  # None: no target, or not measured to the end
    note: str = ""

    @property
    def value(self) -> float:
        return statistics.median(self.values)


def ratio_row(
    name: str, numerators: Sequence[float], denominators: Sequence[float], at_least: float
) -> Row:
    """The ratio in each round, its median against `at_least`."""
    ratios = [a / b for a, b in zip(numerators, denominators, strict=True)]
    return Row(name, "x", ratios, f">= {at_least}", statistics.median(ratios) >= at_least)


def memory_row(name: str, small: float, large: float, complete: bool, note: str) -> Row:
    ratio = large / small
    met = ratio <= 1.2 if complete else None
    return Row(name, "x", [ratio], "<= 1.2", met, note)


@dataclass
class Report:
    parameters: Sequence[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def _loads(loads: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in loads)


def _machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; {memory:.1f} GiB RAM",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
    ]


def _versions(root: Path) -> str:
    parts = [f"{name} {version(name)}" for name in PACKAGES]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        parts.append(f"git {commit}")
    except (OSError, subprocess.CalledProcessError):
        pass
    return ", ".join(parts)


def render(report: Report, root: Path) -> str:
    finished = datetime.now(UTC)
    command = " ".join(("bench/run.py", *report.parameters))
    lines = [
        "# warcproof benchmark results",
        "",
        f"Written by `{command}` on {finished:%Y-%m-%d %H:%M} UTC "
        f"(run took {(finished - report.started).total_seconds() / 60:.1f} min). Rates are "
        "medians over rounds; ratios are computed within each round (so machine drift "
        "cancels), then their median is taken. Where bounds each figure: `bench/PROFILES.md`.",
        "",
        "| Measurement | Value | Unit | Per round | Target | Met | Note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        met = {True: "yes", False: "**no**", None: ""}[row.met]
        rounds = ", ".join(_number(v) for v in row.values)
        lines.append(
            f"| {row.name} | {_number(row.value)} | {row.unit} | {rounds} | {row.target} | {met} "
            f"| {row.note} |"
        )
    lines += ["", "## Notes", ""]
    lines += [f"- {note}" for note in report.notes]
    load_after = os.getloadavg()
    lines += [
        "",
        "## Machine",
        "",
        *_machine(),
        f"- Load average (1, 5, 15 min) at start {_loads(report.load_before)}, at end "
        f"{_loads(load_after)}: other work on the machine slows every "
        "figure; the within-round ratios are the figures to compare.",
        f"- Versions: {_versions(root)}",
        "",
    ]
    return "\n".join(lines)
