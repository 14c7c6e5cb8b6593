"""Recovering a ``.warc.gz.open`` file left by a crawl that was killed mid-write.

The file is scanned member by member (``archive.warc.gzipscan`` with the record checker): the
longest prefix of gzip members that each hold one complete, well-framed record is kept. The
bytes after it are copied to ``NAME.warc.gz.tail`` beside it (never deleted), the file is
truncated to the prefix and renamed to ``NAME.warc.gz``. Bytes are only moved once they are
safely in the tail file, so an interrupted recovery can simply be run again.

A crashed writer leaves damage only at the end. Damage followed by further complete records is
something else, and is refused rather than cut: no complete record is ever moved out of a WARC.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive.check.links import LinkRegistry
from archive.check.problems import FRAMING_CODES, RECORD_TRUNCATED, Problem
from archive.check.record import RecordChecker
from archive.errors import ArchiveError
from archive.warc.gzipscan import scan_members
from archive.warc.naming import OPEN_SUFFIX

TAIL_SUFFIX = ".tail"
_COPY_SIZE = 1 << 20


class RecoveryError(ArchiveError):
    """A file that recovery refuses to touch; the message says why."""


@dataclass(frozen=True)
class Recovery:
    """What recovering one ``.open`` file did."""

    source: Path  # the .open file
    final: Path | None  # the recovered WARC; None if no complete record was found
    records: int
    kept_bytes: int
    cut_offset: int
    cut_bytes: int
    cut_description: str | None  # what the cut bytes looked like
    tail: Path | None  # where the cut bytes are

    def __str__(self) -> str:
        kept = f"kept {self.records} record(s) ({self.kept_bytes} bytes)"
        if self.cut_bytes:
            cut = (
                f"cut {self.cut_bytes} bytes at offset {self.cut_offset}: "
                f"{self.cut_description}; the cut bytes are in {self.tail}"
            )
        else:
            cut = "nothing to cut"
        outcome = f"-> {self.final}" if self.final else "(no complete record: no WARC file left)"
        return f"{self.source}: {kept}; {cut} {outcome}"


def open_files(target: Path) -> list[Path]:
    """``target`` itself, or every ``*.open`` file in the directory ``target``."""
    if target.is_dir():
        return sorted(path for path in target.iterdir() if path.name.endswith(OPEN_SUFFIX))
    return [target]


def recover_file(path: Path) -> Recovery:
    """Recover one ``NAME.warc.gz.open`` file into ``NAME.warc.gz`` (see the module doc)."""
    if not path.name.endswith(".warc.gz" + OPEN_SUFFIX):
        raise RecoveryError(f"{path}: not a .warc.gz.open file; only those are recovered")
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    if not path.is_file():
        hint = f" ({final.name} exists: already recovered?)" if final.exists() else ""
        raise RecoveryError(f"{path}: no such file{hint}")
    if final.exists():
        raise RecoveryError(f"{path}: {final.name} already exists; refusing to overwrite it")
    scan = _scan(path)
    size = path.stat().st_size
    if scan.records_after_damage:
        raise RecoveryError(
            f"{path}: damage at offset {scan.good_end} ({scan.description}) is followed by "
            f"{scan.records_after_damage} complete record(s): this is not a crash tail; "
            "run `warcproof check` on it and repair it by hand"
        )
    tail = path.with_name(final.name + TAIL_SUFFIX)
    cut = size - scan.good_end
    if cut:
        _save_tail(path, scan.good_end, tail)
        with open(path, "r+b") as stream:
            stream.truncate(scan.good_end)
            os.fsync(stream.fileno())
    if scan.records:
        _rename_exclusive(path, final)
    else:
        path.unlink()  # empty now: any bytes it had are in the tail file
    _sync_directory(path.parent)
    return Recovery(
        source=path,
        final=final if scan.records else None,
        records=scan.records,
        kept_bytes=scan.good_end,
        cut_offset=scan.good_end,
        cut_bytes=cut,
        cut_description=scan.description if cut else None,
        tail=tail if cut else None,
    )


@dataclass
class _Scan:
    records: int = 0
    good_end: int = 0
    description: str | None = None
    records_after_damage: int = 0


class _PrefixFinder:
    """A ``MemberSink`` finding the longest prefix of members holding one good record each."""

    def __init__(self, checker: RecordChecker, problems: list[Problem]) -> None:
        self.checker = checker
        self.problems = problems
        self.scan = _Scan()
        self.damaged = False
        self.framing_before = 0

    def member_start(self, offset: int) -> None:
        self.framing_before = self.checker.framing_problems
        self.checker.member_start(offset)

    def member_data(self, data: bytes) -> None:
        self.checker.member_data(data)

    def member_end(self, offset: int, end: int) -> None:
        self.checker.member_end(offset, end)
        if self.checker.framing_problems == self.framing_before:
            if self.damaged:
                self.scan.records_after_damage += 1
            else:
                self.scan.records += 1
                self.scan.good_end = end
        elif self._last_framing_code() == RECORD_TRUNCATED:
            self._damage("a complete gzip member holding a partial record")
        else:
            self._damage("a complete gzip member that does not hold exactly one whole record")

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        self.checker.member_broken(offset, reason, cut_short)
        kind = "a partial gzip member" if cut_short else "a corrupt gzip member"
        self._damage(kind)

    def garbage(self, offset: int, length: int) -> None:
        self.checker.garbage(offset, length)
        self._damage("bytes that are not gzip data")

    def _damage(self, kind: str) -> None:
        if self.damaged:
            return
        self.damaged = True
        framing = self._last_framing()
        self.scan.description = f"{kind} ({framing.message})" if framing else kind

    def _last_framing(self) -> Problem | None:
        return next((p for p in reversed(self.problems) if p.code in FRAMING_CODES), None)

    def _last_framing_code(self) -> str | None:
        framing = self._last_framing()
        return framing.code if framing else None


def _scan(path: Path) -> _Scan:
    problems: list[Problem] = []
    checker = RecordChecker(str(path), problems.append, LinkRegistry(), gzipped=True)
    finder = _PrefixFinder(checker, problems)
    with open(path, "rb") as stream:
        scan_members(stream.read, finder)
    return finder.scan


def _save_tail(path: Path, start: int, tail: Path) -> None:
    """Copy ``path[start:]`` to ``tail`` (durably); an identical tail left by an interrupted
    run is accepted, a different one is refused."""
    with open(path, "rb") as source:
        source.seek(start)
        if tail.exists():
            if not _same_bytes(source, tail):
                raise RecoveryError(
                    f"{path}: {tail.name} exists and differs from the bytes to cut; "
                    "move it away and run again"
                )
            return
        with open(tail, "xb") as sink:
            while block := source.read(_COPY_SIZE):
                sink.write(block)
            sink.flush()
            os.fsync(sink.fileno())
    _sync_directory(tail.parent)


def _same_bytes(source: BinaryIO, tail: Path) -> bool:
    with open(tail, "rb") as existing:
        while True:
            mine, theirs = source.read(_COPY_SIZE), existing.read(_COPY_SIZE)
            if mine != theirs:
                return False
            if not mine:
                return True


def _rename_exclusive(source: Path, target: Path) -> None:
    """Rename without ever replacing ``target`` (a hard link fails if it exists)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise RecoveryError(
            f"{source}: {target.name} appeared meanwhile; not replacing it"
        ) from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise RecoveryError(f"{source}: {target.name} exists; not replacing it") from None
        source.rename(target)
        return
    source.unlink()


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
