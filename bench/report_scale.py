"""Report scale: `report --jsonl`, `report --json` and `report --html DIR` on synthetic ledgers of
10,000 and 100,000 seeds, with their wall time and peak memory, and the growth between the two
sizes; written to bench/REPORT_SCALE.md.

The ledgers are written through the ledger's own API (`Ledger.record_many`, as re-verification
stores verdicts) with evidence from real checks: the bundled seeds against the replica's pages,
extracted and compared by the same code the crawl runs (about 8 KB of evidence JSON a verdict).
The collections have no WARC files, so the HTML seed pages say their texts are missing: the
ledger side of the report is measured, not the reading of records.

    .venv/bin/python -m bench.report_scale [--sizes 10000 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from archive.collection import Collection
from provenance.compare.evidence import RunKind, SerialisedEvidence, SourceEvidence, SourceKind
from provenance.compare.seedcheck import check_seed
from provenance.ledger.store import CaptureRow, Ledger, VerdictRow, verdict_row
from provenance.run.headless_chromium import OFFLINE_FLAGS, find_chromium
from provenance.sources.manifest import Seed, load
from provenance.text.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "REPORT_SCALE.md"
WARCPROOF = str(Path(sys.executable).parent / "warcproof")
_PLACEHOLDER = "@@SEED@@"
_BATCH = 2000  # verdicts per transaction
# Bundled seeds and replica pages (replica/pages) checked against each other: three against
# their own sources, one against another's (a foreign-content verdict).
_PAIRS = (
    ("000", "000_newarab.html"),
    ("002", "002_gulftimes.html"),
    ("003", "003_timesofisrael.html"),
    ("002", "000_newarab.html"),
)


@dataclass(frozen=True)
class Template:
    """One real verdict, its evidence JSON with the seed id left as a placeholder."""

    row: VerdictRow
    capture: CaptureRow
    evidence: str


def templates() -> list[Template]:
    """Real verdicts of bundled seeds against replica pages (_PAIRS)."""
    seeds = {seed.id: seed for seed in load(ROOT / "seeds" / "seeds.toml").seeds}
    return [_template(seeds[seed], ROOT / "replica" / "pages" / page) for seed, page in _PAIRS]


def _template(seed: Seed, page: Path) -> Template:
    url = f"http://127.0.0.1:8000/{page.name}"
    article = extract_article(page.read_bytes(), url=url, content_type="text/html")
    check = check_seed(replace(seed, id=_PLACEHOLDER), article)
    capture = CaptureRow(
        source_url=seed.urls[0] if seed.urls else url,
        fetched_url=url,
        source_kind=SourceKind.REPLICA,
        status=200,
        captured_at="2026-12-01T10:00:00.000000Z",
        warc_file="synthetic-00000.warc.gz",
        warc_offset=0,
        warc_length=len(page.read_bytes()),
        response_record_id="<urn:uuid:00000000-0000-0000-0000-000000000000>",
        request_record_id=None,
        payload_digest="sha256:synthetic",
    )
    source = SourceEvidence(
        source_url=capture.source_url,
        fetched_url=url,
        source_kind=SourceKind.REPLICA,
        status=200,
        captured_at=capture.captured_at,
        warc_file=capture.warc_file,
        warc_offset=0,
        response_record_id=capture.response_record_id,
    )
    evidence = check.evidence(source, run=RunKind.CRAWL)
    return Template(verdict_row(check, evidence), capture, evidence.to_json())


def build_collection(root: Path, seeds: int, crawls: int = 1) -> Path:
    """A collection at `root` whose ledger holds `seeds` verdicts per crawl."""
    collection = root / "collection"
    made = templates()
    with Ledger(Collection(collection).ledger) as ledger:
        for _ in range(crawls):
            crawl = ledger.begin_crawl(origin="bench", settings={"synthetic": True})
            batch: list[tuple[VerdictRow, CaptureRow | None]] = []
            for row in _rows(made, seeds):
                batch.append(row)
                if len(batch) == _BATCH:
                    ledger.record_many(crawl, batch)
                    batch = []
            ledger.record_many(crawl, batch)
            ledger.finish_crawl(crawl, "finished")
    return collection


def _rows(made: Sequence[Template], seeds: int) -> Iterator[tuple[VerdictRow, CaptureRow]]:
    for number in range(seeds):
        template = made[number % len(made)]
        seed_id = f"{number:06d}"
        evidence = SerialisedEvidence(template.evidence.replace(_PLACEHOLDER, seed_id))
        row = replace(template.row, seed_id=seed_id, evidence=evidence)
        capture = replace(template.capture, fetched_url=f"{template.capture.fetched_url}?{number}")
        yield row, capture


@dataclass(frozen=True)
class Figure:
    command: str
    seeds: int
    wall: float  # seconds
    cpu: float  # user + system seconds
    peak: int  # maximum resident set, bytes
    output_bytes: int
    opens: float | None = None  # seconds for headless Chromium to draw the summary's table


def _bytes(path: Path) -> int:
    if path.is_dir():
        return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())
    return path.stat().st_size


def run_command(name: str, collection: Path, seeds: int) -> Figure:
    """Run one report under GNU time: it forks a small process that execs the command, so the
    maximum resident set it reads from wait4 is the report's own."""
    out = collection.parent / f"report-{seeds}{'' if name == 'html' else '.' + name}"
    timing = collection.parent / f"time-{name}.txt"
    base = [WARCPROOF, "report", "--collection", str(collection)]
    report = (
        [*base, "--html", str(out), "-q"]
        if name == "html"
        else ["sh", "-c", 'exec "$@" > "$0"', str(out), *base, f"--{name}"]
    )
    command = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timing), *report]
    done = subprocess.run(command, capture_output=True, text=True, timeout=7200, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(report)} failed ({done.returncode}): {done.stderr}")
    wall, user, system, kilobytes = timing.read_text().split()[-4:]
    opens = _open_in_chromium(out / "index.html", seeds) if name == "html" else None
    figure = Figure(
        name,
        seeds,
        float(wall),
        float(user) + float(system),
        int(kilobytes) * 1024,
        _bytes(out),
        opens,
    )
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink()
    return figure


