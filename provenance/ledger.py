"""The ledger: every crawl, capture and verdict of a collection, in SQLite.

Each seed's capture and verdict are written in one transaction, so a crash never leaves half
a seed recorded; a crawl row without `finished` marks an interrupted run."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from provenance.errors import ProvenanceError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT,
    origin TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    seed_id TEXT NOT NULL,
    source_url TEXT,
    fetched_url TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    status INTEGER,
    captured_at TEXT NOT NULL,
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    warc_length INTEGER NOT NULL,
    response_record_id TEXT NOT NULL,
    request_record_id TEXT,
    payload_digest TEXT,
    redirects TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS verdicts (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    seed_id TEXT NOT NULL,
    capture_id INTEGER REFERENCES captures(id),
    verdict TEXT NOT NULL,
    reasons TEXT NOT NULL,
    counts TEXT NOT NULL,
    seed_sha256 TEXT,
    seed_digest TEXT,
    article_digest TEXT,
    normalizer TEXT,
    extractor TEXT,
    conversion_record_id TEXT,
    metadata_record_id TEXT,
    evidence TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verdicts_seed ON verdicts(seed_id, id);
CREATE INDEX IF NOT EXISTS captures_url ON captures(fetched_url, id);
"""


class LedgerError(ProvenanceError):
    """The ledger database is missing, locked, corrupt or from a newer warcproof."""


@dataclass(frozen=True)
class CaptureRow:
    source_url: str | None
    fetched_url: str
    source_kind: str  # "live" | "replica" | "archived"
    status: int | None
    captured_at: str
    warc_file: str
    warc_offset: int
    warc_length: int
    response_record_id: str
    request_record_id: str | None
    payload_digest: str | None
    redirects: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerdictRow:
    seed_id: str
    verdict: str
    reasons: tuple[str, ...]
    counts: Mapping[str, int]
    evidence: Mapping[str, Any]
    seed_sha256: str | None = None
    seed_digest: str | None = None
    article_digest: str | None = None
    normalizer: str | None = None
    extractor: str | None = None
    conversion_record_id: str | None = None
    metadata_record_id: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """A verdict as read back, joined with its capture and crawl."""

    crawl_id: int
    verdict: VerdictRow
    capture: CaptureRow | None
    decided_at: str


