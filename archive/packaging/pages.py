"""The WACZ page list (`pages/pages.jsonl`, JSON Lines, "json-pages-1.0"): a header line, then
one line per page with its `url` and `ts` (required by WACZ 1.1.1) and, when known, its `title`
and extracted `text`, which ReplayWeb.page's full-text search reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.errors import InvalidInputError

PAGES_FORMAT = "json-pages-1.0"
_RESERVED = frozenset({"id", "url", "ts", "title", "text"})
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@dataclass(frozen=True)
class Page:
    id: str
    url: str  # the URL the page replays under (its response record's WARC-Target-URI)
    ts: str  # RFC 3339 date-time of the capture, e.g. its WARC-Date
    title: str | None = None
    text: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # more properties, e.g. verdicts

    def to_json(self) -> dict[str, Any]:
        if not _RFC3339.fullmatch(self.ts):
            raise InvalidInputError(f"page {self.id}: ts {self.ts!r} is not an RFC 3339 date-time")
        clash = self.extra.keys() & _RESERVED
        if clash:
            raise InvalidInputError(f"page {self.id}: extra properties {sorted(clash)} clash")
        line: dict[str, Any] = {"id": self.id, "url": self.url, "ts": self.ts}
        if self.title is not None:
            line["title"] = self.title
        if self.text is not None:
            line["text"] = self.text
        return {**line, **self.extra}


def page_lines(
    pages: Iterable[Page], *, list_id: str = "pages", title: str = "Pages", has_text: bool = True
) -> Iterator[bytes]:
    """The page list, line by line (UTF-8, each ending in a newline); a page whose id was
    listed already is left out."""
    header: dict[str, Any] = {"format": PAGES_FORMAT, "id": list_id, "title": title}
    if has_text:
        header["hasText"] = True
    yield _line(header)
    seen: set[str] = set()
    for page in pages:
        if page.id in seen:  # one capture listed once, whatever number of seeds it serves
            continue
        seen.add(page.id)
        yield _line(page.to_json())


def _line(value: Mapping[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8")
