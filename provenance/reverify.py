"""Re-verification offline: every seed checked again against the page as its WARC holds it,
with no network, in a pool of worker processes (extraction is CPU-bound and holds the GIL).

Used after a normalizer or extractor upgrade, or by an archivist who wants to see the verdicts
reproduced from the evidence alone."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError
from archive.reader import decoded_body
from archive.resolve import resolve_record
from provenance.extract import extract_article
from provenance.ledger import CaptureRow, Ledger, VerdictRow
from provenance.manifest import Manifest, Seed
from provenance.verify import check_seed

LEDGER_NAME = "ledger.sqlite"


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


# Verdicts are committed in batches (one transaction each), and at most this many tasks are
# in the worker pool at once, so memory stays flat however large the collection.
BATCH = 200


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
    return VerdictRow(
        seed_id=task.seed.id,
        verdict=check.assessment.verdict.value,
        reasons=check.assessment.reasons,
        counts=dict(check.assessment.counts),
        evidence=evidence,
        seed_sha256=check.seed_sha256,
        seed_digest=check.seed_digest,
        article_digest=check.article_digest,
        normalizer=evidence["normalizer"],
        extractor=check.article.extractor if check.article is not None else None,
        page_digest=check.page_digest,
    )


def tasks(
    collection: Path, manifest: Manifest, captured: Sequence[tuple[str, str, CaptureRow]]
) -> Iterator[tuple[Task, str, CaptureRow]]:
    """(task, stored verdict, capture) for every captured seed the manifest still lists."""
    known = {seed.id: seed for seed in manifest.seeds}
    for seed_id, stored, capture in captured:
        seed = known.get(seed_id)
        if seed is None:
            continue
        task = Task(
            seed=seed,
            warc=collection / "warcs" / capture.warc_file,
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
    in the ledger as a crawl of origin "reverify"."""
    with Ledger(collection / LEDGER_NAME, create=False) as ledger:
        captured = ledger.captured(crawl_id)
        of_crawl = crawl_id if crawl_id is not None else ledger.latest_crawl()
        work = list(tasks(collection, manifest, captured))
        new_crawl = ledger.begin_crawl(origin="reverify", settings={"of_crawl": of_crawl})
        changed: list[Outcome] = []
        verdicts: dict[str, str] = {}
        batch: list[tuple[VerdictRow, CaptureRow | None]] = []
        results = _run([task for task, _, _ in work], jobs or os.cpu_count() or 1, progress)
        for (task, stored, capture), verdict in zip(work, results, strict=True):
            verdicts[task.seed.id] = verdict.verdict
            if verdict.verdict != stored:
                changed.append(Outcome(task.seed.id, stored, verdict))
            batch.append((verdict, capture))
            if len(batch) >= BATCH:
                ledger.record_many(new_crawl, batch)
                batch.clear()
        ledger.record_many(new_crawl, batch)
        ledger.finish_crawl(new_crawl, "finished")
    return Reverified(new_crawl, len(work), tuple(changed), verdicts)


def _run(
    work: list[Task], jobs: int, progress: Callable[[int, int], None] | None
) -> Iterator[VerdictRow]:
    """Verdicts in task order, from `jobs` worker processes fed a window at a time."""
    done = 0
    if jobs <= 1 or len(work) <= 1:
        for task in work:
            yield _check(task)
            done += 1
            if progress is not None:
                progress(done, len(work))
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for start in range(0, len(work), BATCH):
            window = work[start : start + BATCH]
            chunk = max(1, len(window) // (jobs * 4))  # amortises inter-process traffic
            for verdict in pool.map(_check, window, chunksize=chunk):
                yield verdict
                done += 1
                if progress is not None:
                    progress(done, len(work))
