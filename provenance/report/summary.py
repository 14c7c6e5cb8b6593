"""The verdict table (for people) and the JSON report (for machines), read from the ledger."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from archive.collection import Collection
from provenance.compare.change_rows import ChangeRow
from provenance.compare.evidence import SerialisedEvidence
from provenance.compare.verdict import SOUND
from provenance.errors import ProvenanceError
from provenance.ledger.queries import ReportLedger, ReportRow, Reverified
from provenance.ledger.store import Ledger, LedgerEntry
from provenance.report.who_changed import WhoChanged

_COUNT_COLUMNS = ("matched", "edited", "furniture", "foreign", "omitted")


class UnknownCrawlError(ProvenanceError):
    """A crawl id the ledger does not hold (a usage error: exit 2)."""


@dataclass(frozen=True)
class Report:
    """The verdicts a report shows and the re-verifications recorded since them."""

    entries: list[LedgerEntry]
    reverified: Mapping[str, Reverified]


def open_ledger(collection: Path, crawl_id: int | None = None) -> ReportLedger:
    """The collection's ledger, opened once for a whole report; an unknown `crawl_id` is
    refused here (a usage error)."""
    ledger = ReportLedger(Collection(collection).ledger, create=False)
    try:
        if crawl_id is not None:
            last = ledger.last_crawl_id()
            if last is None or not 1 <= crawl_id <= last:
                known = f"crawls 1 to {last}" if last else "no crawl yet"
                raise UnknownCrawlError(f"{collection}: no crawl {crawl_id} ({known})")
    except BaseException:
        ledger.close()
        raise
    return ledger


def load_entries(collection: Path, crawl_id: int | None = None) -> list[LedgerEntry]:
    """The verdicts of crawl `crawl_id`; by default each seed's newest crawl's."""
    with closing(open_ledger(collection, crawl_id)) as ledger:
        return [row.entry for row in ledger.report_rows(crawl_id)]


def collect(rows: Iterable[ReportRow]) -> Report:
    """Every verdict a report shows, in memory (the text table)."""
    entries: list[LedgerEntry] = []
    reverified: dict[str, Reverified] = {}
    for row in rows:
        entries.append(row.entry)
        if row.reverified is not None:
            reverified[row.entry.verdict.seed_id] = row.reverified
    return Report(entries, reverified)


def load_changes(collection: Path, crawl_ids: Sequence[int]) -> list[ChangeRow]:
    """The changes the crawls `crawl_ids` recorded (for `table`)."""
    if not crawl_ids:
        return []
    with Ledger(Collection(collection).ledger, create=False) as ledger:
        return [change for crawl in crawl_ids for change in ledger.changes(crawl_id=crawl)]


def fetched(entry: LedgerEntry) -> bool:
    """Whether the seed's source was captured: answered 2xx (a 404 is archived, not captured)."""
    capture = entry.capture
    return capture is not None and capture.status is not None and 200 <= capture.status < 300


def failing(entries: Sequence[LedgerEntry], verdicts: Sequence[str]) -> list[LedgerEntry]:
    """The entries whose verdict is one of `verdicts` (`--fail-on`)."""
    return [entry for entry in entries if entry.verdict.verdict in verdicts]


def all_sound(entries: Sequence[LedgerEntry]) -> bool:
    return bool(entries) and all(e.verdict.verdict in SOUND for e in entries)


def _source(entry: LedgerEntry) -> str:
    capture = entry.capture
    if capture is None:
        return "-"
    return f"{capture.source_kind} {capture.status} {capture.captured_at[:19]}Z"


