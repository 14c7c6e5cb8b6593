"""What ``warcproof check`` reports: findings (data, never exceptions) and the summary.

Every finding names the file (``x.wacz#archive/y.warc.gz`` for a file inside a WACZ), the byte
offset it concerns (a record's gzip member or record start, a zip entry, or a line), a code, a
level and, where one is known, the record's WARC-Record-ID.

Levels: ``error`` for data that is damaged or wrong (a reader gets other bytes than were
written, or cannot find the records), ``warning`` for a SHOULD of the specifications not met, a
reference the files given cannot resolve, or a quirk that other tools accept, ``info`` for what
is worth knowing and is allowed. Only errors fail a check, unless it is strict.
"""

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["error", "warning", "info"]
ERROR: Level = "error"
WARNING: Level = "warning"
INFO: Level = "info"
LEVELS: tuple[Level, ...] = (ERROR, WARNING, INFO)

# Framing: the bytes cannot be cut into complete records here.
GZIP_TRUNCATED = "gzip-truncated"
GZIP_CORRUPT = "gzip-corrupt"
NOT_GZIP = "not-gzip"
RECORD_TRUNCATED = "record-truncated"
RECORD_END = "record-end"
HEADER_SYNTAX = "header-syntax"
FRAMING_CODES = frozenset(
    {GZIP_TRUNCATED, GZIP_CORRUPT, NOT_GZIP, RECORD_TRUNCATED, RECORD_END, HEADER_SYNTAX}
)
# Framing that readers accept: records sharing a gzip member, LF-only line ends.
MEMBER_LAYOUT = "member-layout"
LINE_ENDS = "line-ends"

# Content of complete records.
HEADER_FIELD = "header-field"  # a mandatory field missing or unusable
FIELD_VALUE = "field-value"  # an optional field, or a form other tools accept
WARC_VERSION = "warc-version"
BLOCK_DIGEST = "block-digest"
PAYLOAD_DIGEST = "payload-digest"
PAYLOAD_DIGEST_CHUNKED = "payload-digest-chunked"
DIGEST_UNSUPPORTED = "digest-unsupported"
HTTP_HEAD = "http-head"
DUPLICATE_ID = "duplicate-id"

# Links between records, checked across every file given.
WARCINFO_MISSING = "warcinfo-missing"
WARCINFO_ID_MISSING = "warcinfo-id-missing"
DANGLING_WARCINFO_ID = "dangling-warcinfo-id"
DANGLING_CONCURRENT_TO = "dangling-concurrent-to"
DANGLING_REFERS_TO = "dangling-refers-to"

# WACZ packages.
WACZ_LAYOUT = "wacz-layout"
WACZ_DATAPACKAGE = "wacz-datapackage"
WACZ_PAGES = "wacz-pages"
WACZ_PAGES_MISSING = "wacz-pages-missing"  # pywb and ReplayWeb.page replay without it
WACZ_PAGES_ID = "wacz-pages-id"  # a page id repeated: replay tools keep one of them
WACZ_INDEX = "wacz-index"
WACZ_INDEX_UNSORTED = "wacz-index-unsorted"
WACZ_INDEX_QUIRK = "wacz-index-quirk"  # what pywb and ReplayWeb.page read anyway
WACZ_COMPRESSED = "wacz-compressed"
WACZ_HASH = "wacz-hash"
WACZ_SIZE = "wacz-size"
WACZ_UNSAFE_PATH = "wacz-unsafe-path"

# Files: unreadable, in a format this checker does not read, or not an archive at all.
UNREADABLE = "unreadable"
UNSUPPORTED = "unsupported"
NOT_CHECKED = "not-checked"

_DEFAULT_LEVELS: dict[str, Level] = {
    MEMBER_LAYOUT: WARNING,
    LINE_ENDS: WARNING,
    FIELD_VALUE: WARNING,
    WARC_VERSION: WARNING,
    PAYLOAD_DIGEST_CHUNKED: WARNING,
    DIGEST_UNSUPPORTED: WARNING,
    WARCINFO_MISSING: WARNING,
    WARCINFO_ID_MISSING: INFO,
    DANGLING_WARCINFO_ID: WARNING,
    DANGLING_CONCURRENT_TO: WARNING,
    DANGLING_REFERS_TO: WARNING,
    WACZ_INDEX_QUIRK: WARNING,
    WACZ_PAGES_ID: WARNING,
    WACZ_PAGES_MISSING: WARNING,
    UNSUPPORTED: WARNING,
    NOT_CHECKED: INFO,
}


def default_level(code: str) -> Level:
    """The level a finding of ``code`` has unless its emitter says otherwise."""
    return _DEFAULT_LEVELS.get(code, ERROR)


