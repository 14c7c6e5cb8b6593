"""Worker processes that end with the process that started them.

A pool's workers read their tasks from pipes that the workers themselves hold open too, so the
death of the crawler (or of `reverify`), even by SIGKILL, never reaches them: they would wait
for work forever. Each worker watches its starter instead and exits once it is gone."""

from __future__ import annotations

import os
import threading
import time

WATCH_SECONDS = 1.0


def watch_parent(pid: int) -> None:
    """A ProcessPoolExecutor initializer (initargs: the starter's pid): a daemon thread ends
    this worker within WATCH_SECONDS of process `pid` ending."""

    def watch() -> None:
        while is_running(pid):
            time.sleep(WATCH_SECONDS)
        os._exit(1)  # its results would have no reader

    threading.Thread(target=watch, name="warcproof-parent-watch", daemon=True).start()


def is_running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return not stat.read().rpartition(") ")[2].startswith("Z")
    except OSError:
        return True  # no /proc: existing is enough
