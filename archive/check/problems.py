"""What ``warcproof check`` reports: problems (data, never exceptions) and the summary.

Every problem names the file (``x.wacz#archive/y.warc.gz`` for a file inside a WACZ), the byte
offset it concerns (a record's gzip member or record start, a zip entry, or a line) and a code.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# Framing: the bytes cannot be cut into complete records here.
GZIP_TRUNCATED = "gzip-truncated"
GZIP_CORRUPT = "gzip-corrupt"
NOT_GZIP = "not-gzip"
RECORD_TRUNCATED = "record-truncated"
RECORD_END = "record-end"
HEADER_SYNTAX = "header-syntax"
MEMBER_LAYOUT = "member-layout"
FRAMING_CODES = frozenset(
    {GZIP_TRUNCATED, GZIP_CORRUPT, NOT_GZIP, RECORD_TRUNCATED, RECORD_END, HEADER_SYNTAX}
    | {MEMBER_LAYOUT}
)

# Content of complete records.
HEADER_FIELD = "header-field"
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
WACZ_INDEX = "wacz-index"
WACZ_INDEX_UNSORTED = "wacz-index-unsorted"
WACZ_COMPRESSED = "wacz-compressed"
WACZ_HASH = "wacz-hash"
WACZ_SIZE = "wacz-size"
WACZ_UNSAFE_PATH = "wacz-unsafe-path"

# The file cannot be opened, or is not a WARC or WACZ at all.
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Problem:
    file: str
    offset: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: offset {self.offset}: {self.code}: {self.message}"


ProblemSink = Callable[[Problem], None]


@dataclass
class CheckSummary:
    """Totals of one check run; ``exit_code`` is 2 if any file was unreadable, else 1 if any
    problem was found, else 0."""

    files: int = 0
    records: int = 0
    bytes: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)

    @property
    def problem_count(self) -> int:
        return sum(self.problems.values())

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.problems else 0

    def __str__(self) -> str:
        head = (
            f"{self.files} file(s), {self.records} record(s), {self.bytes} bytes: "
            f"{self.problem_count} problem(s)"
        )
        if self.unreadable:
            head += f", {len(self.unreadable)} unreadable file(s)"
        by_code = ", ".join(f"{code} {count}" for code, count in sorted(self.problems.items()))
        return f"{head} ({by_code})" if by_code else head
