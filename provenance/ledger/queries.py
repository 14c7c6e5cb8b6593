"""The ledger's read queries for reports: each seed's verdict streamed one row at a time (so a
report's memory does not grow with the collection), the re-verification since it joined in
the same query, and a seed's history over crawls from a few light columns (never its evidence).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from provenance.compare.change_rows import ChangeRow
from provenance.compare.evidence import RunKind
from provenance.compare.verdict import Verdict
from provenance.ledger.store import (
    CHANGE_COLUMNS,
    ENTRY_COLUMNS,
    Ledger,
    LedgerEntry,
    LedgerError,
    change_from_row,
    entry_from_row,
)

_FETCH = 256  # rows fetched from SQLite at a time


@dataclass(frozen=True)
class Reverified:
    """The newest re-verification of a seed recorded after the verdict a report shows."""

    run: int
    verdict: Verdict
    reasons: tuple[str, ...]
    decided_at: str


@dataclass(frozen=True)
class ReportRow:
    entry: LedgerEntry
    reverified: Reverified | None


@dataclass(frozen=True)
class HistoryItem:
    """A seed's verdict in one run, as its capture history shows it."""

    crawl_id: int
    run: RunKind
    verdict: Verdict
    captured_at: str | None
    payload_digest: str | None
    article_digest: str | None
    seed_sha256: str | None


@dataclass(frozen=True)
class CapturePage:
    """A capture as a WACZ page list shows it. The first verdict recorded on it (by crawl, then
    seed id) gives its URL, time, title and extracted text (with where the crawl wrote that
    text, when it said); every seed judged on it follows, with its newest verdict there."""

    record_id: str
    url: str
    ts: str
    warc_file: str
    title: str | None
    conversion_id: str | None
    conversion_place: tuple[str, int] | None  # (WARC file name, offset) of the conversion
    verdicts: dict[str, str]  # seed id -> verdict, seeds in the order they were first judged


# Each capture's verdict rows, captures in the order their first verdict was recorded (by
# crawl, then seed id), streamed: SQLite sorts on disk past its cache, never the whole ledger
# in memory. Only a capture's first row reads its title and looks up its observation.
_CAPTURE_PAGE_ROWS = """
WITH rows AS (
    SELECT v.id, v.crawl_id, v.seed_id, v.verdict, v.conversion_record_id, v.evidence,
           c.response_record_id, c.fetched_url, c.captured_at, c.warc_file,
           first_value(v.crawl_id) OVER w AS first_crawl,
           first_value(v.seed_id) OVER w AS first_seed,
           first_value(v.id) OVER w AS first_id
    FROM verdict_rows v JOIN captures c ON c.id = v.capture_id
    WINDOW w AS (PARTITION BY c.response_record_id ORDER BY v.crawl_id, v.seed_id, v.id)
)
SELECT r.response_record_id, r.fetched_url, r.captured_at, r.warc_file, r.seed_id, r.verdict,
       r.conversion_record_id,
       CASE WHEN r.id = r.first_id THEN json_extract(r.evidence, '$.extraction.title') END,
       o.conversion_warc_file, o.conversion_warc_offset
FROM rows r
LEFT JOIN observations o ON r.id = r.first_id AND o.seed_id = r.seed_id
     AND o.crawl_id = r.crawl_id AND o.conversion_record_id = r.conversion_record_id
ORDER BY r.first_crawl, r.first_seed, r.first_id, r.crawl_id, r.seed_id, r.id
"""


