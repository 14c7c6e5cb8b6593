"""Links between records, checked across every file of one check run.

Record ids are kept as 16-byte BLAKE2b keys (a collision among a billion ids has a probability
below 1e-20), so memory grows by about 100 bytes per record. A reference whose target is already
known is settled at once; only forward references (and dangling ones) wait for the end.
"""

import hashlib
from dataclasses import dataclass

from archive.check_problems import (
    DANGLING_CONCURRENT_TO,
    DANGLING_REFERS_TO,
    DANGLING_WARCINFO_ID,
    Problem,
    ProblemSink,
)

_FIELD_CODES = {
    "warc-warcinfo-id": ("WARC-Warcinfo-ID", DANGLING_WARCINFO_ID),
    "warc-concurrent-to": ("WARC-Concurrent-To", DANGLING_CONCURRENT_TO),
    "warc-refers-to": ("WARC-Refers-To", DANGLING_REFERS_TO),
}
LINK_FIELDS = frozenset(_FIELD_CODES)


def _key(record_id: str) -> bytes:
    return hashlib.blake2b(record_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class _Pending:
    file: str
    offset: int
    field: str  # lower-case WARC field name
    target: str


class LinkRegistry:
    def __init__(self) -> None:
        self._ids: set[bytes] = set()
        self._warcinfos: set[bytes] = set()
        self._pending: list[_Pending] = []

    def add_record(self, record_id: str, rec_type: str) -> bool:
        """Remember a record; False if its id was seen before."""
        key = _key(record_id)
        if key in self._ids:
            return False
        self._ids.add(key)
        if rec_type == "warcinfo":
            self._warcinfos.add(key)
        return True

    def add_reference(self, file: str, offset: int, field: str, target: str) -> None:
        """``field`` (lower-case) of the record at ``offset`` names ``target``."""
        pending = _Pending(file, offset, field, target)
        if not self._settled(pending):
            self._pending.append(pending)

    def finish(self, emit: ProblemSink) -> None:
        """Report every reference whose target never appeared."""
        for pending in self._pending:
            if self._settled(pending):
                continue
            name, code = _FIELD_CODES[pending.field]
            key = _key(pending.target)
            if key in self._ids:
                why = "names a record that is not a warcinfo record"
            else:
                why = "names a record that is in none of the files checked"
            emit(Problem(pending.file, pending.offset, code, f"{name} {pending.target} {why}"))
        self._pending.clear()

    def _settled(self, pending: _Pending) -> bool:
        known = self._warcinfos if pending.field == "warc-warcinfo-id" else self._ids
        return _key(pending.target) in known
