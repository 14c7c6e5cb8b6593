"""What `bench/run.py` runs: the rounds, the large-file measurements, the memory runs, and the
results file."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from isal import isal_zlib

from bench import measure, memory
from bench.collection import Collection, ensure
from bench.measure import MODES, ROOT, VENV_BIN, Extraction, Rate
from bench.pages import HOST, write_corpus
from bench.results import Report, Row, memory_row, ratio_row, render
from replica.generated import page

DEFAULT_SCRATCH = Path("/tmp/warcproof-bench")
MB = 1_000_000


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__)
    parser.add_argument("--pages", type=int, help="pages per crawl round (default 1000)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3)")
    parser.add_argument(
        "--warc-mb", type=int, help="size of the large WARC and collection (default 500)"
    )
    parser.add_argument(
        "--reverify-timeout",
        type=float,
        help="seconds a memory run of re-verification may take before it is stopped (1200; "
        "the 500 MB collection needs more than 300)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run, well under a minute")
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="only the WARC reading rounds (check against warcio and the zlib floor)",
    )
    parser.add_argument(
        "--crawl-only",
        action="store_true",
        help="only the crawl rounds (bare, capture, full, extraction, re-verification)",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--scratch",
        type=Path,
        default=DEFAULT_SCRATCH,
        help="generated data, kept between runs (default /tmp/warcproof-bench)",
    )
    args = parser.parse_args(argv)
    quick = {"pages": 12, "rounds": 1, "warc_mb": 1, "reverify_timeout": 60.0}
    full = {"pages": 1000, "rounds": 3, "warc_mb": 500, "reverify_timeout": 1200.0}
    for name, default in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.pages < 1 or args.rounds < 1 or args.warc_mb < 1:
        parser.error("--pages, --rounds and --warc-mb must be positive")
    return args


@contextmanager
def replica_origin() -> Iterator[tuple[str, int]]:
    """`python -m replica` in its own process (so it does not compete for the benchmark's
    GIL): its URL and process id."""
    process = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=measure.child_env(),
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise measure.MeasureError(f"the replica did not start (it printed {url!r})")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def warm(url: str, pages: int) -> None:
    """Ask the origin for every page once, as a crawl would (gzip accepted), so that the
    first measured crawl does not pay for building the pages (the server keeps them)."""
    for number in range(pages):
        request = urllib.request.Request(
            f"{url}/{HOST}/_generated/{number}", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks (USER_HZ)


def crawl_rounds(args: argparse.Namespace, report: Report) -> None:
    work = measure.scratch(args.scratch, "rounds-")
    manifest = write_corpus(work / "corpus", range(args.pages))
    rates: dict[str, list[Rate]] = {name: [] for name in (*MODES, "extract", "reverify")}
    server_share: dict[str, list[float]] = {mode: [] for mode in MODES}
    changed = 0
    extraction = Extraction([page(n) for n in range(args.pages)])
    try:
        with replica_origin() as (url, server):
            warm(url, args.pages)
            for number in range(args.rounds):
                for mode in MODES:
                    before = cpu_seconds(server)
                    rate = measure.crawl(mode, manifest, work / f"{mode}-{number}", url)
                    rates[mode].append(rate)
                    server_share[mode].append((cpu_seconds(server) - before) / rate.seconds)
                rates["extract"].append(extraction.rate())
                done = measure.reverification(work / f"full-{number}", manifest)
                rates["reverify"].append(done.rate)
                changed += done.changed
                for mode in MODES:
                    shutil.rmtree(work / f"{mode}-{number}")
    finally:
        extraction.close()
        shutil.rmtree(work)
    per_second = {name: [rate.per_second for rate in found] for name, found in rates.items()}
    limits = [
        machine_limit(extract, bare)
        for extract, bare in zip(per_second["extract"], per_second["bare"], strict=True)
    ]
    report.rows += [
        Row("Bare Scrapy (no capture, no pipeline)", "pages/s", per_second["bare"]),
        Row("warcproof capture only", "pages/s", per_second["capture"]),
        ratio_row("capture only / bare Scrapy", per_second["capture"], per_second["bare"], 0.9),
        Row("trafilatura.extract, 2 processes", "pages/s", per_second["extract"]),
        Row(
            "Full pipeline (capture, extraction, comparison, ledger)", "pages/s", per_second["full"]
        ),
        Row("Machine limit L = 1 / (1/T + 1/(2B))", "pages/s", limits),
        ratio_row("full pipeline / L", per_second["full"], limits, 0.75),
        Row("Re-verification from the WARCs, offline, 2 workers", "docs/s", per_second["reverify"]),
        ratio_row(
            "re-verification / trafilatura 2-process",
            per_second["reverify"],
            per_second["extract"],
            0.9,
        ),
    ]
    shares = ", ".join(
        f"{mode} {100 * max(server_share[mode]):.0f}%" for mode in MODES if server_share[mode]
    )
    report.notes += [
        f"Crawls: {args.pages} generated pages (about 60 KB, 4-9 KB of it article prose; every "
        "third gzip-encoded, every third chunked) from the replica (`python -m replica`) in its "
        "own process on the same 2 cores (each page built once and kept; all fetched once "
        "before the rounds), 16 requests in flight; pages/s = Scrapy's "
        "`response_received_count` over its `elapsed_time_seconds` (spider open to close; "
        "start-up excluded). The server's "
        f"CPU, as a share of one core during each crawl (highest round): {shares}.",
        f"Re-verification ran on each round's full-pipeline collection; verdicts changed "
        f"against the crawl's: {changed}.",
    ]


def machine_limit(extraction: float, bare: float) -> float:
    """The full pipeline's ceiling on two cores: each page's extraction (T pages/s on two
    processes) and Scrapy's own work for it (B pages/s on one core, so 2B on two), nothing
    else."""
    return 1 / (1 / extraction + 1 / (2 * bare))


def warc_rounds(args: argparse.Namespace, report: Report, warc: Path) -> None:
    runs: dict[str, list[measure.Rate]] = {
        "warcio": [],
        "warcproof": [],
        "gzip": [],
        "zlib": [],
        "isal": [],
    }
    loads = []
    for _ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        runs["warcio"].append(measure.warcio_check(warc))
        runs["warcproof"].append(measure.warcproof_check(warc))
        runs["gzip"].append(measure.gzip_tool(warc))
        runs["zlib"].append(measure.zlib_stream(warc))
        runs["isal"].append(measure.zlib_stream(warc, isal_zlib))
    speed = {name: [rate.per_second for rate in rates] for name, rates in runs.items()}
    cpu = {name: [rate.cpu_seconds for rate in rates] for name, rates in runs.items()}
    floor = [max(pair) for pair in zip(speed["gzip"], speed["zlib"], strict=True)]
    # Speed by CPU time: the inverse ratio of CPU seconds spent on the same file.
    by_cpu = {
        name: [b / a for a, b in zip(cpu["warcproof"], cpu[name], strict=True)]
        for name in ("warcio", "zlib", "isal")
    }
    report.rows += [
        Row("`warcio check`", "MB/s", speed["warcio"]),
        Row("`warcproof check`", "MB/s", speed["warcproof"]),
        ratio_row("warcproof check / warcio check", speed["warcproof"], speed["warcio"], 2.0),
        Row("`gzip -dc` (plain decompression)", "MB/s", speed["gzip"]),
        Row("Python zlib, every member inflated", "MB/s", speed["zlib"]),
        ratio_row(
            "warcproof check / plain gzip (faster of the two)", speed["warcproof"], floor, 0.85
        ),
        Row("ISA-L (`isal`), every member inflated", "MB/s", speed["isal"]),
        Row(
            "warcproof check / ISA-L inflating",
            "x",
            [a / b for a, b in zip(speed["warcproof"], speed["isal"], strict=True)],
        ),
        Row("CPU time, `warcio check`", "s", cpu["warcio"]),
        Row("CPU time, `warcproof check` (all its processes)", "s", cpu["warcproof"]),
        Row("CPU time, Python zlib", "s", cpu["zlib"]),
        Row("CPU time, ISA-L", "s", cpu["isal"]),
        Row("by CPU time: warcproof check / warcio check", "x", by_cpu["warcio"]),
        Row("by CPU time: warcproof check / Python zlib", "x", by_cpu["zlib"]),
        Row("by CPU time: warcproof check / ISA-L", "x", by_cpu["isal"]),
    ]
    report.notes.append(
        f"WARC reading: one {warc.stat().st_size / MB:.0f} MB file written by `WarcWriter` "
        "(request and response records of generated pages, gzip level 2 by ISA-L as in a crawl); "
        "MB/s are megabytes of the compressed file per wall-clock second, process start-up "
        "included (the project's modules compiled to bytecode first, as an installed package "
        "has them). `warcproof check` checks a large .warc.gz in shares on a worker process per "
        "core (`archive/check/shares.py`) and inflates members with ISA-L (`isal`), not zlib, "
        "where it can: the zlib floor is zlib's, the ISA-L rows show the floor of its own "
        "inflater. CPU time is user + system time of every process of a "
        "run. One-minute load average at the start of each round: "
        + ", ".join(f"{load:.1f}" for load in loads)
        + ". Linux schedules by session (autogroup): while other sessions keep both cores busy, "
        "a session's processes share one session's part of the CPU however many there are, so "
        "the wall-clock ratios then follow the CPU-time ratios; only cores left idle let the "
        "workers run side by side."
    )


def _reverify_peak(collection: Collection, timeout: float) -> memory.Measured:
    """The `warcproof reverify` command's run, the ledger put back as it was afterwards."""
    pristine = collection.ledger.with_name("ledger.pristine")
    if pristine.exists():  # a run stopped before it could put the ledger back
        shutil.copyfile(pristine, collection.ledger)
    else:
        shutil.copyfile(collection.ledger, pristine)
    command = [
        str(VENV_BIN / "warcproof"),
        "reverify",
        "--collection",
        str(collection.collection),
        "--manifest",
        str(collection.manifest),
        "--jobs",
        "2",
        "--crawl",
        "1",
    ]
    try:
        return memory.run(command, timeout=timeout, sample=True)
    finally:
        for leftover in ("ledger.sqlite-wal", "ledger.sqlite-shm"):
            collection.ledger.with_name(leftover).unlink(missing_ok=True)
        shutil.copyfile(pristine, collection.ledger)


