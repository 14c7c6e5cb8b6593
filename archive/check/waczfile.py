"""The WACZ 1.1.1 MUSTs, checked from the zip's central directory, one entry at a time.

- ``datapackage.json`` present, ``profile`` ``data-package``, ``wacz_version``, and a
  ``resources`` list whose every ``path`` is in the zip with the ``hash`` (``algo:hex``) and
  ``bytes`` it gives; every other entry listed there; ``datapackage-digest.json``, if present,
  naming ``datapackage.json`` with its correct hash.
- ``archive/``: one or more WARC files, ``.warc`` or (gzipped) ``.warc.gz``, stored (not
  deflated: already compressed data must not be compressed again, and replay reads records by
  range), each checked as a WARC while it is hashed.
- ``indexes/``: one or more CDXJ indexes (``.cdx``/``.cdxj``, gzipped ``.cdx.gz``/``.cdxj.gz``
  stored, ZipNum ``.idx``), lines sorted, CDXJ lines well formed and naming WARCs of the package.
- ``pages/pages.jsonl`` present (its absence is a warning: pywb and ReplayWeb.page replay such
  a package); every ``pages/*.jsonl`` JSON Lines whose entries have ``url`` and an RFC 3339
  ``ts`` (an optional first header line has ``format`` instead); page ids not repeated.
"""

import dataclasses
import hashlib
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from archive.check.links import LinkRegistry
from archive.check.problems import (
    ERROR,
    WACZ_COMPRESSED,
    WACZ_DATAPACKAGE,
    WACZ_HASH,
    WACZ_INDEX,
    WACZ_INDEX_QUIRK,
    WACZ_INDEX_UNSORTED,
    WACZ_LAYOUT,
    WACZ_PAGES,
    WACZ_PAGES_ID,
    WACZ_PAGES_MISSING,
    WACZ_SIZE,
    WACZ_UNSAFE_PATH,
    WARNING,
    Level,
    Problem,
    ProblemSink,
)
from archive.check.warcfile import check_warc
from archive.warc.gzipscan import READ_SIZE, scan_members

DATAPACKAGE = "datapackage.json"
DATAPACKAGE_DIGEST = "datapackage-digest.json"
PAGES = "pages/pages.jsonl"
_JSON_LIMIT = 64 << 20
_LINE_LIMIT = 32 << 20
_RFC3339_RE = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
_CDXJ_RE = re.compile(rb"(\S+) (\d{1,17}) (\{.*\})")
_CDXJ_TIMESTAMP_DIGITS = 14
_INDEX_SUFFIXES = (".cdx", ".cdxj", ".cdx.gz", ".cdxj.gz", ".idx")


def check_wacz(name: str, archive: zipfile.ZipFile, emit: ProblemSink, links: LinkRegistry) -> int:
    """Check a WACZ; returns the number of WARC records in it."""
    return _Wacz(name, archive, emit, links).run()


def unsafe_path(name: str) -> bool:
    """A zip entry name that is absolute, has a drive, a backslash or a '..' segment."""
    return (
        name.startswith("/")
        or "\\" in name
        or (len(name) > 1 and name[1] == ":")
        or ".." in name.split("/")
    )


