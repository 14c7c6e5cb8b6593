"""Re-verification offline: every seed checked again against the page as its WARC holds it,
with no network, in a pool of worker processes (extraction is CPU-bound and holds the GIL).

Used after a normalizer or extractor upgrade, or by an archivist who wants to see the verdicts
reproduced from the evidence alone."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.warc.reader import decoded_body
from archive.warc.resolve import resolve_record
from provenance.compare.seedcheck import check_seed
from provenance.ledger.store import CaptureRow, Ledger, VerdictRow
from provenance.run.parent_death import pool_worker
from provenance.sources.manifest import Manifest, Seed
from provenance.text.extract import extract_article


@dataclass(frozen=True)
class Task:
    seed: Seed
    warc: Path
    offset: int
    source_url: str


@dataclass(frozen=True)
class Outcome:
    seed_id: str
    stored: str
    verdict: VerdictRow


@dataclass(frozen=True)
class Reverified:
    crawl_id: int  # the ledger crawl (origin "reverify") holding the new verdicts
    seeds: int
    changed: tuple[Outcome, ...]  # only the seeds whose verdict differs from the stored one
    verdicts: Mapping[str, str]  # seed id -> new verdict


# Verdicts are committed in batches (one transaction each); tasks go to the workers in chunks
# (one round trip each), at most WINDOW chunks per worker at once, so memory stays flat however
# large the collection.
BATCH = 200
CHUNK = 8
WINDOW = 4
WORKER_TASKS = 2000  # documents a worker process checks before it is replaced


def _check(task: Task) -> VerdictRow:
    """Runs in a worker process: read the response record, extract, compare."""
    try:
        record = resolve_record(task.warc, task.offset)  # a revisit brings its original's payload
        body = decoded_body(record)
    except (ArchiveError, OSError) as exc:
        check = check_seed(task.seed, None, f"the archived capture cannot be read: {exc}")
    else:
        content_type = next(
            (v for k, v in record.http_headers or [] if k.lower() == "content-type"), None
        )
        page = extract_article(body, url=task.source_url, content_type=content_type)
        check = check_seed(task.seed, page)
    evidence = check.evidence()
    evidence["source"] = {"warc_file": task.warc.name, "warc_offset": task.offset}
    return check.verdict_row(check.serialise(evidence))


Work = tuple[Task, str, CaptureRow]  # a task, the stored verdict, the capture


def tasks(
    collection: Path, manifest: Manifest, captured: Sequence[tuple[str, str, CaptureRow]]
) -> Iterator[Work]:
    """(task, stored verdict, capture) for every captured seed the manifest still lists."""
    for seed_id, stored, capture in captured:
        seed = manifest.find(seed_id)
        if seed is None:
            continue
        task = Task(
            seed=seed,
            warc=Collection(collection).warc(capture.warc_file),
            offset=capture.warc_offset,
            source_url=capture.source_url or capture.fetched_url,
        )
        yield task, stored, capture


def reverify(
    collection: Path,
    manifest: Manifest,
    *,
    crawl_id: int | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Reverified:
    """Check every captured seed of a crawl (default: the latest) again and record the results
    in the ledger as a crawl of origin "reverify". Works a page of captures at a time, so
    memory stays flat however large the collection."""
    with Ledger(Collection(collection).ledger, create=False) as ledger:
        of_crawl = crawl_id if crawl_id is not None else ledger.latest_crawl()
        total = ledger.captured_count(of_crawl) if of_crawl is not None else 0
        new_crawl = ledger.begin_crawl(origin="reverify", settings={"of_crawl": of_crawl})
        changed: list[Outcome] = []
        verdicts: dict[str, str] = {}
        pages = ledger.captured(of_crawl, BATCH) if of_crawl is not None else iter(())
        work = (item for page in pages for item in tasks(collection, manifest, page))
        batch: list[tuple[VerdictRow, CaptureRow | None]] = []
        with _Checker(jobs or os.cpu_count() or 1) as checker:
            for (task, stored, capture), verdict in checker.check(work):
                verdicts[task.seed.id] = verdict.verdict
                if verdict.verdict != stored:
                    changed.append(Outcome(task.seed.id, stored, verdict))
                batch.append((verdict, capture))
                if len(batch) == BATCH:
                    ledger.record_many(new_crawl, batch)
                    batch = []
                    if progress is not None:
                        progress(len(verdicts), total)
        ledger.record_many(new_crawl, batch)
        if progress is not None:
            progress(len(verdicts), total)
        ledger.finish_crawl(new_crawl, "finished")
    return Reverified(new_crawl, len(verdicts), tuple(changed), verdicts)


class _Checker:
    """Checks tasks in `jobs` worker processes (inline for one job), in task order."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Checker:
        if self.jobs > 1:
            # forkserver: workers do not inherit (and count again) the parent's memory;
            # recycling them keeps library caches from growing.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(
                ["provenance.run.forkserver_guard", "provenance.run.reverification"]
            )
            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=context,
                max_tasks_per_child=WORKER_TASKS,
                initializer=pool_worker,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    def check(self, work: Iterable[Work]) -> Iterator[tuple[Work, VerdictRow]]:
        """Each piece of work with its task's verdict, in order. At most WINDOW chunks per
        worker are in flight: workers never wait for the caller between batches, and memory
        does not grow with the collection."""
        if self.pool is None:
            for item in work:
                yield item, _check(item[0])
            return
        pending: deque[tuple[list[Work], Future[list[VerdictRow]]]] = deque()
        for chunk in _chunks(work, CHUNK):
            pending.append((chunk, self.pool.submit(_check_all, [item[0] for item in chunk])))
            if len(pending) >= self.jobs * WINDOW:
                yield from _results(*pending.popleft())
        while pending:
            yield from _results(*pending.popleft())


def _check_all(work: list[Task]) -> list[VerdictRow]:
    return [_check(task) for task in work]


def _chunks(work: Iterable[Work], size: int) -> Iterator[list[Work]]:
    chunk: list[Work] = []
    for item in work:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _results(
    chunk: list[Work], future: Future[list[VerdictRow]]
) -> Iterator[tuple[Work, VerdictRow]]:
    return zip(chunk, future.result(), strict=True)
