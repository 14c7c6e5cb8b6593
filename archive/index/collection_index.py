"""The collection's CDXJ index: `indexes/index.cdxj`, sorted by SURT key, made by cdxj-indexer.

Only records that replay under their own URI are indexed: response and revisit records (the
pages) and resource records (the seed files, under their `urn:warcproof:seed:` URIs). The
conversion (extracted text) and metadata (verdict) records carry the page's Target-URI and
nearly its date; indexed, a replay tool asking for the page could be served one of them.

Closed WARC files never change, so an update indexes only the files the index does not name yet
and merges their lines into it; a file named by the index but gone from `warcs/` forces a full
rebuild. The index is replaced atomically (temporary file, then rename). Every file is read
strictly first (archive.warc.reader), so a truncated or corrupt WARC stops the update with its name
and offset instead of being indexed in part.
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

from archive.collection import Collection
from archive.errors import WarcFormatError
from archive.index.cdxj import CDXJIndexer
from archive.warc.reader import iter_records

INDEXED_RECORDS = ("response", "revisit", "resource")


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
    """Read every record of `warc` strictly; returns the record count."""
    return sum(1 for _ in iter_records(warc))


def _write_unique(lines: Iterable[str], out: IO[str]) -> int:
    count = 0
    previous = None
    for line in lines:
        if line != previous:
            out.write(line)
            count += 1
        previous = line
    return count
