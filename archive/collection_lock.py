"""One writer at a time per collection: an `fcntl.flock` on `COLLECTION/.lock`, taken by a crawl
(spiders.extensions.lock, the Scrapy extension over this protocol) and by every command that
changes a collection (provenance.cli.locking).

The kernel drops the lock of a process that dies, even by SIGKILL, so a stale lock cannot block
a collection.

The rule: a run without a run id takes the lock exclusively. Processes that share one run id
(the crawler processes of one distributed run) take it shared, together; a process of another
run, or a run without an id, cannot take it while they hold it. Whoever holds it is written into
the lock file (pid, host, start time, run id), so that a run that finds the collection locked
can say who holds it."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from archive.collection import Collection

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.2


class CollectionLocked(SystemExit):
    """The collection is locked by another run. A SystemExit, so that `scrapy crawl` ends at
    once with the status of provenance.exitcodes.ExitCode.LOCKED and the message, not a
    traceback."""

    exit_code: ClassVar[int] = 4  # ExitCode.LOCKED (archive imports nothing from provenance)

    def __init__(self, message: str) -> None:
        super().__init__(self.exit_code)
        self.message = message


class CollectionLock:
    """The lock of the collection at `collection`, taken for a run (`run_id`, or "" for a run
    of its own): `acquire` takes it, `release` gives it back."""

    def __init__(self, collection: Path, run_id: str) -> None:
        self.collection = collection
        self.run_id = run_id
        self.path = Collection(collection).lock
        self._file: IO[str] | None = None

    def acquire(self, wait: float) -> None:
        """Take the lock, waiting up to `wait` seconds; raises CollectionLocked."""
        self.collection.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + max(wait, 0.0)
        announced = False
        while True:
            holder = self._try_acquire()
            if holder is None:
                return
            if time.monotonic() >= deadline:
                waited = f"waited {wait:g}s, " if wait > 0 else ""
                raise CollectionLocked(
                    f"the collection {self.collection} is in use by another run ({holder}); "
                    f"{waited}nothing was fetched or written (WARCPROOF_LOCK_WAIT=SECONDS waits)"
                )
            if not announced:
                log.info("Waiting up to %gs for %s (held by %s)", wait, self.path, holder)
                announced = True
            time.sleep(_POLL_SECONDS)

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _try_acquire(self) -> str | None:
        """None once the lock is held, else a description of its holder."""
        # A second file serialises taking the lock, so run ids are compared safely.
        with open(self.path.with_name(self.path.name + ".guard"), "a") as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)  # held for a few file operations only
            lock_file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (kept while held)
            try:
                holder = self._take(lock_file)
            except BaseException:
                lock_file.close()
                raise
            if holder is not None:
                lock_file.close()
            else:
                self._file = lock_file
            return holder

    def _take(self, lock_file: IO[str]) -> str | None:
        if _flock(lock_file, fcntl.LOCK_EX):
            # Nobody holds it: whatever the file says is from runs that are gone.
            lock_file.seek(0)
            lock_file.truncate()
            self._write_holder(lock_file)
            if self.run_id:
                fcntl.flock(lock_file, fcntl.LOCK_SH)  # under the guard: no one slips in
            return None
        holders = _holders(lock_file)
        if self.run_id and _flock(lock_file, fcntl.LOCK_SH):
            if all(holder.get("run_id") == self.run_id for holder in holders):
                self._write_holder(lock_file)
                return None
            fcntl.flock(lock_file, fcntl.LOCK_UN)
        return _describe(holders)

    def _write_holder(self, lock_file: IO[str]) -> None:
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "run_id": self.run_id or None,
        }
        lock_file.write(json.dumps(holder) + "\n")
        lock_file.flush()


def _flock(lock_file: IO[str], mode: int) -> bool:
    try:
        fcntl.flock(lock_file, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holders(lock_file: IO[str]) -> list[dict[str, Any]]:
    lock_file.seek(0)
    holders = []
    for line in lock_file.read().splitlines():
        try:
            holders.append(json.loads(line))
        except ValueError:
            continue
    return holders


def _describe(holders: list[dict[str, Any]]) -> str:
    if not holders:
        return "holder unknown"
    parts = []
    for holder in holders:
        run = f", run {holder['run_id']}" if holder.get("run_id") else ""
        parts.append(
            f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started')}{run}"
        )
    return "; ".join(parts)
