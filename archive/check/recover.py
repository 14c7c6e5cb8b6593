"""Recovering a WARC file left by a crawl that was killed mid-write, or cut short in a copy.

Any WARC file: gzipped (one record per member, several, or the whole file in one member) or
plain, ``.open`` or not. The file is scanned with the record checker; the longest prefix of
complete, well-framed records is kept. The bytes after it are copied to ``NAME.tail`` beside
the recovered file (never deleted), and the file is truncated to the prefix; a ``.open`` file is
then renamed to its final name. Bytes are only moved once they are safely in the tail file, so
an interrupted recovery can simply be run again.

No complete record is ever moved out of a WARC: when the damaged gzip member also holds complete
records (a file compressed as one member), they are decompressed from it and written back, one
gzip member each, after the kept prefix. Only records up to the first one whose declared digest
fails are written back: a deflate stream cut short and followed by other bytes can go on
decoding into well-framed text that was never written; such a record stays in the tail.
Damage followed by further complete members is not a crash tail, and is refused rather than cut.
"""

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from archive.check.links import LinkRegistry
from archive.check.problems import (
    BLOCK_DIGEST,
    FRAMING_CODES,
    PAYLOAD_DIGEST,
    RECORD_TRUNCATED,
    Problem,
)
from archive.check.record import RecordChecker
from archive.check.warcfile import sniff
from archive.errors import ArchiveError
from archive.warc.gzipscan import READ_SIZE, scan_members
from archive.warc.naming import OPEN_SUFFIX

TAIL_SUFFIX = ".tail"
_COPY_SIZE = 1 << 20


class RecoveryError(ArchiveError):
    """A file that recovery refuses to touch; the message says why."""


@dataclass(frozen=True)
class Recovery:
    """What recovering one file did."""

    source: Path  # the file recovered
    final: Path | None  # the recovered WARC; None if no complete record was found
    records: int
    kept_bytes: int
    cut_offset: int
    cut_bytes: int
    cut_description: str | None  # what the cut bytes looked like
    tail: Path | None  # where the cut bytes are
    rewritten: int = 0  # complete records taken out of the damaged member and written back

    def __str__(self) -> str:
        kept = f"kept {self.records} record(s) ({self.kept_bytes} bytes)"
        if self.cut_bytes:
            cut = (
                f"cut {self.cut_bytes} bytes at offset {self.cut_offset}: "
                f"{self.cut_description}; the cut bytes are in {self.tail}"
            )
        else:
            cut = "nothing to cut"
        if self.rewritten:
            cut += (
                f"; {self.rewritten} complete record(s) of the damaged gzip member written back, "
                "one gzip member each"
            )
        outcome = f"-> {self.final}" if self.final else "(no complete record: no WARC file left)"
        return f"{self.source}: {kept}; {cut} {outcome}"


def open_files(target: Path) -> list[Path]:
    """``target`` itself, or every ``*.open`` file in the directory ``target``."""
    if target.is_dir():
        return sorted(path for path in target.iterdir() if path.name.endswith(OPEN_SUFFIX))
    return [target]


def recover_file(path: Path) -> Recovery:
    """Recover one WARC file (see the module doc); a ``NAME.open`` file becomes ``NAME``."""
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    if not path.is_file():
        hint = f" ({final.name} exists: already recovered?)" if final.exists() else ""
        raise RecoveryError(f"{path}: no such file{hint}")
    if final != path and final.exists():
        raise RecoveryError(f"{path}: {final.name} already exists; refusing to overwrite it")
    with open(path, "rb") as stream:
        kind = sniff(stream.read(1 << 12))
    if kind not in ("gzip", "plain"):
        raise RecoveryError(f"{path}: not a WARC file (neither gzip nor WARC/); not touched")
    scan = _scan_gzip(path) if kind == "gzip" else _scan_plain(path)
    size = path.stat().st_size
    if scan.records_after_damage:
        raise RecoveryError(
            f"{path}: damage at offset {scan.good_end} ({scan.description}) is followed by "
            f"{scan.records_after_damage} complete record(s): this is not a crash tail; "
            "run `warcproof check` on it and repair it by hand"
        )
    tail = path.with_name(final.name + TAIL_SUFFIX)
    cut = size - scan.good_end
    rewritten = len(scan.salvage_ends)
    if cut:
        _save_tail(path, scan.good_end, tail)
        with open(path, "r+b") as stream:
            stream.truncate(scan.good_end)
            stream.seek(scan.good_end)
            if rewritten:
                _write_back(tail, scan.salvage_ends, stream)
            os.fsync(stream.fileno())
    records = scan.records + rewritten
    if records and final != path:
        _rename_exclusive(path, final)
    elif not records:
        path.unlink()  # empty now: any bytes it had are in the tail file
    _sync_directory(path.parent)
    return Recovery(
        source=path,
        final=final if records else None,
        records=records,
        kept_bytes=scan.good_end,
        cut_offset=scan.good_end,
        cut_bytes=cut,
        cut_description=scan.description if cut else None,
        tail=tail if cut else None,
        rewritten=rewritten,
    )


