"""Work in progress next to an output (a WACZ, a bag) that never outlives its run.

A package is written under a hidden name in its output folder and renamed into place when
whole. The partial file is removed on every exit: an exception, Ctrl-C, and SIGTERM or SIGHUP,
which raise `Terminated` while a package is being written (in the main thread; the previous
handlers come back after). SIGKILL cannot be caught: the hidden name carries the writer's pid,
and the next package written into that folder removes what a dead writer left, and says so once.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import signal
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FrameType

from archive.signal_scope import signals_handled

log = logging.getLogger(__name__)

_SUFFIX = ".warcproof-part"
_NAME = re.compile(r"\..+\.(\d+)\.[0-9a-f]{8}" + re.escape(_SUFFIX))
_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(SystemExit):
    """A signal asked the process to end while a package was being written."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


@contextmanager
def scratch(folder: Path, name: str, *, directory: bool = False) -> Iterator[Path]:
    """A new hidden path in `folder` for work towards the output `name` (a directory made for
    it with `directory`), removed when the block ends however it ends; rename it into place
    inside the block to keep it."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    path = folder / f".{name}.{os.getpid()}.{secrets.token_hex(4)}{_SUFFIX}"
    with _signals_raise():
        try:
            if directory:
                path.mkdir()
            yield path
        finally:
            _remove(path)


def remove_leftovers(folder: Path) -> None:
    """Remove the work in progress that writers no longer running left in `folder`."""
    removed, size = 0, 0
    for entry in folder.iterdir():
        match = _NAME.fullmatch(entry.name)
        if match is None or _running(int(match.group(1))):
            continue
        try:
            found = _size(entry)
            _remove(entry)
        except OSError:  # another user's, or gone meanwhile
            continue
        size, removed = size + found, removed + 1
    if removed:
        log.warning(
            "%s: removed %d unfinished file(s) (%.1f MB) left by an earlier run that was killed",
            folder,
            removed,
            size / 1e6,
        )


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _size(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(p.lstat().st_size for p in path.rglob("*"))
    return path.lstat().st_size


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _signals_raise() -> AbstractContextManager[None]:
    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    return signals_handled(terminate, _SIGNALS)
