"""Report scale: `report --jsonl`, `report --json` and `report --html DIR` on synthetic ledgers of
10,000 and 100,000 seeds, with their wall time and peak memory, and the growth between the two
sizes; written to bench/REPORT_SCALE.md.

The ledgers are written through the ledger's own API (`Ledger.record_many`, as re-verification
stores verdicts) with evidence from real checks: the bundled seeds against the replica's pages,
extracted and compared by the same code the crawl runs (about 8 KB of evidence JSON a verdict).
The collections have no WARC files, so the HTML seed pages say their texts are missing: the
ledger side of the report is measured, not the reading of records.

    .venv/bin/python -m bench.report_scale [--sizes 10000 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from archive.collection import Collection
from bench.memory import Measured
from bench.memory import run as measure
from provenance.compare.evidence import RunKind, SerialisedEvidence, SourceEvidence, SourceKind
from provenance.compare.seedcheck import check_seed
from provenance.ledger.store import CaptureRow, Ledger, VerdictRow, verdict_row
from provenance.sources.manifest import Seed, load
from provenance.text.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "REPORT_SCALE.md"
WARCPROOF = str(Path(sys.executable).parent / "warcproof")
_PLACEHOLDER = "@@SEED@@"
_BATCH = 2000  # verdicts per transaction
# Bundled seeds and replica pages (replica/pages) checked against each other: three against
# their own sources, one against another's (a foreign-content verdict).
_PAIRS = (
    ("000", "000_newarab.html"),
    ("002", "002_gulftimes.html"),
    ("003", "003_timesofisrael.html"),
    ("002", "000_newarab.html"),
)


@dataclass(frozen=True)
class Template:
    """One real verdict, its evidence JSON with the seed id left as a placeholder."""

    row: VerdictRow
    capture: CaptureRow
    evidence: str


def templates() -> list[Template]:
    """Real verdicts of bundled seeds against replica pages (_PAIRS)."""
    seeds = {seed.id: seed for seed in load(ROOT / "seeds" / "seeds.toml").seeds}
    return [_template(seeds[seed], ROOT / "replica" / "pages" / page) for seed, page in _PAIRS]


def _template(seed: Seed, page: Path) -> Template:
    url = f"http://127.0.0.1:8000/{page.name}"
    article = extract_article(page.read_bytes(), url=url, content_type="text/html")
    check = check_seed(replace(seed, id=_PLACEHOLDER), article)
    capture = CaptureRow(
        source_url=seed.urls[0] if seed.urls else url,
        fetched_url=url,
        source_kind=SourceKind.REPLICA,
        status=200,
        captured_at="2026-12-01T10:00:00.000000Z",
        warc_file="synthetic-00000.warc.gz",
        warc_offset=0,
        warc_length=len(page.read_bytes()),
        response_record_id="<urn:uuid:00000000-0000-0000-0000-000000000000>",
        request_record_id=None,
        payload_digest="sha256:synthetic",
    )
    source = SourceEvidence(
        source_url=capture.source_url,
        fetched_url=url,
        source_kind=SourceKind.REPLICA,
        status=200,
        captured_at=capture.captured_at,
        warc_file=capture.warc_file,
        warc_offset=0,
        response_record_id=capture.response_record_id,
    )
    evidence = check.evidence(source, run=RunKind.CRAWL)
    return Template(verdict_row(check, evidence), capture, evidence.to_json())


def build_collection(root: Path, seeds: int, crawls: int = 1) -> Path:
    """A collection at `root` whose ledger holds `seeds` verdicts per crawl."""
    collection = root / "collection"
    made = templates()
    with Ledger(Collection(collection).ledger) as ledger:
        for _ in range(crawls):
            crawl = ledger.begin_crawl(origin="bench", settings={"synthetic": True})
            batch: list[tuple[VerdictRow, CaptureRow | None]] = []
            for row in _rows(made, seeds):
                batch.append(row)
                if len(batch) == _BATCH:
                    ledger.record_many(crawl, batch)
                    batch = []
            ledger.record_many(crawl, batch)
            ledger.finish_crawl(crawl, "finished")
    return collection


def _rows(made: Sequence[Template], seeds: int) -> Iterator[tuple[VerdictRow, CaptureRow]]:
    for number in range(seeds):
        template = made[number % len(made)]
        seed_id = f"{number:06d}"
        evidence = SerialisedEvidence(template.evidence.replace(_PLACEHOLDER, seed_id))
        row = replace(template.row, seed_id=seed_id, evidence=evidence)
        capture = replace(template.capture, fetched_url=f"{template.capture.fetched_url}?{number}")
        yield row, capture


@dataclass(frozen=True)
class Figure:
    command: str
    seeds: int
    measured: Measured
    output_bytes: int


def _bytes(path: Path) -> int:
    if path.is_dir():
        return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())
    return path.stat().st_size


def run_command(name: str, collection: Path, seeds: int, scratch: Path) -> Figure:
    out = scratch / f"report-{seeds}{'' if name == 'html' else '.' + name}"
    base = [WARCPROOF, "report", "--collection", str(collection)]
    if name == "html":
        command = [*base, "--html", str(out), "-q"]
    else:
        command = ["sh", "-c", 'exec "$@" > "$0"', str(out), *base, f"--{name}"]
    measured = measure(command, sample=True, timeout=3600)
    if measured.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({measured.returncode})")
    figure = Figure(name, seeds, measured, _bytes(out))
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink()
    return figure


def write_results(figures: Sequence[Figure], ledgers: dict[int, int]) -> None:
    mb = 1024 * 1024
    lines = [
        "# Report scale",
        "",
        f"Written by `bench/report_scale.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPU(s). Synthetic ledgers through `Ledger.record_many` with real "
        "evidence JSON (bundled seeds against replica pages); no WARC files, so the HTML seed "
        "pages measure the ledger side only. Peak memory: the largest process's VmHWM.",
        "",
        "| Ledger | seeds | size (MB) |",
        "|---|---|---|",
        *(f"| synthetic | {n} | {size / mb:.1f} |" for n, size in sorted(ledgers.items())),
        "",
        "| Command | seeds | wall time (s) | peak memory (MB) | output (MB) |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| `report --{f.command}{' DIR' if f.command == 'html' else ''}` | {f.seeds} | "
            f"{f.measured.seconds:.1f} | {f.measured.peak_process_bytes / mb:.1f} | "
            f"{f.output_bytes / mb:.1f} |"
        )
    sizes = sorted({f.seeds for f in figures})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        lines += [
            "",
            f"Growth from {small} to {large} seeds ({large / small:.0f}x the seeds); targets: "
            "time at most 11x, memory at most 1.5x; `--jsonl` and `--json` under 200 MB at "
            f"{large}.",
            "",
            "| Command | time growth | memory growth | peak at the large size | targets met |",
            "|---|---|---|---|---|",
        ]
        by = {(f.command, f.seeds): f for f in figures}
        for command in ("jsonl", "json", "html"):
            a, b = by.get((command, small)), by.get((command, large))
            if a is None or b is None:
                continue
            time_growth = b.measured.seconds / a.measured.seconds
            memory_growth = b.measured.peak_process_bytes / a.measured.peak_process_bytes
            peak = b.measured.peak_process_bytes / mb
            met = time_growth <= 11 and memory_growth <= 1.5
            if command != "html":
                met = met and peak < 200
            lines.append(
                f"| `--{command}` | {time_growth:.2f}x | {memory_growth:.2f}x | {peak:.1f} MB | "
                f"{'yes' if met else 'NO'} |"
            )
    RESULTS.write_text("\n".join(lines) + "\n", "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--commands", nargs="+", default=["jsonl", "json", "html"])
    parser.add_argument("--keep", type=Path, help="build the collections here and keep them")
    args = parser.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="warcproof-report-scale-"))
    figures: list[Figure] = []
    ledgers: dict[int, int] = {}
    try:
        for seeds in args.sizes:
            place = root / str(seeds)
            collection = place / "collection"
            if not Collection(collection).ledger.exists():
                print(f"building a ledger of {seeds} seeds", file=sys.stderr)
                build_collection(place, seeds)
            ledgers[seeds] = Collection(collection).ledger.stat().st_size
            for command in args.commands:
                figure = run_command(command, collection, seeds, place)
                print(
                    f"report --{command} {seeds}: {figure.measured.seconds:.1f} s, "
                    f"{figure.measured.peak_process_bytes / 2**20:.1f} MB",
                    file=sys.stderr,
                )
                figures.append(figure)
        write_results(figures, ledgers)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
