"""The scale benchmark's distributed leg: the corpus crawled again by two crawler processes
sharing one frontier in a real redis-server on loopback (`warcproof crawl --redis URL
--processes 2`), then compared with the one-process crawl: how often each page was fetched (the
response records in the WARC files: every fetch is archived) and whether every seed got the same
verdict."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import redis

from archive.warc.reader import iter_records


@dataclass(frozen=True)
class Distributed:
    """The two-process crawl against the one-process crawl of the same corpus."""

    pages: int  # distinct page URLs archived
    fetches: int  # response records archived
    fetched_twice: int  # pages archived more than once
    seeds: int  # seeds with a verdict from the two-process crawl
    differing: tuple[tuple[str, str | None, str | None], ...]  # (seed, one process, two)
    per_process: tuple[int, ...]  # seeds each process's crawl judged
    redis_bytes: int  # redis-server's peak memory


def peak_memory(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        return int(client.info("memory")["used_memory_peak"])


def compare(single: Path, distributed: Path, redis_bytes: int) -> Distributed:
    fetched = responses(distributed)
    one, two = crawl_verdicts(single), crawl_verdicts(distributed)
    differing = tuple(
        (seed, one.get(seed), two.get(seed))
        for seed in sorted(one.keys() | two.keys())
        if one.get(seed) != two.get(seed)
    )
    return Distributed(
        pages=len(fetched),
        fetches=sum(fetched.values()),
        fetched_twice=sum(1 for count in fetched.values() if count > 1),
        seeds=len(two),
        differing=differing,
        per_process=per_crawl(distributed),
        redis_bytes=redis_bytes,
    )


def responses(collection: Path) -> Counter[str]:
    """Response records of the generated pages (robots.txt left out: each process asks for it)
    by Target-URI, over every WARC file of the collection."""
    found: Counter[str] = Counter()
    for warc in sorted((collection / "warcs").glob("*.warc.gz")):
        for record in iter_records(warc):
            if record.rec_type == "response" and "/_generated/" in (record.target_uri or ""):
                found[record.target_uri or ""] += 1
    return found


def _ledger(collection: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{collection / 'ledger.sqlite'}?mode=ro", uri=True)


def crawl_verdicts(collection: Path) -> dict[str, str]:
    """Each seed's verdict from the collection's crawls (re-verifications left out)."""
    with closing(_ledger(collection)) as db:
        rows = db.execute(
            """SELECT v.seed_id, v.verdict FROM verdict_rows v JOIN crawls k ON k.id = v.crawl_id
               WHERE k.kind = 'crawl' ORDER BY v.id"""
        )
        return {seed: verdict for seed, verdict in rows}


def per_crawl(collection: Path) -> tuple[int, ...]:
    with closing(_ledger(collection)) as db:
        rows = db.execute(
            """SELECT count(*) FROM verdict_rows v JOIN crawls k ON k.id = v.crawl_id
               WHERE k.kind = 'crawl' GROUP BY v.crawl_id ORDER BY v.crawl_id"""
        )
        return tuple(int(count) for (count,) in rows)
