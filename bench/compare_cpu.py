"""CPU time of the comparison per real page: extraction, and comparing the page's gold copy.

    python bench/compare_cpu.py [--corpus ../shared/realpages-dev] [--limit 100]
        [--json out.json] [--baseline base.json] [--results bench/COMPARE_CPU.md]

Each page of the corpus (gold text of 300 characters or more, the first `--limit` ids of each
set) is extracted once (`extract_article`) and its gold text compared with it
(`prepare_text` + `compare_prepared`: what `compare_text` does), three times over; the least
process CPU time of the three is kept for each step, so another process's load counts least.
`--baseline` is the `--json` of a run on another tree (run this script with that tree first on
PYTHONPATH); the results file then shows the ratio."""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from provenance.compare.text_check import compare_prepared, prepare_text
from provenance.text.extract import extract_article

_REPEATS = 3
_MIN_GOLD = 300


def _pages(corpus: Path, limit: int) -> list[tuple[Path, str]]:
    pages: list[tuple[Path, str]] = []
    for name in ("dragnet", "l3s_gn1"):
        truth = json.loads((corpus / name / "ground-truth.json").read_text(encoding="utf-8"))
        ids = sorted(i for i, v in truth.items() if len(v["articleBody"]) >= _MIN_GOLD)[:limit]
        pages += [(corpus / name / "html" / f"{i}.html.gz", truth[i]["articleBody"]) for i in ids]
    return pages


def measure(corpus: Path, limit: int) -> dict[str, float]:
    extract_total = compare_total = 0.0
    pages = _pages(corpus, limit)
    for path, gold in pages:
        body = gzip.decompress(path.read_bytes())
        extract_best = compare_best = float("inf")
        for _ in range(_REPEATS):
            start = time.process_time()
            article = extract_article(body, url="http://example.org/", content_type="text/html")
            middle = time.process_time()
            compare_prepared(prepare_text(gold), article)
            end = time.process_time()
            extract_best = min(extract_best, middle - start)
            compare_best = min(compare_best, end - middle)
        extract_total += extract_best
        compare_total += compare_best
    n = len(pages)
    return {
        "pages": n,
        "extract_ms": 1000 * extract_total / n,
        "compare_ms": 1000 * compare_total / n,
        "total_ms": 1000 * (extract_total + compare_total) / n,
    }


def _report(now: dict[str, float], base: dict[str, float] | None) -> str:
    lines = [
        "# CPU time of the comparison per real page",
        "",
        "Written by `bench/compare_cpu.py`: least process CPU time of three runs per page,",
        f"{int(now['pages'])} pages of realpages-dev (gold text of 300 characters or more).",
        "",
        "| step | now (ms a page) | baseline (ms a page) | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, label in (
        ("extract_ms", "extraction"),
        ("compare_ms", "comparison"),
        ("total_ms", "compare_text"),
    ):
        if base is None:
            lines.append(f"| {label} | {now[key]:.1f} | - | - |")
        else:
            ratio = now[key] / base[key]
            lines.append(f"| {label} | {now[key]:.1f} | {base[key]:.1f} | {ratio:.2f}x |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/realpages-dev"))
    parser.add_argument("--limit", type=int, default=100, help="pages of each set")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    now = measure(args.corpus, args.limit)
    if args.json is not None:
        args.json.write_text(json.dumps(now, indent=1) + "\n", encoding="utf-8")
    base = None
    if args.baseline is not None:
        base = json.loads(args.baseline.read_text(encoding="utf-8"))
    if args.results is not None:
        args.results.write_text(_report(now, base), encoding="utf-8")
    print(json.dumps(now))


if __name__ == "__main__":
    main()
