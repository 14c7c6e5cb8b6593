"""Properties of the checker, the gzip scanner and recovery on arbitrary and damaged input:
problems are returned, never raised; no cut inside a member goes unnoticed; how the bytes are
split into blocks changes nothing; recovery keeps exactly the complete members."""

from __future__ import annotations

import gzip
import io
import os
import re
import tempfile
import threading
import uuid
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.check.checker import check
from archive.check.idset import RecordIdSet
from archive.check.links import LinkRegistry
from archive.check.problems import Problem
from archive.check.record import RecordChecker
from archive.check.recover import RecoveryError, recover_file
from archive.warc import gzipscan
from archive.warc.gzipscan import scan_members
from tests.test_check_warc import gz, metadata, new_id, response, warcinfo

INFO = new_id()
RESPONSE = response(INFO, b"<html>" + b"body text " * 50 + b"</html>")
RESPONSE_ID = RESPONSE.split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
RECORDS = [warcinfo(INFO), RESPONSE, metadata(INFO, refers_to=RESPONSE_ID), response(INFO, b"")]
PLAIN = b"".join(RECORDS)
GZIPPED = gz(*RECORDS)
MEMBER_ENDS = [len(gz(*RECORDS[:count])) for count in range(len(RECORDS) + 1)]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Recorder:
    """A MemberSink that checks the scanner's events are consistent."""

    def __init__(self) -> None:
        self.open: int | None = None
        self.last = 0
        self.events: list[tuple[str, int]] = []

    def member_start(self, offset: int) -> None:
        assert self.open is None
        assert offset >= self.last
        self.open = offset

    def member_data(self, data: bytes) -> None:
        assert self.open is not None
        assert data

    def member_end(self, offset: int, end: int) -> None:
        assert offset == self.open
        assert end > offset
        self.open, self.last = None, end
        self.events.append(("end", end))

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        assert offset == self.open
        assert reason
        self.open = None
        self.events.append(("broken", offset))

    def garbage(self, offset: int, length: int) -> None:
        assert self.open is None
        assert length > 0
        assert offset >= self.last
        self.last = offset + length
        self.events.append(("garbage", offset))


def check_bytes(data: bytes, name: str = "x.warc.gz") -> list[Problem]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        found: list[Problem] = []
        summary = check([path], on_problem=found.append)
        assert summary.problem_count == len(found)
        return found


def splits(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]


@FAST
@given(st.binary(max_size=2000))
def test_the_scanner_reports_arbitrary_bytes_consistently(data: bytes) -> None:
    recorder = Recorder()
    scanned = scan_members(io.BytesIO(data).read, recorder, read_size=64)
    assert scanned == len(data)
    assert recorder.open is None


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["x.warc.gz", "x.warc", "x.wacz"]))
def test_the_checker_never_raises_on_arbitrary_bytes(data: bytes, name: str) -> None:
    check_bytes(data, name)


@FAST
@given(st.integers(min_value=1, max_value=len(GZIPPED) - 1))
def test_every_cut_inside_a_member_is_reported(cut: int) -> None:
    found = check_bytes(GZIPPED[:cut])
    if cut in MEMBER_ENDS:
        assert [p.code for p in found] in ([], ["dangling-refers-to"])
    else:
        assert "gzip-truncated" in [p.code for p in found]


@FAST
@given(st.integers(min_value=0, max_value=len(GZIPPED) - 1), st.integers(1, 255))
def test_a_changed_byte_never_passes_unnoticed(position: int, xor: int) -> None:
    data = bytearray(GZIPPED)
    data[position] ^= xor
    if not check_bytes(bytes(data)):
        # Only bytes no checksum covers (gzip header MTIME/XFL/OS/FTEXT, the padding bits
        # after the last deflate block) may change unnoticed, and they change no record.
        assert gzip.decompress(bytes(data)) == PLAIN


@FAST
@given(st.binary(min_size=1, max_size=50), st.integers(min_value=0, max_value=len(MEMBER_ENDS) - 1))
def test_inserted_bytes_between_members_are_reported(junk: bytes, member: int) -> None:
    at = MEMBER_ENDS[member]
    found = check_bytes(GZIPPED[:at] + junk + GZIPPED[at:])
    assert found


@FAST
@given(st.lists(st.integers(min_value=0), max_size=12), st.booleans())
def test_block_boundaries_change_nothing(cuts: list[int], gzipped: bool) -> None:
    found: list[Problem] = []
    checker = RecordChecker("x", found.append, LinkRegistry(), gzipped=gzipped)
    data = GZIPPED if gzipped else PLAIN
    blocks = iter(splits(data, cuts))
    if gzipped:
        scan_members(lambda size: next(blocks, b""), checker)
    else:
        for block in blocks:
            checker.feed(block)
    checker.finish()
    assert found == []
    assert checker.records == len(RECORDS)


