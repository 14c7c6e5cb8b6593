"""The scale benchmark: generated corpora of N seeds, several seeds per page, crawled from the
replica on loopback; wall time and peak memory of every command a collection of that size
meets, and the growth from one size to the next.

    .venv/bin/python bench/scale.py [--seeds 1000 10000] [--per-page 3]

Each corpus names N / per-page generated pages (``replica.generated``); of the seeds naming a
page, the first is the page's article as a plain-text copy, the others the same copy with a
sentence changed, so their verdicts differ. Every command runs as a user runs it (`warcproof
seeds verify`, `warcproof crawl`, `warcproof reverify --jobs 2`, `warcproof pack`), its process
tree's memory sampled from /proc. At the sizes given by --redis-at, the corpus is crawled again by
two crawler processes sharing a frontier in a redis-server on loopback (`warcproof crawl --redis
URL --processes 2`), and that crawl is compared with the one-process crawl (bench/redis_leg.py).
It writes `bench/SCALE.md`."""

from __future__ import annotations

import argparse
import hashlib
import itertools
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import memory, redis_leg  # noqa: E402
from bench.harness import replica_origin  # noqa: E402
from bench.measure import VENV_BIN, child_env  # noqa: E402
from bench.pages import page_url, write_manifest  # noqa: E402
from replica.generated import article_text  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

MB = 1_000_000
PAGE_SIZE = 20_000  # bytes per generated page: large corpora stay quick to serve
STEPS = ("seeds verify", "crawl", "reverify", "pack")
REDIS_STEP = "crawl, 2 processes through Redis"


