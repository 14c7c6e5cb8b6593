"""Progress reporting: one updating line on a terminal, quiet or plain periodic lines elsewhere;
and the crawl's progress extension seen through a real pseudo-terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.run.progress import Progress
from tests.conftest import crawl_command, run_crawl


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reporter(
    *, tty: bool, interval: float | None = None, total: int | None = None, unit: str = "items"
) -> tuple[Progress, io.StringIO, Clock]:
    stream = io.StringIO()
    clock = Clock()
    progress = Progress(
        "check", total=total, unit=unit, stream=stream, tty=tty, interval=interval, clock=clock
    )
    return progress, stream, clock


def test_line_shows_counts_percentage_rate_and_time_left() -> None:
    progress, _, clock = reporter(tty=False, total=100, unit="seeds")
    clock.now += 3
    progress.update(30)
    assert progress.line() == "check: 30/100 seeds (30%), 10 seeds/s, 0:07 left"


def test_bytes_are_shown_in_decimal_units() -> None:
    progress, _, clock = reporter(tty=False, unit="bytes")
    clock.now += 2
    progress(4_000_000, 10_000_000)
    assert progress.line() == "check: 4.0 MB/10.0 MB (40%), 2.0 MB/s, 0:03 left"


def test_unknown_total_shows_count_and_rate_only() -> None:
    progress, _, clock = reporter(tty=False, unit="records")
    clock.now += 4
    progress.update(2)
    assert progress.line() == "check: 2 records, 0.5 records/s"


def test_terminal_gets_one_rewritten_line_ended_once() -> None:
    progress, stream, clock = reporter(tty=True, total=3, unit="seeds")
    for _ in range(3):
        clock.now += 1
        progress.advance()
    progress.finish()
    progress.finish()  # a second finish writes nothing more
    output = stream.getvalue()
    assert output.count("\r\x1b[K") == 4  # three updates and the final state
    assert output.count("\n") == 1
    assert output.endswith("\n")
    assert output.rstrip("\n").rsplit("\r\x1b[K", 1)[1] == (
        "check: 3/3 seeds (100%), 1.0 seeds/s, done in 0:03"
    )


def test_terminal_redraws_are_throttled() -> None:
    progress, stream, clock = reporter(tty=True, total=1000, unit="seeds")
    for _ in range(1000):
        clock.now += 0.001  # a thousand updates within one second
        progress.advance()
    assert 5 <= stream.getvalue().count("\r") <= 10


def test_not_a_terminal_and_not_asked_is_quiet() -> None:
    progress, stream, clock = reporter(tty=False, total=10)
    for _ in range(10):
        clock.now += 100
        progress.advance()
    progress.finish()
    assert not progress.active
    assert stream.getvalue() == ""


@given(
    steps=st.lists(
        st.tuples(st.floats(min_value=0, max_value=30), st.integers(0, 50)), max_size=60
    ),
    interval=st.floats(min_value=0.5, max_value=20),
)
def test_log_mode_writes_plain_lines_at_most_once_per_interval(
    steps: list[tuple[float, int]], interval: float
) -> None:
    progress, stream, clock = reporter(tty=False, interval=interval, total=1000, unit="seeds")
    start = clock.now
    for pause, amount in steps:
        clock.now += pause
        progress.advance(amount)
    progress.finish()
    output = stream.getvalue()
    assert "\r" not in output
    assert "\x1b" not in output
    lines = output.split("\n")
    assert lines[-1] == ""  # every line is ended
    assert all(line.startswith("check: ") for line in lines[:-1])
    periodic = len(lines) - 2  # minus the final state and the empty tail
    assert periodic <= (clock.now - start) / interval


def test_a_closed_stream_counts_as_no_terminal() -> None:
    stream = io.StringIO()
    stream.close()
    assert not Progress("x", stream=stream).active


def _crawl_on_a_terminal(manifest: Path, collection: Path, replica: str, *extra: str) -> str:
    """`warcproof crawl` with stderr on a pseudo-terminal; returns what the terminal showed."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        crawl_command(manifest, collection, replica, *extra),
        stdout=subprocess.DEVNULL,
        stderr=secondary,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: every process writing to the terminal has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.crawl
def test_crawl_shows_progress_on_a_terminal(
    corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    shown = _crawl_on_a_terminal(
        corpus, tmp_path / "collection", replica_origin, "--seed", "000", "--seed", "001"
    )
    assert "\r\x1b[K" in shown
    final = shown.split("\r\x1b[K")[-1]
    assert re.match(r"crawl: 2/2 seeds \(100%\), [0-9.]+ seeds/s, done in \d+:\d\d", final), shown


@pytest.mark.crawl
def test_crawl_is_quiet_when_stderr_is_not_a_terminal(
    corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    result = run_crawl(corpus, tmp_path / "collection", replica_origin, "--seed", "000")
    assert result.returncode == 0, result.stderr
    assert "crawl: " not in result.stderr
    assert "\r" not in result.stderr


@pytest.mark.crawl
def test_crawl_writes_plain_lines_when_asked(
    corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    result = run_crawl(
        corpus, tmp_path / "collection", replica_origin, "-s", "WARCPROOF_PROGRESS_INTERVAL=0.001"
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("crawl: ")]
    assert lines
    assert "\r" not in result.stderr
    assert "\x1b" not in result.stderr
    assert lines[-1].startswith("crawl: 5/5 seeds (100%)"), lines