class _Wacz:
    def __init__(
        self, name: str, archive: zipfile.ZipFile, emit: ProblemSink, links: LinkRegistry
    ) -> None:
        self.name = name
        self.zip = archive
        self.emit = emit
        self.links = links
        self.records = 0
        self.long_timestamp_seen = False
        infos = [info for info in archive.infolist() if not info.is_dir()]
        self.infos = infos
        self.names = Counter(info.filename for info in infos)
        self.warc_names = {
            info.filename.removeprefix("archive/")
            for info in infos
            if info.filename.startswith("archive/")
        }

    def problem(
        self, entry: str, offset: int, code: str, message: str, level: Level | None = None
    ) -> None:
        found = Problem.of(f"{self.name}#{entry}", offset, code, message)
        self.emit(found if level is None else dataclasses.replace(found, level=level))

    def run(self) -> int:
        for entry, count in self.names.items():
            if unsafe_path(entry):
                self.problem(
                    entry, 0, WACZ_UNSAFE_PATH,
                    "the entry's path leaves the package folder (zip-slip): unpacking it "
                    "would write outside the target folder",
                )  # fmt: skip
            if count > 1:
                self.problem(entry, 0, WACZ_LAYOUT, f"the zip holds {count} entries of this name")
        resources = self._datapackage()
        for folder, what in (("archive/", "WARC file"), ("indexes/", "index")):
            if not any(entry.startswith(folder) for entry in self.names):
                self.problem(folder, 0, WACZ_LAYOUT, f"the WACZ has no {what} in {folder}")
        if PAGES not in self.names:
            self.problem(
                PAGES, 0, WACZ_PAGES_MISSING,
                "pages/pages.jsonl is missing: replay tools list no pages",
            )  # fmt: skip
        for info in self.infos:
            if info.filename in (DATAPACKAGE, DATAPACKAGE_DIGEST):
                continue
            expected = None if resources is None else resources.pop(info.filename, None)
            if resources is not None and expected is None:
                self.problem(
                    info.filename, 0, WACZ_DATAPACKAGE, "not listed in datapackage.json resources"
                )
            self._entry(info, expected)
        for path in resources or {}:
            self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, f"resource {path!r} is not in the zip")
        return self.records

    # -- datapackage.json and datapackage-digest.json ---------------------------------------

    def _read_json(self, entry: str) -> tuple[bytes, Any] | None:
        info = self.zip.getinfo(entry)
        if info.file_size > _JSON_LIMIT:
            self.problem(entry, 0, WACZ_DATAPACKAGE, f"{info.file_size} bytes is too big")
            return None
        try:
            raw = self.zip.read(info)
            return raw, json.loads(raw)
        except (zipfile.BadZipFile, zlib.error, OSError) as exc:
            self.problem(entry, 0, WACZ_LAYOUT, f"the zip entry cannot be read: {exc}")
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            self.problem(entry, 0, WACZ_DATAPACKAGE, f"not valid JSON: {exc}")
        return None

    def _datapackage(self) -> dict[str, dict[str, Any]] | None:
        """The resources by path, or None if there is no usable list."""
        if DATAPACKAGE not in self.names:
            self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, "datapackage.json is missing")
            return None
        loaded = self._read_json(DATAPACKAGE)
        if loaded is None:
            return None
        raw, package = loaded
        self._datapackage_digest(raw)
        if not isinstance(package, dict):
            self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, "not a JSON object")
            return None
        if package.get("profile") != "data-package":
            self.problem(
                DATAPACKAGE,
                0,
                WACZ_DATAPACKAGE,
                f"profile is {package.get('profile')!r}, not 'data-package'",
            )
        if not isinstance(package.get("wacz_version"), str):
            self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, "wacz_version is missing")
        listed = package.get("resources")
        if not isinstance(listed, list):
            self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, "resources is not a list")
            return None
        resources: dict[str, dict[str, Any]] = {}
        for index, resource in enumerate(listed):
            where = f"resources[{index}]"
            if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
                self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, f"{where} has no path")
                continue
            path = resource["path"]
            if path in resources:
                self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, f"{path!r} is listed twice")
            size = resource.get("bytes")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                self.problem(DATAPACKAGE, 0, WACZ_DATAPACKAGE, f"{where} ({path}): bad bytes")
            if _hasher(resource.get("hash")) is None:
                self.problem(
                    DATAPACKAGE,
                    0,
                    WACZ_DATAPACKAGE,
                    f"{where} ({path}): hash {resource.get('hash')!r} is not algorithm:hex",
                )
            resources[path] = resource
        return resources

    def _datapackage_digest(self, package_bytes: bytes) -> None:
        if DATAPACKAGE_DIGEST not in self.names:
            return
        loaded = self._read_json(DATAPACKAGE_DIGEST)
        if loaded is None:
            return
        digest = loaded[1]
        if not isinstance(digest, dict) or digest.get("path") != DATAPACKAGE:
            self.problem(DATAPACKAGE_DIGEST, 0, WACZ_DATAPACKAGE, "path is not 'datapackage.json'")
            return
        hasher = _hasher(digest.get("hash"))
        if hasher is None:
            self.problem(
                DATAPACKAGE_DIGEST,
                0,
                WACZ_DATAPACKAGE,
                f"hash {digest.get('hash')!r} is not algorithm:hex",
            )
            return
        hasher.update(package_bytes)
        if _hex_of(digest["hash"]) != hasher.hexdigest():
            self.problem(
                DATAPACKAGE_DIGEST, 0, WACZ_HASH, "datapackage.json does not match its hash"
            )

    # -- entries -----------------------------------------------------------------------------

    def _entry(self, info: zipfile.ZipInfo, expected: dict[str, Any] | None) -> None:
        entry = info.filename
        hasher = _hasher(expected.get("hash")) if expected else None
        size = 0

        def tap(block: bytes) -> None:
            nonlocal size
            size += len(block)
            if hasher is not None:
                hasher.update(block)

        try:
            if entry.startswith("archive/"):
                self._warc(info, tap)
            elif entry.startswith("indexes/"):
                self._index(info, tap)
            elif entry.startswith("pages/"):
                self._pages(info, tap)
            else:
                self._lines(info, tap, None)
        except (zipfile.BadZipFile, zlib.error, OSError) as exc:
            self.problem(entry, 0, WACZ_LAYOUT, f"the zip entry cannot be read: {exc}")
            return
        if expected is None:
            return
        if hasher is not None and _hex_of(expected["hash"]) != hasher.hexdigest():
            self.problem(entry, 0, WACZ_HASH, f"does not match datapackage.json {expected['hash']}")
        if isinstance(expected.get("bytes"), int) and expected["bytes"] != size:
            self.problem(
                entry, 0, WACZ_SIZE, f"is {size} bytes, datapackage.json says {expected['bytes']}"
            )

    def _stored(self, info: zipfile.ZipInfo, why: str) -> None:
        if info.compress_type != zipfile.ZIP_STORED:
            self.problem(
                info.filename,
                0,
                WACZ_COMPRESSED,
                f"compressed in the zip (method {info.compress_type}); {why} must be stored",
            )

    def _warc(self, info: zipfile.ZipInfo, tap: Callable[[bytes], None]) -> None:
        entry = info.filename
        self._stored(info, "a WARC")
        if not entry.endswith((".warc", ".warc.gz")):
            self.problem(entry, 0, WACZ_LAYOUT, "archive/ may hold only .warc and .warc.gz files")
        outcome = check_warc(
            f"{self.name}#{entry}", lambda: self.zip.open(info), self.emit, self.links, tap
        )
        self.records += outcome.records
        if outcome.kind is None:
            self.problem(entry, 0, WACZ_LAYOUT, "not a WARC file")
        elif (outcome.kind == "gzip") != entry.endswith(".gz"):
            self.problem(entry, 0, WACZ_LAYOUT, f"a {outcome.kind} WARC under this name")

    def _index(self, info: zipfile.ZipInfo, tap: Callable[[bytes], None]) -> None:
        entry = info.filename
        if not entry.endswith(_INDEX_SUFFIXES):
            self.problem(entry, 0, WACZ_LAYOUT, f"not an index ({', '.join(_INDEX_SUFFIXES)})")
        if entry.endswith(".gz"):
            self._stored(info, "a gzipped index")
        cdxj = not entry.endswith(".idx")
        previous: bytes | None = None
        self.long_timestamp_seen = False
        unsorted = 0
        first_unsorted = (0, b"")

        def on_line(offset: int, line: bytes) -> None:
            nonlocal previous, unsorted, first_unsorted
            if previous is not None and line < previous:
                if not unsorted:
                    first_unsorted = (offset, line[:80])
                unsorted += 1
            previous = line
            if cdxj:
                self._cdxj_line(entry, offset, line)

        self._lines(info, tap, on_line, gzipped=entry.endswith(".gz"))
        if unsorted:
            offset, line = first_unsorted
            # ReplayWeb.page loads a whole .cdx/.cdxj index into its own store, in any order;
            # a ZipNum index (.idx and its .gz blocks) is only ever read by binary search.
            whole = entry.endswith((".cdx", ".cdxj"))
            self.problem(
                entry,
                offset,
                WACZ_INDEX_UNSORTED,
                f"index not sorted: {unsorted} line(s) sort before the line above them, the "
                f"first {line!r}; lookups may fail in tools that binary-search it"
                + (" (pywb after `wb-manager add --unpack-wacz`)" if whole else ""),
                WARNING if whole else ERROR,
            )

    def _cdxj_line(self, entry: str, offset: int, line: bytes) -> None:
        match = _CDXJ_RE.fullmatch(line)
        fields: Any = None
        if match is not None:
            try:
                fields = json.loads(match[3])
            except ValueError:
                fields = None
        if match is None or not isinstance(fields, dict):
            self.problem(entry, offset, WACZ_INDEX, f"not a CDXJ line: {line[:80]!r}")
            return
        if len(match[2]) > _CDXJ_TIMESTAMP_DIGITS and not self.long_timestamp_seen:
            self.long_timestamp_seen = True  # once per index: every line is likely the same
            self.problem(
                entry, offset, WACZ_INDEX_QUIRK,
                f"a {len(match[2])}-digit timestamp (CDXJ has 14; pywb reads more)",
            )  # fmt: skip
        filename = fields.get("filename")
        if filename is not None and filename not in self.warc_names:
            self.problem(entry, offset, WACZ_INDEX, f"names {filename!r}, not in archive/")

    def _pages(self, info: zipfile.ZipInfo, tap: Callable[[bytes], None]) -> None:
        entry = info.filename
        if not entry.endswith(".jsonl"):
            self.problem(entry, 0, WACZ_LAYOUT, "pages/ may hold only .jsonl files")
        first = True
        ids: set[str] = set()

        def on_line(offset: int, line: bytes) -> None:
            nonlocal first
            is_first, first = first, False
            try:
                page = json.loads(line)
            except ValueError:
                self.problem(entry, offset, WACZ_PAGES, f"not a JSON line: {line[:80]!r}")
                return
            if not isinstance(page, dict):
                self.problem(entry, offset, WACZ_PAGES, "a line that is not a JSON object")
            elif is_first and "format" in page and "url" not in page:
                return  # the header line
            elif not isinstance(page.get("url"), str) or not page["url"]:
                self.problem(entry, offset, WACZ_PAGES, "a page without url")
            elif not isinstance(page.get("ts"), str) or not _RFC3339_RE.fullmatch(page["ts"]):
                self.problem(
                    entry, offset, WACZ_PAGES, f"ts {page.get('ts')!r} is not an RFC 3339 datetime"
                )
            elif isinstance(page.get("id"), str):
                if page["id"] in ids:
                    self.problem(entry, offset, WACZ_PAGES_ID, f"page id {page['id']!r} repeats")
                ids.add(page["id"])

        self._lines(info, tap, on_line)

    def _lines(
        self,
        info: zipfile.ZipInfo,
        tap: Callable[[bytes], None],
        on_line: Callable[[int, bytes], None] | None,
        *,
        gzipped: bool = False,
    ) -> None:
        """Stream the entry through ``tap``; ``on_line(offset, line)`` for each line (of the
        decompressed text if ``gzipped``)."""
        splitter = _LineSplitter(info.filename, on_line, self.problem) if on_line else None
        with self.zip.open(info) as stream:

            def read(size: int) -> bytes:
                block = stream.read(size)
                tap(block)
                return block

            if splitter is not None and gzipped:
                scan_members(read, _GunzipSink(info.filename, splitter, self.problem))
            else:
                while block := read(READ_SIZE):
                    if splitter is not None:
                        splitter.feed(block)
        if splitter is not None:
            splitter.finish()


