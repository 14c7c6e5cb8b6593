"""Capture with page requisites against bare Scrapy fetching the same pages and resources, and
what screenshots add to a crawl:

    .venv/bin/python bench/requisites_bench.py [--pages 40] [--images 20] [--rounds 3]
        [--screenshot-rounds 3]

Each page is a replica hostile page (`/_hostile/images?n=K` under its own host segment, so its
K images are its own) carrying seed 004's article and its stylesheets, web font, script, images
and iframe. In interleaved rounds: `scrapy crawl seeds` with the capture and requisites on (no
item pipelines, no screenshots), then bare Scrapy (no extensions, no pipelines) fetching every
URL the first crawl archived (the warm-up round's list), the two in alternating order. Each
round gives its own ratio of the two crawls' responses per second (target >= 0.85), so the
machine's load, which changes from minute to minute on a shared machine, weighs on both sides of
a ratio alike; the median and the spread over the rounds are reported, with the CPU seconds each
side used (steadier than wall time under load): the process tree's, start-up included, and the
crawler process's own from spider open to close (bench.crawlstats).

Then, again interleaved, `warcproof crawl` of the project's seeds on the replica with
screenshots off and on (Chromium renders every page from the archive after the crawl): the
wall time each took and what a page's screenshot adds. Writes bench/REQUISITES.md."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.warc.reader import iter_records  # noqa: E402
from bench.harness import replica_origin  # noqa: E402
from bench.measure import CRAWL_SETTINGS, child_env  # noqa: E402
from provenance.run.crawl_process import scrapy_command  # noqa: E402
from provenance.run.headless_chromium import find_chromium  # noqa: E402
from provenance.sources.manifest import add_seed  # noqa: E402

TARGET = 0.85


def corpus(folder: Path, pages: int, images: int) -> Path:
    folder.mkdir(parents=True)
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    text = ROOT / "seeds" / "004_3a71e7ca43e17fc5.txt"
    for number in range(pages):
        copy = folder / f"p{number}.txt"
        copy.write_bytes(text.read_bytes())
        url = f"http://bench{number}.test/_hostile/images?n={images}"
        add_seed(manifest, copy, urls=[url], seed_id=f"p{number}")
    return manifest


def stats_of(run: subprocess.CompletedProcess[bytes], stats: Path, what: str) -> dict[str, float]:
    if run.returncode != 0 or not stats.is_file():
        raise SystemExit(f"{what} failed (exit {run.returncode}): {run.stderr[-2000:]!r}")
    loaded: dict[str, float] = json.loads(stats.read_text("utf-8"))
    return loaded


def timed(command: Sequence[str]) -> tuple[subprocess.CompletedProcess[bytes], float, float]:
    """Run `command`; its result, wall seconds and CPU seconds (its process tree's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return run, wall, cpu


@dataclass(frozen=True)
class Round:
    pages: int
    requisites: int
    seconds: float  # Scrapy's elapsed time of the capture crawl
    cpu: float
    bare_responses: int
    bare_seconds: float
    bare_cpu: float
    crawl_cpu: float  # the crawler process's, spider open to close
    bare_crawl_cpu: float

    @property
    def ratio(self) -> float:
        """Responses per second with requisites over bare Scrapy's."""
        return ((self.pages + self.requisites) / self.seconds) / (
            self.bare_responses / self.bare_seconds
        )


@dataclass(frozen=True)
class Crawl:
    responses: int
    seconds: float  # Scrapy's elapsed time
    cpu: float  # the process tree's, start-up included
    crawl_cpu: float  # the crawler process's, spider open to close


def with_requisites(manifest: Path, work: Path, origin: str) -> tuple[int, Crawl]:
    """The pages and the crawl figures (responses: requisites only) of a capture crawl with
    requisites; writes the archived URLs to `work`/urls.txt."""
    collection = work / "collection"
    stats = work / "stats.json"
    settings = (*CRAWL_SETTINGS, "ITEM_PIPELINES={}", f"BENCH_STATS_FILE={stats}")
    command = scrapy_command(manifest, collection, (), origin, work / "crawl.log", settings)
    run, _, cpu = timed(command)
    figures = stats_of(run, stats, "the crawl with requisites")
    responses = [
        r.target_uri or ""
        for path in sorted((collection / "warcs").glob("*.warc.gz"))
        for r in iter_records(path)
        if r.rec_type in ("response", "revisit")
    ]
    (work / "urls.txt").write_text("\n".join(responses), "utf-8")
    pages = sum("/_hostile/images" in url for url in responses)
    robots = sum(url.endswith("/robots.txt") for url in responses)
    return pages, crawl_of(len(responses) - pages - robots, figures, cpu)


def crawl_of(responses: int, figures: dict[str, float], cpu: float) -> Crawl:
    return Crawl(
        responses,
        float(figures["elapsed_time_seconds"]),
        cpu,
        float(figures["crawl_cpu_seconds"]),
    )


def bare(urls: Path, work: Path) -> Crawl:
    stats = work / "bare-stats.json"
    command = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "fetch_list.py"),
        "-a", f"urls={urls}", "-s", "EXTENSIONS={}", "-s", "ITEM_PIPELINES={}",
        "-s", f"BENCH_STATS_FILE={stats}", "-s", f"LOG_FILE={work / 'bare.log'}",
        *(arg for setting in CRAWL_SETTINGS for arg in ("-s", setting)),
    ]  # fmt: skip
    run, _, cpu = timed(command)
    figures = stats_of(run, stats, "bare Scrapy")
    return crawl_of(int(figures["response_received_count"]), figures, cpu)


