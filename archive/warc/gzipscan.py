"""Streaming scan of a file of concatenated gzip members, with exact member offsets.

One ``zlib.decompressobj`` per member: its ``unused_data`` marks where the member ends, so the
scanner knows every member's start and end offset, notices a member cut short (the file ends
before the deflate stream or the 8-byte CRC/size trailer is complete, which ``gzip`` and warcio
accept silently), corrupt deflate data or a failing CRC, and bytes between members that are not
gzip at all. After damage it resynchronises at the next gzip magic number.

The scanner pushes events to a ``MemberSink``; it reads in big blocks and never holds more than a
few blocks of input and of decompressed output, whatever the member sizes.

A stream longer than one block is inflated in a forked child process (when the caller's process
runs no other thread and the load average leaves a core free), so that the sink's work
(parsing, hashing) runs on a second core meanwhile. A process, not a thread: both sides run
Python between every member and its zlib call, and a thread would wait for the other's GIL at
each one. The caller's process still makes every call of ``read`` and of the sink, in file
order, on the caller's thread: the child gets the bytes through a pipe and sends the events
back through another.
"""

import collections
import contextlib
import fcntl
import os
import select
import signal
import struct
import threading
import zlib
from collections.abc import Callable
from typing import NoReturn, Protocol, cast

from archive.errors import ArchiveError

try:  # ISA-L's inflate, where installed; zlib does everything without it
    from isal import isal_zlib as _isal_zlib

    # Its stub declares the exception class as an instance.
    _INFLATE_ERRORS: tuple[type[Exception], ...] = (
        cast("type[Exception]", _isal_zlib.error),
        zlib.error,
    )
except ImportError:  # pragma: no cover - a platform without a wheel
    _isal_zlib = None  # type: ignore[assignment]
    _INFLATE_ERRORS = (zlib.error,)

GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2, CM=deflate
READ_SIZE = 1 << 20
FEED_SIZE = 1 << 16
REWIND_SIZE = 4 * FEED_SIZE
MAX_OUTPUT = 1 << 22
BATCH_BYTES = 1 << 20  # encoded events the child sends at a time
QUEUED_BYTES = 1 << 22  # encoded events the child may hold while the caller is busy
_GZIP_WBITS = zlib.MAX_WBITS | 16
_PIPE_SIZE = 1 << 20
# An event: kind, two integers, then a payload of the given length.
_EVENT = struct.Struct("<BqqI")
_START, _DATA, _END, _BROKEN, _GARBAGE, _DONE, _FAILED = range(7)


class MemberSink(Protocol):
    """Receives what the scanner finds, in file order."""

    def member_start(self, offset: int) -> None:
        """A gzip member begins at ``offset``."""

    def member_data(self, data: bytes) -> None:
        """Decompressed bytes of the current member."""

    def member_end(self, offset: int, end: int) -> None:
        """The member that began at ``offset`` is complete (CRC checked); the next byte is
        ``end``."""

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        """The member that began at ``offset`` is cut short by the end of the stream
        (``cut_short``) or corrupt; no ``member_end`` follows."""

    def garbage(self, offset: int, length: int) -> None:
        """``length`` bytes at ``offset`` belong to no gzip member."""


def scan_members(
    read: Callable[[int], bytes],
    sink: MemberSink,
    *,
    read_size: int = READ_SIZE,
    max_output: int = MAX_OUTPUT,
) -> int:
    """Scan every member of the stream ``read`` returns (``read(n)``, ``b""`` at its end);
    returns the number of bytes scanned."""
    first = read(read_size)
    blocks = iter((first,))

    def again(size: int) -> bytes:
        return next(blocks, b"") or read(size)

    # A short stream needs no process; a process running other threads is not forked (the
    # child would inherit any lock one of them holds, held forever); nor is one forked when no
    # core is free.
    if (
        len(first) < read_size
        or not hasattr(os, "fork")
        or threading.active_count() > 1
        or not _core_to_spare()
    ):
        return _Scanner(again, sink, read_size, max_output).run()
    return _Pipeline(again, sink, read_size, max_output).run()


def scan_range(
    read: Callable[[int], bytes],
    sink: MemberSink,
    start: int,
    stop: int | None,
    *,
    read_size: int = READ_SIZE,
) -> int:
    """Scan, in this process, the stream ``read`` returns from file offset ``start`` on, up to
    the first point at or after ``stop`` (None: the end) where a member or bytes between members
    begin; returns that point. A scan from the file's start reaches every such point with
    nothing carried over: a scan begun there sees the same events from there on."""
    return _Scanner(read, sink, read_size, MAX_OUTPUT, start, stop).run()