def table(
    entries: Sequence[LedgerEntry],
    changes: Sequence[ChangeRow] = (),
    reverified: Mapping[str, Reverified] | None = None,
) -> str:
    """The verdicts for people: a row per seed, then its source, who changed the text (when the
    copy or the source did; `changes` are the crawls'), its reasons and any re-verification
    since."""
    if not entries:
        return "No verdicts recorded."
    header = ["seed", "verdict", "source", *_COUNT_COLUMNS]
    rows = [
        [
            e.verdict.seed_id,
            e.verdict.verdict,
            _source(e),
            *(str(e.verdict.counts.get(column, 0)) for column in _COUNT_COLUMNS),
        ]
        for e in entries
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    for entry, row in zip(entries, rows, strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        url = entry.capture.source_url if entry.capture else None
        if url:
            lines.append(f"      source: {url}")
        who = WhoChanged.of(entry, changes)
        if who.kind:
            lines.append(f"      who changed it: {who.line()}")
        for reason in entry.verdict.reasons:
            lines.extend(
                textwrap.wrap(
                    reason,
                    100,
                    initial_indent="      ",
                    subsequent_indent="        ",
                    break_long_words=False,  # URLs and ids stay whole
                    break_on_hyphens=False,
                )
            )
        again = (reverified or {}).get(entry.verdict.seed_id)
        if again is not None:
            lines.append(
                f"      re-verified offline {again.decided_at[:19]}Z (run {again.run}): "
                f"{again.verdict}"
            )
    lines.append(f"\n{counts_line(entries)}")
    return "\n".join(lines)


def counts_line(entries: Sequence[LedgerEntry]) -> str:
    """`N seed(s): 3 faithful, 1 modified`: the table's last line (all `--quiet` prints)."""
    if not entries:
        return "No verdicts recorded."
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.verdict.verdict] = counts.get(entry.verdict.verdict, 0) + 1
    summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    return f"{len(entries)} seed(s): {summary}"


def as_dict(entry: LedgerEntry, reverified: Reverified | None = None) -> dict[str, Any]:
    capture = entry.capture
    found: dict[str, Any] = {
        "crawl_id": entry.crawl_id,
        "seed_id": entry.verdict.seed_id,
        "verdict": entry.verdict.verdict,
        "reasons": list(entry.verdict.reasons),
        "counts": dict(entry.verdict.counts),
        "decided_at": entry.decided_at,
        "digests": {
            "seed_sha256": entry.verdict.seed_sha256,
            "seed_normalized": entry.verdict.seed_digest,
            "article_normalized": entry.verdict.article_digest,
        },
        "normalizer": entry.verdict.normalizer,
        "extractor": entry.verdict.extractor,
        "records": {
            "conversion": entry.verdict.conversion_record_id,
            "metadata": entry.verdict.metadata_record_id,
        },
        "capture": None
        if capture is None
        else {
            "source_url": capture.source_url,
            "fetched_url": capture.fetched_url,
            "source_kind": capture.source_kind,
            "status": capture.status,
            "captured_at": capture.captured_at,
            "warc_file": capture.warc_file,
            "warc_offset": capture.warc_offset,
            "warc_length": capture.warc_length,
            "response_record_id": capture.response_record_id,
            "request_record_id": capture.request_record_id,
            "payload_digest": capture.payload_digest,
            "redirects": list(capture.redirects),
        },
        "evidence": entry.verdict.evidence,
    }
    if reverified is not None:
        found["reverification"] = {
            "run": reverified.run,
            "verdict": reverified.verdict,
            "reasons": list(reverified.reasons),
            "decided_at": reverified.decided_at,
        }
    return found


def write_json(rows: Iterable[ReportRow], out: TextIO) -> int:
    """The report as one JSON array (the shape `report --json` always had), written seed by
    seed as the rows arrive; returns how many seeds were written."""
    count = 0
    for row in rows:
        out.write("[\n" if count == 0 else ",\n")
        item = _dumps(as_dict(row.entry, row.reverified), indent=2)
        out.write("  " + item.replace("\n", "\n  "))  # JSON escapes newlines in strings
        count += 1
    out.write("]\n" if count == 0 else "\n]\n")
    return count


def write_jsonl(rows: Iterable[ReportRow], out: TextIO) -> int:
    """The report as JSON Lines: one seed per line, written as it goes."""
    count = 0
    for row in rows:
        out.write(_dumps(as_dict(row.entry, row.reverified), indent=None))
        out.write("\n")
        count += 1
    return count


def _dumps(value: Mapping[str, Any], indent: int | None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_serialised)


def _serialised(value: object) -> Any:
    if isinstance(value, SerialisedEvidence):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
