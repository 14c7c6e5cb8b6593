"""Running `scrapy crawl seeds` for the CLI: in its own process, as a user would, with the
collection and manifest passed as settings and the log kept in the collection."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.collection import Collection
from provenance.errors import ProvenanceError
from provenance.exitcodes import EXIT_LOCKED
from provenance.ledger.store import Ledger, LedgerEntry

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


@dataclass(frozen=True)
class CrawlOutcome:
    returncode: int
    status: str | None  # Scrapy's finish reason; None if the crawl never finished
    crawl_ids: tuple[int, ...]  # the ledger crawls it recorded (one per crawler process)
    entries: list[LedgerEntry]
    log: Path


def scrapy_command(
    manifest: Path,
    collection: Path,
    seeds: Sequence[str],
    replica_url: str | None,
    log: Path,
    settings: Sequence[str] = (),
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "seeds",
        "-s",
        f"WARCPROOF_SEEDS={manifest.resolve()}",
        "-s",
        f"WARCPROOF_COLLECTION={collection.resolve()}",
        "-s",
        f"LOG_FILE={log.resolve()}",
    ]
    if replica_url:
        # A loopback replica needs no politeness delays.
        command += [
            "-s",
            f"WARCPROOF_REPLICA_URL={replica_url}",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        ]
    if seeds:
        command += ["-a", f"seeds={','.join(seeds)}"]
    for setting in settings:
        if "=" not in setting:
            raise ProvenanceError(f"setting {setting!r} is not NAME=VALUE")
        command += ["-s", setting]
    return command


def run_crawl(
    manifest: Path,
    collection: Path,
    seeds: Sequence[str] = (),
    replica_url: str | None = None,
    settings: Sequence[str] = (),
) -> CrawlOutcome:
    logs = Collection(collection).logs
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"crawl-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.log"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}
    command = scrapy_command(manifest, collection, seeds, replica_url, log, settings)
    returncode = run_child(command, env)
    if returncode == EXIT_LOCKED:  # another run holds the collection: this one did nothing
        return CrawlOutcome(returncode, None, (), [], log)
    with Ledger(Collection(collection).ledger) as ledger:
        crawl_id = ledger.last_crawl_id()
        entries = ledger.entries(crawl_id) if crawl_id is not None else []
        status = ledger.crawl_status(crawl_id) if crawl_id is not None else None
    return CrawlOutcome(returncode, status, (crawl_id,) if crawl_id else (), entries, log)


def run_child(command: Sequence[str], env: dict[str, str]) -> int:
    """Run the crawler process and wait for it. SIGTERM and SIGHUP sent to this process are
    passed on to it (a second one too: Scrapy then stops at once), and on Linux it is told to
    stop when this process dies, even by SIGKILL: a crawler never runs on, orphaned, holding
    the collection's lock."""
    child = subprocess.Popen(command, env=env, preexec_fn=_stop_with_parent)

    def forward(signum: int, _: object) -> None:
        child.send_signal(signum)

    forwarded = (signal.SIGTERM, signal.SIGHUP)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, forward) for sig in forwarded} if main_thread else {}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux's PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def run_demo(
    manifest: Path, collection: Path, seeds: Sequence[str] = (), settings: Sequence[str] = ()
) -> CrawlOutcome:
    from replica.server import ReplicaServer

    with ReplicaServer() as server:
        print(f"Replica origin (reconstructed pages, not captures) at {server.url}", flush=True)
        return run_crawl(manifest, collection, seeds, server.url, settings)