class _LineSplitter:
    """Cuts a byte stream into lines, holding at most one (bounded) line."""

    def __init__(
        self,
        entry: str,
        on_line: Callable[[int, bytes], None],
        problem: Callable[[str, int, str, str], None],
    ) -> None:
        self.entry = entry
        self.on_line = on_line
        self.report = problem
        self.carry = bytearray()
        self.offset = 0  # of carry[0] in the stream
        self.too_long = False

    def feed(self, data: bytes) -> None:
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            self._line(data[start:end])
            start = end + 1
        if start < len(data):
            self._append(data[start:])

    def _append(self, part: bytes) -> None:
        if self.too_long:
            self.offset += len(part)
            return
        self.carry += part
        if len(self.carry) > _LINE_LIMIT:
            self.report(self.entry, self.offset, WACZ_LAYOUT, "a line is too long to check")
            self.too_long = True
            self.offset += len(self.carry)
            self.carry.clear()

    def _line(self, tail: bytes) -> None:
        if self.too_long:
            self.too_long = False
            self.offset += len(tail) + 1
            return
        line = bytes(self.carry) + tail if self.carry else tail
        self.carry.clear()
        offset = self.offset
        self.offset += len(line) + 1
        text = line.removesuffix(b"\r")
        if not text:
            self.report(self.entry, offset, WACZ_LAYOUT, "an empty line")
            return
        self.on_line(offset, text)

    def finish(self) -> None:
        if self.carry and not self.too_long:
            self._line(b"")


