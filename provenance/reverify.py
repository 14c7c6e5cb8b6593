"""Re-verification offline: every seed checked again against the page as its WARC holds it,
with no network, in a pool of worker processes (extraction is CPU-bound and holds the GIL).

Used after a normalizer or extractor upgrade, or by an archivist who wants to see the verdicts
reproduced from the evidence alone."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError
from archive.reader import decoded_body, read_record
from provenance.extract import extract_article
from provenance.ledger import Ledger, LedgerEntry, VerdictRow
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


def _check(task: Task) -> VerdictRow:
    """Runs in a worker process: read the response record, extract, compare."""
    try:
        record = read_record(task.warc, task.offset)
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
    )


def tasks(collection: Path, manifest: Manifest, entries: Sequence[LedgerEntry]) -> list[Task]:
    known = {seed.id: seed for seed in manifest.seeds}
    found = []
    for entry in entries:
        seed = known.get(entry.verdict.seed_id)
        if seed is None or entry.capture is None:
            continue
        capture = entry.capture
        found.append(
            Task(
                seed=seed,
                warc=collection / "warcs" / capture.warc_file,
                offset=capture.warc_offset,
                source_url=capture.source_url or capture.fetched_url,
            )
        )
    return found


def reverify(
    collection: Path,
    manifest: Manifest,
    *,
    crawl_id: int | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Check every captured seed of a crawl (default: the latest) again; record the results in
    the ledger as a crawl of origin "reverify" and return them with the stored verdicts."""
    with Ledger(collection / LEDGER_NAME, create=False) as ledger:
        entries = ledger.entries(crawl_id)
        stored = {e.verdict.seed_id: e for e in entries}
        work = tasks(collection, manifest, entries)
        results = list(_run(work, jobs or os.cpu_count() or 1, progress))
        of_crawl = entries[0].crawl_id if entries else None
        new_crawl = ledger.begin_crawl(origin="reverify", settings={"of_crawl": of_crawl})
        for task, verdict in zip(work, results, strict=True):
            ledger.record(new_crawl, verdict, stored[task.seed.id].capture)
        ledger.finish_crawl(new_crawl, "finished")
    return [
        Outcome(task.seed.id, stored[task.seed.id].verdict.verdict, verdict)
        for task, verdict in zip(work, results, strict=True)
    ]


def _run(
    work: list[Task], jobs: int, progress: Callable[[int, int], None] | None
) -> Iterator[VerdictRow]:
    if jobs <= 1 or len(work) <= 1:
        for done, task in enumerate(work, start=1):
            yield _check(task)
            if progress is not None:
                progress(done, len(work))
        return
    # Chunks amortise the inter-process traffic; order is kept so results match tasks.
    chunk = max(1, min(32, len(work) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, verdict in enumerate(pool.map(_check, work, chunksize=chunk), start=1):
            yield verdict
            if progress is not None:
                progress(done, len(work))
