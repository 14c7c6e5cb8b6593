"""The collection's CDXJ index: `indexes/index.cdxj`, sorted by SURT key, made by cdxj-indexer.

Only records that replay under their own URI are indexed: response and revisit records (the
pages) and resource records (the seed files, under their `urn:warcproof:seed:` URIs). The
conversion (extracted text) and metadata (verdict) records carry the page's Target-URI and
nearly its date; indexed, a replay tool asking for the page could be served one of them.

Every closed WARC file in `warcs/` is indexed, gzipped (`.warc.gz`, however its members are
cut) or plain (`.warc`), as pywb's own indexer reads them. Closed WARC files never change, so an
update indexes only the files the index does not name yet and merges their lines into it; a file
named by the index but gone from `warcs/` forces a full rebuild. The index is replaced
atomically (temporary file, then rename). Every new file is checked first (archive.check), so a
truncated or corrupt WARC stops the update with its name and offset instead of being indexed in
part; findings that do not break the framing (a digest, a missing warcinfo) do not stop it.
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from archive.check.checker import check
from archive.check.problems import FRAMING_CODES, UNREADABLE, Problem
from archive.collection import Collection
from archive.errors import WarcFormatError
from archive.index.cdxj import CDXJIndexer

INDEXED_RECORDS = ("response", "revisit", "resource")
# Characters of index lines cdxj-indexer sorts in memory before it writes a sorted run to a
# temporary file (the runs are merged at the end): its default, 32 M, grows the peak memory of
# `index` and `pack` with the collection up to some hundred MB.
SORT_BUFFER = 1 << 22


@dataclass(frozen=True)
class IndexUpdate:
    path: Path
    warcs: tuple[str, ...]  # every WARC file the index now covers
    added: tuple[str, ...]  # the files indexed by this update
    rebuilt: bool
    lines: int


def index_collection(collection: Path, *, rebuild: bool = False) -> IndexUpdate:
    """Bring `COLLECTION/indexes/index.cdxj` up to date with `COLLECTION/warcs/`."""
    warcs = Collection(collection).closed_warcs()
    path = Collection(collection).index
    names = {warc.name for warc in warcs}
    known = set() if rebuild or not path.exists() else indexed_files(path)
    if not known <= names:
        rebuild, known = True, set()
    added = [warc for warc in warcs if warc.name not in known]
    for warc in added:
        check_warc(warc)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".index-") as scratch:
        fresh = Path(scratch) / "added.cdxj"
        with fresh.open("w", encoding="utf-8", newline="\n") as out:
            if added:
                CDXJIndexer(
                    out,
                    [str(warc) for warc in added],
                    records=",".join(INDEXED_RECORDS),
                    post_append=True,
                    sort=True,
                    max_sort_buff_size=SORT_BUFFER,
                ).process_all()
        merged = Path(scratch) / "index.cdxj"
        with ExitStack() as files:
            new_lines = files.enter_context(fresh.open(encoding="utf-8"))
            old_lines = files.enter_context(path.open(encoding="utf-8")) if known else ()
            out = files.enter_context(merged.open("w", encoding="utf-8", newline="\n"))
            count = _write_unique(heapq.merge(old_lines, new_lines), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(merged, path)
    return IndexUpdate(
        path=path,
        warcs=tuple(sorted(names)),
        added=tuple(warc.name for warc in added),
        rebuilt=rebuild or not known,
        lines=count,
    )


def indexed_files(index: Path) -> set[str]:
    """The WARC file names an index refers to."""
    names: set[str] = set()
    with index.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                names.add(json.loads(line.split(" ", 2)[2])["filename"])
            except (IndexError, KeyError, ValueError):
                raise WarcFormatError(f"{index}: line {number} is not a CDXJ line") from None
    return names


def check_warc(warc: Path) -> int:
    """Check that `warc` cuts into whole records (WarcFormatError naming the first place it does
    not); returns the record count."""
    broken: list[Problem] = []

    def keep(problem: Problem) -> None:
        if problem.code in FRAMING_CODES or problem.code == UNREADABLE:
            broken.append(problem)

    summary = check([warc], on_problem=keep)
    if broken:
        raise WarcFormatError(str(broken[0]))
    return summary.records


def _write_unique(lines: Iterable[str], out: IO[str]) -> int:
    count = 0
    previous = None
    for line in lines:
        if line != previous:
            out.write(line)
            count += 1
        previous = line
    return count
