"""Checking a large ``.warc.gz`` in shares, on every core.

Gzip members are independent, so the file is cut at member starts into shares of a few MB, and
forked workers check them (inflating, parsing, hashing) with a ``RecordChecker`` each. A worker
sends back, per share, a log of what it found in order (findings, record ids, references);
this process replays the logs in file order into the real problem sink and ``LinkRegistry``, so
the findings are those of a check in one process, in the same order.

A share's log is taken only where the check in one process would have begun the share the same
way: the share before ended exactly at its start (a cut inside a member, say at a gzip file
stored in a record, is found out so), and the file-wide state its worker assumed (WARC version,
line ends) is the one the shares before left. Otherwise this process checks that stretch itself.
Memory: a worker holds one share's log, and its pipe at most one more.
"""

import contextlib
import fcntl
import os
import pickle
import re
import signal
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NoReturn

from archive.check.links import LinkRegistry
from archive.check.problems import Problem
from archive.check.record import Carried, RecordChecker, duplicate
from archive.warc.gzipscan import GZIP_MAGIC, scan_range

MIN_SHARE = 4 << 20
MAX_SHARE = 16 << 20  # a share's log (about 300 bytes a record) fits in a worker's pipe
_WINDOW = 1 << 20  # looked through for a member start after each cut
_PROBE = 1 << 16
_PIPE_SIZE = 1 << 20
_FRAME = struct.Struct("<Q")
_VERSION_RE = re.compile(rb"WARC/\d+\.\d+")

_Record = tuple[str, str, int, str]  # id, type, offset, where in its member
_Reference = tuple[int, str, str, str | None]  # offset, field, target, id of the referrer
Entry = Problem | _Record | _Reference


@dataclass
class _Result:
    began: Carried  # the state the worker's checker assumed at the share's start
    end: int  # where the worker's scan stopped
    state: Carried  # the checker's carried state there
    totals: tuple[int, int, bool, int, int]
    log: list[Entry] = field(default_factory=list)


class _ShareChecker(RecordChecker):
    """A worker's checker: logs findings and links instead of passing them on."""

    def __init__(self, name: str, log: list[Entry]) -> None:
        super().__init__(name, log.append, LinkRegistry(), gzipped=True)
        self.log = log

    def _add_record(self, record_id: str, rec_type: str, offset: int) -> None:
        self.log.append((record_id, rec_type, offset, self._placing()))

    def _add_reference(self, offset: int, field: str, target: str, record_id: str | None) -> None:
        self.log.append((offset, field, target, record_id))