@FAST
@given(st.integers(min_value=0, max_value=len(GZIPPED)), st.binary(max_size=40))
def test_recovery_keeps_exactly_the_complete_members(cut: int, junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x-20261121101345000-00000-1~h.warc.gz.open"
        data = GZIPPED[:cut] + junk
        path.write_bytes(data)
        try:
            result = recover_file(path)
        except RecoveryError:
            # Junk that happens to hold a whole gzip member after damage is refused, untouched.
            assert path.read_bytes() == data
            return
        whole = max(count for count, end in enumerate(MEMBER_ENDS) if end <= cut)
        kept = result.final.read_bytes() if result.final else b""
        tail = result.tail.read_bytes() if result.tail else b""
        assert result.records >= whole
        assert kept[: MEMBER_ENDS[whole]] == GZIPPED[: MEMBER_ENDS[whole]]
        # No byte is lost: the tail holds every byte after the untouched prefix; what follows
        # the prefix in the kept file are the damaged member's complete records, written again.
        prefix = len(data) - len(tail)
        assert data[prefix:] == tail
        assert kept[:prefix] == data[:prefix]
        start = len(gzip.decompress(data[:prefix])) if prefix else 0
        rewritten = gzip.decompress(kept[prefix:]) if kept[prefix:] else b""
        assert rewritten == gzip.decompress(GZIPPED)[start : start + len(rewritten)]


def reference_fields(head: bytes) -> list[tuple[str, str]] | None:
    """A WARC head's fields, parsed line by line as WARC 1.1 describes them; None if a line is
    malformed."""
    _, *lines = head.decode("utf-8").split("\r\n")
    ows = " \t"
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {line.strip(ows)}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", name):
            return None
        if re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value):
            return None
        fields.append((name, value.strip(ows)))
    return fields


HEAD_LINES = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["WARC-Type", "X-Field", "a", "Bad Name", ""]),
            st.sampled_from([":", ": ", ":\t", " :", ""]),
            st.text(alphabet=st.sampled_from("ab:<> \t\x01\x7f\u00e9"), max_size=8),
        ).map("".join),
        st.sampled_from([" folded", "\tfolded"]),
    ),
    max_size=6,
)


@FAST
@given(HEAD_LINES)
def test_warc_heads_parse_as_their_lines_say(lines: list[str]) -> None:
    head = "\r\n".join(["WARC/1.1", *lines]).encode("utf-8")
    found: list[Problem] = []
    checker = RecordChecker("x", found.append, LinkRegistry(), gzipped=False)
    parsed = checker._parse_head(head)
    expected = reference_fields(head)
    if expected is None:
        assert parsed is None
        assert [p.code for p in found] == ["header-syntax"]
    else:
        assert parsed is not None
        assert [(name, value) for name, _, value in parsed[1]] == expected
        assert all(lowered == name.lower() for name, lowered, _ in parsed[1])


class Failure(Exception):
    pass


def test_a_failing_read_stops_the_scan_on_the_callers_thread() -> None:
    threads = threading.active_count()
    blocks = iter([GZIPPED[:50], GZIPPED[50:120]])

    def read(size: int) -> bytes:
        block = next(blocks, None)
        if block is None:
            raise Failure("disk gone")
        return block

    with pytest.raises(Failure):
        scan_members(read, Recorder(), read_size=64)
    assert threading.active_count() == threads


def test_a_failing_sink_stops_the_scan() -> None:
    threads = threading.active_count()

    class Failing(Recorder):
        def member_end(self, offset: int, end: int) -> None:
            raise Failure("sink")

    with pytest.raises(Failure):
        scan_members(io.BytesIO(GZIPPED * 50).read, Failing(), read_size=64)
    assert threading.active_count() == threads


class EventLog:
    """A MemberSink that keeps every call, member data joined."""

    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    def member_start(self, offset: int) -> None:
        self.events.append(("start", offset, b""))

    def member_data(self, data: bytes) -> None:
        kind, offset, joined = self.events[-1]
        assert kind == "start"
        self.events[-1] = (kind, offset, joined + data)  # type: ignore[operator]

    def member_end(self, offset: int, end: int) -> None:
        self.events.append(("end", offset, end))

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        self.events.append(("broken", offset, reason, cut_short))

    def garbage(self, offset: int, length: int) -> None:
        self.events.append(("garbage", offset, length))


@FAST
@given(
    st.lists(st.sampled_from([*RECORDS, b"junk", b"\x1f\x8b\x08\x00"]), max_size=6),
    st.integers(min_value=0, max_value=2000),
    st.sampled_from([16, 64, 1000]),
)
def test_the_forked_scan_reports_what_a_scan_in_one_block_reports(
    parts: list[bytes], cut: int, read_size: int
) -> None:
    data = b"".join(gzip.compress(part) if part.startswith(b"WARC/") else part for part in parts)
    data = data[: cut or None]
    inline, forked = EventLog(), EventLog()
    assert threading.active_count() == 1, "a thread left running: nothing would be forked"
    # One block holds it all: scanned inline. Blocks of read_size: scanned in a child process.
    assert scan_members(io.BytesIO(data).read, inline, read_size=len(data) + 1) == len(data)
    idle = mock.patch.object(os, "getloadavg", return_value=(0.0, 0.0, 0.0))
    with idle, mock.patch.object(os, "fork", wraps=os.fork) as fork:
        assert scan_members(io.BytesIO(data).read, forked, read_size=read_size) == len(data)
    # A fork needs a second core (the test machine's); the load average says it is free.
    assert fork.call_count == (
        1 if len(data) >= read_size and len(os.sched_getaffinity(0)) > 1 else 0
    )
    assert forked.events == inline.events