def _explain(exc: sqlite3.DatabaseError) -> str:
    if "locked" in str(exc):
        return "it is locked by another process (is another crawl writing this collection?)"
    return str(exc)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Ledger:
    def __init__(self, path: Path, *, create: bool = True, busy_timeout: float = 30.0) -> None:
        self.path = path
        if not create and not path.exists():
            raise LedgerError(f"{path}: no ledger here (run a crawl into this collection first)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"{path}: ledger schema {version} is newer than this warcproof "
                    f"({SCHEMA_VERSION})"
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{path}: cannot open the ledger: {_explain(exc)}") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {_explain(exc)}") from None

    def begin_crawl(self, *, origin: str, settings: Mapping[str, Any]) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO crawls (started, origin, settings) VALUES (?, ?, ?)",
                (_now(), origin, json.dumps(settings, sort_keys=True, default=str)),
            )
            return int(cursor.lastrowid or 0)

    def finish_crawl(self, crawl_id: int, status: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE crawls SET finished = ?, status = ? WHERE id = ?",
                (_now(), status, crawl_id),
            )

    def record(self, crawl_id: int, verdict: VerdictRow, capture: CaptureRow | None) -> int:
        """Store one seed's capture and verdict atomically; returns the verdict row id."""
        with self._transaction() as db:
            capture_id = None
            if capture is not None:
                capture_id = db.execute(
                    """INSERT INTO captures (crawl_id, seed_id, source_url, fetched_url,
                       source_kind, status, captured_at, warc_file, warc_offset, warc_length,
                       response_record_id, request_record_id, payload_digest, redirects)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (
                        crawl_id,
                        verdict.seed_id,
                        capture.source_url,
                        capture.fetched_url,
                        capture.source_kind,
                        capture.status,
                        capture.captured_at,
                        capture.warc_file,
                        capture.warc_offset,
                        capture.warc_length,
                        capture.response_record_id,
                        capture.request_record_id,
                        capture.payload_digest,
                        json.dumps(list(capture.redirects)),
                    ),
                ).lastrowid
            cursor = db.execute(
                """INSERT INTO verdicts (crawl_id, seed_id, capture_id, verdict, reasons, counts,
                   seed_sha256, seed_digest, article_digest, normalizer, extractor,
                   conversion_record_id, metadata_record_id, evidence, decided_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    crawl_id,
                    verdict.seed_id,
                    capture_id,
                    verdict.verdict,
                    json.dumps(list(verdict.reasons)),
                    json.dumps(dict(verdict.counts)),
                    verdict.seed_sha256,
                    verdict.seed_digest,
                    verdict.article_digest,
                    verdict.normalizer,
                    verdict.extractor,
                    verdict.conversion_record_id,
                    verdict.metadata_record_id,
                    json.dumps(verdict.evidence, default=str),
                    _now(),
                ),
            )
            return int(cursor.lastrowid or 0)

    def latest_crawl(self) -> int | None:
        """The newest crawl that recorded at least one verdict."""
        try:
            row = self._db.execute("SELECT max(crawl_id) FROM verdicts").fetchone()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None
        return None if row[0] is None else int(row[0])

    def last_crawl_id(self) -> int | None:
        """The newest crawl started in this ledger, whether or not it recorded verdicts."""
        try:
            row = self._db.execute("SELECT max(id) FROM crawls").fetchone()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None
        return None if row[0] is None else int(row[0])

    def crawl_status(self, crawl_id: int) -> str | None:
        """How a crawl ended (Scrapy's finish reason), or None while it runs or if it died."""
        try:
            row = self._db.execute("SELECT status FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None
        return None if row is None else row[0]

    def entries(self, crawl_id: int | None = None) -> list[LedgerEntry]:
        """Verdicts of one crawl (default: the latest crawl that recorded any), by seed id."""
        if crawl_id is None:
            crawl_id = self.latest_crawl()
            if crawl_id is None:
                return []
        try:
            rows = self._db.execute(
                """SELECT v.crawl_id, v.seed_id, v.verdict, v.reasons, v.counts, v.evidence,
                          v.seed_sha256, v.seed_digest, v.article_digest, v.normalizer,
                          v.extractor, v.conversion_record_id, v.metadata_record_id,
                          v.decided_at,
                          c.source_url, c.fetched_url, c.source_kind, c.status, c.captured_at,
                          c.warc_file, c.warc_offset, c.warc_length, c.response_record_id,
                          c.request_record_id, c.payload_digest, c.redirects, c.id
                   FROM verdicts v LEFT JOIN captures c ON c.id = v.capture_id
                   WHERE v.crawl_id = ? ORDER BY v.seed_id, v.id""",
                (crawl_id,),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None
        return [_entry(row) for row in rows]


def _entry(row: tuple[Any, ...]) -> LedgerEntry:
    verdict = VerdictRow(
        seed_id=row[1],
        verdict=row[2],
        reasons=tuple(json.loads(row[3])),
        counts=json.loads(row[4]),
        evidence=json.loads(row[5]),
        seed_sha256=row[6],
        seed_digest=row[7],
        article_digest=row[8],
        normalizer=row[9],
        extractor=row[10],
        conversion_record_id=row[11],
        metadata_record_id=row[12],
    )
    capture = None
    if row[26] is not None:
        capture = CaptureRow(
            source_url=row[14],
            fetched_url=row[15],
            source_kind=row[16],
            status=row[17],
            captured_at=row[18],
            warc_file=row[19],
            warc_offset=row[20],
            warc_length=row[21],
            response_record_id=row[22],
            request_record_id=row[23],
            payload_digest=row[24],
            redirects=tuple(json.loads(row[25])),
        )
    return LedgerEntry(crawl_id=row[0], verdict=verdict, capture=capture, decided_at=row[13])
