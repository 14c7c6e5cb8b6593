"""No process of a crawl outlives the process that started it, `kill -9` included.

On Linux a process can ask the kernel for a signal when its parent dies (prctl
PR_SET_PDEATHSIG); warcproof asks for it in the `scrapy crawl` child, in the forkserver of each
worker pool and in every pool worker. The multiprocessing resource tracker needs nothing: it
ends by itself once every process holding its pipe has gone. Elsewhere this is a no-op.

The signal alone cannot bound a crawler's life: one already stopping on an earlier Ctrl-C takes
that SIGTERM as a second signal, and Scrapy then ignores every further one. So the crawler also
watches its parent (`exit_when_orphaned`) and, once it is gone, ends itself hard after a grace
period; every record it completed is already whole on disk by then."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
# Loaded once, here, so that a child between fork and exec (subprocess's preexec_fn) only calls
# into libc and loads nothing.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Have the kernel send `signum` to this process when its parent dies."""
    if _LIBC is None:
        return
    if _LIBC.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    if os.getppid() == 1:  # the parent died before the request: act on it now
        os.kill(os.getpid(), signum)


def terminate_with_parent() -> None:
    """For `subprocess.Popen(preexec_fn=...)`: SIGTERM, so a crawl still shuts down cleanly."""
    die_with_parent(signal.SIGTERM)


def pool_worker() -> None:
    """Initializer of worker-pool processes (and of their forkserver): they end with their
    parent, and leave Ctrl-C to it (the crawler stops them when it has finished its items)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def exit_when_orphaned(
    parent: int, grace: float, before_exit: Callable[[], None], poll: float = 1.0
) -> threading.Thread:
    """A daemon thread that, once this process's parent is no longer `parent`, waits `grace`
    seconds for the process to end by itself, then calls `before_exit` and ends it at once
    (exit code 130: interrupted)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        time.sleep(grace)
        before_exit()
        os._exit(130)

    watcher = threading.Thread(target=watch, name="warcproof-orphan-exit", daemon=True)
    watcher.start()
    return watcher
