"""Running `scrapy crawl seeds` for the CLI: in its own process, as a user would, with the
collection and manifest passed as settings and the log kept in the collection.

Signals: the crawler processes run in their own process group, so Ctrl-C on the terminal
reaches `warcproof` only, which passes each SIGINT or SIGTERM on once. The first asks Scrapy to
stop cleanly (pages in flight are finished and recorded, WARC files closed, the lock released);
the second makes Scrapy stop at once; a third kills the crawler. Without a second signal the
same happens by itself GRACE_SECONDS and FORCE_SECONDS later (except for a JOBDIR crawl, which
may take as long as its pages in flight to pause cleanly). A crawler also gets SIGTERM when
`warcproof` itself dies, even by `kill -9` (provenance.run.parent_death), and exits hard if it
is still running WARCPROOF_ORPHAN_GRACE seconds later (spiders.extensions.orphan_exit)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from archive.collection import Collection
from archive.signal_scope import signals_handled
from provenance.exitcodes import ExitCode
from provenance.ledger.store import Ledger, LedgerEntry
from provenance.run.parent_death import terminate_with_parent


@dataclass(frozen=True)
class CrawlOutcome:
    returncode: int
    status: str | None  # Scrapy's finish reason; None if the crawl never finished
    crawl_ids: tuple[int, ...]  # the ledger crawls it recorded (one per crawler process)
    entries: list[LedgerEntry]
    log: Path
    interrupted: bool = False  # stopped by SIGINT or SIGTERM


def scrapy_command(
    manifest: Path,
    collection: Path,
    seeds: Sequence[str],
    replica_url: str | None,
    log: Path,
    settings: Sequence[str] = (),
) -> list[str]:
    """`settings` are NAME=VALUE pairs (provenance.run.configuration checked them)."""
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
        command += ["-s", setting]
    return command


def crawler_environment() -> dict[str, str]:
    """The crawler finds the Scrapy project by its settings module, from any folder."""
    return {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}


# After the first Ctrl-C or SIGTERM, a crawler still running this long is stopped at once, and
# this long after that, killed: every crawl ends within seconds of being asked to.
GRACE_SECONDS = 5.0
FORCE_SECONDS = 3.0
_POLL_SECONDS = 0.2


class Crawlers:
    """Crawler processes started by this one, and the signals passed on to them.

    Each signal is passed on as SIGTERM: Scrapy treats it as Ctrl-C once its handlers are in
    place, and before that (while it still loads) it ends the process at once, where a SIGINT
    could be swallowed as a KeyboardInterrupt somewhere in start-up code."""

    def __init__(self, *, force: bool = True) -> None:
        """`force`: stop at once what has not stopped GRACE_SECONDS after the first signal
        (off for a JOBDIR crawl, whose queue is saved only by a clean stop)."""
        self.force = force
        self.children: list[subprocess.Popen[bytes]] = []
        self.signals_received = 0
        self.first_signal: float | None = None

    def start(self, command: Sequence[str]) -> None:
        """Start `command` (a `scrapy crawl`), told to end soon after this process does."""
        self.children.append(
            subprocess.Popen(
                [*command, "-s", f"WARCPROOF_PARENT_PID={os.getpid()}"],
                env=crawler_environment(),
                process_group=0,  # Ctrl-C on the terminal reaches only this process
                preexec_fn=terminate_with_parent,  # loads nothing: see provenance.run.parent_death
            )
        )

    @property
    def interrupted(self) -> bool:
        return self.signals_received > 0

    def wait(self) -> list[int]:
        with self._passing_signals():
            while any(child.poll() is None for child in self.children):
                if self.first_signal is not None and self.force:
                    waited = time.monotonic() - self.first_signal
                    if waited > GRACE_SECONDS + FORCE_SECONDS:
                        self._escalate(kill=True)
                    elif waited > GRACE_SECONDS and self.signals_received < 2:
                        self.signals_received = 2
                        self._escalate(kill=False)
                with suppress(subprocess.TimeoutExpired):
                    self.children[-1].wait(timeout=_POLL_SECONDS)
        return [child.returncode for child in self.children]

    def _escalate(self, *, kill: bool) -> None:
        for child in self.children:
            if child.poll() is None:
                if kill:
                    child.kill()
                else:
                    child.send_signal(signal.SIGTERM)

    @contextmanager
    def _passing_signals(self) -> Iterator[None]:
        def pass_on(signum: int, frame: FrameType | None) -> None:
            self.signals_received += 1
            if self.first_signal is None:
                self.first_signal = time.monotonic()
                print(
                    "\nwarcproof: stopping: finishing the pages in flight and closing the WARC "
                    "files (Ctrl-C again to stop at once)",
                    file=sys.stderr,
                    flush=True,
                )
            self._escalate(kill=self.signals_received > 2)

        with signals_handled(pass_on, (signal.SIGINT, signal.SIGTERM)):
            yield


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
    before = _last_crawl(collection)
    crawlers = Crawlers(force=not any(s.startswith("JOBDIR=") for s in settings))
    crawlers.start(scrapy_command(manifest, collection, seeds, replica_url, log, settings))
    (returncode,) = crawlers.wait()
    if returncode == ExitCode.LOCKED:  # another run holds the collection: this one did nothing
        return CrawlOutcome(returncode, None, (), [], log)
    crawl_id = _last_crawl(collection)
    if crawl_id is None or crawl_id == before:  # stopped before it recorded a crawl
        return CrawlOutcome(returncode, None, (), [], log, crawlers.interrupted)
    with Ledger(Collection(collection).ledger) as ledger:
        entries = ledger.entries(crawl_id)
        status = ledger.crawl_status(crawl_id)
    return CrawlOutcome(returncode, status, (crawl_id,), entries, log, crawlers.interrupted)


def _last_crawl(collection: Path) -> int | None:
    path = Collection(collection).ledger
    if not path.exists():
        return None
    with Ledger(path, create=False) as ledger:
        return ledger.last_crawl_id()


def run_demo(
    manifest: Path, collection: Path, seeds: Sequence[str] = (), settings: Sequence[str] = ()
) -> CrawlOutcome:
    from replica.server import ReplicaServer

    with ReplicaServer() as server:
        print(f"Replica origin (reconstructed pages, not captures) at {server.url}", flush=True)
        return run_crawl(manifest, collection, seeds, server.url, settings)


def open_warcs(collection: Path) -> list[Path]:
    """WARC files a stopped crawl left open (for `warcproof warc recover`)."""
    return sorted(Collection(collection).warcs.glob("*.warc.gz.open"))
