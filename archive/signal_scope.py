"""Signal handlers set for the length of a block, the previous ones put back after it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], object]


@contextmanager
def signals_handled(handler: Handler, signums: Iterable[int]) -> Iterator[None]:
    """Route `signums` to `handler` inside the block. Only the main thread receives signals and
    may set handlers: elsewhere the block runs under the handlers that stand."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)
