"""Progress of long work (crawls, checks, re-verification) for the person waiting on it.

On a terminal ``Progress`` keeps one line up to date (done/total, rate, time left). Anywhere
else it is quiet, or, when given an ``interval``, writes one plain line every ``interval``
seconds: logs never receive carriage returns or escape codes.

An instance is also a ``progress(done, total)`` callable, the shape of callback that
long-running library functions accept::

    with Progress("check", unit="bytes", interval=args.progress) as progress:
        check_collection(path, progress=progress)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

_REDRAW_EVERY = 0.1  # seconds between redraws of the terminal line
_CLEAR_LINE = "\r\x1b[K"
_BYTE_UNITS = ("B", "kB", "MB", "GB", "TB")


class Progress:
    """Reports ``done`` out of ``total`` things (``unit``: "bytes" or a plural noun)."""

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "items",
        stream: TextIO | None = None,
        interval: float | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = _isatty(self._stream) if tty is None else tty
        self._interval = interval if interval and interval > 0 else None
        self._clock = clock
        self._started = clock()
        self._last_output: float | None = None
        self._finished = False

    @property
    def active(self) -> bool:
        """Whether anything will ever be written."""
        return self._tty or self._interval is not None

    def __call__(self, done: int, total: int | None) -> None:
        """The callback form: ``done`` so far out of ``total`` (None if unknown)."""
        self.update(done, total)

    def advance(self, amount: int = 1) -> None:
        self.update(self.done + amount)

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if not self.active or self._finished:
            return
        now = self._clock()
        wait = _REDRAW_EVERY if self._tty else self._interval
        assert wait is not None  # active: a terminal, or an interval was given
        since = now - (self._last_output if self._last_output is not None else self._started)
        if since >= wait:
            self._emit(now)

    def finish(self) -> None:
        """Write the final state once (on a terminal: end the line)."""
        if self._finished:
            return
        self._finished = True
        if self.active:
            self._emit(self._clock(), final=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def line(self, now: float | None = None) -> str:
        """The current state as one line of text, e.g.
        ``crawl: 3/10 seeds (30%), 1.5 seeds/s, 0:05 left``."""
        now = self._clock() if now is None else now
        elapsed = max(now - self._started, 0.0)
        head = self._amount(self.done)
        if self.total is not None:
            head += f"/{self._amount(self.total)}"
        if self.unit != "bytes":
            head += f" {self.unit}"
        if self.total:
            head += f" ({100 * self.done // self.total}%)"
        parts = [f"{self.label}: {head}"]
        rate = self.done / elapsed if elapsed > 0 else None
        if rate:
            parts.append(f"{self._rate(rate)}/s")
        if rate and self.total is not None and self.done < self.total:
            parts.append(f"{_clock_time((self.total - self.done) / rate)} left")
        elif self._finished:
            parts.append(f"done in {_clock_time(elapsed)}")
        return ", ".join(parts)

    def _emit(self, now: float, *, final: bool = False) -> None:
        text = self.line(now)
        if self._tty:
            self._stream.write(_CLEAR_LINE + text + ("\n" if final else ""))
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
        self._last_output = now

    def _amount(self, value: int) -> str:
        return _bytes(value) if self.unit == "bytes" else str(value)

    def _rate(self, rate: float) -> str:
        if self.unit == "bytes":
            return _bytes(rate)
        return f"{rate:.1f} {self.unit}" if rate < 10 else f"{rate:.0f} {self.unit}"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


def _bytes(value: float) -> str:
    if value < 1000:
        return f"{value:.0f} B"
    power = 1
    while value >= 1000 ** (power + 1) and power + 1 < len(_BYTE_UNITS):
        power += 1
    return f"{value / 1000**power:.1f} {_BYTE_UNITS[power]}"


def _clock_time(seconds: float) -> str:
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
