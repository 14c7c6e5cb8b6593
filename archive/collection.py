"""The one owner of a collection's layout on disk.

::

    COLLECTION/
      warcs/             the WARC files (``*.warc.gz``; ``*.warc.gz.open`` while written)
      indexes/index.cdxj the sorted CDXJ index of the closed WARC files
      ledger.sqlite      every crawl, capture and verdict
      logs/              the Scrapy log of each crawl (``logs/run-RUN/`` for distributed runs)
      .lock              held by the run that writes to the collection
      warcproof.toml     the collection's settings (optional; `warcproof config`)

Every other module asks a `Collection` for these paths; none spells them out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_COLLECTION = Path("collection")


@dataclass(frozen=True)
class Collection:
    root: Path

    @property
    def warcs(self) -> Path:
        return self.root / "warcs"

    @property
    def index(self) -> Path:
        return self.root / "indexes" / "index.cdxj"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    @property
    def config(self) -> Path:
        return self.root / "warcproof.toml"

    def warc(self, name: str) -> Path:
        """The WARC file `name` (as the ledger and the index record it: a bare file name)."""
        return self.warcs / name

    def closed_warcs(self) -> list[Path]:
        """The closed WARC files, sorted by name (`.open` files are still being written)."""
        return sorted(self.warcs.glob("*.warc.gz"))
