"""Links between records, checked across every file of one check run.

Record ids are kept exactly, in a ``RecordIdSet`` (about 30 bytes per urn:uuid id). A reference
whose target is already known is settled at once; only forward references (and dangling ones)
wait for the end.
"""

from dataclasses import dataclass

from archive.check.idset import RecordIdSet
from archive.check.problems import (
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


@dataclass(frozen=True)
class _Pending:
    order: int
    file: str
    offset: int
    field: str  # lower-case WARC field name
    target: str
    record_id: str | None  # of the record holding the reference


class LinkRegistry:
    def __init__(self) -> None:
        self._ids = RecordIdSet()
        self._warcinfos: set[str] = set()  # one or a few per file
        self._pending: dict[str, list[_Pending]] = {}  # by target
        self._references = 0

    def add_record(self, record_id: str, rec_type: str) -> bool:
        """Remember a record; False if its id was seen before."""
        if not self._ids.add(record_id):
            return False
        if rec_type == "warcinfo":
            self._warcinfos.add(record_id)
        waiting = self._pending.pop(record_id, None)
        if waiting is not None:
            unsettled = [pending for pending in waiting if not self._settled(pending)]
            if unsettled:  # a WARC-Warcinfo-ID naming a record of another type
                self._pending[record_id] = unsettled
        return True

    def add_reference(
        self, file: str, offset: int, field: str, target: str, record_id: str | None = None
    ) -> None:
        """``field`` (lower-case) of the record ``record_id`` at ``offset`` names ``target``."""
        self._references += 1
        known = self._warcinfos if field == "warc-warcinfo-id" else self._ids
        if target not in known:
            pending = _Pending(self._references, file, offset, field, target, record_id)
            self._pending.setdefault(target, []).append(pending)

    def finish(self, emit: ProblemSink) -> None:
        """Report every reference whose target never appeared, in the order they were made."""
        waiting = sorted(
            (pending for group in self._pending.values() for pending in group),
            key=lambda pending: pending.order,
        )
        for pending in waiting:
            name, code = _FIELD_CODES[pending.field]
            if pending.target in self._ids:
                why = "names a record that is not a warcinfo record"
            else:
                why = "names a record that is in none of the files checked"
            message = f"{name} {pending.target} {why}"
            emit(Problem.of(pending.file, pending.offset, code, message, pending.record_id))
        self._pending.clear()

    def _settled(self, pending: _Pending) -> bool:
        known = self._warcinfos if pending.field == "warc-warcinfo-id" else self._ids
        return pending.target in known
