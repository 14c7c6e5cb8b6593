"""The collection's lock, held by every command that changes a collection (its WARCs, index or
ledger) as a crawl holds it: one writer at a time, whatever the command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.collection_lock import CollectionLock, CollectionLocked
from provenance.errors import CollectionInUse


@contextmanager
def collection_locked(collection: Path) -> Iterator[None]:
    """Hold `collection`'s lock while the block runs; CollectionInUse at once (exit 4, naming
    the holder) when a crawl or another command holds it. A folder that does not exist is not
    created: the command says what is wrong with it."""
    if not collection.is_dir():
        yield
        return
    lock = CollectionLock(collection, run_id="")
    try:
        lock.acquire(0)
    except CollectionLocked as exc:
        raise CollectionInUse(exc.message) from None
    try:
        yield
    finally:
        lock.release()
