"""Streaming scan of a file of concatenated gzip members, with exact member offsets.

One ``zlib.decompressobj`` per member: its ``unused_data`` marks where the member ends, so the
scanner knows every member's start and end offset, notices a member cut short (the file ends
before the deflate stream or the 8-byte CRC/size trailer is complete, which ``gzip`` and warcio
accept silently), corrupt deflate data or a failing CRC, and bytes between members that are not
gzip at all. After damage it resynchronises at the next gzip magic number.

The scanner pushes events to a ``MemberSink``; it reads in big blocks and never holds more than a
few blocks of input and of decompressed output, whatever the member sizes.

Inflating runs on a worker thread (zlib releases the GIL while it inflates), so the sink's work,
such as hashing, runs on a second core meanwhile. The caller's thread still makes every call of
``read`` and of the sink, in file order: callers see no threads.
"""

import contextlib
import queue
import threading
import zlib
from collections.abc import Callable
from typing import Any, Protocol

GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2, CM=deflate
READ_SIZE = 1 << 20
FEED_SIZE = 1 << 16
MAX_OUTPUT = 1 << 22
BATCH_BYTES = 1 << 20  # decompressed bytes the worker hands over at a time
_QUEUED_BATCHES = 4
_GZIP_WBITS = zlib.MAX_WBITS | 16


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
    return _Pipeline(read, sink, read_size, max_output).run()


_Event = tuple[Callable[..., None], tuple[Any, ...]]


class _Stopped(Exception):
    """The caller's thread gave up (its ``read`` or sink raised): the worker ends."""


class _Pipeline:
    """Runs a ``_Scanner`` on a worker thread. The worker sends batches of sink calls through a
    bounded queue; reads are requests in that stream, answered by the caller's thread, one block
    ahead so the worker rarely waits."""

    def __init__(
        self, read: Callable[[int], bytes], sink: MemberSink, read_size: int, max_output: int
    ) -> None:
        self.read = read
        self.sink = sink
        self.read_size = read_size
        self.max_output = max_output
        self.batches: queue.Queue[list[_Event] | BaseException | int] = queue.Queue(_QUEUED_BATCHES)
        self.blocks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.stopped = False

    def run(self) -> int:
        worker = threading.Thread(target=self._work, name="gzipscan", daemon=True)
        worker.start()
        try:
            while True:
                item = self.batches.get()
                if isinstance(item, int):
                    worker.join()
                    return item
                if isinstance(item, BaseException):
                    raise item
                for call, args in item:
                    call(*args)
        except BaseException:
            self._stop(worker)
            raise

    def answer_read(self, size: int) -> None:
        self.blocks.put(self.read(size))

    def _stop(self, worker: threading.Thread) -> None:
        self.stopped = True
        self.blocks.put(None)
        while worker.is_alive():  # unblock a worker waiting for room in the queue
            try:
                self.batches.get(timeout=0.01)
            except queue.Empty:
                continue
        worker.join()

    def _work(self) -> None:
        out = _BatchingSink(self)
        try:
            scanned = _Scanner(out.read, out, self.read_size, self.max_output).run()
            out.flush()
            self.send(scanned)
        except _Stopped:
            return
        except BaseException as exc:  # re-raised on the caller's thread
            with contextlib.suppress(_Stopped):
                self.send(exc)

    def send(self, item: list[_Event] | BaseException | int) -> None:
        while not self.stopped:
            try:
                self.batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped


class _BatchingSink:
    """The worker's side: collects sink calls and read requests into batches."""

    def __init__(self, pipeline: _Pipeline) -> None:
        self.pipeline = pipeline
        self.sink = pipeline.sink
        self.batch: list[_Event] = []
        self.size = 0
        self.requested = False
        self.at_eof = False

    def flush(self) -> None:
        if self.batch:
            batch, self.batch, self.size = self.batch, [], 0
            self.pipeline.send(batch)

    def _request(self, size: int) -> None:
        self.batch.append((self.pipeline.answer_read, (size,)))
        self.requested = True

    def read(self, size: int) -> bytes:
        if self.at_eof:
            return b""
        if not self.requested:
            self._request(size)
        self.flush()
        block = self.pipeline.blocks.get()
        if block is None:
            raise _Stopped
        self.requested = False
        if block:
            self._request(size)  # read ahead while this block is scanned
            self.flush()
        else:
            self.at_eof = True
        return block

    def member_start(self, offset: int) -> None:
        self.batch.append((self.sink.member_start, (offset,)))

    def member_data(self, data: bytes) -> None:
        self.batch.append((self.sink.member_data, (data,)))
        self.size += len(data)
        if self.size >= BATCH_BYTES:
            self.flush()

    def member_end(self, offset: int, end: int) -> None:
        self.batch.append((self.sink.member_end, (offset, end)))

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        self.batch.append((self.sink.member_broken, (offset, reason, cut_short)))

    def garbage(self, offset: int, length: int) -> None:
        self.batch.append((self.sink.garbage, (offset, length)))


class _Scanner:
    """Holds one block of input; members are fed to zlib in slices of at most ``FEED_SIZE``
    bytes, so ``unused_data`` (a copy) stays small however many members a block holds."""

    def __init__(
        self, read: Callable[[int], bytes], sink: MemberSink, read_size: int, max_output: int
    ) -> None:
        self.read = read
        self.sink = sink
        self.read_size = read_size
        self.max_output = max_output
        self.block = b""
        self.index = 0  # of the next unscanned byte in block
        self.pos = 0  # file offset of block[index]
        self.at_eof = False
        self.quiet = False  # skipping the rest of a broken member, not reporting garbage

    def available(self) -> int:
        return len(self.block) - self.index

    def ensure(self, count: int) -> bool:
        """Make ``count`` bytes available if the stream still has them."""
        while self.available() < count and not self.at_eof:
            more = self.read(self.read_size)
            if not more:
                self.at_eof = True
                break
            self.block = self.block[self.index :] + more
            self.index = 0
        return self.available() >= count

    def advance(self, count: int) -> None:
        self.index += count
        self.pos += count

    def run(self) -> int:
        while True:
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
        start = self.pos
        decompressor = zlib.decompressobj(_GZIP_WBITS)
        self.sink.member_start(start)
        output_pending = False
        while True:
            if not self.available() and not output_pending and not self.ensure(1):
                self.sink.member_broken(start, "the file ends inside a gzip member", True)
                return
            piece = memoryview(self.block)[self.index : self.index + FEED_SIZE]
            try:
                out = decompressor.decompress(piece, self.max_output)
            except zlib.error as exc:
                self.sink.member_broken(start, f"corrupt gzip data ({exc})", False)
                # Resynchronise at the next magic number, at least one byte further on; the
                # skipped bytes belong to the broken member, so they are not reported again.
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
