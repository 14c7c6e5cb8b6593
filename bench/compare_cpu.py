"""CPU time of the comparison per real page: extraction, and comparing the page's gold copy,
against another tree of the project measured side by side in the same run:

    rm -rf /tmp/base-tree && mkdir /tmp/base-tree && git archive 3fb9e91 | tar -x -C /tmp/base-tree
    python bench/compare_cpu.py --against /tmp/base-tree --label 3fb9e91 \\
        [--corpus ../shared/realpages-dev] [--limit 100] [--results bench/COMPARE_CPU.md]

Each page of the corpus (gold text of 300 characters or more, the first `--limit` ids of each
set) is extracted (`extract_article`) and its gold text compared with it (`prepare_text` +
`compare_prepared`: what `compare_text` does), three times over; the least process CPU time of
the three is kept for each step, so another process's load counts least. Two worker processes
do the work, one importing this tree and one the `--against` tree; they take each page in turn
(which goes first alternates), so that both see the same load. Without `--against` only this
tree is measured."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
_REPEATS = 3
_MIN_GOLD = 300
_STEPS = (("extract_ms", "extraction"), ("compare_ms", "comparison"), ("total_ms", "compare_text"))


def _default_corpus() -> Path:
    """`../shared/realpages-dev/` beside the repository, or beside the worktrees' folder."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "realpages-dev").is_dir():
            return base / "shared" / "realpages-dev"
    return ROOT.parent / "shared" / "realpages-dev"


def _pages(corpus: Path, limit: int) -> list[tuple[Path, str]]:
    pages: list[tuple[Path, str]] = []
    for name in ("dragnet", "l3s_gn1"):
        truth = json.loads((corpus / name / "ground-truth.json").read_text(encoding="utf-8"))
        ids = sorted(i for i, v in truth.items() if len(v["articleBody"]) >= _MIN_GOLD)[:limit]
        pages += [(corpus / name / "html" / f"{i}.html.gz", truth[i]["articleBody"]) for i in ids]
    return pages


def _measure_page(path: Path, gold: str) -> tuple[float, float]:
    """The least CPU seconds of the extraction and of the comparison of one page."""
    from provenance.compare.text_check import compare_prepared, prepare_text
    from provenance.text.extract import extract_article

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
    return extract_best, compare_best


def _serve(corpus: Path, limit: int) -> None:
    """Worker: measures the page of each index read from stdin, answers with a JSON line."""
    pages = _pages(corpus, limit)
    for line in sys.stdin:
        extract_s, compare_s = _measure_page(*pages[int(line)])
        print(json.dumps([extract_s, compare_s]), flush=True)


class _Worker:
    def __init__(self, tree: Path, corpus: Path, limit: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, str(Path(__file__).resolve()), "--serve"]
        command += ["--corpus", str(corpus), "--limit", str(limit)]
        self.tree = tree
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if self.process.stdin is None or self.process.stdout is None:
            raise SystemExit("no pipe to the worker")
        self.stdin: IO[str] = self.process.stdin
        self.stdout: IO[str] = self.process.stdout
        self.extract = self.compare = 0.0

    def measure(self, index: int) -> None:
        self.stdin.write(f"{index}\n")
        self.stdin.flush()
        answer = self.stdout.readline()
        if not answer:
            raise SystemExit(f"the worker measuring {self.tree} stopped")
        extract_s, compare_s = json.loads(answer)
        self.extract += extract_s
        self.compare += compare_s

    def result(self, pages: int) -> dict[str, float]:
        self.stdin.close()
        self.process.wait()
        return {
            "pages": pages,
            "extract_ms": 1000 * self.extract / pages,
            "compare_ms": 1000 * self.compare / pages,
            "total_ms": 1000 * (self.extract + self.compare) / pages,
        }


def measure(corpus: Path, limit: int, against: Path | None) -> tuple[dict[str, float], ...]:
    """This tree's milliseconds a page (and the `against` tree's, measured alongside)."""
    count = len(_pages(corpus, limit))
    workers = [_Worker(ROOT, corpus, limit)]
    if against is not None:
        workers.append(_Worker(against, corpus, limit))
    for index in range(count):
        for worker in workers if index % 2 == 0 else reversed(workers):
            worker.measure(index)
    return tuple(worker.result(count) for worker in workers)


def _report(now: dict[str, float], base: dict[str, float] | None, label: str) -> str:
    lines = [
        "# CPU time of the comparison per real page",
        "",
        "Written by `bench/compare_cpu.py`: least process CPU time of three runs per page,",
        f"{int(now['pages'])} pages of realpages-dev (gold text of 300 characters or more); this",
        f"tree and {label} measured side by side, page by page, in one run (load average at the",
        f"end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).",
        "",
        f"| step | now (ms a page) | {label} (ms a page) | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, step in _STEPS:
        if base is None:
            lines.append(f"| {step} | {now[key]:.1f} | - | - |")
        else:
            ratio = now[key] / base[key]
            lines.append(f"| {step} | {now[key]:.1f} | {base[key]:.1f} | {ratio:.2f}x |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--limit", type=int, default=100, help="pages of each set")
    parser.add_argument("--against", type=Path, help="another tree of the project")
    parser.add_argument("--label", default="baseline", help="the other tree's name")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.corpus, args.limit)
        return
    results = measure(args.corpus, args.limit, args.against)
    now, base = results[0], (results[1] if len(results) > 1 else None)
    if args.results is not None:
        args.results.write_text(_report(now, base, args.label), encoding="utf-8")
    print(json.dumps({"now": now, args.label: base}))


if __name__ == "__main__":
    main()