@dataclass(frozen=True)
class Problem:
    file: str
    offset: int
    code: str
    message: str
    level: Level = ERROR
    record_id: str | None = None
    more: int = 0  # a line that stands for this many more findings of its kind, not listed

    @classmethod
    def of(
        cls, file: str, offset: int, code: str, message: str, record_id: str | None = None
    ) -> "Problem":
        """A finding at the default level of its code."""
        return cls(file, offset, code, message, default_level(code), record_id)

    def __str__(self) -> str:
        if self.more:
            return f"{self.file}: {self.level}: {self.code}: {self.message}"
        record = f" {self.record_id}" if self.record_id else ""
        return (
            f"{self.file}: offset {self.offset}{record}: {self.level}: {self.code}: {self.message}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "file": self.file,
            "offset": self.offset,
            "record_id": self.record_id,
            "code": self.code,
            "message": self.message,
            "more": self.more,
        }


ProblemSink = Callable[[Problem], None]

PER_KIND = 100  # findings of one code listed per file; the rest are counted


class KindCap:
    """Passes on at most ``limit`` findings of each code per file and counts the rest, so that
    a file with millions of one fault (a pages.jsonl of newlines) gives a bounded list;
    ``flush`` then passes one finding per capped kind, "... and N more of this kind", with
    ``more`` = N. Memory is a counter and a finding per file and code."""

    def __init__(self, sink: ProblemSink, limit: int = PER_KIND) -> None:
        self.sink = sink
        self.limit = limit
        self.listed: Counter[tuple[str, str]] = Counter()
        self.left: Counter[tuple[str, str]] = Counter()
        self.first_left: dict[tuple[str, str], Problem] = {}

    def __call__(self, problem: Problem) -> None:
        kind = (problem.file, problem.code)
        if self.listed[kind] < self.limit:
            self.listed[kind] += 1
            self.sink(problem)
            return
        if not self.left[kind]:
            self.first_left[kind] = problem
        self.left[kind] += 1

    def flush(self) -> None:
        """Pass on the count of each kind left out since the last flush."""
        for kind, first in self.first_left.items():
            more = self.left[kind]
            message = f"... and {more:,} more of this kind, the first at offset {first.offset}"
            self.sink(dataclasses.replace(first, message=message, record_id=None, more=more))
        self.left.clear()
        self.first_left.clear()


def outer_file(name: str) -> str:
    """The file on disk a finding's file name is in (``x.wacz`` for ``x.wacz#archive/y``)."""
    return name.split("#", 1)[0]


@dataclass
class CheckSummary:
    """Totals of one check run; ``exit_code(strict)`` is 2 if any file was unreadable, else 1
    if any error (with ``strict``, any error or warning) was found, else 0."""

    files: int = 0
    records: int = 0
    bytes: int = 0
    problems: Counter[str] = field(default_factory=Counter)  # by code
    levels: Counter[str] = field(default_factory=Counter)
    by_file: dict[str, Counter[str]] = field(default_factory=dict)  # levels, per file checked
    unreadable: list[str] = field(default_factory=list)
    not_checked: list[tuple[str, str]] = field(default_factory=list)  # file, why

    def count(self, problem: Problem) -> None:
        self.problems[problem.code] += 1
        self.levels[problem.level] += 1
        self.by_file.setdefault(outer_file(problem.file), Counter())[problem.level] += 1

    @property
    def problem_count(self) -> int:
        return sum(self.problems.values())

    def exit_code(self, strict: bool = False) -> int:
        if self.unreadable:
            return 2
        failing = self.levels[ERROR] + (self.levels[WARNING] if strict else 0)
        return 1 if failing else 0

    def file_lines(self) -> list[str]:
        """One line per file checked: its count of each level."""
        return [f"{name}: {_levels(counts)}" for name, counts in self.by_file.items()]

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "records": self.records,
            "bytes": self.bytes,
            "levels": {level: self.levels[level] for level in LEVELS},
            "codes": dict(sorted(self.problems.items())),
            "by_file": {
                name: {level: counts[level] for level in LEVELS}
                for name, counts in self.by_file.items()
            },
            "unreadable": self.unreadable,
            "not_checked": [{"file": name, "why": why} for name, why in self.not_checked],
        }

    def __str__(self) -> str:
        head = f"{self.files} file(s), {self.records} record(s), {self.bytes} bytes: " + _levels(
            self.levels
        )
        if self.unreadable:
            head += f", {len(self.unreadable)} unreadable file(s)"
        if self.not_checked:
            head += f", {len(self.not_checked)} file(s) not checked"
        by_code = ", ".join(f"{code} {count}" for code, count in sorted(self.problems.items()))
        return f"{head} ({by_code})" if by_code else head


def _levels(counts: Counter[str]) -> str:
    return ", ".join(
        f"{counts[level]} {'info' if level == INFO else level + 's'}" for level in LEVELS
    )
