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
from dataclasses import dataclass, replace
from pathlib import Path

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.index.resolve import resolve_record
from archive.warc.reader import decoded_body
from provenance.compare.evidence import RunKind, SourceEvidence
from provenance.compare.seedcheck import check_seed
from provenance.ledger.store import Captured, CaptureRow, Ledger, VerdictRow, verdict_row
from provenance.run.capture_rule import capture_refusal
from provenance.run.parent_death import pool_worker
from provenance.sources.manifest import Manifest, Seed
from provenance.text.extract import Article, NoArticle, extract_article


@dataclass(frozen=True)
class Task:
    seed: Seed
    warc: Path
    source: SourceEvidence  # the capture, as the crawl's evidence recorded it
    seed_record_id: str | None  # the seed's resource record of that crawl
    conversion_record_id: str | None  # the capture's extracted text of that crawl


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
GATHER = 500  # pieces of work over which the seeds of one capture are gathered
WORKER_TASKS = 2000  # documents a worker process checks before it is replaced


Page = tuple[Article | NoArticle | None, str | None]  # the extraction, or why there is none
PageKey = tuple[Path, int, str]  # the capture (WARC file, offset) and the URL it is read as


def _check(task: Task, pages: dict[PageKey, Page]) -> VerdictRow:
    """Runs in a worker process: read the response record, extract, compare. `pages` keeps
    the extractions of the captures met so far, so seeds naming one capture share one."""
    url = task.source.source_url or task.source.fetched_url or ""
    key = (task.warc, task.source.warc_offset or 0, url)
    if key not in pages:
        pages[key] = _page(task, url)
    page, error = pages[key]
    check = check_seed(task.seed, page, error)
    evidence = check.evidence(
        task.source, seed_record_id=task.seed_record_id, run=RunKind.REVERIFICATION
    )
    return verdict_row(check, evidence, conversion_record_id=task.conversion_record_id)


def _page(task: Task, url: str) -> Page:
    try:
        record = resolve_record(task.warc, task.source.warc_offset or 0)  # a revisit: its original
        body = decoded_body(record)
    except (ArchiveError, OSError) as exc:
        return None, f"the archived capture cannot be read: {exc}"
    refused = capture_refusal(
        record.http_status,
        record.header("WARC-Truncated"),
        len(record.payload),
        record.target_uri or task.source.source_url or "",
    )
    if refused:
        return None, refused
    content_type = next(
        (v for k, v in record.http_headers or [] if k.lower() == "content-type"), None
    )
    return extract_article(body, url=url, content_type=content_type), None


Work = tuple[Task, str, CaptureRow]  # a task, the stored verdict, the capture


def tasks(collection: Path, manifest: Manifest, captured: Sequence[Captured]) -> Iterator[Work]:
    """(task, stored verdict, capture) for every captured seed the manifest still lists."""
    for done in captured:
        seed = manifest.find(done.seed_id)
        if seed is None:
            continue
        capture, stored = done.capture, done.evidence
        # The capture's own fields: schema 1 evidence of a re-verification held no source.
        source = stored.source.with_records(
            source_url=stored.source.source_url or capture.source_url,
            fetched_url=stored.source.fetched_url or capture.fetched_url,
            warc_file=capture.warc_file,
            captured_at=capture.captured_at,
            response_record_id=capture.response_record_id,
            request_record_id=capture.request_record_id,
            payload_digest=capture.payload_digest,
        )
        source = replace(source, warc_offset=capture.warc_offset, status=capture.status)
        task = Task(
            seed=seed,
            warc=Collection(collection).warc(capture.warc_file),
            source=source,
            seed_record_id=stored.seed.resource_record_id,
            conversion_record_id=done.conversion_record_id,
        )
        yield task, done.verdict, capture


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
        new_crawl = ledger.begin_crawl(
            origin="reverify", settings={"of_crawl": of_crawl}, kind=RunKind.REVERIFICATION
        )
        changed: list[Outcome] = []
        verdicts: dict[str, str] = {}
        pages = ledger.captured(of_crawl, BATCH) if of_crawl is not None else iter(())
        work = _by_capture(item for page in pages for item in tasks(collection, manifest, page))
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
            for chunk in _chunks(work, CHUNK):
                yield from zip(chunk, _check_all([item[0] for item in chunk]), strict=True)
            return
        pending: deque[tuple[list[Work], Future[list[VerdictRow]]]] = deque()
        for chunk in _chunks(work, CHUNK):
            pending.append((chunk, self.pool.submit(_check_all, [item[0] for item in chunk])))
            if len(pending) >= self.jobs * WINDOW:
                yield from _results(*pending.popleft())
        while pending:
            yield from _results(*pending.popleft())


def _check_all(work: list[Task]) -> list[VerdictRow]:
    pages: dict[PageKey, Page] = {}
    return [_check(task, pages) for task in work]


def _chunks(work: Iterable[Work], size: int) -> Iterator[list[Work]]:
    """Chunks of about `size` tasks; the seeds of one capture, listed one after another (as a
    crawl records them), are never cut apart, so one worker extracts their page once."""
    chunk: list[Work] = []
    for item in work:
        if len(chunk) >= size and _capture_of(item) != _capture_of(chunk[-1]):
            yield chunk
            chunk = []
        chunk.append(item)
    if chunk:
        yield chunk


def _by_capture(work: Iterable[Work], window: int = GATHER) -> Iterator[Work]:
    """`work` with the seeds of one capture brought together: a crawl records the seeds that
    share a fetch close to one another, so each capture's seeds are gathered until `window`
    more pieces of work have come after its first, then let go together (memory: `window`)."""
    pending: dict[tuple[str, int], tuple[int, list[Work]]] = {}  # oldest capture first
    for position, item in enumerate(work):
        key = _capture_of(item)
        if key in pending:
            pending[key][1].append(item)
        else:
            pending[key] = (position, [item])
        while pending:
            oldest = next(iter(pending))
            if pending[oldest][0] > position - window:
                break
            yield from pending.pop(oldest)[1]
    for _, items in pending.values():
        yield from items


def _capture_of(item: Work) -> tuple[str, int]:
    return item[2].warc_file, item[2].warc_offset


def _results(
    chunk: list[Work], future: Future[list[VerdictRow]]
) -> Iterator[tuple[Work, VerdictRow]]:
    return zip(chunk, future.result(), strict=True)
