"""What `bench/accuracy.py` runs: the corpus read, the browser texts gathered, the pages judged
in a process pool, the report written."""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shlex
import subprocess
import sys
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import accuracy_browser as browser
from bench.accuracy_cases import KINDS, Case, Page, PageResult, Task, judge_page
from bench.accuracy_copies import rng_for
from bench.accuracy_method import METHOD
from bench.accuracy_report import RunFacts, render

ROOT = Path(__file__).resolve().parent.parent
SETS = ("dragnet", "l3s_gn1")
MIN_GOLD = 300
API_CHECK_EVERY = 10


def default_corpus() -> Path:
    """`../shared/realpages-dev/` beside the repository; from a worktree under /work/wt the
    shared folder is one level further up."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "realpages-dev").is_dir():
            return base / "shared" / "realpages-dev"
    return ROOT.parent / "shared" / "realpages-dev"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/accuracy.py", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--limit", type=int, help="at most N pages of each set (sorted by id)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--crawl", type=int, default=0, help="also crawl N pages (0: no crawl)")
    parser.add_argument("--cache", type=Path, default=browser.DEFAULT_CACHE)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "ACCURACY.md")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "accuracy.json")
    parser.add_argument(
        "--commit", help="the commit measured, when this tree is an export, not a checkout"
    )
    parser.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        help="write the report of these results JSONs (the first one's cases, a later one's"
        " crawl) without judging anything",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        help="seconds after which no new page is judged; the report covers the pages judged",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        help="a results JSON of an earlier run on the same commit: its cases of the kinds not"
        " run now go into the report (one run per group of kinds, e.g. select-all apart)",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1 or (args.limit is not None and args.limit < 1) or args.crawl < 0:
        parser.error("--jobs and --limit must be positive, --crawl not negative")
    if not (args.corpus / "dragnet" / "ground-truth.json").is_file():
        parser.error(f"no corpus at {args.corpus} (expected dragnet/ground-truth.json in it)")
    return args


def page_order(page: Page) -> str:
    """A fixed pseudo-random order, so that a run cut short by --time-limit judged a fair
    sample of both sets."""
    return hashlib.sha256(page.key.encode()).hexdigest()


def judge_all(tasks: Sequence[Task], jobs: int, deadline: float | None) -> list[PageResult]:
    """The tasks' results in order; past the deadline no new page is started."""
    results: list[PageResult] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[PageResult]] = deque()
        queue = iter(tasks)
        while True:
            while len(pending) < 4 * jobs and (deadline is None or time.monotonic() < deadline):
                task = next(queue, None)
                if task is None:
                    break
                pending.append(pool.submit(judge_page, task))
            if not pending:
                return results
            results.append(pending.popleft().result())
            if len(results) % 200 == 0:
                print(f"accuracy: {len(results)}/{len(tasks)} pages judged", flush=True)


def load_pages(corpus: Path, limit: int | None) -> list[Page]:
    pages: list[Page] = []
    for name in SETS:
        gold = json.loads((corpus / name / "ground-truth.json").read_text(encoding="utf-8"))
        chosen = [k for k in sorted(gold) if len(gold[k]["articleBody"]) >= MIN_GOLD]
        for page_id in chosen[:limit]:
            url = gold[page_id].get("url") or f"http://127.0.0.1/{name}/{page_id}.html"
            path = corpus / name / "html" / f"{page_id}.html.gz"
            pages.append(Page(name, page_id, url, gold[page_id]["articleBody"], path))
    return pages


def donors(pages: Sequence[Page]) -> dict[str, tuple[str, str]]:
    """For each page, two other pages of its set (chosen by its seeded RNG): the donor of the
    inserted sentence and the other article."""
    chosen: dict[str, tuple[str, str]] = {}
    for name in SETS:
        members = [p for p in pages if p.set == name]
        for page in members:
            others = [p.gold for p in members if p.id != page.id]
            if not others:
                chosen[page.key] = ("", "")
                continue
            rng = rng_for("donor", page.id)
            chosen[page.key] = (rng.choice(others), rng.choice(others))
    return chosen


def reused(
    path: Path, commit: str, kinds: Sequence[str], pages: Sequence[Page]
) -> tuple[list[Case], list[dict[str, Any]], list[str]]:
    """The cases of an earlier run (same commit) of kinds not run now, for these pages; that
    run's timings; its crawl lines."""
    earlier = json.loads(path.read_text(encoding="utf-8"))
    if earlier.get("commit") != commit:
        raise SystemExit(f"{path}: measured on {earlier.get('commit')}, not {commit}")
    keys = {(p.set, p.id) for p in pages}
    cases = [
        Case(**c)
        for c in earlier["cases"]
        if c["kind"] not in kinds and (c["set"], c["id"]) in keys
    ]
    runs = [r for r in earlier.get("runs", []) if set(r["kinds"]) - set(kinds)]
    return cases, runs, list(earlier.get("crawl", []))


