"""A gzipped WARC checked in shares on worker processes (``archive.check.shares``) gives the
findings a check in one process gives, in the same order, on valid and damaged files: cut
short, a byte changed, bytes inserted, duplicate ids, a digest that does not match, a second
WARC version, two records in one member, LF-only heads, a gzipped WARC stored inside a record
(a false place to cut), a forward reference. Shares here are a few hundred bytes, so that small
files are cut into many of them. Also: the checker's quick reading of an HTTP head agrees with
the full parse."""

from __future__ import annotations

import contextlib
import gzip
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.check.links import LinkRegistry
from archive.check.problems import Problem
from archive.check.record import RecordChecker, plain_http_head
from archive.check.shares import check_in_shares
from archive.warc.gzipscan import scan_members
from archive.warc.httphead import parse_http_head
from tests.processes import is_running
from tests.test_check_warc import metadata, new_id, response, warcinfo

ROOT = Path(__file__).resolve().parent.parent
SHARED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INFO = new_id()


def serial(path: Path) -> tuple[list[Problem], int]:
    found: list[Problem] = []
    links = LinkRegistry()
    checker = RecordChecker(str(path), found.append, links, gzipped=True)
    with path.open("rb") as stream:
        scan_members(stream.read, checker)
    checker.finish()
    links.finish(found.append)
    return found, checker.records


def in_shares(path: Path, share_size: int, workers: int = 2) -> tuple[list[Problem], int]:
    found: list[Problem] = []
    links = LinkRegistry()
    checker = RecordChecker(str(path), found.append, links, gzipped=True)
    reached: list[int] = []
    check_in_shares(path, reached.append, checker, share_size=share_size, workers=workers)
    checker.finish()
    links.finish(found.append)
    assert reached == sorted(reached)
    assert reached[-1] == path.stat().st_size
    return found, checker.records


def members(kinds: list[int], seed: int) -> list[bytes]:
    """Gzip members of a WARC: a warcinfo record, then one member per kind."""
    made = [gzip.compress(warcinfo(INFO))]
    previous = response(INFO, b"first page")
    for number, kind in enumerate(kinds):
        body = f"page {seed} {number} ".encode() * (1 + (seed + number) % 40)
        one = response(INFO, body)
        if kind == 1:  # the same record again: a duplicate id
            one = previous
        elif kind == 2:  # a payload that does not match its digest
            one = one.replace(body[:4], b"PAGE", 1)
        elif kind == 3:  # another WARC version
            one = one.replace(b"WARC/1.1\r\n", b"WARC/1.0\r\n", 1)
        elif kind == 4:  # two records in one member
            one = one + previous
        elif kind == 5:  # a head with LF-only line ends
            head, _, block = one.partition(b"\r\n\r\n")
            one = head.replace(b"\r\n", b"\n") + b"\n\n" + block
        elif kind == 6:  # a gzipped WARC as a body: gzip magic inside the member, stored
            inner = gzip.compress(previous, compresslevel=0)
            one = response(INFO, inner * 3)
        elif kind == 7:  # refers to a record further on
            one = metadata(INFO, refers_to=_id_of(response(INFO, body)))
        previous = one
        made.append(gzip.compress(one, compresslevel=0 if kind == 6 else 6))
    return made


def _id_of(record: bytes) -> str:
    return record.split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()


def damage(data: bytes, how: int, where: int, xor: int) -> bytes:
    at = where % (len(data) + 1)
    if how == 1:
        return data[:at]
    if how == 2 and at < len(data):
        changed = bytearray(data)
        changed[at] ^= xor
        return bytes(changed)
    if how == 3:
        return data[:at] + b"junk" * (xor % 5 + 1) + data[at:]
    return data