def worker_count() -> int:
    """Processes a check in shares may use: the cores this process may run on; 1 where it
    cannot fork (or runs other threads, whose locks a fork would copy held)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores or 1


def check_in_shares(
    path: Path,
    at: Callable[[int], None],
    checker: RecordChecker,
    *,
    share_size: int | None = None,
    workers: int | None = None,
) -> None:
    """Check the gzipped WARC at ``path`` into ``checker`` as ``scan_members`` would (every
    member, in file order), in shares of about ``share_size`` bytes (by default a quarter of
    the file's part per worker, 4 to 16 MB) on ``workers`` processes (``worker_count()``);
    ``at(offset)`` is told how far the check has got."""
    size = path.stat().st_size
    workers = worker_count() if workers is None else workers
    if share_size is None:
        share_size = max(MIN_SHARE, min(MAX_SHARE, size // (workers * 4)))
    cuts = _cuts(path, size, share_size) if workers > 1 else [0]
    with open(path, "rb", buffering=0) as raw:
        if len(cuts) < 2:
            at(scan_range(raw.read, checker, 0, None))
            return
        _Shares(path, raw, checker, cuts, min(workers, len(cuts)), at).run()


def _cuts(path: Path, size: int, share: int) -> list[int]:
    """Offsets where shares start: 0, then the first member start found within a window after
    each multiple of ``share`` (a gzip header whose data inflates to a WARC head)."""
    cuts = [0]
    with open(path, "rb") as raw:
        for target in range(share, size - share // 2, share):
            if target <= cuts[-1]:
                continue
            raw.seek(target)
            window = raw.read(min(_WINDOW, share))
            found = window.find(GZIP_MAGIC)
            while found >= 0 and not _member_start(window, found):
                found = window.find(GZIP_MAGIC, found + 1)
            if found >= 0:
                cuts.append(target + found)
    return cuts


def _member_start(window: bytes, at: int) -> bool:
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        return inflater.decompress(window[at : at + _PROBE], 5) == b"WARC/"
    except zlib.error:
        return False


def _assumed_state(raw: BinaryIO) -> Carried:
    """The state a worker assumes at the start of its shares: the WARC version and line ends of
    the file's first record head (most files are written one way throughout)."""
    raw.seek(0)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        start = inflater.decompress(raw.read(_PROBE), _PROBE)
    except zlib.error:
        start = b""
    line = start.split(b"\n", 1)[0].rstrip(b"\r")
    version = line[5:].decode("ascii") if _VERSION_RE.fullmatch(line) else None
    crlf, lf = start.find(b"\r\n\r\n"), start.find(b"\n\n")
    return (version, lf >= 0 and (crlf < 0 or lf < crlf), False, False, None)


def _send(fd: int, data: bytes) -> None:
    with memoryview(data) as view:
        done = 0
        while done < len(view):
            done += os.write(fd, view[done:])


def _receive(fd: int) -> _Result | None:
    """The next result a worker sent, None if it ended without sending it."""
    head = _read_exactly(fd, _FRAME.size)
    body = _read_exactly(fd, _FRAME.unpack(head)[0]) if head is not None else None
    if body is None:
        return None
    result = pickle.loads(body)  # from our own forked worker
    assert isinstance(result, _Result)
    return result


def _read_exactly(fd: int, count: int) -> bytearray | None:
    buffer = bytearray(count)
    with memoryview(buffer) as view:
        done = 0
        while done < count:
            got = os.readv(fd, [view[done:]])
            if not got:
                return None
            done += got
    return buffer


class _Shares:
    def __init__(
        self,
        path: Path,
        raw: BinaryIO,
        checker: RecordChecker,
        cuts: list[int],
        workers: int,
        at: Callable[[int], None],
    ) -> None:
        self.path = path
        self.raw = raw
        self.checker = checker
        self.bounds = list(zip(cuts, [*cuts[1:], None], strict=True))
        self.workers = workers
        self.at = at
        self.assumed = _assumed_state(raw)

    def run(self) -> None:
        pids: list[int] = []
        pipes: list[int] = []
        try:
            for number in range(self.workers):
                read_end, write_end = os.pipe()
                with contextlib.suppress(OSError):  # a smaller pipe only blocks sooner
                    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
                try:
                    pid = os.fork()
                except OSError:  # no process to spare: this one checks the shares left over
                    os.close(read_end)
                    os.close(write_end)
                    break
                if pid == 0:
                    os.close(read_end)
                    for fd in pipes:
                        os.close(fd)
                    self._work(number, write_end)
                os.close(write_end)
                pids.append(pid)
                pipes.append(read_end)
            self._merge(pipes)
        finally:
            for fd in pipes:
                os.close(fd)
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)  # gone already unless the check was stopped
                os.waitpid(pid, 0)

    def _merge(self, pipes: list[int]) -> None:
        checker = self.checker
        pos = 0
        for number, (start, stop) in enumerate(self.bounds):
            worker = number % self.workers
            result = _receive(pipes[worker]) if worker < len(pipes) else None
            if (
                result is not None
                and pos == start
                # A share begins with a member start, which forgets the last record's id.
                and checker.carried()[:4] == result.began[:4]
            ):
                self._replay(result)
                pos = result.end
            elif stop is None or pos < stop:  # check the stretch here, as in one process
                self.raw.seek(pos)
                pos = scan_range(self.raw.read, checker, pos, stop)
            self.at(pos)

    def _replay(self, result: _Result) -> None:
        checker = self.checker
        emit, links, name = checker.emit, checker.links, checker.name
        for entry in result.log:
            if isinstance(entry, Problem):
                emit(entry)
            elif isinstance(entry[0], str):
                record_id, rec_type, offset, placing = entry
                if not links.add_record(record_id, rec_type):
                    emit(duplicate(name, offset, record_id, placing))
            else:
                links.add_reference(name, *entry)
        checker.carry(result.state)
        checker.add_totals(result.totals)

    def _work(self, number: int, fd: int) -> NoReturn:
        """A worker process: checks every ``workers``-th share, sends each one's result."""
        code = 0
        try:
            with open(self.path, "rb", buffering=0) as raw:
                for start, stop in self.bounds[number :: self.workers]:
                    log: list[Entry] = []
                    checker = _ShareChecker(self.checker.name, log)
                    if start:  # the first share begins as the file does
                        checker.carry(self.assumed)
                    began = checker.carried()
                    raw.seek(start)
                    end = scan_range(raw.read, checker, start, stop)
                    data = pickle.dumps(
                        _Result(began, end, checker.carried(), checker.totals(), log), protocol=5
                    )
                    _send(fd, _FRAME.pack(len(data)) + data)
        except BaseException:  # stopped (Ctrl-C, the caller gone) or failing: the caller
            code = 1  # checks what this worker did not send
        finally:
            os._exit(code)