def memory_runs(
    args: argparse.Namespace, report: Report, small: Collection, large: Collection
) -> None:
    checks = []
    for collection in (small, large):
        command = [str(VENV_BIN / "warcproof"), "check", "-q", str(collection.warc)]
        run = memory.run(command, sample=True)
        checks.append(run)
    reverified = [_reverify_peak(c, args.reverify_timeout) for c in (small, large)]
    sizes = [
        f"{c.warc_bytes / MB:.0f} MB" if c.warc_bytes >= MB else f"{c.warc_bytes / MB:.1f} MB"
        for c in (small, large)
    ]
    for size, run in zip(sizes, checks, strict=True):
        report.rows.append(
            Row(f"Peak memory, `warcproof check`, {size} WARC", "MB", [run.peak_tree_bytes / MB])
        )
    report.rows.append(
        memory_row(
            "check peak memory, large / small",
            checks[0].peak_tree_bytes,
            checks[1].peak_tree_bytes,
            all(run.returncode == 0 for run in checks),
            "",
        )
    )
    for size, collection, run in zip(sizes, (small, large), reverified, strict=True):
        state = (
            "" if run.finished else f"stopped after {run.seconds:.0f} s, unfinished: peak so far"
        )
        report.rows.append(
            Row(
                f"Peak memory, re-verification, {size} collection ({collection.pages} docs)",
                "MB",
                [run.peak_tree_bytes / MB],
                note=state,
            )
        )
    complete = all(run.finished for run in reverified)
    report.rows.append(
        memory_row(
            "re-verification peak memory, large / small",
            reverified[0].peak_tree_bytes,
            reverified[1].peak_tree_bytes,
            complete,
            "" if complete else "the large run did not finish: no verdict on the target",
        )
    )
    report.notes.append(
        "Peak memory, sampled from /proc every 0.1 s, resident sets of the process tree summed "
        "(pages shared after a fork counted in each process): `warcproof check` is the checker "
        "and the child that inflates for it, largest single process "
        + ", ".join(f"{run.peak_process_bytes / MB:.0f} MB" for run in checks)
        + "; re-verification is the `warcproof reverify --jobs 2` command, main process and "
        "workers, largest single process "
        + ", ".join(f"{run.peak_process_bytes / MB:.0f} MB" for run in reverified)
        + f". Memory runs of re-verification stop after {args.reverify_timeout:.0f} s."
    )


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    args.scratch.mkdir(parents=True, exist_ok=True)
    report = Report(parameters=argv)
    measure.compile_project()
    try:
        if not args.check_only:
            crawl_rounds(args, report)
        if args.crawl_only:
            args.results.write_text(render(report, ROOT), "utf-8")
            print(f"bench: results in {args.results}")
            return 0
        large = ensure(args.scratch / f"collection-{args.warc_mb}mb", args.warc_mb * MB)
        warc_rounds(args, report, large.warc)
        if not args.check_only:
            small = ensure(
                args.scratch / f"collection-{args.warc_mb}mb-tenth", args.warc_mb * MB // 10
            )
            memory_runs(args, report, small, large)
    except measure.MeasureError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    args.results.write_text(render(report, ROOT), "utf-8")
    print(f"bench: results in {args.results}")
    return 0