def write_corpus(folder: Path, seeds: int, per_page: int) -> Path:
    """`seeds` seed files, `per_page` of them naming each page; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for number in range(seeds):
        page, copy = divmod(number, per_page)
        text = article_text(page, PAGE_SIZE)
        if copy:  # a changed copy: one word replaced
            text = text.replace(" the ", f" {copy} ", 1)
        raw = text.encode("utf-8")
        name = f"s{number:06d}.txt"
        (folder / name).write_bytes(raw)
        url = f"{page_url(page)}?size={PAGE_SIZE}"
        entries.append(
            f'[[seed]]\nid = "s{number:06d}"\nfile = "{name}"\nurls = ["{url}"]\n'
            f'sha256 = "{hashlib.sha256(raw).hexdigest()}"\n'
        )
    return write_manifest(folder, entries)


def crawl_command(manifest: Path, collection: Path, replica: str) -> list[str]:
    where = ["--manifest", str(manifest), "--collection", str(collection)]
    settings = ["AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=16",
                "CONCURRENT_REQUESTS_PER_DOMAIN=16", "WARCPROOF_REQUISITES=False",
                # Chromium renders each page after the crawl: measured on its own, as in
                # bench/run.py (bench/requisites_bench.py).
                "WARCPROOF_SCREENSHOTS=False"]  # fmt: skip
    command = [str(VENV_BIN / "warcproof"), "crawl", *where, "--replica", replica, "-q"]
    return command + [part for setting in settings for part in ("-s", setting)]


def commands(manifest: Path, collection: Path, replica: str) -> dict[str, list[str]]:
    warcproof = str(VENV_BIN / "warcproof")
    where = ["--manifest", str(manifest), "--collection", str(collection)]
    return {
        "seeds verify": [warcproof, "seeds", "verify", "--manifest", str(manifest)],
        "crawl": crawl_command(manifest, collection, replica),
        "reverify": [warcproof, "reverify", *where, "--jobs", "2", "-q"],
        "pack": [warcproof, "pack", str(collection), "-o", str(collection.parent / "c.wacz")],
    }  # fmt: skip


@dataclass
class Size:
    """One corpus size's runs, by command, and its ledger's size at the end."""

    runs: dict[str, memory.Measured]
    ledger_bytes: int
    distributed: redis_leg.Distributed | None = None


def run_size(
    work: Path, seeds: int, per_page: int, replica: str, timeout: float, redis: bool
) -> Size:
    folder = work / f"seeds-{seeds}"
    shutil.rmtree(folder, ignore_errors=True)
    manifest = write_corpus(folder / "corpus", seeds, per_page)
    collection = folder / "collection"
    measured = {}
    for step, command in commands(manifest, collection, replica).items():
        run = memory.run(command, env=child_env(), timeout=timeout, sample=True)
        # reverify exits 1 when a verdict changed; None: stopped at the time limit
        if run.returncode not in (0, 1, None) or (run.returncode == 1 and step != "reverify"):
            raise SystemExit(f"scale: {step} of {seeds} seeds failed: {run.stdout[-2000:]}")
        measured[step] = run
        print(f"scale: {seeds} seeds, {step}: {run.seconds:.1f} s, "
              f"{run.peak_tree_bytes / MB:.0f} MB{'' if run.finished else ' (stopped)'}",
              flush=True)  # fmt: skip
    ledger_bytes = (collection / "ledger.sqlite").stat().st_size
    if not redis:
        return Size(measured, ledger_bytes)
    return Size(measured, ledger_bytes, two_processes(folder, manifest, replica, timeout, measured))


def two_processes(
    folder: Path, manifest: Path, replica: str, timeout: float, measured: dict[str, memory.Measured]
) -> redis_leg.Distributed:
    """The corpus crawled again by two processes through Redis, compared with the first crawl."""
    collection = folder / "collection-redis"
    with redis_server(folder / "redis") as url:
        command = [*crawl_command(manifest, collection, replica), "--redis", url]
        run = memory.run([*command, "--processes", "2"], env=child_env(), timeout=timeout,
                         sample=True)  # fmt: skip
        redis_bytes = redis_leg.peak_memory(url)
    if run.returncode not in (0, None):
        raise SystemExit(f"scale: the crawl through Redis failed: {run.stdout[-2000:]}")
    measured[REDIS_STEP] = run
    found = redis_leg.compare(folder / "collection", collection, redis_bytes)
    print(f"scale: {REDIS_STEP}: {run.seconds:.1f} s, {run.peak_tree_bytes / MB:.0f} MB; "
          f"{found.fetches} fetches of {found.pages} pages, {len(found.differing)} verdicts "
          "differ", flush=True)  # fmt: skip
    return found


def render(sizes: Sequence[int], per_page: int, found: dict[int, Size]) -> str:
    lines = [
        "# warcproof at scale",
        "",
        f"Written by `bench/scale.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Generated "
        f"corpora, {per_page} seeds per page ({PAGE_SIZE // 1000} KB pages from the replica on "
        "loopback, requisites and screenshots off); wall time of each command as a user runs "
        "it, start-up included; peak memory of its process tree (resident sets summed, "
        "sampled every 0.1 s).",
        "",
        "| seeds | command | wall time (s) | peak memory (MB) |",
        "|---:|---|---:|---:|",
    ]
    for size in sizes:
        for step in STEPS:
            run = found[size].runs[step]
            stopped = "" if run.finished else " (stopped: unfinished)"
            lines.append(
                f"| {size} | `{step}`{stopped} | {run.seconds:.1f} | "
                f"{run.peak_tree_bytes / MB:.0f} |"
            )
        ledger = found[size].ledger_bytes / MB
        lines.append(
            f"| {size} | ledger file after the crawl and re-verification | | {ledger:.1f} |"
        )
    for size in sizes:
        if found[size].distributed is not None:
            lines += distributed_section(size, found[size])
    for small, large in itertools.pairwise(sizes):
        lines += ["", f"Growth from {small} to {large} seeds ({large / small:.0f}x):", ""]
        for step in STEPS:
            a, b = found[small].runs[step], found[large].runs[step]
            lines.append(
                f"- `{step}`: time {b.seconds / a.seconds:.1f}x, "
                f"peak memory {b.peak_tree_bytes / a.peak_tree_bytes:.2f}x"
            )
    return "\n".join(lines) + "\n"


def distributed_section(size: int, found: Size) -> list[str]:
    leg, run = found.distributed, found.runs[REDIS_STEP]
    assert leg is not None
    one = found.runs["crawl"]
    stopped = "" if run.finished else " (stopped at the time limit: unfinished)"
    differing = ", ".join(f"{seed} {a} / {b}" for seed, a, b in leg.differing[:10])
    return [
        "",
        f"## {size} seeds: two crawler processes through Redis",
        "",
        f"`warcproof crawl --redis URL --processes 2` on the same corpus, into a new collection, "
        f"a redis-server on loopback holding the shared frontier{stopped}: "
        f"{run.seconds:.1f} s ({one.seconds / run.seconds:.2f}x the one-process crawl's "
        f"speed), peak memory of the process tree {run.peak_tree_bytes / MB:.0f} MB (both "
        "crawlers and the command).",
        "",
        f"- Fetches: {leg.fetches} response records for {leg.pages} distinct generated pages "
        f"({leg.fetched_twice} pages fetched more than once); each process judged "
        f"{' and '.join(str(n) for n in leg.per_process)} seeds.",
        f"- Verdicts: {leg.seeds} seeds judged; {len(leg.differing)} differ from the "
        f"one-process crawl's" + (f" ({differing})" if differing else "") + ".",
        "",
        "Over several machines: every process (`warcproof crawl --redis URL`, or the join "
        "command it prints, on any machine) needs the same Redis, the manifest and seed files "
        "at the same path, and the collection on a shared filesystem. Redis holds only the "
        "run's frontier: the seed ids to hand out, the request queue and the duplicate filter "
        f"(redis-server's peak memory here: {leg.redis_bytes / MB:.1f} MB, "
        f"{leg.redis_bytes / size:.0f} bytes a seed); every page is fetched, extracted and "
        "judged by the one "
        "process that popped it, which writes its own WARC files (named by host and pid) and "
        "its own crawl in the ledger. What is shared, and so what bounds the spread: the "
        "ledger (SQLite on the shared filesystem, one short write transaction per seed, so "
        "the writes of all processes queue behind one lock: this run wrote "
        f"{leg.seeds / run.seconds:.0f} verdicts a second, a small share of what SQLite commits "
        "on a local disk, but a network filesystem's locking is slower and must honour POSIX "
        "locks), the index (rebuilt at the end under a Redis lock, one process at a time), and "
        "the origin sites' politeness limits, which hold per process: N machines fetch from "
        "one host N times as fast unless its delay is set N times higher.",
    ]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/scale.py", description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--per-page", type=int, default=3)
    parser.add_argument(
        "--redis-at",
        type=int,
        nargs="*",
        default=[10000],
        help="sizes at which the corpus is crawled again by two processes through Redis",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per command")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/warcproof-scale"))
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "SCALE.md")
    args = parser.parse_args(argv)
    found = {}
    with replica_origin() as (url, _):
        for size in args.seeds:
            redis = size in args.redis_at
            found[size] = run_size(args.scratch, size, args.per_page, url, args.timeout, redis)
            # Written after each size: a long run stopped later keeps what it measured.
            args.results.write_text(render(list(found), args.per_page, found), "utf-8")
    print(f"scale: results in {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