def screenshot_crawl(work: Path, origin: str, screenshots: bool) -> tuple[float, int]:
    """Wall seconds of `warcproof crawl` of the project's seeds, and the pages it rendered."""
    collection = work / f"screenshots-{screenshots}"
    command = [
        str(Path(sys.executable).parent / "warcproof"), "crawl", "--manifest",
        str(ROOT / "seeds" / "seeds.toml"), "--collection", str(collection), "--replica", origin,
        "-s", f"WARCPROOF_SCREENSHOTS={screenshots}", "--log-level", "info",
    ]  # fmt: skip
    run, wall, _ = timed(command)
    if run.returncode != 0:
        raise SystemExit(f"warcproof crawl failed (exit {run.returncode}): {run.stderr[-2000:]!r}")
    log = "".join(path.read_text("utf-8") for path in (collection / "logs").glob("*.log"))
    rendered = 0
    for line in log.splitlines():
        if "page(s) rendered from the archive" in line:
            rendered = int(line.split("Screenshots: ", 1)[1].split()[0])
    return wall, rendered


def git_commit() -> str:
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True)
    return run.stdout.decode().strip() or "an unknown commit"


def spread(values: Sequence[float], digits: int = 2) -> str:
    """The median, then the lowest and highest value."""
    return (
        f"{statistics.median(values):.{digits}f} "
        f"(from {min(values):.{digits}f} to {max(values):.{digits}f})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--screenshot-rounds", type=int, default=3)
    args = parser.parse_args()
    rows: list[Round] = []
    shots: list[tuple[float, float, int]] = []
    chromium = find_chromium()
    load = os.getloadavg()[0]
    with (
        tempfile.TemporaryDirectory(prefix="warcproof-bench-req-") as scratch,
        replica_origin() as (origin, _),
    ):
        manifest = corpus(Path(scratch) / "corpus", args.pages, args.images)
        # Round -1 warms the origin (it builds each page once), lists the URLs bare Scrapy
        # fetches, and is not counted. Odd rounds run bare Scrapy first.
        urls = Path(scratch) / "round--1" / "urls.txt"
        for round_number in range(-1, args.rounds):
            work = Path(scratch) / f"round-{round_number}"
            work.mkdir()
            plain = bare(urls, work) if round_number > 0 and round_number % 2 == 1 else None
            pages, capture = with_requisites(manifest, work, origin)
            plain = plain or bare(urls, work)
            if round_number >= 0:
                rows.append(
                    Round(
                        pages,
                        capture.responses,
                        capture.seconds,
                        capture.cpu,
                        plain.responses,
                        plain.seconds,
                        plain.cpu,
                        capture.crawl_cpu,
                        plain.crawl_cpu,
                    )
                )
        for round_number in range(args.screenshot_rounds if chromium else 0):
            work = Path(scratch) / f"shots-{round_number}"
            work.mkdir()
            off, _ = screenshot_crawl(work, origin, screenshots=False)
            on, rendered = screenshot_crawl(work, origin, screenshots=True)
            shots.append((off, on, rendered))
    cpu_ratios = [
        (r.cpu / (r.pages + r.requisites)) / (r.bare_cpu / r.bare_responses) for r in rows
    ]
    crawl_cpu_ratios = [
        (r.crawl_cpu / (r.pages + r.requisites)) / (r.bare_crawl_cpu / r.bare_responses)
        for r in rows
    ]
    lines = [
        "# Capture with page requisites",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/requisites_bench.py "
        f"--pages {args.pages} --images {args.images} --rounds {args.rounds} "
        f"--screenshot-rounds {args.screenshot_rounds}` at {git_commit()}: {args.pages} "
        f"replica pages, each with {args.images} images of its own plus the article's shared "
        "stylesheets, web font, script, images and iframe; interleaved rounds after an "
        f"uncounted warm-up round; machine load average at the start: {load:.1f} "
        f"(at the end: {os.getloadavg()[0]:.1f}) on {os.cpu_count()} CPUs, shared with other "
        "work. Seconds are Scrapy's elapsed time (spider open to close); CPU seconds are the "
        "process tree's user and system time, start-up included; crawl CPU s the crawler "
        "process's own from spider open to close. Odd rounds ran bare Scrapy first.",
        "",
        "| round | pages | requisites | seconds | CPU s | crawl CPU s | bare responses "
        "| bare seconds | bare CPU s | bare crawl CPU s | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {n} | {r.pages} | {r.requisites} | {r.seconds:.2f} | {r.cpu:.1f} "
            f"| {r.crawl_cpu:.2f} | {r.bare_responses} | {r.bare_seconds:.2f} "
            f"| {r.bare_cpu:.1f} | {r.bare_crawl_cpu:.2f} | {r.ratio:.2f} |"
            for n, r in enumerate(rows)
        ),
        "",
        "Median over the rounds (lowest to highest):",
        "",
        f"- capture with requisites: **{spread([r.pages / r.seconds for r in rows], 1)} "
        f"pages/s**, **{spread([r.requisites / r.seconds for r in rows], 1)} resources/s**",
        f"- ratio of responses/s to bare Scrapy fetching the same URLs in the same round: "
        f"**{spread([r.ratio for r in rows])}** (target >= {TARGET}: "
        f"{'met' if statistics.median(r.ratio for r in rows) >= TARGET else 'NOT met'} "
        "by the median)",
        f"- CPU seconds per response, with requisites over bare: {spread(cpu_ratios)} (process "
        f"tree, start-up and the collection's indexing after the crawl included); "
        f"{spread(crawl_cpu_ratios)} (the crawler process from spider open to close)",
        "",
        "The wall-time ratio moves with the load other work puts on the machine from one minute "
        "to the next, so its spread is wide; the CPU figures are the steadier ones. Per response "
        "the capture also builds, digests, compresses and writes the request and response "
        "records, and the spider looks for requisites in every page and stylesheet and writes "
        "each page's list of them; a crawl bound by the CPU alone would run at about "
        f"{1 / statistics.median(crawl_cpu_ratios):.2f} of bare Scrapy's rate.",
        "",
        "## Screenshots during a crawl",
        "",
    ]
    if shots:
        added = [(on - off) / max(rendered, 1) for off, on, rendered in shots]
        lines += [
            "`warcproof crawl` of the project's 5 seeds on the replica (wall time, start-up "
            "included), screenshots off then on, in each round:",
            "",
            "| round | off (s) | on (s) | pages rendered |",
            "|---|---|---|---|",
            *(
                f"| {n} | {off:.1f} | {on:.1f} | {rendered} |"
                for n, (off, on, rendered) in enumerate(shots)
            ),
            "",
            f"- screenshots add **{spread(added, 1)} s per page** "
            f"(crawl: {spread([on / off for off, on, _ in shots])} times as long)",
            "",
        ]
    else:
        why = "Chromium is not installed here" if chromium is None else "--screenshot-rounds 0"
        lines += [f"Not measured in this run ({why}).", ""]
    target = ROOT / "bench" / "REQUISITES.md"
    target.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