@SHARED
@given(
    kinds=st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=40),
    seed=st.integers(min_value=0, max_value=1000),
    how=st.integers(min_value=0, max_value=3),
    where=st.integers(min_value=0),
    xor=st.integers(min_value=1, max_value=255),
    share_size=st.integers(min_value=40, max_value=4000),
)
def test_shares_find_what_one_process_finds(
    tmp_path_factory: object,
    kinds: list[int],
    seed: int,
    how: int,
    where: int,
    xor: int,
    share_size: int,
) -> None:
    folder = tmp_path_factory.mktemp("shares")  # type: ignore[attr-defined]
    path = folder / "x.warc.gz"
    path.write_bytes(damage(b"".join(members(kinds, seed)), how, where, xor))
    assert in_shares(path, share_size) == serial(path)


def test_a_valid_file_in_many_shares_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "x.warc.gz"
    path.write_bytes(b"".join(members([0] * 300, 7)))
    found, records = in_shares(path, 1000, workers=3)
    assert (found, records) == ([], 301)


def test_a_file_of_one_member_is_one_share(tmp_path: Path) -> None:
    records = [warcinfo(INFO), *(response(INFO, b"page %d" % n) for n in range(50))]
    path = tmp_path / "x.warc.gz"
    path.write_bytes(gzip.compress(b"".join(records)))
    assert in_shares(path, 200) == serial(path)


def test_the_findings_name_the_record_and_offset_of_the_damage(tmp_path: Path) -> None:
    made = members([0] * 60, 3)
    flipped = 40
    at = sum(len(member) for member in made[:flipped])
    data = bytearray(b"".join(made))
    data[at + len(made[flipped]) // 2] ^= 0x55
    path = tmp_path / "x.warc.gz"
    path.write_bytes(bytes(data))
    found, _ = in_shares(path, 500)
    assert [(problem.code, problem.offset) for problem in found] == [("gzip-corrupt", at)]
    assert found == serial(path)[0]


@pytest.mark.parametrize("whole_group", [False, True])
def test_ctrl_c_stops_the_workers(tmp_path: Path, whole_group: bool) -> None:
    """Interrupted while the workers check (SIGINT to the check alone, or to its process group
    as a terminal's Ctrl-C sends it), the check leaves no process behind."""
    path = tmp_path / "x.warc.gz"
    path.write_bytes(b"".join(members([0] * 3000, 1)))
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from archive.check.links import LinkRegistry\n"
        "from archive.check.record import RecordChecker\n"
        "from archive.check.shares import check_in_shares\n"
        "def at(offset):\n"
        "    print(os.getpid(), flush=True)\n"
        # Short sleeps: a SIGINT that lands between the print and a long sleep's system call
        # would only be acted on when that sleep ends.
        "    while True:\n"
        "        time.sleep(0.05)\n"
        "checker = RecordChecker('x', print, LinkRegistry(), gzipped=True)\n"
        "check_in_shares(Path(sys.argv[1]), at, checker, share_size=2000, workers=2)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == str(process.pid)
        workers = _children(process.pid)
        assert workers
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=120)
        assert "KeyboardInterrupt" in errors, errors
        assert all(not is_running(pid) for pid in workers)
    finally:  # a failure above leaves no process behind to trouble later tests
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.returncode is None:
            process.communicate()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


HEAD_LINES = st.lists(
    st.one_of(
        st.sampled_from(["Content-Type: text/html", "X-A:b", "Transfer-Encoding: chunked", ""]),
        st.sampled_from([" folded", "\tfolded", "no colon", "bad name: x", ":empty", "a:\rb"]),
        st.text(alphabet="ab: \t\r\n-", max_size=8),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(["HTTP/1.1 200 OK", "GET / HTTP/1.1", ""]), lines=HEAD_LINES)
def test_the_quick_reading_of_an_http_head_is_the_full_parse(start: str, lines: list[str]) -> None:
    """The checker skips the full parse of an HTTP head only where it would find no error and
    the same start line."""
    for end in ("\r\n\r\n", "\n\n", "\r\n"):
        head = (start + "".join(f"\r\n{line}" for line in lines) + end).encode("latin-1")
        quick = plain_http_head(head)
        if quick is not None:
            assert parse_http_head(head)[0] == quick
