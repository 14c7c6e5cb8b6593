"""``warcproof check``: a streaming validator for WARC (``.warc.gz``, ``.warc``), ARC and WACZ
files.

Stricter than ``warcio check``: gzip members cut short or corrupt, bytes between members, records
whose block is shorter or longer than Content-Length, header syntax, mandatory fields, block and
payload digests, a warcinfo record in every file and named by every other record,
WARC-Concurrent-To / WARC-Refers-To / WARC-Warcinfo-ID targets (across every file given: a
collection's records refer across files), one WARC version per file, and for a WACZ the MUSTs of
WACZ 1.1.1 (``archive.check.waczfile``).

Problems are data: each goes to ``on_problem`` as it is found. Memory is constant in the file
size, apart from about 30 bytes per record id for the cross-record checks.
"""

import functools
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from archive.check.arcfile import check_arc
from archive.check.links import LinkRegistry
from archive.check.problems import (
    NOT_CHECKED,
    PER_KIND,
    UNREADABLE,
    UNSUPPORTED,
    CheckSummary,
    KindCap,
    Problem,
    ProblemSink,
)
from archive.check.recover import TAIL_SUFFIX
from archive.check.waczfile import check_wacz
from archive.check.warcfile import check_warc, sniff
from archive.warc.naming import OPEN_SUFFIX

Progress = Callable[[int, int], None]


_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_SNIFF_SIZE = 1 << 12
_UNSUPPORTED = {"zstd": "Zstandard", "lz4": "LZ4"}


def check(
    paths: Sequence[Path],
    *,
    on_problem: ProblemSink | None = None,
    progress: Progress | None = None,
    per_kind: int = PER_KIND,
) -> CheckSummary:
    """Check every file (WARC, gzipped WARC, ARC or WACZ) together; report findings to
    ``on_problem`` (at most ``per_kind`` of each code per file, then one that counts the rest:
    the summary counts them all) and progress as ``progress(bytes done, bytes total)``.

    A folder stands for every file under it: those that are not WARC, ARC or WACZ files are
    listed in ``summary.not_checked`` with the reason, and reported as ``not-checked``
    findings."""
    summary = CheckSummary()
    links = LinkRegistry()
    capped = KindCap(on_problem, per_kind) if on_problem is not None else None

    def emit(problem: Problem) -> None:
        summary.count(problem)
        if capped is not None:
            capped(problem)

    def unreadable(path: Path, why: str) -> None:
        summary.unreadable.append(str(path))
        emit(Problem.of(str(path), 0, UNREADABLE, why))

    sizes: dict[Path, int] = {}
    for path, why in _files(paths):
        if why is not None:
            summary.not_checked.append((str(path), why))
            emit(Problem.of(str(path), 0, NOT_CHECKED, why))
            continue
        try:
            sizes[path] = path.stat().st_size
        except OSError as exc:
            unreadable(path, f"cannot open: {exc.strerror or exc}")
    total = sum(sizes.values())
    done = 0
    for path, size in sizes.items():
        counter = _Counter(done, total, progress)
        summary.by_file.setdefault(str(path), Counter())
        try:
            with open(path, "rb") as raw:
                why = _check_file(str(path), raw, counter, emit, links, summary)
        except OSError as exc:
            why = f"cannot read: {exc.strerror or exc}"
        except zipfile.BadZipFile as exc:
            why = f"not a readable zip file: {exc}"
        if why is not None:
            unreadable(path, why)
        summary.files += 1
        summary.bytes += size
        done += size
        if progress is not None:
            progress(done, total)
        if capped is not None:
            capped.flush()
    links.finish(emit)
    if capped is not None:
        capped.flush()
    return summary


def _files(paths: Sequence[Path]) -> Iterator[tuple[Path, str | None]]:
    """Each file to check (None), or not to check (why): a file named is always checked, a
    file found in a folder only if its first bytes are those of a WARC, ARC or WACZ file."""
    for path in paths:
        if not path.is_dir():
            yield path, None
            continue
        for found in sorted(item for item in path.rglob("*") if item.is_file()):
            yield found, _skip_reason(found)


def _skip_reason(path: Path) -> str | None:
    if path.name.endswith(OPEN_SUFFIX):
        return "still being written (or left by a killed crawl: see `warcproof warc recover`)"
    if path.name.endswith(TAIL_SUFFIX):
        return "the damaged bytes `warcproof warc recover` cut off a WARC file"
    try:
        with open(path, "rb") as raw:
            start = raw.read(_SNIFF_SIZE)
    except OSError:
        return None  # the check names the error
    if start.startswith(_ZIP_MAGICS):
        return None if path.name.endswith(".wacz") else "a zip file not named .wacz"
    kind = sniff(start)
    if kind in _UNSUPPORTED:
        return None  # named per file as unsupported by the check
    if kind is None:
        return f"not a WARC, ARC or WACZ file (it begins {start[:16]!r})"
    return None


def _check_file(
    name: str,
    raw: IO[bytes],
    counter: "_Counter",
    emit: ProblemSink,
    links: LinkRegistry,
    summary: CheckSummary,
) -> str | None:
    """Check one file; returns why it is unreadable, or None."""
    start = raw.read(_SNIFF_SIZE)
    raw.seek(0)
    if start.startswith(_ZIP_MAGICS):
        with zipfile.ZipFile(_CountingFile(raw, counter)) as archive:
            summary.records += check_wacz(name, archive, emit, links)
        return None
    kind = sniff(start)
    if kind in _UNSUPPORTED:
        why = f"compressed with {_UNSUPPORTED[kind]}, which this checker cannot read: not checked"
        summary.not_checked.append((name, why))
        emit(Problem.of(name, 0, UNSUPPORTED, why))
        return None
    if kind in ("arc", "arc-gzip"):
        opener = functools.partial(_Reopened, raw, counter)
        summary.records += check_arc(name, opener, emit, gzipped=kind == "arc-gzip")
        return None
    outcome = check_warc(
        name, lambda: _Reopened(raw, counter), emit, links, on_disk=(Path(name), counter.at)
    )
    if outcome.kind is None:
        return "not a WARC, ARC or WACZ file (neither gzip, WARC/, filedesc:// nor a zip)"
    summary.records += outcome.records
    return None


class _Counter:
    """Reports progress as bytes are read from one file."""

    def __init__(self, base: int, total: int, progress: Progress | None) -> None:
        self.base = base
        self.total = total
        self.progress = progress
        self.high = 0

    def at(self, position: int) -> None:
        if self.progress is not None and position > self.high:
            self.high = position
            self.progress(min(self.base + position, self.total), self.total)


class _CountingFile:
    """A seekable file that reports how far into it reading has got (for ``zipfile``)."""

    def __init__(self, raw: IO[bytes], counter: _Counter) -> None:
        self.raw = raw
        self.counter = counter

    def read(self, size: int = -1) -> bytes:
        block = self.raw.read(size)
        self.counter.at(self.raw.tell())
        return block

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def seekable(self) -> bool:
        return True


class _Reopened(_CountingFile):
    """The file from its start again, as a context manager that leaves it open."""

    def __init__(self, raw: IO[bytes], counter: _Counter) -> None:
        super().__init__(raw, counter)
        raw.seek(0)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None