@dataclass
class _Scan:
    records: int = 0
    good_end: int = 0
    description: str | None = None
    records_after_damage: int = 0
    # The ends (in its decompressed data) of the complete records of the damaged member.
    salvage_ends: list[int] = field(default_factory=list)


class _Framing:
    """The record checker of one scan, and what it says about framing."""

    def __init__(self, path: Path, *, gzipped: bool) -> None:
        self.problems: list[Problem] = []
        self.ends: list[int] = []  # ends of the complete records since the last reset
        self.trusted = 0  # how many of ``ends`` come before the first failed digest
        self.doubted = False
        self.checker = RecordChecker(
            str(path),
            self._problem,
            LinkRegistry(),
            gzipped=gzipped,
            on_record_end=self._record_end,
        )

    def reset(self) -> None:
        self.ends.clear()
        self.trusted = 0
        self.doubted = False

    def _problem(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.code in (BLOCK_DIGEST, PAYLOAD_DIGEST):
            self.doubted = True

    def _record_end(self, end: int) -> None:
        self.ends.append(end)
        if not self.doubted:
            self.trusted = len(self.ends)

    def last(self) -> Problem | None:
        return next((p for p in reversed(self.problems) if p.code in FRAMING_CODES), None)

    def describe(self, kind: str) -> str:
        framing = self.last()
        return f"{kind} ({framing.message})" if framing else kind


class _PrefixFinder:
    """A ``MemberSink`` finding the longest prefix of whole members holding complete records."""

    def __init__(self, framing: _Framing) -> None:
        self.framing = framing
        self.checker = framing.checker
        self.scan = _Scan()
        self.damaged = False
        self.framing_before = 0

    def member_start(self, offset: int) -> None:
        self.framing_before = self.checker.framing_problems
        self.framing.reset()
        self.checker.member_start(offset)

    def member_data(self, data: bytes) -> None:
        self.checker.member_data(data)

    def member_end(self, offset: int, end: int) -> None:
        self.checker.member_end(offset, end)
        complete = len(self.framing.ends)
        if self.checker.framing_problems == self.framing_before:
            if self.damaged:
                self.scan.records_after_damage += complete
            else:
                self.scan.records += complete
                self.scan.good_end = end
        elif (last := self.framing.last()) is not None and last.code == RECORD_TRUNCATED:
            self._damage("a complete gzip member holding a partial record")
        else:
            self._damage("a complete gzip member holding bytes that are no whole record")

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        self.checker.member_broken(offset, reason, cut_short)
        self._damage("a partial gzip member" if cut_short else "a corrupt gzip member")

    def garbage(self, offset: int, length: int) -> None:
        self.checker.garbage(offset, length)
        self._damage("bytes that are not gzip data", in_member=False)

    def _damage(self, kind: str, *, in_member: bool = True) -> None:
        if self.damaged:
            return
        self.damaged = True
        self.scan.description = self.framing.describe(kind)
        if in_member:  # the records the damaged member completed
            self.scan.salvage_ends = self.framing.ends[: self.framing.trusted]


def _scan_gzip(path: Path) -> _Scan:
    framing = _Framing(path, gzipped=True)
    finder = _PrefixFinder(framing)
    with open(path, "rb") as stream:
        scan_members(stream.read, finder)
    return finder.scan


def _scan_plain(path: Path) -> _Scan:
    framing = _Framing(path, gzipped=False)
    with open(path, "rb") as stream:
        while block := stream.read(READ_SIZE):
            framing.checker.feed(block)
    framing.checker.finish()
    first = next((p for p in framing.problems if p.code in FRAMING_CODES), None)
    damage = first.offset if first is not None else framing.checker.pos
    kept = [end for end in framing.ends if end <= damage]
    return _Scan(
        records=len(kept),
        good_end=kept[-1] if kept else 0,
        description=framing.describe("bytes that are no whole record") if first else None,
        records_after_damage=len(framing.ends) - len(kept),
    )


def _write_back(tail: Path, ends: list[int], out: BinaryIO) -> None:
    """Decompress the damaged member at the start of ``tail`` and write its complete records
    (``ends``: where each ends in the decompressed data) to ``out``, one gzip member each."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    boundaries = iter(ends)
    record_end: int | None = next(boundaries)
    position = 0
    member = _gzip_member()
    with open(tail, "rb") as stream:
        pending = b""
        while record_end is not None:
            if not pending:
                pending = stream.read(_COPY_SIZE)
                if not pending:
                    raise RecoveryError(f"{tail}: ends before the records it held")
            data = decompressor.decompress(pending, _COPY_SIZE)
            pending = decompressor.unconsumed_tail
            while data and record_end is not None:
                take = data[: record_end - position]
                out.write(member.compress(take))
                position += len(take)
                data = data[len(take) :]
                if position == record_end:
                    out.write(member.flush())
                    member = _gzip_member()
                    record_end = next(boundaries, None)
    out.flush()


def _gzip_member() -> "zlib._Compress":
    return zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)


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