class _GunzipSink:
    """Feeds a gzipped index (one or many members) to a line splitter."""

    def __init__(
        self,
        entry: str,
        splitter: _LineSplitter,
        problem: Callable[[str, int, str, str], None],
    ) -> None:
        self.entry = entry
        self.splitter = splitter
        self.report = problem

    def member_start(self, offset: int) -> None:
        return None

    def member_data(self, data: bytes) -> None:
        self.splitter.feed(data)

    def member_end(self, offset: int, end: int) -> None:
        return None

    def member_broken(self, offset: int, reason: str, cut_short: bool) -> None:
        self.report(self.entry, offset, WACZ_INDEX, f"gzip member: {reason}")

    def garbage(self, offset: int, length: int) -> None:
        self.report(self.entry, offset, WACZ_INDEX, f"{length} byte(s) that are not gzip data")


def _hasher(value: object) -> "hashlib._Hash | None":
    """A fresh hash object for an ``algorithm:hex`` value, None if it is not one."""
    if not isinstance(value, str):
        return None
    algorithm, colon, digest = value.partition(":")
    if not colon or not re.fullmatch(r"[0-9a-fA-F]+", digest):
        return None
    try:
        hasher = hashlib.new(algorithm.lower().replace("-", ""))
    except ValueError:
        return None
    return hasher if len(digest) == 2 * hasher.digest_size else None


def _hex_of(value: str) -> str:
    return value.partition(":")[2].lower()
