"""Capture with page requisites against bare Scrapy fetching the same pages and resources:

    .venv/bin/python bench/requisites_bench.py [--pages 40] [--images 20] [--rounds 3]

Each page is a replica hostile page (`/_hostile/images?n=K` under its own host segment, so its
K images are its own) carrying seed 004's article and its stylesheets, script, images and
iframe. In interleaved rounds: `scrapy crawl seeds` with the capture and requisites on (no
item pipelines), then bare Scrapy (no extensions, no pipelines) fetching every URL the first
crawl archived. Writes bench/REQUISITES.md: pages/s, resources/s and the ratio of the two
crawls' responses per second (target >= 0.85)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.warc.reader import iter_records  # noqa: E402
from bench.harness import replica_origin  # noqa: E402
from bench.measure import CRAWL_SETTINGS, child_env  # noqa: E402
from provenance.run.crawl_process import scrapy_command  # noqa: E402
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


def with_requisites(manifest: Path, work: Path, origin: str) -> tuple[int, int, float]:
    """(pages, requisite responses, seconds) of a capture crawl with requisites."""
    collection = work / "collection"
    stats = work / "stats.json"
    settings = (*CRAWL_SETTINGS, "ITEM_PIPELINES={}", f"BENCH_STATS_FILE={stats}")
    command = scrapy_command(manifest, collection, (), origin, work / "crawl.log", settings)
    run = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True)
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
    return pages, len(responses) - pages - robots, float(figures["elapsed_time_seconds"])


def bare(urls: Path, work: Path) -> tuple[int, float]:
    stats = work / "bare-stats.json"
    command = [
        sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "fetch_list.py"),
        "-a", f"urls={urls}", "-s", "EXTENSIONS={}", "-s", "ITEM_PIPELINES={}",
        "-s", f"BENCH_STATS_FILE={stats}", "-s", f"LOG_FILE={work / 'bare.log'}",
        *(arg for setting in CRAWL_SETTINGS for arg in ("-s", setting)),
    ]  # fmt: skip
    run = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True)
    figures = stats_of(run, stats, "bare Scrapy")
    return int(figures["response_received_count"]), float(figures["elapsed_time_seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="warcproof-bench-req-") as scratch,
        replica_origin() as (
            origin,
            _,
        ),
    ):
        manifest = corpus(Path(scratch) / "corpus", args.pages, args.images)
        # Round -1 warms the origin (it builds each page once) and is not counted.
        for round_number in range(-1, args.rounds):
            work = Path(scratch) / f"round-{round_number}"
            work.mkdir()
            pages, resources, seconds = with_requisites(manifest, work, origin)
            fetched, bare_seconds = bare(work / "urls.txt", work)
            if round_number >= 0:
                rows.append((pages, resources, seconds, fetched, bare_seconds))
    pages_s = statistics.median(p / s for p, _, s, _, _ in rows)
    resources_s = statistics.median(r / s for _, r, s, _, _ in rows)
    ratio = statistics.median(((p + r) / s) / (f / b) for p, r, s, f, b in rows)
    lines = [
        "# Capture with page requisites",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/requisites_bench.py "
        f"--pages {args.pages} --images {args.images} --rounds {args.rounds}`: {args.pages} "
        f"replica pages, each with {args.images} images of its own plus the article's shared "
        "stylesheets, script, images and iframe; medians over interleaved rounds after "
        "an uncounted warm-up round; machine load average at the start: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.",
        "",
        "| round | pages | requisites | seconds | bare responses | bare seconds |",
        "|---|---|---|---|---|---|",
        *(
            f"| {n} | {p} | {r} | {s:.2f} | {f} | {b:.2f} |"
            for n, (p, r, s, f, b) in enumerate(rows)
        ),
        "",
        f"- capture with requisites: **{pages_s:.1f} pages/s**, **{resources_s:.1f} resources/s**",
        f"- ratio of responses/s to bare Scrapy fetching the same URLs: **{ratio:.2f}** "
        f"(target >= {TARGET}: {'met' if ratio >= TARGET else 'NOT met'})",
        "",
    ]
    target = ROOT / "bench" / "REQUISITES.md"
    target.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
