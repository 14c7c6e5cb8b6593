"""Screenshots kept in a collection (provenance.run.replay_check): resource records with a
`urn:screenshot:` Target-URI, each referring to the response record of the page it shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ArchiveError
from archive.warc.reader import iter_records, read_record

SCREENSHOT_PREFIX = "urn:screenshot:"
FILE_MARK = "-screenshots"  # in the names of the WARC files holding them


@dataclass(frozen=True)
class Screenshot:
    record_id: str
    uri: str  # urn:screenshot:PAGE-URL
    warc: Path
    offset: int

    def png(self) -> bytes:
        return read_record(self.warc, self.offset).payload


def screenshot_prefix(prefix: str) -> str:
    """The WARC file prefix of the screenshots of a collection whose files use `prefix`."""
    return f"{prefix}{FILE_MARK}"


def find_screenshots(warcs: Iterable[Path]) -> dict[str, Screenshot]:
    """The newest screenshot of each page, by the page's response record ID. Only the files
    screenshots are written to (named with FILE_MARK) are read."""
    found: dict[str, Screenshot] = {}
    for warc in sorted(w for w in warcs if f"{FILE_MARK}-" in w.name):
        try:
            for record in iter_records(warc):
                uri = record.target_uri or ""
                page = record.header("WARC-Refers-To")
                if record.rec_type == "resource" and uri.startswith(SCREENSHOT_PREFIX) and page:
                    found[page] = Screenshot(record.record_id, uri, warc, record.offset)
        except (ArchiveError, OSError):
            continue  # a damaged file: the screenshots before the damage are kept
    return found
