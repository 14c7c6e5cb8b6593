"""Running a command as a child process and measuring it: wall time, the peak resident set of
its largest process, and the peak of the whole process tree's resident sets summed, both sampled
from /proc every 0.1 s while it runs.

Not `wait4`'s (or `getrusage`'s) `ru_maxrss`: the kernel folds the memory the process had before
`exec` into it, and a child spawned by `subprocess` (vfork) had the benchmark's own memory then.
A process's high-water mark (`VmHWM`) starts afresh at `exec` and only grows, so the last sample
before it exits holds all but its final 0.1 s; the summed figure can miss a short spike."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Measured:
    seconds: float
    returncode: int | None  # None: killed at the time limit
    peak_process_bytes: int
    peak_tree_bytes: int
    stdout: str

    @property
    def finished(self) -> bool:
        return self.returncode is not None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_memory(pid: int) -> tuple[int, int]:
    """Resident bytes of `pid` and all its descendants now, summed, and the largest high-water
    mark among them."""
    tree = _children()
    total, highest, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        pending += tree.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        total += _kilobytes(fields.get("VmRSS"))
        highest = max(highest, _kilobytes(fields.get("VmHWM")))
    return total, highest


def _kilobytes(value: str | None) -> int:
    return int(value.split()[0]) * 1024 if value else 0


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    sample: bool = False,
) -> Measured:
    """Run `command`, its output captured; killed (with its process group) after `timeout`.
    `sample` turns on the process-tree sampler (it costs a little CPU, so timed runs skip it)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    stream = process.stdout
    assert stream is not None
    reader = threading.Thread(target=lambda: output.append(stream.read()))
    reader.start()
    peak_tree = peak_process = 0
    stop = threading.Event()

    def sampler() -> None:
        nonlocal peak_tree, peak_process
        while not stop.wait(SAMPLE_SECONDS):
            total, highest = tree_memory(process.pid)
            peak_tree, peak_process = max(peak_tree, total), max(peak_process, highest)

    watcher = threading.Thread(target=sampler)
    if sample:
        watcher.start()
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill) if timeout is not None else None
    if timer is not None:
        timer.start()
    _, status = os.waitpid(process.pid, 0)
    seconds = time.perf_counter() - started
    if timer is not None:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    if sample:
        watcher.join()
    reader.join()
    stream.close()
    return Measured(
        seconds=seconds,
        returncode=None if killed.is_set() else process.returncode,
        peak_process_bytes=peak_process,
        peak_tree_bytes=peak_tree,
        stdout=output[0] if output else "",
    )