def _open_in_chromium(index: Path, seeds: int) -> float | None:
    """Seconds headless Chromium takes to load the summary and draw its table (None when
    Chromium is not installed); fails if the table does not show every seed."""
    binary = find_chromium()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="warcproof-chromium-") as profile:
        started = time.perf_counter()
        done = subprocess.run(
            [binary, *OFFLINE_FLAGS, f"--user-data-dir={profile}", "--dump-dom", index.as_uri()],
            capture_output=True,
            text=True,
            timeout=1200,
            check=True,
        )
        seconds = time.perf_counter() - started
    if f"{seeds} of {seeds} seed(s) shown" not in done.stdout:
        raise SystemExit(f"{index}: Chromium did not draw the table of {seeds} seeds")
    return seconds


def write_results(
    figures: Sequence[Figure], ledgers: dict[int, tuple[int, int]], parallel: int = 1
) -> None:
    mb = 1024 * 1024
    lines = [
        "# Report scale",
        "",
        f"Written by `bench/report_scale.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPU(s), {parallel} report(s) at a time, load average "
        f"{os.getloadavg()[0]:.1f} at the end (the machine is shared: wall times stretch with "
        "the load, CPU times much less; the time targets are judged on CPU time). Synthetic "
        "ledgers written through `Ledger.record_many` with the evidence of real checks (bundled "
        "seeds against replica pages); no WARC files, so the HTML seed pages measure the "
        "ledger side only. Peak memory: the report process's maximum resident set (GNU time).",
        "",
        "| Ledger | seeds | size (MB) | evidence per verdict (KB) |",
        "|---|---|---|---|",
        *(
            f"| synthetic | {n} | {size / mb:.1f} | {evidence / 1024:.1f} |"
            for n, (size, evidence) in sorted(ledgers.items())
        ),
        "",
        "| Command | seeds | wall time (s) | CPU time (s) | peak memory (MB) | output (MB) "
        "| opens in headless Chromium (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        opens = "" if f.opens is None else f"{f.opens:.1f}"
        lines.append(
            f"| `report --{f.command}{' DIR' if f.command == 'html' else ''}` | {f.seeds} | "
            f"{f.wall:.1f} | {f.cpu:.1f} | {f.peak / mb:.1f} | {f.output_bytes / mb:.1f} | "
            f"{opens} |"
        )
    sizes = sorted({f.seeds for f in figures})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        lines += [
            "",
            f"Growth from {small} to {large} seeds ({large / small:.0f}x the seeds). Targets: "
            "time at most 11x, memory at most 1.5x; `--jsonl` and `--json` under 200 MB at "
            f"{large}.",
            "",
            "| Command | wall time growth | CPU time growth | memory growth | peak (MB) "
            "| targets met |",
            "|---|---|---|---|---|---|",
        ]
        by = {(f.command, f.seeds): f for f in figures}
        for command in ("jsonl", "json", "html"):
            a, b = by.get((command, small)), by.get((command, large))
            if a is None or b is None:
                continue
            memory = b.peak / a.peak
            met = b.cpu / a.cpu <= 11 and memory <= 1.5 and (command == "html" or b.peak < 200 * mb)
            lines.append(
                f"| `--{command}` | {b.wall / a.wall:.2f}x | {b.cpu / a.cpu:.2f}x | "
                f"{memory:.2f}x | {b.peak / mb:.1f} | "
                f"{'yes' if met else 'NO'}{'' if b.wall / a.wall <= 11 else ' (wall time: NO)'} |"
            )
    RESULTS.write_text("\n".join(lines) + "\n", "utf-8")


def _ledger_size(path: Path) -> tuple[int, int]:
    """The ledger file's size and the mean size of a verdict's evidence JSON."""
    with closing(sqlite3.connect(path)) as db:
        mean = db.execute("SELECT avg(length(evidence)) FROM verdicts").fetchone()[0]
    return path.stat().st_size, int(mean or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--commands", nargs="+", default=["jsonl", "json", "html"])
    parser.add_argument("--keep", type=Path, help="build the collections here and keep them")
    parser.add_argument(
        "--parallel", type=int, default=1, metavar="N", help="run N reports at a time"
    )
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="warcproof-report-scale-"))
    figures: list[Figure] = []
    ledgers: dict[int, tuple[int, int]] = {}
    try:
        for seeds in args.sizes:
            collection = root / str(seeds) / "collection"
            if not Collection(collection).ledger.exists():
                print(f"building a ledger of {seeds} seeds", file=sys.stderr)
                build_collection(collection.parent, seeds)
            ledgers[seeds] = _ledger_size(Collection(collection).ledger)
        # The longest runs (the largest size, the HTML) start first when several run at once.
        runs = sorted(
            ((c, n) for n in args.sizes for c in args.commands),
            key=lambda run: (-run[1], run[0] != "html"),
        )
        with ThreadPoolExecutor(args.parallel) as pool:
            pending = [
                pool.submit(run_command, command, root / str(seeds) / "collection", seeds)
                for command, seeds in runs
            ]
            for future in as_completed(pending):
                figure = future.result()
                print(
                    f"report --{figure.command} {figure.seeds}: {figure.wall:.1f} s, "
                    f"{figure.cpu:.1f} s CPU, {figure.peak / 2**20:.1f} MB",
                    file=sys.stderr,
                )
                figures.append(figure)
                figures.sort(key=lambda f: (f.seeds, args.commands.index(f.command)))
                write_results(figures, ledgers, args.parallel)  # a stopped run keeps its figures
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