class ReportLedger(Ledger):
    """A ledger opened once for a whole report, with the queries reports make."""

    def _rows(self, sql: str, values: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        try:
            cursor = self._db.execute(sql, values)
            while rows := cursor.fetchmany(_FETCH):
                yield from rows
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None

    def seed_count(self, crawl_id: int | None = None) -> int:
        """How many rows `report_rows(crawl_id)` yields."""
        values: tuple[Any, ...] = ()
        if crawl_id is not None:
            sql, values = "SELECT count(*) FROM verdicts WHERE crawl_id = ?", (crawl_id,)
        else:
            sql = """SELECT count(DISTINCT v.seed_id) FROM verdicts v
                     JOIN crawls k ON k.id = v.crawl_id WHERE k.kind = 'crawl'"""
        return int(next(self._rows(sql, values))[0])

    def report_rows(self, crawl_id: int | None = None) -> Iterator[ReportRow]:
        """The verdicts of crawl `crawl_id` (by default each seed's newest crawl's), by seed id,
        one at a time, each with the seed's newest re-verification recorded after it."""
        values: tuple[Any, ...] = ()
        if crawl_id is not None:
            chosen, values = "v.crawl_id = ?", (crawl_id,)
        else:
            # Correlated, so SQLite walks verdicts_seed in order and never sorts the rows.
            chosen = """v.id = (SELECT max(v2.id) FROM verdicts v2
                        JOIN crawls k2 ON k2.id = v2.crawl_id
                        WHERE v2.seed_id = v.seed_id AND k2.kind = 'crawl')"""
        sql = f"""WITH again AS (
                      SELECT v3.seed_id, max(v3.id) AS id FROM verdicts v3
                      JOIN crawls k3 ON k3.id = v3.crawl_id
                      WHERE k3.kind = 'reverification' GROUP BY v3.seed_id)
                  SELECT {ENTRY_COLUMNS}, r.crawl_id, r.verdict, r.reasons, r.decided_at
                  FROM verdicts v LEFT JOIN captures c ON c.id = v.capture_id
                  JOIN crawls k ON k.id = v.crawl_id
                  LEFT JOIN again a ON a.seed_id = v.seed_id
                  LEFT JOIN verdicts r ON r.id = a.id AND r.crawl_id > v.crawl_id
                  WHERE {chosen} ORDER BY v.seed_id, v.id"""
        for row in self._rows(sql, values):
            again = row[29:]
            reverified = (
                None
                if again[0] is None
                else Reverified(
                    int(again[0]), Verdict(again[1]), tuple(json.loads(again[2])), again[3]
                )
            )
            yield ReportRow(entry_from_row(row[:29]), reverified)

    def history(self, seed_id: str) -> list[HistoryItem]:
        """The seed's verdict in every run of the ledger, oldest first: light columns only."""
        rows = self._rows(
            """SELECT v.crawl_id, k.kind, v.verdict, c.captured_at, c.payload_digest,
                      v.article_digest, v.seed_sha256
               FROM verdicts v LEFT JOIN captures c ON c.id = v.capture_id
               JOIN crawls k ON k.id = v.crawl_id
               WHERE v.seed_id = ? ORDER BY v.crawl_id, v.id""",
            (seed_id,),
        )
        return [
            HistoryItem(
                crawl_id=row[0],
                run=RunKind(row[1]),
                verdict=Verdict(row[2]),
                captured_at=row[3],
                payload_digest=row[4],
                article_digest=row[5],
                seed_sha256=row[6],
            )
            for row in rows
        ]

    def seed_changes(self, crawl_id: int, seed_id: str) -> list[ChangeRow]:
        """The changes crawl `crawl_id` recorded for one seed."""
        rows = self._rows(
            f"""SELECT {CHANGE_COLUMNS} FROM changes c
                WHERE c.crawl_id = ? AND c.seed_id = ? ORDER BY c.id""",
            (crawl_id, seed_id),
        )
        return [change_from_row(row) for row in rows]

    def unfinished(self, crawl_ids: Iterable[int]) -> str | None:
        """A note when a crawl the shown verdicts come from did not finish (killed, stopped
        early or still running): the seeds it did not reach have no verdict in it."""
        for crawl_id in sorted(set(crawl_ids)):
            status = self.crawl_status(crawl_id)
            if status != "finished":
                why = status or "no finish recorded: killed, or still running"
                return (
                    f"crawl {crawl_id} is incomplete ({why}); seeds it did not reach have "
                    "no verdict from it"
                )
        return None

    def capture_count(self) -> int:
        """How many pages `capture_pages` yields."""
        sql = """SELECT count(DISTINCT c.response_record_id)
                 FROM verdict_rows v JOIN captures c ON c.id = v.capture_id"""
        return int(next(self._rows(sql, ()))[0])

    def capture_pages(self) -> Iterator[CapturePage]:
        """Every capture any verdict of the ledger was judged on, one at a time."""
        page: CapturePage | None = None
        for row in self._rows(_CAPTURE_PAGE_ROWS, ()):
            if page is None or row[0] != page.record_id:
                if page is not None:
                    yield page
                place = None if row[8] is None or row[9] is None else (row[8], int(row[9]))
                page = CapturePage(row[0], row[1], row[2], row[3], row[7], row[6], place, {})
            page.verdicts[row[4]] = row[5]
        if page is not None:
            yield page

    def verdict_counts(self) -> tuple[int, dict[str, int]]:
        """How many seeds the ledger ever judged, and its newest run's verdicts by kind."""
        seeds = int(next(self._rows("SELECT count(DISTINCT seed_id) FROM verdict_rows", ()))[0])
        rows = self._rows(
            """SELECT verdict, count(*) FROM verdict_rows
               WHERE crawl_id = (SELECT max(crawl_id) FROM verdict_rows) GROUP BY verdict""",
            (),
        )
        return seeds, {str(verdict): int(n) for verdict, n in rows}