def _core_to_spare() -> bool:
    """Whether a second process would find a core of its own: the one-minute load average is
    below the cores this process may use, less one for itself. On a busy machine the two
    processes of the pipeline wait for each other's turn at every batch, and one process
    doing all the work finishes sooner (measured in bench/RESULTS-check.md)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = os.getloadavg()[0]
    except OSError:
        return True
    return load + 1 <= (cores or 1)


class _Pipeline:
    """The caller's side: forks the child, feeds it ``read``'s blocks, hands its events to the
    sink."""

    def __init__(
        self, read: Callable[[int], bytes], sink: MemberSink, read_size: int, max_output: int
    ) -> None:
        self.read = read
        self.sink = sink
        self.read_size = read_size
        self.max_output = max_output

    def run(self) -> int:
        in_read, in_write = os.pipe()
        out_read, out_write = os.pipe()
        for fd in (in_write, out_write):
            with contextlib.suppress(OSError):  # a smaller pipe only costs more system calls
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        try:
            pid = os.fork()
        except OSError:  # no process to spare: scan here
            for fd in (in_read, in_write, out_read, out_write):
                os.close(fd)
            return _Scanner(self.read, self.sink, self.read_size, self.max_output).run()
        if pid == 0:
            _child(in_read, out_write, (in_write, out_read), self.read_size, self.max_output)
        os.close(in_read)
        os.close(out_write)
        open_fds = [in_write, out_read]
        finished = False
        try:
            scanned = self._serve(in_write, out_read, open_fds)
            finished = True
            return scanned
        finally:
            for fd in open_fds:
                os.close(fd)
            if not finished:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def _serve(self, in_write: int, out_read: int, open_fds: list[int]) -> int:
        os.set_blocking(in_write, False)
        events = _EventReader(out_read, self.sink)
        poller = select.poll()
        poller.register(out_read, select.POLLIN)
        poller.register(in_write, select.POLLOUT)
        pending = memoryview(b"")

        def stop_feeding() -> None:
            poller.unregister(in_write)
            os.close(in_write)
            open_fds.remove(in_write)

        while True:
            for fd, _ in poller.poll():
                if fd == out_read:
                    scanned = events.pump()
                    if scanned is not None:
                        return scanned
                    continue
                if not pending:
                    pending = memoryview(self.read(self.read_size))
                    if not pending:
                        stop_feeding()
                        continue
                try:
                    pending = pending[os.write(in_write, pending) :]
                except BlockingIOError:
                    pass
                except BrokenPipeError:  # the child has stopped: its events say why
                    stop_feeding()


class _EventReader:
    """Decodes the child's events from its pipe and calls the sink."""

    def __init__(self, fd: int, sink: MemberSink) -> None:
        self.fd = fd
        self.sink = sink
        self.buffer = bytearray(BATCH_BYTES)
        self.start = 0  # of the first undecoded byte
        self.end = 0  # of the bytes read so far

    def pump(self) -> int | None:
        """Read what the pipe holds and dispatch every whole event; the number of bytes scanned
        once the child is done, None before."""
        if self.end == len(self.buffer):
            self._make_room()
        with memoryview(self.buffer) as view:
            count = os.readv(self.fd, [view[self.end :]])
        if not count:
            raise ArchiveError("the gzip scanner process ended without finishing")
        self.end += count
        return self._dispatch()

    def _make_room(self) -> None:
        kept = self.end - self.start
        needed = kept + BATCH_BYTES
        if kept >= _EVENT.size:
            needed = max(needed, _EVENT.size + _EVENT.unpack_from(self.buffer, self.start)[3])
        buffer = self.buffer if needed <= len(self.buffer) else bytearray(needed)
        buffer[:kept] = self.buffer[self.start : self.end]
        self.buffer, self.start, self.end = buffer, 0, kept

    def _dispatch(self) -> int | None:
        buffer, sink, start, end = self.buffer, self.sink, self.start, self.end
        size = _EVENT.size
        view = memoryview(buffer)  # slices of it are copied once, not twice
        try:
            while end - start >= size:
                kind, first, second, length = _EVENT.unpack_from(buffer, start)
                stop = start + size + length
                if stop > end:
                    break
                if kind == _DATA:
                    sink.member_data(bytes(view[start + size : stop]))
                elif kind == _START:
                    sink.member_start(first)
                elif kind == _END:
                    sink.member_end(first, second)
                elif kind == _BROKEN:
                    reason = buffer[start + size : stop].decode("utf-8")
                    sink.member_broken(first, reason, bool(second))
                elif kind == _GARBAGE:
                    sink.garbage(first, second)
                elif kind == _DONE:
                    return int(first)
                else:
                    message = buffer[start + size : stop].decode("utf-8", "replace")
                    raise ArchiveError(f"the gzip scanner process failed: {message}")
                start = stop
        finally:
            view.release()
            self.start = start
        if start == end:
            self.start = self.end = 0
        return None


