"""WACZ 1.1.1 packing, streamed: memory stays flat whatever the size of the WARCs.

Layout: `archive/*.warc.gz` (stored, never recompressed, so readers can seek into them by
range), `indexes/index.cdx.gz` (the collection's CDXJ index in gzip blocks of 1024 lines,
stored) with `indexes/index.idx` (one line per block: its first key, offset, length, sha256),
`pages/pages.jsonl`, `datapackage.json` (every entry's sha256 and size) and
`datapackage-digest.json` (the sha256 of datapackage.json).

Each entry is written once, through `ZipFile.open(name, "w", force_zip64=True)`, in chunks that
are hashed on the way, so nothing is read back; the file is written under a temporary name and
renamed when complete.

What comes from the webrecorder libraries: the compressed index blocks and their `.idx` lines
are cdxj-indexer's `CompressedWriter` (the code py-wacz uses). What does not: py-wacz's
`create`, because it re-indexes the WARCs with every record type (the conversion and metadata
records that share a page's URL would be served in its place), derives pages from the HTML it
finds rather than one per seed capture with our extracted text, and reads every entry back to
hash it. `wacz validate` is run on our output by the tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from archive.errors import InvalidInputError, WarcFormatError
from archive.index.cdxj import CompressedWriter
from archive.packaging.pages import Page, page_lines
from archive.packaging.scratch import scratch

WACZ_VERSION = "1.1.1"
INDEX_BLOCK_LINES = 1024
_CHUNK = 1 << 20
_NAME_CHARS = re.compile(r"[^-a-z0-9._]")  # what a Frictionless resource name may hold


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    hash: str  # "sha256:<hex>"
    bytes: int


@dataclass(frozen=True)
class WaczPackage:
    path: Path
    resources: tuple[Resource, ...]
    datapackage_hash: str
    pages: int


class _Entry:
    """One zip entry being written (as a context manager), hashed and counted as it goes;
    `resource` describes it once closed. Closed on error too, so the zip file can close."""

    def __init__(self, archive: zipfile.ZipFile, name: str, created: datetime, *, stored: bool):
        info = zipfile.ZipInfo(name, date_time=created.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.name = name
        self._stream = archive.open(info, "w", force_zip64=True)
        self._hash = hashlib.sha256()
        self.size = 0

    def __enter__(self) -> _Entry:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def write(self, data: bytes) -> int:
        self._stream.write(data)
        self._hash.update(data)
        self.size += len(data)
        return len(data)

    @property
    def resource(self) -> Resource:
        return Resource("", self.name, f"sha256:{self._hash.hexdigest()}", self.size)


class _TextToEntry:
    """A text sink for cdxj-indexer's writer, encoding into a binary writer."""

    def __init__(self, out: IO[bytes] | _Entry) -> None:
        self._out = out

    def write(self, text: str) -> int:
        self._out.write(text.encode("utf-8"))
        return len(text)


def pack_wacz(
    target: Path,
    *,
    warcs: Sequence[Path],
    index: Path,
    pages: Iterable[Page],
    title: str,
    description: str,
    software: str,
    pages_title: str = "Pages",
    extra: Mapping[str, Any] | None = None,
    sign: Callable[[str], Mapping[str, Any]] | None = None,
) -> WaczPackage:
    """Write a WACZ of `warcs` (closed `.warc.gz` files), described by `index` (a sorted CDXJ
    index naming those files by base name) and `pages`, to `target`.

    `extra` adds custom properties to datapackage.json; `sign`, given the digest of
    datapackage.json, returns the `signedData` of datapackage-digest.json (WACZ auth spec)."""
    if not warcs:
        raise InvalidInputError(f"{target}: a WACZ needs at least one WARC file; none given")
    names = [warc.name for warc in warcs]
    if len(set(names)) != len(names) or not all(n.endswith((".warc.gz", ".warc")) for n in names):
        raise InvalidInputError(f"WARC files must be *.warc(.gz) with distinct names: {names}")
    created = datetime.now(UTC).replace(microsecond=0)
    with scratch(target.parent, target.name) as temporary:
        with temporary.open("wb") as raw:
            with zipfile.ZipFile(raw, "w", allowZip64=True) as archive:
                resources = [_copy(archive, f"archive/{w.name}", w, created) for w in warcs]
                resources += _write_index(archive, index, set(names), created)
                count = -1  # the header line is not a page
                with _Entry(archive, "pages/pages.jsonl", created, stored=False) as entry:
                    for line in page_lines(pages, title=pages_title):
                        entry.write(line)
                        count += 1
                resources.append(entry.resource)
                resources = _named(resources)
                package = _datapackage(resources, title, description, software, created, extra)
                digest = f"sha256:{hashlib.sha256(package).hexdigest()}"
                _write_bytes(archive, "datapackage.json", package, created)
                digest_doc: dict[str, Any] = {"path": "datapackage.json", "hash": digest}
                if sign is not None:
                    digest_doc["signedData"] = dict(sign(digest))
                _write_bytes(archive, "datapackage-digest.json", _json(digest_doc), created)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, target)
    return WaczPackage(target, tuple(resources), digest, count)


