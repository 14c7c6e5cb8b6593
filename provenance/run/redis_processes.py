"""`warcproof crawl --redis URL --processes N`: one run crawled by N `scrapy crawl seeds`
processes on this machine, sharing one frontier in Redis (spiders/distributed.py), and the run's
verdicts merged from the crawls of all its processes.

More processes can join the run from other machines while it lasts: they need the same Redis,
collection (a shared filesystem) and manifest path, and the run id printed at the start."""

from __future__ import annotations

import re
import secrets
import shlex
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import redis

from archive.collection import Collection
from provenance.errors import ProvenanceError
from provenance.ledger.store import Ledger, LedgerEntry
from provenance.run.crawl_process import Crawlers, CrawlOutcome, scrapy_command


def new_run_id(collection: Path) -> str:
    """A run id naming the collection and the start time, unique across machines."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", collection.resolve().name)[:40] or "collection"
    return f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


class RedisUnavailableError(ProvenanceError):
    """The run's Redis server does not answer."""

    exit_code = 5  # ExitCode.UNAVAILABLE


def check_redis(url: str) -> None:
    """Raise RedisUnavailableError unless the Redis server at `url` answers."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=10)
        with client:
            client.ping()
    except (ValueError, redis.RedisError) as exc:
        raise RedisUnavailableError(f"cannot reach Redis at {url}: {exc}") from None


def join_command(
    manifest: Path, collection: Path, redis_url: str, run_id: str, replica_url: str | None
) -> str:
    """The command that adds one more process to the run, on any machine (from any folder)."""
    command = ["python3", "-m", "scrapy", "crawl", "seeds"]
    settings = {
        "WARCPROOF_REDIS_URL": redis_url,
        "WARCPROOF_RUN_ID": run_id,
        "WARCPROOF_COLLECTION": str(collection.resolve()),
        "WARCPROOF_SEEDS": str(manifest.resolve()),
    }
    if replica_url:
        settings["WARCPROOF_REPLICA_URL"] = replica_url
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return "SCRAPY_SETTINGS_MODULE=spiders.settings " + shlex.join(command)


def run_distributed(
    manifest: Path,
    collection: Path,
    redis_url: str,
    processes: int,
    seeds: Sequence[str] = (),
    replica_url: str | None = None,
    settings: Sequence[str] = (),
) -> CrawlOutcome:
    """Crawl with `processes` local processes; the outcome's log is the run's log folder."""
    if processes < 1:
        raise ProvenanceError(f"--processes {processes}: at least one process is needed")
    check_redis(redis_url)
    run_id = new_run_id(collection)
    logs = Collection(collection).logs / f"run-{run_id}"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"Run {run_id}: {processes} crawler process(es); more can join it with", flush=True)
    print(f"  {join_command(manifest, collection, redis_url, run_id, replica_url)}", flush=True)
    run_settings = [*settings, f"WARCPROOF_REDIS_URL={redis_url}", f"WARCPROOF_RUN_ID={run_id}"]
    crawlers = Crawlers()
    for n in range(1, processes + 1):
        log = logs / f"process-{n}.log"
        crawlers.start(scrapy_command(manifest, collection, seeds, replica_url, log, run_settings))
    returncodes = crawlers.wait()
    failed = [code for code in returncodes if code != 0]
    if failed:
        print(
            f"warcproof: {len(failed)} of {processes} crawler process(es) failed", file=sys.stderr
        )
    status, crawls, entries = run_verdicts(Collection(collection).ledger, run_id)
    return CrawlOutcome(
        returncode=failed[0] if failed else 0,
        status=status,
        crawl_ids=crawls,
        entries=entries,
        log=logs,
        interrupted=crawlers.interrupted,
    )


def run_verdicts(
    ledger_path: Path, run_id: str
) -> tuple[str | None, tuple[int, ...], list[LedgerEntry]]:
    """How a distributed run ended, its crawls (one per process, wherever it ran), and its
    verdicts merged by seed id. The run is "finished" when every crawl is; else the first other
    ending."""
    with Ledger(ledger_path) as ledger:
        crawls = tuple(ledger.run_crawls(run_id))
        endings = [ledger.crawl_status(crawl) for crawl in crawls]
        entries = [entry for crawl in crawls for entry in ledger.entries(crawl)]
    unfinished = [ending for ending in endings if ending != "finished"]
    status = unfinished[0] if unfinished else ("finished" if endings else None)
    return status, crawls, sorted(entries, key=lambda entry: entry.verdict.seed_id)
