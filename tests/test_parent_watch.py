"""Worker processes end with the process that started them, even when it is killed with
SIGKILL (issue 14: orphaned extraction workers)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.processes import is_running

STARTER = """
import multiprocessing, os, signal, sys
from concurrent.futures import ProcessPoolExecutor
from provenance.run.parent_death import pool_worker
if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["provenance.run.forkserver_guard"])
    pool = ProcessPoolExecutor(2, mp_context=context, initializer=pool_worker)
    pids = {pool.submit(os.getpid).result() for _ in range(8)}
    print(" ".join(map(str, sorted(pids))), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_pool_workers_end_when_their_starter_is_killed(tmp_path: Path) -> None:
    printed = tmp_path / "pids"
    with printed.open("w") as out:  # a file, not a pipe: the workers must not hold our reader
        starter = subprocess.Popen([sys.executable, "-c", STARTER], cwd=ROOT, stdout=out)
        starter.wait(timeout=120)  # killed itself; reaped here
    workers = [int(pid) for pid in printed.read_text().split()]
    assert workers
    deadline = time.monotonic() + 60
    while any(is_running(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their starter"
        time.sleep(0.2)