class _EventWriter:
    """The child's side: a ``MemberSink`` that encodes events into the pipe. Up to
    ``QUEUED_BYTES`` wait in the child while the caller is busy, so that neither side waits for
    the other at every batch."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        os.set_blocking(fd, False)
        self.writable = select.poll()
        self.writable.register(fd, select.POLLOUT)
        self.batch = bytearray()
        self.queue: collections.deque[memoryview] = collections.deque()
        self.queued = 0

    def send(self, *, wait: bool) -> None:
        """Queue the batch and write what the pipe takes; with ``wait``, all of it."""
        if self.batch:
            self.queue.append(memoryview(self.batch))
            self.queued += len(self.batch)
            self.batch = bytearray()
        while self.queue:
            try:
                written = os.write(self.fd, self.queue[0])
            except BlockingIOError:
                if not wait and self.queued <= QUEUED_BYTES:
                    return
                self.writable.poll()
                continue
            self.queued -= written
            if written == len(self.queue[0]):
                self.queue.popleft()
            else:
                self.queue[0] = self.queue[0][written:]

    def member_start(self, offset: int) -> None:
        self.batch += _EVENT.pack(_START, offset, 0, 0)

    def member_data(self, data: bytes) -> None:
        self.batch += _EVENT.pack(_DATA, 0, 0, len(data))
        self.batch += data
        if len(self.batch) >= BATCH_BYTES:
            self.send(wait=False)

    def member_end(self, offset: int, end: int) -> None:
        self.batch += _EVENT.pack(_END, offset, end, 0)

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        self._with_text(_BROKEN, offset, int(cut_short), reason)

    def garbage(self, offset: int, length: int) -> None:
        self.batch += _EVENT.pack(_GARBAGE, offset, length, 0)

    def done(self, scanned: int) -> None:
        self.batch += _EVENT.pack(_DONE, scanned, 0, 0)
        self.send(wait=True)

    def failed(self, message: str) -> None:
        self._with_text(_FAILED, 0, 0, message)
        self.send(wait=True)

    def _with_text(self, kind: int, first: int, second: int, text: str) -> None:
        encoded = text.encode("utf-8", "replace")
        self.batch += _EVENT.pack(kind, first, second, len(encoded))
        self.batch += encoded


def _child(
    in_read: int, out_write: int, parent_ends: tuple[int, ...], read_size: int, max_output: int
) -> NoReturn:
    """The forked process: scans what arrives on ``in_read``, sends events to ``out_write``."""
    code = 0
    try:
        for fd in parent_ends:
            os.close(fd)
        out = _EventWriter(out_write)
        poller = select.poll()
        poller.register(in_read, select.POLLIN)

        def read(size: int) -> bytes:
            while True:
                out.send(wait=False)  # the caller may be waiting for these to send more
                if out.queue:
                    poller.register(out_write, select.POLLOUT)
                ready = poller.poll()
                if out.queue:
                    poller.unregister(out_write)
                if any(fd == in_read for fd, _ in ready):
                    return os.read(in_read, size)

        out.done(_Scanner(read, out, read_size, max_output).run())
    except BaseException as exc:  # reported to the caller, which raises
        code = 1
        with contextlib.suppress(BaseException):
            out.failed(repr(exc))
    finally:
        os._exit(code)


class _Scanner:
    """Holds one block of input; members are fed to zlib in slices of ``FEED_SIZE`` bytes
    counted from the member's start (shorter only at the end of the stream), so ``unused_data``
    (a copy) stays small however many members a block holds, and zlib sees the same slices
    however the stream is cut into blocks. The first ``REWIND_SIZE`` bytes of a member are kept
    until it ends: corrupt data found there resynchronises right after the member's start, so a
    damaged gzip header cannot swallow the member after it."""

    def __init__(
        self,
        read: Callable[[int], bytes],
        sink: MemberSink,
        read_size: int,
        max_output: int,
        start: int = 0,
        stop: int | None = None,
    ) -> None:
        self.read = read
        self.sink = sink
        self.read_size = read_size
        self.max_output = max_output
        self.stop = stop
        self.block = b""
        self.index = 0  # of the next unscanned byte in block
        self.pos = start  # file offset of block[index]
        self.at_eof = False
        self.quiet = False  # skipping the rest of a broken member, not reporting garbage
        self.kept: int | None = None  # file offset of the bytes kept for a rewind

    def available(self) -> int:
        return len(self.block) - self.index

    def ensure(self, count: int) -> bool:
        """Make ``count`` bytes available if the stream still has them."""
        while self.available() < count and not self.at_eof:
            more = self.read(self.read_size)
            if not more:
                self.at_eof = True
                break
            drop = self.index
            if self.kept is not None:
                drop -= self.pos - self.kept
            self.block = self.block[drop:] + more
            self.index -= drop
        return self.available() >= count

    def advance(self, count: int) -> None:
        self.index += count
        self.pos += count

    def run(self) -> int:
        while True:
            if self.stop is not None and self.pos >= self.stop and not self.quiet:
                return self.pos
            self.ensure(len(GZIP_MAGIC))
            if not self.available():
                return self.pos
            head = self.block[self.index : self.index + len(GZIP_MAGIC)]
            if head == GZIP_MAGIC:
                self.quiet = False
                self._member()
            elif self.at_eof and GZIP_MAGIC.startswith(head) and not self.quiet:
                self.sink.member_start(self.pos)
                self.sink.member_broken(self.pos, "the file ends inside a gzip header", True)
                self.advance(self.available())
            else:
                self._skip_garbage()

    def _skip_garbage(self) -> None:
        start = self.pos
        while True:
            found = self.block.find(GZIP_MAGIC, self.index)
            if found >= 0:
                self.advance(found - self.index)
                break
            # Keep a tail that may be the start of a magic number split across blocks.
            keep = min(self.available(), len(GZIP_MAGIC) - 1)
            self.advance(self.available() - keep)
            if not self.ensure(keep + 1):
                self.advance(self.available())
                break
        if not self.quiet:
            self.sink.garbage(start, self.pos - start)
        self.quiet = False

    def _member(self) -> None:
        start = self.kept = self.pos
        try:
            self._inflate(start)
        finally:
            self.kept = None

    def _inflate(self, start: int) -> None:
        self.sink.member_start(start)
        if self._inflate_quickly(start):
            return
        decompressor = zlib.decompressobj(_GZIP_WBITS)
        output_pending = False
        while True:
            wanted = FEED_SIZE - (self.pos - start) % FEED_SIZE
            if not self.ensure(wanted) and not self.available() and not output_pending:
                self.sink.member_broken(start, "the file ends inside a gzip member", True)
                return
            if self.pos - start >= REWIND_SIZE:
                self.kept = None
            piece = memoryview(self.block)[self.index : self.index + wanted]
            try:
                out = decompressor.decompress(piece, self.max_output)
            except zlib.error as exc:
                self.sink.member_broken(start, f"corrupt gzip data ({exc})", False)
                # Resynchronise at the next magic number after the member's start (or, past
                # its kept bytes, after the damage); the skipped bytes belong to the broken
                # member, so they are not reported again.
                if self.kept is not None:
                    self.index -= self.pos - start
                    self.pos = start
                if self.pos == start:
                    self.advance(1)
                self.quiet = True
                return
            rest = decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
            self.advance(len(piece) - len(rest))
            if out:
                self.sink.member_data(out)
            if decompressor.eof:
                self.sink.member_end(start, self.pos)
                return
            output_pending = len(out) == self.max_output

    def _inflate_quickly(self, start: int) -> bool:
        """Inflate the member at ``start`` with ISA-L (about twice zlib's speed) if it lies
        wholly in the block, has the plain 10-byte header every WARC writer makes (no flags:
        ISA-L would accept reserved ones) and inflates without error to at most ``max_output``
        bytes: then the sink gets exactly what zlib would give. Anything else is left to the
        zlib path, which says where and how a member is damaged as it always has."""
        block, index = self.block, self.index
        if _isal_zlib is None or len(block) - index < 18 or block[index + 3] != 0:
            return False
        inflater = _isal_zlib.decompressobj(_GZIP_WBITS)
        pieces: list[bytes] = []
        room = self.max_output
        at = index
        with memoryview(block) as view:
            while not inflater.eof:
                piece = view[at : at + FEED_SIZE]
                if not piece:
                    return False  # the member goes on past the block
                try:
                    out = inflater.decompress(piece, room)
                except _INFLATE_ERRORS:
                    return False
                if inflater.unconsumed_tail:
                    return False  # more than max_output bytes: streamed by the zlib path
                pieces.append(out)
                room -= len(out)
                at += len(piece)
        self.advance(at - len(inflater.unused_data) - index)
        for out in pieces:
            if out:
                self.sink.member_data(out)
        self.sink.member_end(start, self.pos)
        return True
