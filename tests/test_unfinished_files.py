"""Killed `pack`/`export` runs leave nothing behind (issue 14): the WACZ and the bag are written
under hidden names in their output folder, removed on every exit (an error, SIGTERM, SIGINT,
SIGHUP); what a SIGKILL leaves is removed by the next package written there, and said once.
The writer is a real process, really signalled."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.packaging.bag import export_bag
from archive.packaging.pages import Page
from archive.packaging.wacz import pack_wacz
from tests.conftest import ROOT

# pack_wacz in a child process whose pages stall after the first: the WACZ is half written.
WRITER = """
import sys, time
from pathlib import Path
from archive.packaging.pages import Page
from archive.packaging.wacz import pack_wacz

folder = Path(sys.argv[1])
def pages():
    yield Page(id="a", url="http://a/", ts="2020-01-01T00:00:00Z", title="A", text="text")
    (folder.parent / "stalled").touch()
    time.sleep(600)
pack_wacz(folder / "out.wacz", warcs=[folder.parent / "in.warc.gz"],
          index=folder.parent / "index.cdxj", pages=pages(), title="t", description="d",
          software="s")
"""


def _inputs(root: Path) -> None:
    (root / "in.warc.gz").write_bytes(b"\0" * (4 << 20))
    (root / "index.cdxj").write_text(
        'a)/ 20200101000000 {"url": "http://a/", "filename": "in.warc.gz"}\n'
    )


def _stall(root: Path) -> subprocess.Popen[bytes]:
    _inputs(root)
    out = root / "out"
    out.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(out)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while not (root / "stalled").exists():
        assert writer.poll() is None, "the writer ended before it stalled"
        assert time.monotonic() < deadline, "the writer never stalled"
        time.sleep(0.05)
    assert len(list(out.iterdir())) == 1  # the unfinished WACZ, under its hidden name
    return writer


def _pack(folder: Path, root: Path) -> None:
    page = Page(id="a", url="http://a/", ts="2020-01-01T00:00:00Z", title="A", text="text")
    pack_wacz(
        folder / "out.wacz",
        warcs=[root / "in.warc.gz"],
        index=root / "index.cdxj",
        pages=[page],
        title="t",
        description="d",
        software="s",
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_packing_removes_the_unfinished_wacz(tmp_path: Path, signum: int) -> None:
    writer = _stall(tmp_path)
    writer.send_signal(signum)
    assert writer.wait(timeout=120) != 0
    assert list((tmp_path / "out").iterdir()) == []


def test_what_a_sigkill_leaves_is_removed_by_the_next_run_and_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    writer = _stall(tmp_path)
    writer.kill()
    writer.wait(timeout=120)
    out = tmp_path / "out"
    (left,) = out.iterdir()
    assert left.name.startswith(".out.wacz.")
    running = out / f".other.wacz.{os.getpid()}.0123abcd.warcproof-part"  # a live writer's
    running.write_bytes(b"x")
    (out / ".unrelated").write_bytes(b"x")
    with caplog.at_level(logging.WARNING):
        _pack(out, tmp_path)
    assert sorted(p.name for p in out.iterdir()) == [running.name, ".unrelated", "out.wacz"]
    said = [r.getMessage() for r in caplog.records if "left by an earlier run" in r.getMessage()]
    assert said == [
        f"{out}: removed 1 unfinished file(s) (4.2 MB) left by an earlier run that was killed"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _pack(out, tmp_path)
    assert not [r for r in caplog.records if "left by an earlier run" in r.getMessage()]


def test_a_failed_bag_leaves_no_half_bag(tmp_path: Path) -> None:
    payload: dict[str, Path | bytes] = {"a.txt": b"a", "b.txt": tmp_path / "missing.txt"}
    with pytest.raises(OSError, match=r"missing\.txt"):
        export_bag(tmp_path / "out" / "bag", payload=payload, description="d")
    assert list((tmp_path / "out").iterdir()) == []
    empty = tmp_path / "out" / "bag"
    empty.mkdir()
    summary = export_bag(empty, payload={"a.txt": b"a"}, description="d")
    assert summary.path == empty
    assert (empty / "data" / "a.txt").read_bytes() == b"a"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bag"]
    with pytest.raises(ArchiveError, match="must be new or empty"):
        export_bag(empty, payload={"a.txt": b"a"}, description="d")