def git_commit() -> str:
    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return run.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "provenance")
    return git("rev-parse", "--short", "HEAD") + (
        " + uncommitted provenance/ changes" if dirty else ""
    )


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def merge(paths: Sequence[Path], results: Path) -> int:
    """The report of the first results JSON, with the crawl lines of a later one (same
    commit): a crawl run and a time-limited library run can go side by side."""
    first, *others = (json.loads(path.read_text(encoding="utf-8")) for path in paths)
    facts = RunFacts(**first["facts"])
    for other in others:
        if other["commit"] != first["commit"]:
            raise SystemExit(f"measured on {other['commit']}, not {first['commit']}")
        if other.get("crawl") and not facts.crawl:
            run = other["facts"]
            facts.crawl = [
                *other["crawl"],
                f"- the crawl's run: `{run['command']}`, wall time {run['wall']:.0f} s,"
                f" CPU time {run['cpu']:.0f} s",
            ]
    cases = [Case(**c) for c in first["cases"]]
    results.write_text(render(cases, facts, METHOD), encoding="utf-8")
    print(f"accuracy: wrote {results} from {', '.join(map(str, paths))}")
    return 0


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.merge:
        return merge(args.merge, args.results)
    started, cpu_started = time.monotonic(), cpu_seconds()
    pages = sorted(load_pages(args.corpus, args.limit), key=page_order)
    total = len(pages)
    print(f"accuracy: {len(pages)} pages from {args.corpus}", flush=True)
    texts: dict[str, str] = {}
    failed: dict[str, str] = {}
    chromium_seconds, chromium_pages = 0.0, 0
    if "select-all" in args.kinds:
        bodies = {p.key: p.body() for p in pages}
        uncached = sum(not browser.cache_path(args.cache, b).exists() for b in bodies.values())
        print(f"accuracy: innerText of {uncached} uncached page(s) from Chromium", flush=True)
        try:
            texts, failed, chromium_seconds = browser.select_all_texts(bodies, args.cache, True)
        except browser.BrowserError as error:
            print(f"accuracy: no select-all copies: {error}", file=sys.stderr)
        chromium_pages = uncached
    chosen = donors(pages)
    # The shortcut's equality with `compare_text` is checked on every API_CHECK_EVERY-th page:
    # that check extracts the page a second time.
    tasks = [
        Task(p, tuple(args.kinds), *chosen[p.key], texts.get(p.key), n % API_CHECK_EVERY == 0)
        for n, p in enumerate(pages)
    ]
    results = judge_all(tasks, args.jobs, started + args.time_limit if args.time_limit else None)
    if len(results) < len(tasks):
        tasks = tasks[: len(results)]
        pages = [t.page for t in tasks]
    cases = [case for result in results for case in result.cases]
    mismatches = [
        f"{task.page.key} ({result.api_mismatch})"
        for task, result in zip(tasks, results, strict=True)
        if result.api_mismatch
    ]
    checked = sum(t.api_check and "gold" in t.kinds for t in tasks)
    if len(tasks) < total:
        print(f"accuracy: time limit reached after {len(tasks)} of {total} pages", flush=True)
    notes = [
        f"`compare_text` itself was run on the gold copy of {checked} page(s) (1 in"
        f" {API_CHECK_EVERY}) to check the extract-once shortcut against it"
    ]
    if "select-all" in args.kinds:
        conflicted = [r for r in results if r.charset_conflict]
        alarms = sum(
            c.kind == "select-all" and c.verdict is not None and not c.ok
            for r in conflicted
            for c in r.cases
        )
        notes.append(
            f"{len(conflicted)} page(s) declare a charset their bytes are not in (a browser shows"
            f" them garbled, so their select-all copies carry the garbling); {alarms} of the"
            " select-all false alarms are on such pages"
        )
    crawl_lines: list[str] = []
    if args.crawl:
        from bench.accuracy_crawl import crawl_agreement

        crawl_lines = crawl_agreement(tasks, args.crawl)
    facts = RunFacts(
        commit=args.commit or git_commit(),
        corpus=str(args.corpus),
        pages={name: sum(p.set == name for p in pages) for name in SETS},
        of_pages=total,
        time_limit=args.time_limit,
        wall=time.monotonic() - started,
        cpu=cpu_seconds() - cpu_started,
        compare_cpu=sum(r.cpu for r in results),
        chromium_seconds=chromium_seconds,
        chromium_pages=chromium_pages,
        chromium_failed=failed,
        api_mismatches=mismatches,
        command="bench/accuracy.py " + shlex.join(argv),
        crawl=crawl_lines,
        notes=notes,
    )
    run = {
        "command": facts.command,
        "kinds": args.kinds,
        "wall": round(facts.wall, 1),
        "cpu": round(facts.cpu, 1),
        "compare_cpu": round(facts.compare_cpu, 1),
    }
    runs = [run]
    if args.reuse:
        earlier, runs, crawl = reused(args.reuse, facts.commit, args.kinds, pages)
        cases += earlier
        facts.crawl = facts.crawl or crawl
        runs.append(run)
        for before in runs[:-1]:
            facts.notes.append(
                f"the {', '.join(before['kinds'])} cases are from an earlier run on the same"
                f" commit: `{before['command']}`, wall time {before['wall']:.0f} s, CPU time"
                f" {before['cpu']:.0f} s (workers {before['compare_cpu']:.0f} s)"
            )
    args.results.write_text(render(cases, facts, METHOD), encoding="utf-8")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "commit": facts.commit,
                "runs": runs,
                "crawl": facts.crawl,
                "facts": asdict(facts),
                "cases": [c.to_dict() for c in cases],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"accuracy: wrote {args.results} and {args.json} in {facts.wall:.0f} s", flush=True)
    return 0
