"""Where a full-pipeline page's CPU goes, beyond what the machine limit L counts: per generated
page (the pages `bench/run.py` crawls, seed n its own article), the process CPU time of
trafilatura's own extraction (the work T measures), of warcproof's extraction, of its whole
examination in a worker (extraction and comparison), and of the requisites scan on the crawl's
reactor thread. Least of three runs per page, so another process's load counts least.

    .venv/bin/python bench/page_cpu.py [--pages 100] [--results bench/PAGE_CPU.md]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from provenance.compare.seedcheck import examine  # noqa: E402
from provenance.sources.manifest import Seed  # noqa: E402
from provenance.text.extract import extract_article  # noqa: E402
from provenance.text.requisites import html_requisites  # noqa: E402
from replica.generated import article_text, page  # noqa: E402

REPEATS = 3
URL = "http://bench.test/_generated/"


def least_cpu(work: Callable[[], object]) -> float:
    """The least process CPU time of REPEATS runs of `work`, in milliseconds."""
    times = []
    for _ in range(REPEATS):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return 1000 * min(times)


def measure(pages: int, folder: Path) -> dict[str, list[float]]:
    steps: dict[str, list[float]] = {
        "trafilatura.extract (T's unit of work)": [],
        "extract_article (warcproof's extraction)": [],
        "examine (extraction and comparison, in a worker)": [],
        "html_requisites (the crawl's reactor thread)": [],
    }
    for number in range(pages):
        body = page(number)
        raw = article_text(number).encode("utf-8")
        path = folder / f"{number}.txt"
        path.write_bytes(raw)
        seed = Seed(str(number), path.name, path, hashlib.sha256(raw).hexdigest(), urls=(URL,))
        works: list[Callable[[], object]] = [
            partial(trafilatura.extract, body),
            partial(extract_article, body, url=URL, content_type="text/html"),
            partial(examine, seed, body, url=URL, content_type="text/html"),
            partial(html_requisites, body, URL),
        ]
        for found, work in zip(steps.values(), works, strict=True):
            found.append(least_cpu(work))
    return steps


def render(pages: int, steps: dict[str, list[float]]) -> str:
    medians = {name: statistics.median(found) for name, found in steps.items()}
    unit = next(iter(medians.values()))
    lines = [
        "# CPU of one page of the full pipeline",
        "",
        f"Written by `bench/page_cpu.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {pages} "
        "generated pages (those `bench/run.py` crawls), least process CPU time of "
        f"{REPEATS} runs per page, medians over the pages.",
        "",
        "| step | ms a page | x trafilatura.extract |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {ms:.2f} | {ms / unit:.2f} |" for name, ms in medians.items()]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/page_cpu.py", description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "PAGE_CPU.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        steps = measure(args.pages, Path(folder))
    args.results.write_text(render(args.pages, steps), "utf-8")
    print(f"page_cpu: results in {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
