"""An exact, compact set of WARC record ids.

A check keeps every record id it has seen (duplicates and links are checked across all files),
so this set is the part of its memory that grows with the number of records. An id in the
canonical form ``<urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx>`` (lower-case hex, as every
common WARC writer makes them) is kept as its 16 raw bytes in one open-addressing table, about
30 bytes per id instead of about 90 for a Python object in a set; any other id is kept as it is.
Nothing is hashed away: two ids share a key only if they are the same string.
"""

import re

_UUID_ID_RE = re.compile(r"<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>")
_SLOT = 16
_EMPTY = bytes(_SLOT)  # the nil uuid's key too, so that one is kept apart
_FIRST_SLOTS = 1 << 12


def uuid_key(record_id: str) -> bytes | None:
    """The 16 bytes of a canonical ``<urn:uuid:...>`` id, None for any other id."""
    if len(record_id) != 47 or _UUID_ID_RE.fullmatch(record_id) is None:
        return None
    return bytes.fromhex(record_id[10:46].replace("-", ""))


class RecordIdSet:
    def __init__(self) -> None:
        self._table = bytearray(_FIRST_SLOTS * _SLOT)
        self._mask = _FIRST_SLOTS - 1
        self._used = 0
        self._nil = False
        self._others: set[str] = set()

    def __len__(self) -> int:
        return self._used + self._nil + len(self._others)

    def __contains__(self, record_id: str) -> bool:
        key = uuid_key(record_id)
        if key is None:
            return record_id in self._others
        if key == _EMPTY:
            return self._nil
        start = self._find(key)
        return self._table[start : start + _SLOT] == key

    def add(self, record_id: str) -> bool:
        """Add ``record_id``; False if it was already in the set."""
        key = uuid_key(record_id)
        if key is None:
            if record_id in self._others:
                return False
            self._others.add(record_id)
            return True
        if key == _EMPTY:
            known, self._nil = self._nil, True
            return not known
        start = self._find(key)
        if self._table[start : start + _SLOT] == key:
            return False
        self._table[start : start + _SLOT] = key
        self._used += 1
        if self._used * 3 > self._mask * 2:  # at most two thirds full
            self._grow()
        return True

    def _find(self, key: bytes) -> int:
        """The offset of ``key``'s slot, or of the empty slot where it belongs."""
        table, mask = self._table, self._mask
        index = hash(key) & mask  # bytes hashes are randomised: crafted ids cannot pile up
        while True:
            start = index * _SLOT
            slot = table[start : start + _SLOT]
            if slot in (key, _EMPTY):
                return start
            index = (index + 1) & mask

    def _grow(self) -> None:
        old = self._table
        self._table = bytearray(len(old) * 2)
        self._mask = self._mask * 2 + 1
        for start in range(0, len(old), _SLOT):
            key = bytes(old[start : start + _SLOT])
            if key != _EMPTY:
                offset = self._find(key)
                self._table[offset : offset + _SLOT] = key
