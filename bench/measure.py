"""The timed measurements: crawls in three modes, trafilatura's own extraction rate,
re-verification, and reading a large WARC five ways."""

from __future__ import annotations

import compileall
import json
import os
import resource
import sys
import tempfile
import zlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time
from typing import Any, Protocol

import trafilatura

from bench import memory
from provenance.run.crawl_process import scrapy_command
from provenance.run.reverification import reverify
from provenance.sources.manifest import load

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MODES = ("bare", "capture", "full")
PACKAGES = ("archive", "provenance", "spiders", "replica", "bench")
MODE_SETTINGS = {
    "bare": ("EXTENSIONS={}", "ITEM_PIPELINES={}"),  # Scrapy reads dict settings as JSON
    "capture": ("ITEM_PIPELINES={}",),
    "full": (),
}
CRAWL_SETTINGS = (
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS=16",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "LOG_LEVEL=WARNING",
    "STATS_CLASS=bench.crawlstats.JsonStatsCollector",
    # Rendered after the crawl has closed, outside its elapsed time; measured on their own in
    # bench/requisites_bench.py.
    "WARCPROOF_SCREENSHOTS=False",
)


class Inflate(Protocol):
    """zlib, or a module with its interface (ISA-L's `isal_zlib`)."""

    def decompressobj(self, wbits: int = ..., /) -> Any: ...


class MeasureError(Exception):
    """A measured run failed: its figure would mean nothing."""


@dataclass(frozen=True)
class Rate:
    count: float  # pages, documents or megabytes
    seconds: float
    cpu_seconds: float = 0.0  # user + system, every process of the run (where measured)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


def compile_project() -> None:
    """Compile the project's modules to bytecode, as installing a package does: an editable
    install under PYTHONDONTWRITEBYTECODE would otherwise compile its source at every process
    start, a cost no installed copy pays (Python still reads bytecode it is told not to write)."""
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


def child_env() -> dict[str, str]:
    """Children import `bench` (the stats collector) and run from the repository root."""
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PYTHONPATH": path, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}


def crawl(mode: str, manifest: Path, collection: Path, replica_url: str) -> Rate:
    """Responses per second of the crawl itself (Scrapy's elapsed time, from spider open to
    close: process start-up and imports excluded, the pipeline's drain included)."""
    collection.mkdir(parents=True, exist_ok=True)
    stats_file = collection / "stats.json"
    settings = (*CRAWL_SETTINGS, *MODE_SETTINGS[mode], f"BENCH_STATS_FILE={stats_file}")
    log = collection / "crawl.log"
    command = scrapy_command(manifest, collection, (), replica_url, log, settings)
    outcome = memory.run(command, cwd=ROOT, env=child_env())
    if outcome.returncode != 0 or not stats_file.is_file():
        raise MeasureError(f"{mode} crawl failed (exit {outcome.returncode}); see {log}")
    stats = json.loads(stats_file.read_text("utf-8"))
    wanted = len(load(manifest).seeds)
    received = int(stats.get("response_received_count", 0))
    if received < wanted:
        raise MeasureError(f"{mode} crawl received {received} of {wanted} pages; see {log}")
    return Rate(received, float(stats["elapsed_time_seconds"]))


def _extract(page: bytes) -> int:
    return len(trafilatura.extract(page) or "")


class Extraction:
    """trafilatura's own rate: `trafilatura.extract` with its defaults, two worker processes,
    on the decoded pages (the same bytes the pipeline extracts from)."""

    def __init__(self, pages: Sequence[bytes]) -> None:
        self.pages = list(pages)
        self.pool = ProcessPoolExecutor(max_workers=2)
        list(self.pool.map(_extract, self.pages[:4]))  # workers started and trafilatura loaded

    def rate(self) -> Rate:
        started = perf_counter()
        extracted = list(self.pool.map(_extract, self.pages, chunksize=8))
        seconds = perf_counter() - started
        if not all(extracted):
            raise MeasureError("trafilatura extracted nothing from some generated pages")
        return Rate(len(extracted), seconds)

    def close(self) -> None:
        self.pool.shutdown()


@dataclass(frozen=True)
class Reverified:
    rate: Rate
    changed: int


def reverification(collection: Path, manifest: Path) -> Reverified:
    """`provenance.run.reverification.reverify` with two workers, timed to its return."""
    loaded = load(manifest)
    started = perf_counter()
    result = reverify(collection, loaded, jobs=2)
    seconds = perf_counter() - started
    if not result.seeds:
        raise MeasureError(f"{collection}: nothing was re-verified")
    return Reverified(Rate(result.seeds, seconds), len(result.changed))


def _megabytes(path: Path) -> float:
    return path.stat().st_size / 1e6


def _timed_child(command: Sequence[str], what: str, warc: Path) -> Rate:
    """`command` run to its end: wall-clock seconds and the CPU seconds of its whole process
    tree (every descendant is waited for, so the kernel counts it among the children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    outcome = memory.run(command)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if outcome.returncode != 0:
        raise MeasureError(f"{what} {warc}: exit {outcome.returncode}: {outcome.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Rate(_megabytes(warc), outcome.seconds, cpu)


def warcproof_check(warc: Path) -> Rate:
    return _timed_child([str(VENV_BIN / "warcproof"), "check", "-q", str(warc)], "warcproof", warc)


def warcio_check(warc: Path) -> Rate:
    return _timed_child([str(VENV_BIN / "warcio"), "check", str(warc)], "warcio check", warc)


def gzip_tool(warc: Path) -> Rate:
    """`gzip -dc FILE` to /dev/null: every member inflated, nothing else."""
    command = ["sh", "-c", 'gzip -dc "$1" > /dev/null', "gzip", str(warc)]
    return _timed_child(command, "gzip -dc", warc)


def zlib_stream(warc: Path, inflate: Inflate = zlib) -> Rate:
    """Python's zlib inflating every member, nothing else: the floor for any checker written on
    zlib (with `inflate=isal_zlib`, ISA-L's, which `warcproof check` uses where it can). Read in
    1 MiB blocks, fed in 64 KiB slices (at a member's end zlib copies the rest of the slice it
    was given into `unused_data`: slices keep that copy small)."""
    started, cpu = perf_counter(), process_time()
    inflater = inflate.decompressobj(zlib.MAX_WBITS | 16)
    with warc.open("rb") as stream:
        while block := stream.read(1 << 20):
            view = memoryview(block)
            for at in range(0, len(view), 1 << 16):
                piece: bytes | memoryview = view[at : at + (1 << 16)]
                while piece:
                    inflater.decompress(piece)
                    if not inflater.eof:
                        break
                    piece = inflater.unused_data
                    inflater = inflate.decompressobj(zlib.MAX_WBITS | 16)
    return Rate(_megabytes(warc), perf_counter() - started, process_time() - cpu)


def scratch(parent: Path, prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