def _copy(archive: zipfile.ZipFile, name: str, source: Path, created: datetime) -> Resource:
    with _Entry(archive, name, created, stored=True) as entry, source.open("rb") as data:
        while chunk := data.read(_CHUNK):
            entry.write(chunk)
    return entry.resource


def _write_index(
    archive: zipfile.ZipFile, index: Path, warcs: set[str], created: datetime
) -> list[Resource]:
    """`indexes/index.cdx.gz` and `indexes/index.idx` from the collection's sorted index."""
    with tempfile.TemporaryFile() as idx:
        with _Entry(archive, "indexes/index.cdx.gz", created, stored=True) as blocks:
            writer = CompressedWriter(
                _TextToEntry(idx),
                data_out=blocks,
                num_lines=INDEX_BLOCK_LINES,
                data_out_name="index.cdx.gz",
                digest_records=True,
            )
            previous = ""
            with index.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines, 1):
                    _check_index_line(index, number, line, previous, warcs)
                    writer.write(line)
                    previous = line
            if writer.block:  # the last, partial block
                writer.flush()
        idx.seek(0)
        with _Entry(archive, "indexes/index.idx", created, stored=False) as entry:
            while chunk := idx.read(_CHUNK):
                entry.write(chunk)
    return [blocks.resource, entry.resource]


def _check_index_line(index: Path, number: int, line: str, previous: str, warcs: set[str]) -> None:
    where = f"{index}: line {number}"
    if line < previous:
        raise WarcFormatError(f"{where}: the index is not sorted (re-index the collection)")
    try:
        filename = json.loads(line.split(" ", 2)[2])["filename"]
    except (IndexError, KeyError, ValueError):
        raise WarcFormatError(f"{where}: not a CDXJ line") from None
    if filename not in warcs:
        raise WarcFormatError(f"{where}: names {filename}, which is not being packed")


def _write_bytes(archive: zipfile.ZipFile, name: str, data: bytes, created: datetime) -> None:
    with _Entry(archive, name, created, stored=False) as entry:
        entry.write(data)


def _named(resources: list[Resource]) -> list[Resource]:
    """Give each resource a distinct Frictionless name derived from its file name."""
    taken: set[str] = set()
    named = []
    for resource in resources:
        base = _NAME_CHARS.sub("-", resource.path.rsplit("/", 1)[-1].lower()) or "resource"
        name, serial = base, 1
        while name in taken:
            serial += 1
            name = f"{base}-{serial}"
        taken.add(name)
        named.append(Resource(name, resource.path, resource.hash, resource.bytes))
    return named


def _datapackage(
    resources: list[Resource],
    title: str,
    description: str,
    software: str,
    created: datetime,
    extra: Mapping[str, Any] | None,
) -> bytes:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    package = {
        **(extra or {}),
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "description": description,
        "created": stamp,
        "modified": stamp,
        "software": software,
        "resources": [asdict(resource) for resource in resources],
    }
    return _json(package)


def _json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
