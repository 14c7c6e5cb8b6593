"""WARC file names after WARC 1.1 Annex C: ``{prefix}-{timestamp}-{serial}-{pid}~{host}.warc.gz``.

The timestamp is UTC with millisecond precision (``YYYYmmddHHMMSSfff``), the serial is at least
five digits. While a file is being written it carries the extra suffix ``.open``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.errors import InvalidInputError

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"

_PREFIX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_HOST_UNSAFE_RE = re.compile(r"[^A-Za-z0-9.-]+")
_NAME_RE = re.compile(
    r"(?P<prefix>[A-Za-z0-9][A-Za-z0-9._-]*)-(?P<timestamp>\d{17})-(?P<serial>\d{5,})"
    r"-(?P<pid>\d+)~(?P<host>[A-Za-z0-9.-]+)\.warc\.gz(?P<open>\.open)?"
)
_TIMESTAMP_FORMAT = "%Y%m%d%H%M%S%f"


@dataclass(frozen=True)
class WarcName:
    """The parts of a WARC file name."""

    prefix: str
    timestamp: datetime  # UTC-aware, millisecond precision
    serial: int
    pid: int
    host: str
    is_open: bool = False  # the name carries the ``.open`` suffix

    @property
    def filename(self) -> str:
        """The final file name (never with ``.open``)."""
        stamp = self.timestamp.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)[:17]
        return f"{self.prefix}-{stamp}-{self.serial:05d}-{self.pid}~{self.host}{WARC_SUFFIX}"


def safe_host(hostname: str) -> str:
    """The host name reduced to letters, digits, dots and hyphens (``~`` and ``/`` never appear)."""
    cleaned = _HOST_UNSAFE_RE.sub("-", hostname).strip("-.")
    return cleaned or "localhost"


def warc_filename(prefix: str, when: datetime, serial: int, pid: int, host: str) -> str:
    """Build a final WARC file name; ``when`` must be timezone-aware, ``host`` is made safe."""
    if not _PREFIX_RE.fullmatch(prefix):
        raise InvalidInputError(
            f"WARC file prefix {prefix!r} must match {_PREFIX_RE.pattern} (letters, digits, . _ -)"
        )
    if when.tzinfo is None:
        raise InvalidInputError("WARC file timestamp must be timezone-aware")
    if serial < 0 or pid < 0:
        raise InvalidInputError("serial and pid must not be negative")
    return WarcName(prefix, when, serial, pid, safe_host(host)).filename


def parse_warc_filename(name: str) -> WarcName:
    """Split a file name (basename, final or ``.open``) made by ``warc_filename`` into its parts."""
    match = _NAME_RE.fullmatch(name)
    if match is None:
        raise InvalidInputError(f"not a warcproof WARC file name: {name!r}")
    try:
        timestamp = datetime.strptime(match["timestamp"] + "000", _TIMESTAMP_FORMAT)
    except ValueError as exc:
        raise InvalidInputError(f"bad timestamp in WARC file name {name!r}: {exc}") from None
    return WarcName(
        prefix=match["prefix"],
        timestamp=timestamp.replace(tzinfo=UTC),
        serial=int(match["serial"]),
        pid=int(match["pid"]),
        host=match["host"],
        is_open=match["open"] is not None,
    )