def test_a_busy_machine_is_scanned_without_forking() -> None:
    data = GZIPPED * 50
    log, inline = EventLog(), EventLog()
    busy = mock.patch.object(os, "getloadavg", return_value=(float(os.cpu_count() or 1),) * 3)
    with busy, mock.patch.object(os, "fork", wraps=os.fork) as fork:
        assert scan_members(io.BytesIO(data).read, log, read_size=64) == len(data)
    assert fork.call_count == 0
    scan_members(io.BytesIO(data).read, inline, read_size=len(data) + 1)
    assert log.events == inline.events


def test_a_process_running_other_threads_is_scanned_without_forking() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        log, inline = EventLog(), EventLog()
        data = GZIPPED * 50
        with mock.patch.object(os, "fork", wraps=os.fork) as fork:
            assert scan_members(io.BytesIO(data).read, log, read_size=64) == len(data)
        assert fork.call_count == 0
        scan_members(io.BytesIO(data).read, inline, read_size=len(data) + 1)
        assert log.events == inline.events
    finally:
        stop.set()
        other.join()


def test_a_member_larger_than_every_buffer_is_scanned_whole() -> None:
    body = bytes(range(256)) * (3 << 14)  # 12 MiB: several events of max_output bytes
    data = gzip.compress(body, compresslevel=1) + gzip.compress(b"tail")
    log = EventLog()
    assert scan_members(io.BytesIO(data).read, log, read_size=1 << 16) == len(data)
    assert [event[0] for event in log.events] == ["start", "end", "start", "end"]
    assert log.events[0][2] == body
    assert log.events[2][2] == b"tail"


def test_a_failing_sink_leaves_no_process_behind() -> None:
    class Failing(Recorder):
        def member_end(self, offset: int, end: int) -> None:
            raise Failure("sink")

    before = children()
    with pytest.raises(Failure):
        scan_members(io.BytesIO(GZIPPED * 50).read, Failing(), read_size=64)
    assert children() == before


def children() -> set[int]:
    """This process's children, zombies included (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.add(int(stat.parent.name))
    return found


IDS = st.one_of(
    st.uuids().map(lambda value: f"<urn:uuid:{value}>"),
    st.uuids().map(lambda value: f"<urn:uuid:{str(value).upper()}>"),
    st.just("<urn:uuid:00000000-0000-0000-0000-000000000000>"),
    st.text(max_size=60),
)


@FAST
@given(st.lists(IDS, max_size=40), st.lists(IDS, max_size=10))
def test_the_record_id_set_is_exactly_a_set_of_strings(added: list[str], asked: list[str]) -> None:
    ids, model = RecordIdSet(), set[str]()
    for record_id in added:
        assert ids.add(record_id) == (record_id not in model)
        model.add(record_id)
    assert len(ids) == len(model)
    for record_id in [*added, *asked]:
        assert (record_id in ids) == (record_id in model)


def test_the_record_id_set_grows_and_keeps_every_id() -> None:
    added = [f"<urn:uuid:{uuid.uuid4()}>" for _ in range(20000)]
    ids = RecordIdSet()
    assert all(ids.add(record_id) for record_id in added)
    assert not any(ids.add(record_id) for record_id in added)
    assert all(record_id in ids for record_id in added)
    assert not any(f"<urn:uuid:{uuid.uuid4()}>" in ids for _ in range(2000))


@FAST
@given(
    st.integers(min_value=0, max_value=len(GZIPPED) - 1),
    st.integers(0, 255),
    st.integers(min_value=0, max_value=len(GZIPPED)),
    st.sampled_from([64, 1000, 1 << 20]),
)
def test_isal_and_zlib_give_the_same_events(position: int, xor: int, cut: int, block: int) -> None:
    """Members ISA-L inflates give the sink what zlib's would, damaged ones included (a
    reserved header flag, a changed byte anywhere, a cut)."""
    data = bytearray(GZIPPED)
    data[position] ^= xor
    data = data[: max(cut, position + 1)]
    logs = []
    for quick in (True, False):
        log = EventLog()
        with mock.patch.object(gzipscan, "_isal_zlib", gzipscan._isal_zlib if quick else None):
            gzipscan.scan_range(io.BytesIO(bytes(data)).read, log, 0, None, read_size=block)
        logs.append(log.events)
    assert logs[0] == logs[1]
