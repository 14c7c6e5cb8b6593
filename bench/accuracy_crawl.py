"""The crawl path against the library path: a fixed sample of pages served from a loopback
server, every copy of them registered as a seed (sha256 pinned) whose URL is its page's
loopback URL, one real `warcproof crawl`, and its verdicts (`warcproof report --json`) compared
with the library's for the same copies and URLs."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.accuracy_browser import PageServer
from bench.accuracy_cases import REASON_KEPT, Task, copies_of, judge_page

CRAWL_TIMEOUT = 3600
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def sample(tasks: Sequence[Task], count: int) -> list[Task]:
    """Every k-th page of the corpus (both sets, sorted), `count` of them."""
    step = max(1, len(tasks) // count)
    return list(tasks[::step][:count])


def write_manifest(folder: Path, seeds: list[tuple[str, str, str]]) -> Path:
    """seeds.toml for (id, url, text) seeds, each text in its own UTF-8 file."""
    entries = ["version = 1", ""]
    for seed_id, url, text in seeds:
        data = text.encode("utf-8")
        (folder / f"{seed_id}.txt").write_bytes(data)
        entries += [
            "[[seed]]",
            f'id = "{seed_id}"',
            f'file = "{seed_id}.txt"',
            f"urls = [{json.dumps(url)}]",
            f'sha256 = "{hashlib.sha256(data).hexdigest()}"',
            "",
        ]
    manifest = folder / "seeds.toml"
    manifest.write_text("\n".join(entries), encoding="utf-8")
    return manifest


def crawl_agreement(tasks: Sequence[Task], count: int) -> list[str]:
    """The report's lines on the crawl path: sample, time, agreement, every disagreement."""
    chosen = sample(tasks, count)
    paths = {t.page.key: f"/{t.page.set}/{t.page.id}.html" for t in chosen}
    with (
        tempfile.TemporaryDirectory(prefix="accuracy-crawl-") as tmp,
        PageServer({paths[t.page.key]: t.page.body() for t in chosen}) as server,
    ):
        folder = Path(tmp) / "seeds"
        folder.mkdir()
        library: dict[str, tuple[str, str, str]] = {}
        seeds: list[tuple[str, str, str]] = []
        unwritable = 0
        for n, task in enumerate(chosen):
            url = server.base + paths[task.page.key]
            local = replace(task, page=replace(task.page, url=url))
            built = copies_of(local)
            for case in judge_page(local).cases:
                copy = built[case.kind]
                if case.verdict is None or isinstance(copy, str):
                    continue
                try:
                    copy.text.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: no seed file can hold it
                    unwritable += 1
                    continue
                seed_id = f"{n:04d}-{case.kind}"
                seeds.append((seed_id, url, copy.text))
                library[seed_id] = (task.page.key, case.verdict, case.reason)
        manifest = write_manifest(folder, seeds)
        collection = Path(tmp) / "collection"
        started = time.monotonic()
        # The crawl runs the code this harness imported, also when that is not the installed
        # tree (a measurement from an exported commit).
        path = [str(ROOT), os.environ.get("PYTHONPATH", "")]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}
        crawl = subprocess.run(
            [
                str(BIN / "warcproof"),
                "crawl",
                "--manifest",
                str(manifest),
                "--collection",
                str(collection),
                "--no-change-status",
                "-s",
                "WARCPROOF_FALLBACK=False",
                # The real pages' stylesheets and images stand on hosts of the live web: the
                # harness sends traffic to loopback only, and verdicts do not depend on them.
                "-s",
                "WARCPROOF_REQUISITES=False",
                "-s",
                "WARCPROOF_SCREENSHOTS=False",
                "-s",
                "LOG_LEVEL=WARNING",
            ],
            capture_output=True,
            text=True,
            timeout=CRAWL_TIMEOUT,
            check=False,
            env=env,
        )
        seconds = time.monotonic() - started
        report = subprocess.run(
            [str(BIN / "warcproof"), "report", "--json", "--collection", str(collection)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    lines = [
        f"- sample: {len(chosen)} pages (1 in {max(1, len(tasks) // count)} of this run's pages),"
        f" {len(seeds)} copies registered as seeds ({unwritable} not writable as UTF-8);"
        f" `warcproof crawl` exited"
        f" {crawl.returncode} after {seconds:.0f} s",
    ]
    if report.returncode != 0:
        tail = (crawl.stderr or report.stderr).strip().splitlines()[-3:]
        return [*lines, f"- no report from the crawl: {' / '.join(tail)}"]
    crawled = {e["seed_id"]: e for e in json.loads(report.stdout)}
    disagree: list[str] = []
    same_reason = 0
    for seed_id, (key, verdict, reason) in library.items():
        entry = crawled.get(seed_id)
        if entry is None:
            disagree.append(f"| {seed_id} | {key} | {verdict} | (no verdict) | |")
            continue
        first = (entry.get("reasons") or [""])[0][:REASON_KEPT]
        same_reason += first == reason
        if entry["verdict"] != verdict:
            disagree.append(
                f"| {seed_id} | {key} | {verdict} | {entry['verdict']} | {first[:160]} |"
            )
    agreed = len(library) - len(disagree)
    lines.append(
        f"- verdicts equal on {agreed} of {len(library)} copies"
        f" ({100 * agreed / max(1, len(library)):.1f}%, target 100%);"
        f" first reasons equal on {same_reason}"
    )
    if disagree:
        lines += [
            "",
            "| seed | page | library | crawl | crawl's first reason |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += disagree
    return lines
