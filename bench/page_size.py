"""Extraction + comparison time against page size (issue 14, finding 11), from the repository
root:

    .venv/bin/python bench/page_size.py [--limit SECONDS] [--out bench/PAGE_SIZE.md]

Each page is the hostile shape the review found: an article followed by many tiny paragraphs,
grown to 64 KB, 128 KB, ... 8 MB; the seed is the article. Every size runs `compare_text` (the
library call the crawl makes: trafilatura, then alignment) in its own process, stopped after
`--limit` seconds; once a size is stopped the larger ones are not tried. The table gives the
seconds, and the time per MB, which stays flat when the cost grows linearly."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = [64 << 10 << n for n in range(8)]  # 64 KB .. 8 MB
ARTICLE = [
    f"Paragraph {n} of the article reports what the officials said on the day, in some detail."
    for n in range(12)
]


def hostile_page(size: int) -> bytes:
    """An article, then tiny paragraphs until the page has `size` bytes."""
    head = "<html><head><title>t</title></head><body><article>"
    body = "".join(f"<p>{text}</p>" for text in ARTICLE) + "</article><div>"
    page = [head, body]
    total = len(head) + len(body)
    number = 0
    while total < size:
        filler = f"<p>w{number}.</p>"
        page.append(filler)
        total += len(filler)
        number += 1
    page.append("</div></body></html>")
    return "".join(page).encode()


def _timed(size: int, out: multiprocessing.SimpleQueue[tuple[float, str]]) -> None:
    from provenance.compare.text_check import compare_text
    from provenance.text.extract import Article, NoArticle

    page = hostile_page(size)
    started = time.perf_counter()
    result = compare_text("\n\n".join(ARTICLE), page, url="http://bench.test/page")
    seconds = time.perf_counter() - started
    outcome = result.assessment.verdict.value
    if isinstance(result.article, Article) and result.article.limit:
        outcome += f" ({result.article.limit})"
    elif isinstance(result.article, NoArticle):
        outcome += f" ({result.article.reason})"
    out.put((seconds, outcome))


def measure(size: int, limit: float) -> tuple[float, str] | None:
    """Seconds for one page of `size` bytes and the verdict with any extraction limit that
    applied; None when stopped at `limit`."""
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.SimpleQueue[tuple[float, str]] = context.SimpleQueue()
    worker = context.Process(target=_timed, args=(size, out))
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        worker.kill()
        worker.join()
        return None
    return out.get() if not out.empty() else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per size")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "PAGE_SIZE.md")
    args = parser.parse_args(argv)
    rows = [
        "| page size | seconds | seconds per MB | verdict (extraction limit) |",
        "|---|---|---|---|",
    ]
    for size in SIZES:
        measured = measure(size, args.limit)
        label = f"{size >> 10} KB"
        if measured is None:
            rows.append(f"| {label} | stopped at {args.limit:g} s | - | - |")
            print(f"{label}: stopped at {args.limit:g} s", flush=True)
            break
        seconds, outcome = measured
        rows.append(f"| {label} | {seconds:.2f} | {seconds / (size / (1 << 20)):.2f} | {outcome} |")
        print(f"{label}: {seconds:.2f} s", flush=True)
    text = "\n".join(
        [
            "# Extraction + comparison time against page size",
            "",
            "`bench/page_size.py`: `compare_text` on an article followed by tiny paragraphs "
            f"(one process per size, stopped at {args.limit:g} s). Load average at the end: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
            "",
            *rows,
            "",
        ]
    )
    args.out.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
