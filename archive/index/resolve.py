"""A capture's payload, wherever it is stored: a revisit record followed to its original.

A revisit record (identical-payload-digest profile) keeps the new HTTP head and leaves the
payload to an earlier response, named by WARC-Refers-To, WARC-Refers-To-Target-URI and
WARC-Refers-To-Date. The original is found through the collection's CDXJ index (the lines of
that URI with that payload digest, the one at that date first), else by reading the WARC files,
and accepted only if its record ID and payload digest are the ones the revisit names.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.index.dedup import REVISIT_MIME, bare_digest
from archive.warc.reader import StoredRecord, iter_records, read_record
from archive.warc.records import REVISIT_PROFILE

# (filename, offset, timestamp) of the non-revisit lines, by (URL, bare payload digest)
_Lines = dict[tuple[str, str], list[tuple[str, int, str]]]


class RevisitError(ArchiveError):
    """A revisit record whose original cannot be found or does not match it."""


def resolve_record(warc: Path, offset: int) -> StoredRecord:
    """The record at `offset` in `warc` (a file in a collection's `warcs/` folder). For a
    revisit record, its payload is its original's: the returned record keeps the revisit's own
    WARC and HTTP headers (the answer as received this time) with the original's payload."""
    record = read_record(warc, offset)
    if record.rec_type != "revisit":
        return record
    return replace(record, payload=find_original(warc.parent, record).payload)


def find_original(warcs: Path, revisit: StoredRecord) -> StoredRecord:
    """The response record holding a revisit's payload, among the WARC files in `warcs`."""
    where = f"revisit record {revisit.record_id}"
    if revisit.header("WARC-Profile") != REVISIT_PROFILE:
        raise RevisitError(
            f"{where} has profile {revisit.header('WARC-Profile')!r}, not {REVISIT_PROFILE}"
        )
    refers_to = revisit.header("WARC-Refers-To")
    digest = revisit.header("WARC-Payload-Digest")
    if refers_to is None or digest is None:
        raise RevisitError(f"{where} names no WARC-Refers-To or no WARC-Payload-Digest")
    target = revisit.header("WARC-Refers-To-Target-URI") or revisit.target_uri or ""
    when = "".join(c for c in revisit.header("WARC-Refers-To-Date") or "" if c.isdigit())[:14]
    index = Collection(warcs.parent).index
    candidates: list[tuple[str, int, str]] = []
    try:
        stat = index.stat()
        candidates = _index_lines(index, stat.st_mtime_ns, stat.st_size).get(
            (target, bare_digest(digest)), []
        )
    except (OSError, ValueError, KeyError):
        pass  # no usable index: the WARC files are read instead
    for filename, offset, _ in sorted(candidates, key=lambda line: line[2] != when):
        path = warcs / filename
        if path.exists():
            record = read_record(path, offset)
            if record.record_id == refers_to:
                return _checked(record, digest, where)
    for path in Collection(warcs.parent).closed_warcs():  # the index is missing or stale
        for record in iter_records(path):
            if record.record_id == refers_to:
                return _checked(record, digest, where)
    raise RevisitError(f"{where}: its original {refers_to} is in no WARC file under {warcs}")


def _checked(original: StoredRecord, digest: str, where: str) -> StoredRecord:
    stated = original.header("WARC-Payload-Digest") or ""
    if original.rec_type != "response" or bare_digest(stated) != bare_digest(digest):
        raise RevisitError(
            f"{where} refers to {original.record_id}, a {original.rec_type} record with payload "
            f"digest {stated or 'none'}, not a response with {digest}"
        )
    return original


@lru_cache(maxsize=4)
def _index_lines(index: Path, mtime_ns: int, size: int) -> _Lines:
    """The index's non-revisit lines by URL and digest; cached per version of the file."""
    lines: _Lines = {}
    with index.open(encoding="utf-8") as stream:
        for line in stream:
            _, timestamp, fields = line.split(" ", 2)
            entry = json.loads(fields)
            if entry.get("mime") == REVISIT_MIME or not entry.get("digest"):
                continue
            key = (entry["url"], bare_digest(entry["digest"]))
            lines.setdefault(key, []).append((entry["filename"], int(entry["offset"]), timestamp))
    return lines
