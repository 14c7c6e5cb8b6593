"""Where the time goes on each measured path: `py-spy` samples each one (the crawls in three
modes, re-verification, `warcproof check`, `warcio check`) and the top frames go to
`bench/PROFILES.md`.

    .venv/bin/pip install py-spy        # a tool for the benchmark only, not a dependency
    .venv/bin/python bench/profiles.py [--pages N] [--warc-mb M]

Sampling includes idle time (`--idle`), so waiting (on the network, on a worker, on a disk
sync) shows up as frames such as `select`, `wait`, `recv` or a database commit."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import memory  # noqa: E402
from bench.collection import ensure  # noqa: E402
from bench.harness import DEFAULT_SCRATCH, MB, replica_origin  # noqa: E402
from bench.measure import CRAWL_SETTINGS, MODE_SETTINGS, VENV_BIN, child_env  # noqa: E402
from bench.pages import write_corpus  # noqa: E402
from provenance.run.crawl_process import scrapy_command  # noqa: E402

TOP = 15
OWN = ("archive/", "provenance/", "spiders/")


def summarise(raw: Path) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The frames with the most samples on top of the stack, and warcproof's own functions by
    samples anywhere in the stack, as shares of all samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        if not frames or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            if any(part in frame for part in OWN) and not frame.startswith("<module>"):
                inclusive[frame] += samples
    share = max(total, 1)
    return (
        [(frame, n / share) for frame, n in own.most_common(TOP)],
        [(frame, n / share) for frame, n in inclusive.most_common(TOP)],
    )


def record(name: str, command: Sequence[str], out: Path) -> memory.Measured:
    raw = out / f"{name}.txt"
    spy = [str(VENV_BIN / "py-spy"), "record", "--subprocesses", "--idle", "-r", "100"]
    run = memory.run([*spy, "--format", "raw", "-o", str(raw), "--", *command], env=child_env())
    if not raw.is_file():
        raise SystemExit(f"profiles: py-spy wrote nothing for {name}: {run.stdout}")
    return run


def section(name: str, what: str, run: memory.Measured, raw: Path) -> list[str]:
    own, inclusive = summarise(raw)
    lines = [f"## {name}", "", what, "", f"Wall time under py-spy: {run.seconds:.1f} s.", ""]
    lines += ["Top of stack (self):", "", "| share | frame |", "|---|---|"]
    lines += [f"| {share:.1%} | `{frame}` |" for frame, share in own]
    lines += ["", "warcproof's functions (inclusive):", "", "| share | frame |", "|---|---|"]
    lines += [f"| {share:.1%} | `{frame}` |" for frame, share in inclusive]
    return [*lines, ""]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/profiles.py", description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--warc-mb", type=int, default=50)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "PROFILES.md")
    parser.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH)
    args = parser.parse_args(argv)
    if not (VENV_BIN / "py-spy").is_file():
        print("profiles: py-spy is not installed: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    work = args.scratch / "profiles"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    manifest = write_corpus(work / "corpus", range(args.pages))
    sections: list[str] = []
    with replica_origin() as (url, _):
        for mode in ("bare", "capture", "full"):
            settings = (*CRAWL_SETTINGS, *MODE_SETTINGS[mode])
            log = work / f"{mode}.log"
            command = scrapy_command(manifest, work / mode, (), url, log, settings)
            run = record(mode, command, work)
            what = f"`scrapy crawl seeds`, {mode} mode, {args.pages} generated pages."
            sections += section(f"Crawl: {mode}", what, run, work / f"{mode}.txt")
    collection = ensure(args.scratch / f"collection-{args.warc_mb}mb", args.warc_mb * MB)
    reverify = [
        str(VENV_BIN / "warcproof"),
        "reverify",
        "--collection",
        str(work / "full"),
        "--manifest",
        str(manifest),
        "--jobs",
        "2",
    ]
    run = record("reverify", reverify, work)
    what = f"`warcproof reverify --jobs 2` of the full-mode crawl ({args.pages} documents)."
    sections += section("Re-verification", what, run, work / "reverify.txt")
    warc = collection.warc
    size = f"{warc.stat().st_size / MB:.0f} MB"
    for name, command in (
        ("warcproof check", [str(VENV_BIN / "warcproof"), "check", "-q", str(warc)]),
        ("warcio check", [str(VENV_BIN / "warcio"), "check", str(warc)]),
    ):
        slug = name.replace(" ", "-")
        run = record(slug, command, work)
        sections += section(name, f"`{name}` of a {size} WARC.", run, work / f"{slug}.txt")
    header = [
        "# Where the time goes",
        "",
        f"Written by `bench/profiles.py {' '.join(argv)}` on {datetime.now(UTC):%Y-%m-%d %H:%M} "
        "UTC: py-spy samples at 100 Hz of every process of each run (workers included), idle "
        "time included. Shares are of all samples of the run, over all its processes and "
        "threads; frames read `function (file:line)`.",
        "",
    ]
    args.output.write_text("\n".join(header + sections), "utf-8")
    print(f"profiles: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
