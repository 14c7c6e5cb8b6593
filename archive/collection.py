"""The one owner of a collection's layout on disk.

::

    COLLECTION/
      warcs/             the WARC files (``*.warc.gz``; ``*.warc.gz.open`` while written; plain
                         ``*.warc`` files added by hand are read too)
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
# The closed WARC files: gzipped (however its members are cut) or plain, as pywb indexes them.
CLOSED_WARC_SUFFIXES = (".warc.gz", ".warc")


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
        """The closed WARC files (``.warc.gz`` or ``.warc``), sorted by name; none if there is
        no `warcs/` folder. `.open` files are still being written."""
        if not self.warcs.is_dir():
            return []
        return sorted(
            path
            for path in self.warcs.iterdir()
            if path.name.endswith(CLOSED_WARC_SUFFIXES) and path.is_file()
        )
