"""The ledger: every crawl, capture and verdict of a collection, in SQLite, and each seed's
history over crawls: what the live source page was each time (observations) and how it changed
(changes).

Each seed's capture, verdict, observation and change are written in one transaction, so a crash
never leaves half a seed recorded; a crawl row without `finished` marks an interrupted run.
Schema 2 added `verdicts.page_digest` and the observations and changes tables; schema 3
`crawls.kind` (a crawl, or a re-verification, which `latest_crawl` and the reports tell apart).
Schema 4 keeps the ledger small over years of crawls: a verdict's assessment (every seed unit,
the differing text: the bulk of its evidence, and the same crawl after crawl while neither seed
nor article changes) is stored once per distinct content, in `assessments` by its sha256, and
`verdict_rows` keeps the rest of the evidence; the view `verdicts` joins them back, so every
reader sees each verdict's whole evidence JSON as written. An older ledger is migrated in place
when opened (its evidence left whole until `vacuum`). Schema 4 also keeps each distinct seed
file's resource record (`seed_records`), which later crawls refer to with a revisit record
instead of archiving the same bytes again."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.warc.records import Original
from provenance.compare.change_rows import ChangeKind, ChangeRow, ObservationRow
from provenance.compare.evidence import Evidence, RunKind, SerialisedEvidence, SourceKind
from provenance.compare.verdict import Verdict
from provenance.errors import ProvenanceError

if TYPE_CHECKING:
    from provenance.compare.seedcheck import SeedCheck

SCHEMA_VERSION = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT,
    origin TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    kind TEXT NOT NULL DEFAULT 'crawl'
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
CREATE TABLE IF NOT EXISTS assessments (
    digest TEXT PRIMARY KEY,
    json TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verdict_rows (
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
    page_digest TEXT,
    normalizer TEXT,
    extractor TEXT,
    conversion_record_id TEXT,
    metadata_record_id TEXT,
    evidence TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    assessment_digest TEXT REFERENCES assessments(digest)
);
CREATE INDEX IF NOT EXISTS verdicts_seed ON verdict_rows(seed_id, id);
CREATE INDEX IF NOT EXISTS verdicts_crawl ON verdict_rows(crawl_id, seed_id);
CREATE INDEX IF NOT EXISTS verdicts_crawl_order ON verdict_rows(crawl_id, id);
CREATE INDEX IF NOT EXISTS verdicts_unsplit ON verdict_rows(id) WHERE assessment_digest IS NULL;
CREATE INDEX IF NOT EXISTS captures_url ON captures(fetched_url, id);
CREATE INDEX IF NOT EXISTS crawls_kind ON crawls(kind, id);
CREATE VIEW IF NOT EXISTS verdicts AS
SELECT r.id, r.crawl_id, r.seed_id, r.capture_id, r.verdict, r.reasons, r.counts,
       r.seed_sha256, r.seed_digest, r.article_digest, r.page_digest, r.normalizer, r.extractor,
       r.conversion_record_id, r.metadata_record_id,
       CASE WHEN a.json IS NULL THEN r.evidence
            ELSE substr(r.evidence, 1, length(r.evidence) - 1) || ',"assessment":' || a.json || '}'
       END AS evidence,
       r.decided_at
FROM verdict_rows r LEFT JOIN assessments a ON a.digest = r.assessment_digest;
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    seed_id TEXT NOT NULL,
    url TEXT,
    status INTEGER,
    error TEXT,
    response_record_id TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    captured_at TEXT,
    article_digest TEXT,
    page_digest TEXT,
    conversion_record_id TEXT,
    conversion_warc_file TEXT,
    conversion_warc_offset INTEGER
);
CREATE INDEX IF NOT EXISTS observations_seed ON observations(seed_id, crawl_id);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    seed_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    previous_crawl_id INTEGER NOT NULL REFERENCES crawls(id),
    previous_record_id TEXT,
    record_id TEXT,
    previous_conversion_id TEXT,
    conversion_id TEXT,
    summary TEXT NOT NULL,
    diff TEXT NOT NULL,
    detected_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_crawl ON changes(crawl_id, seed_id);
CREATE INDEX IF NOT EXISTS changes_seed ON changes(seed_id, crawl_id);
CREATE TABLE IF NOT EXISTS seed_records (
    sha256 TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    target_uri TEXT NOT NULL,
    date TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL
) WITHOUT ROWID;
"""
_OBSERVATION_FIELDS = (
    "seed_id, url, status, error, response_record_id, warc_file, warc_offset, captured_at, "
    "article_digest, page_digest, conversion_record_id, conversion_warc_file, "
    "conversion_warc_offset"
)
_CHANGE_FIELDS = (
    "seed_id, kind, previous_crawl_id, previous_record_id, record_id, previous_conversion_id, "
    "conversion_id, summary, diff"
)


class LedgerError(ProvenanceError):
    """The ledger database is missing, locked, corrupt or from a newer warcproof."""


class LedgerLockedError(LedgerError):
    """Another process kept the ledger locked past the busy timeout."""

    exit_code = 4  # ExitCode.LOCKED: not a usage error; try again when the other run ends


@dataclass(frozen=True)
class CaptureRow:
    source_url: str | None
    fetched_url: str
    source_kind: SourceKind
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
    verdict: Verdict
    reasons: tuple[str, ...]
    counts: Mapping[str, int]
    evidence: SerialisedEvidence  # the evidence JSON (provenance.compare.evidence)
    seed_sha256: str | None = None
    seed_digest: str | None = None
    article_digest: str | None = None
    normalizer: str | None = None
    extractor: str | None = None
    conversion_record_id: str | None = None
    metadata_record_id: str | None = None
    page_digest: str | None = None  # normalized digest of the page's whole visible text


@dataclass(frozen=True)
class SeedRecord:
    """A seed file's resource record, by the sha256 of its bytes: later crawls refer to it
    (a revisit record) instead of archiving the same bytes again."""

    sha256: str
    record_id: str
    target_uri: str
    date: str
    payload_digest: str
    warc_file: str
    warc_offset: int

    def original(self) -> Original:
        return Original(self.record_id, self.target_uri, self.date, self.payload_digest)


@dataclass(frozen=True)
class Vacuumed:
    """What `Ledger.vacuum` did."""

    verdicts_split: int  # verdicts whose whole evidence was cut into row and assessment
    assessments_dropped: int  # assessments no verdict referred to
    bytes_before: int
    bytes_after: int


@dataclass(frozen=True)
class Captured:
    """A captured seed of a crawl, as re-verification needs it."""

    seed_id: str
    verdict: str
    capture: CaptureRow
    evidence: Evidence  # its assessment left out where the ledger keeps it apart
    conversion_record_id: str | None


@dataclass(frozen=True)
class LedgerEntry:
    """A verdict as read back, joined with its capture and crawl."""

    crawl_id: int
    verdict: VerdictRow
    capture: CaptureRow | None
    decided_at: str
    run: RunKind = RunKind.CRAWL  # what recorded it: a crawl or a re-verification

    @cached_property
    def evidence(self) -> Evidence:
        """The verdict's evidence, read back as objects (any schema version)."""
        return Evidence.from_json(self.verdict.evidence.json)


def _explain(exc: sqlite3.DatabaseError) -> str:
    if "locked" in str(exc):
        return "it is locked by another process (is another crawl writing this collection?)"
    return str(exc)


def verdict_row(
    check: SeedCheck,
    evidence: Evidence,
    *,
    reasons_before: tuple[str, ...] = (),
    conversion_record_id: str | None = None,
    metadata_record_id: str | None = None,
) -> VerdictRow:
    """The ledger row of a seed's check and its evidence; `reasons_before`, e.g. the time
    axis's findings, come before the check's own reasons."""
    return VerdictRow(
        seed_id=check.seed.id,
        verdict=check.assessment.verdict,
        reasons=(*reasons_before, *check.assessment.reasons),
        counts=dict(check.assessment.counts),
        evidence=SerialisedEvidence(evidence.to_json()),
        seed_sha256=check.seed_sha256,
        seed_digest=check.seed_digest,
        article_digest=check.article_digest,
        normalizer=evidence.normalizer,
        extractor=check.article.extractor if check.article is not None else None,
        conversion_record_id=conversion_record_id,
        metadata_record_id=metadata_record_id,
        page_digest=check.page_digest,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# Tables every ledger of each schema version holds; one missing means the file was damaged.
_TABLES = {
    1: ("crawls", "captures", "verdicts"),
    2: ("crawls", "captures", "verdicts", "observations", "changes"),
    3: ("crawls", "captures", "verdicts", "observations", "changes"),
    4: (
        "crawls",
        "captures",
        "verdict_rows",
        "assessments",
        "observations",
        "changes",
        "seed_records",
    ),
}


def _check_integrity(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Refuse a damaged ledger before anything reads or writes it: SQLite's quick_check, and
    the tables its schema version must hold (a dropped table is not silently re-created)."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        raise LedgerError(
            f"{path}: the ledger is damaged ({'; '.join(problems)}); restore it from a backup"
        )
    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [table for table in _TABLES.get(version, ()) if table not in present]
    if missing:
        raise LedgerError(
            f"{path}: the ledger is damaged (table {', '.join(missing)} missing); "
            "restore it from a backup"
        )


class Ledger:
    def __init__(self, path: Path, *, create: bool = True, busy_timeout: float = 30.0) -> None:
        self.path = path
        if not create and not path.exists():
            raise LedgerError(f"{path}: no ledger here (run a crawl into this collection first)")
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                self._db = self._open(busy_timeout)
                return
            except sqlite3.OperationalError as exc:
                # Turning a new database to WAL can answer "locked" at once, without waiting
                # on the busy timeout, when another process opens it at the same moment (two
                # crawler processes of one distributed run): try again until the timeout.
                if "locked" not in str(exc):
                    raise LedgerError(f"{path}: cannot open the ledger: {_explain(exc)}") from None
                if time.monotonic() > deadline:
                    raise LedgerLockedError(
                        f"{path}: cannot open the ledger: {_explain(exc)}"
                    ) from None
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                raise LedgerError(f"{path}: cannot open the ledger: {_explain(exc)}") from None

    def _open(self, busy_timeout: float) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL still never corrupts the database and keeps every committed
            # transaction across a crash of warcproof; only a power loss may drop the last few.
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.path}: ledger schema {version} is newer than this warcproof "
                    f"({SCHEMA_VERSION})"
                )
            _check_integrity(db, self.path, version)
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Create the tables (a new ledger) or bring an older ledger to the current schema, in
        one transaction; a process that lost the race to migrate finds the work done."""
        db.execute("BEGIN IMMEDIATE")
        try:
            columns = {row[1] for row in db.execute("PRAGMA table_info(verdicts)")}
            if columns and "page_digest" not in columns:
                db.execute("ALTER TABLE verdicts ADD COLUMN page_digest TEXT")
            columns = {row[1] for row in db.execute("PRAGMA table_info(crawls)")}
            if columns and "kind" not in columns:
                db.execute("ALTER TABLE crawls ADD COLUMN kind TEXT NOT NULL DEFAULT 'crawl'")
                db.execute("UPDATE crawls SET kind = 'reverification' WHERE origin = 'reverify'")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if "verdicts" in tables and "verdict_rows" not in tables:
                # Schema 4: the table behind the view, its rows' evidence still whole.
                db.execute("ALTER TABLE verdicts RENAME TO verdict_rows")
                db.execute("ALTER TABLE verdict_rows ADD COLUMN assessment_digest TEXT")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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

    def begin_crawl(
        self, *, origin: str, settings: Mapping[str, Any], kind: RunKind = RunKind.CRAWL
    ) -> int:
        """A new run: a crawl, or a re-verification of one (`kind`)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO crawls (started, origin, settings, kind) VALUES (?, ?, ?, ?)",
                (_now(), origin, json.dumps(settings, sort_keys=True, default=str), kind.value),
            )
            return int(cursor.lastrowid or 0)

    def finish_crawl(self, crawl_id: int, status: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE crawls SET finished = ?, status = ? WHERE id = ?",
                (_now(), status, crawl_id),
            )

    def resume_crawl(self, crawl_id: int) -> bool:
        """Mark a stopped crawl as running again (a paused job resumed); False if it is not
        in this ledger."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE crawls SET finished = NULL, status = NULL WHERE id = ?", (crawl_id,)
            )
            return cursor.rowcount == 1

    def record(
        self,
        crawl_id: int,
        verdict: VerdictRow,
        capture: CaptureRow | None,
        *,
        observation: ObservationRow | None = None,
        change: ChangeRow | None = None,
        seed_record: SeedRecord | None = None,
    ) -> int:
        """Store one seed's capture, verdict, observation and change atomically, and the
        resource record its file was archived in (if not known already); returns the verdict
        row id."""
        with self._transaction() as db:
            if seed_record is not None:
                db.execute(
                    "INSERT OR IGNORE INTO seed_records VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        seed_record.sha256,
                        seed_record.record_id,
                        seed_record.target_uri,
                        seed_record.date,
                        seed_record.payload_digest,
                        seed_record.warc_file,
                        seed_record.warc_offset,
                    ),
                )
            return _insert(db, crawl_id, verdict, capture, observation, change)

    def seed_record(self, sha256: str) -> SeedRecord | None:
        """The resource record holding a seed file of these bytes, if one was archived."""
        rows = self._query("SELECT * FROM seed_records WHERE sha256 = ?", (sha256,))
        return SeedRecord(*rows[0]) if rows else None

    def record_many(
        self, crawl_id: int, rows: Sequence[tuple[VerdictRow, CaptureRow | None]]
    ) -> None:
        """Store several seeds' verdicts in one transaction (all or none): for bulk work such
        as re-verification, where a commit per seed would dominate."""
        with self._transaction() as db:
            for verdict, capture in rows:
                _insert(db, crawl_id, verdict, capture, None, None)

    def vacuum(self, batch: int = 500) -> Vacuumed:
        """Make the ledger file as small as its content: the evidence of verdicts recorded
        whole (before schema 4) cut so that each distinct assessment is stored once, the
        assessments no verdict refers to dropped, then the file rebuilt (SQLite's VACUUM, which
        needs no other process to use the ledger meanwhile). In batches: a crash loses none.
        Raises LedgerLockedError when another process keeps the ledger busy."""
        try:
            return self._vacuum(batch)
        except LedgerLockedError:
            raise
        except LedgerError as exc:
            if "locked" in str(exc):
                raise LedgerLockedError(str(exc)) from None
            raise

    def _vacuum(self, batch: int) -> Vacuumed:
        before = self.size()
        split = last = 0
        while True:
            with self._transaction() as db:
                rows = db.execute(
                    """SELECT id, evidence FROM verdict_rows
                       WHERE assessment_digest IS NULL AND id > ? ORDER BY id LIMIT ?""",
                    (last, batch),
                ).fetchall()
                for row_id, evidence in rows:
                    head, digest = _store_assessment(db, evidence)
                    if digest is not None:
                        db.execute(
                            "UPDATE verdict_rows SET evidence = ?, assessment_digest = ? "
                            "WHERE id = ?",
                            (head, digest, row_id),
                        )
                        split += 1
            if not rows:
                break
            last = rows[-1][0]
        with self._transaction() as db:
            dropped = db.execute(
                """DELETE FROM assessments WHERE digest NOT IN
                   (SELECT assessment_digest FROM verdict_rows
                    WHERE assessment_digest IS NOT NULL)"""
            ).rowcount
        try:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise LedgerLockedError(f"{self.path}: cannot vacuum: {_explain(exc)}") from None
            raise LedgerError(f"{self.path}: cannot vacuum: {exc}") from None
        return Vacuumed(split, dropped, before, self.size())

    def size(self) -> int:
        """Bytes the ledger takes on disk: the database and its write-ahead log."""
        wal = self.path.with_name(self.path.name + "-wal")
        return sum(path.stat().st_size for path in (self.path, wal) if path.exists())

    def latest_crawl(self) -> int | None:
        """The newest crawl (not a re-verification) that recorded at least one verdict."""
        try:
            row = self._db.execute(
                """SELECT max(k.id) FROM crawls k WHERE k.kind = 'crawl'
                   AND EXISTS (SELECT 1 FROM verdict_rows v WHERE v.crawl_id = k.id)"""
            ).fetchone()
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

    def run_crawls(self, run_id: str) -> list[int]:
        """The crawls of a distributed run: one per crawler process that joined it."""
        rows = self._query(
            "SELECT id FROM crawls WHERE json_extract(settings, '$.run_id') = ? ORDER BY id",
            (run_id,),
        )
        return [int(row[0]) for row in rows]

    def crawl_status(self, crawl_id: int) -> str | None:
        """How a crawl ended (Scrapy's finish reason), or None while it runs or if it died."""
        try:
            row = self._db.execute("SELECT status FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {exc}") from None
        return None if row is None else row[0]

    def recorded_seeds(self, crawl_id: int) -> set[str]:
        """The seeds that already have a verdict in this crawl."""
        rows = self._query("SELECT seed_id FROM verdict_rows WHERE crawl_id = ?", (crawl_id,))
        return {row[0] for row in rows}

    def last_observation(
        self, seed_id: str, before_crawl: int, *, with_article: bool = False
    ) -> ObservationRow | None:
        """The seed's newest observation from a crawl before `before_crawl` (with an
        extracted article, if `with_article`)."""
        rows = self._query(
            f"""SELECT {_OBSERVATION_FIELDS}, crawl_id FROM observations
                WHERE seed_id = ? AND crawl_id < ?
                {"AND article_digest IS NOT NULL" if with_article else ""}
                ORDER BY crawl_id DESC, id DESC LIMIT 1""",
            (seed_id, before_crawl),
        )
        return ObservationRow(*rows[0]) if rows else None

    def changes(
        self,
        *,
        crawl_id: int | None = None,
        since_crawl: int | None = None,
        since: str | None = None,
        seed_id: str | None = None,
    ) -> list[ChangeRow]:
        """Change events, oldest first: of one crawl, of crawls from `since_crawl` on, of
        crawls started at or after `since` (an ISO date or time, UTC), of one seed."""
        where: list[str] = []
        values: list[Any] = []
        for condition, value in (
            ("c.crawl_id = ?", crawl_id),
            ("c.crawl_id >= ?", since_crawl),
            ("k.started >= ?", since),
            ("c.seed_id = ?", seed_id),
        ):
            if value is not None:
                where.append(condition)
                values.append(value)
        rows = self._query(
            f"""SELECT {CHANGE_COLUMNS}
                FROM changes c JOIN crawls k ON k.id = c.crawl_id
                {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY c.crawl_id, c.seed_id, c.id""",
            tuple(values),
        )
        return [change_from_row(row) for row in rows]

    def _query(self, sql: str, values: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, values).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: {_explain(exc)}") from None

    def captured(self, crawl_id: int, page: int = 200) -> Iterator[list[Captured]]:
        """Every captured seed of a crawl, a page at a time (so memory does not grow with the
        collection); rows written to other crawls meanwhile do not disturb the paging. The
        evidence is read without its assessment where the ledger keeps that apart (its bulk,
        which re-verification works out again)."""
        last = 0
        while True:
            rows = self._query(
                """SELECT v.id, v.seed_id, v.verdict, v.evidence, v.conversion_record_id,
                          c.source_url, c.fetched_url,
                          c.source_kind, c.status, c.captured_at, c.warc_file, c.warc_offset,
                          c.warc_length, c.response_record_id, c.request_record_id,
                          c.payload_digest, c.redirects
                   FROM verdict_rows v JOIN captures c ON c.id = v.capture_id
                   WHERE v.crawl_id = ? AND v.id > ? ORDER BY v.id LIMIT ?""",
                (crawl_id, last, page),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [
                Captured(row[1], row[2], _capture(row[5:]), Evidence.from_json(row[3]), row[4])
                for row in rows
            ]

    def captured_count(self, crawl_id: int) -> int:
        rows = self._query(
            "SELECT count(*) FROM verdict_rows WHERE crawl_id = ? AND capture_id IS NOT NULL",
            (crawl_id,),
        )
        return int(rows[0][0])

    def entries(self, crawl_id: int | None = None) -> list[LedgerEntry]:
        """Verdicts of one crawl (default: the latest crawl that recorded any), by seed id."""
        if crawl_id is None:
            crawl_id = self.latest_crawl()
            if crawl_id is None:
                return []
        return self._entries("v.crawl_id = ?", (crawl_id,))

    def latest_entries(self) -> list[LedgerEntry]:
        """Each seed's verdict from the newest crawl (not a re-verification) that judged it, by
        seed id: what the collection says of every seed now."""
        return self._entries(
            """v.id IN (SELECT max(v2.id) FROM verdict_rows v2 JOIN crawls k ON k.id = v2.crawl_id
                        WHERE k.kind = 'crawl' GROUP BY v2.seed_id)""",
            (),
        )

    def reverifications(self, entries: Sequence[LedgerEntry]) -> dict[str, LedgerEntry]:
        """For each of `entries`, the newest re-verification of its seed recorded after it
        (seeds never re-verified since are left out)."""
        found = self._entries(
            """v.id IN (SELECT max(v2.id) FROM verdict_rows v2 JOIN crawls k ON k.id = v2.crawl_id
                        WHERE k.kind = 'reverification' GROUP BY v2.seed_id)""",
            (),
        )
        after = {entry.verdict.seed_id: entry.crawl_id for entry in entries}
        return {
            entry.verdict.seed_id: entry
            for entry in found
            if entry.crawl_id > after.get(entry.verdict.seed_id, entry.crawl_id)
        }

    def _entries(self, where: str, values: tuple[Any, ...]) -> list[LedgerEntry]:
        rows = self._query(
            f"""SELECT {ENTRY_COLUMNS}
                FROM verdicts v LEFT JOIN captures c ON c.id = v.capture_id
                JOIN crawls k ON k.id = v.crawl_id
                WHERE {where} ORDER BY v.seed_id, v.id""",
            values,
        )
        return [entry_from_row(row) for row in rows]


# What `entry_from_row` reads, in its order: a verdict (v, the `verdicts` view), its capture
# (c) and its crawl (k).
ENTRY_COLUMNS = """v.crawl_id, v.seed_id, v.verdict, v.reasons, v.counts, v.evidence,
    v.seed_sha256, v.seed_digest, v.article_digest, v.normalizer, v.extractor,
    v.conversion_record_id, v.metadata_record_id, v.decided_at,
    c.source_url, c.fetched_url, c.source_kind, c.status, c.captured_at,
    c.warc_file, c.warc_offset, c.warc_length, c.response_record_id,
    c.request_record_id, c.payload_digest, c.redirects, c.id, v.page_digest, k.kind"""


def entry_from_row(row: tuple[Any, ...]) -> LedgerEntry:
    """A ledger entry from a row of `ENTRY_COLUMNS`."""
    verdict = VerdictRow(
        seed_id=row[1],
        verdict=Verdict(row[2]),
        reasons=tuple(json.loads(row[3])),
        counts=json.loads(row[4]),
        evidence=SerialisedEvidence(row[5]),
        seed_sha256=row[6],
        seed_digest=row[7],
        article_digest=row[8],
        normalizer=row[9],
        extractor=row[10],
        conversion_record_id=row[11],
        metadata_record_id=row[12],
        page_digest=row[27],
    )
    capture = None if row[26] is None else _capture(row[14:26])
    return LedgerEntry(
        crawl_id=row[0], verdict=verdict, capture=capture, decided_at=row[13], run=RunKind(row[28])
    )


def _observation_values(row: ObservationRow) -> tuple[Any, ...]:
    return (
        row.seed_id,
        row.url,
        row.status,
        row.error,
        row.response_record_id,
        row.warc_file,
        row.warc_offset,
        row.captured_at,
        row.article_digest,
        row.page_digest,
        row.conversion_record_id,
        row.conversion_warc_file,
        row.conversion_warc_offset,
    )


def _capture(row: tuple[Any, ...]) -> CaptureRow:
    """A capture from its columns, in CaptureRow's field order (redirects as JSON last)."""
    return CaptureRow(
        source_url=row[0], fetched_url=row[1], source_kind=SourceKind(row[2]), status=row[3],
        captured_at=row[4], warc_file=row[5], warc_offset=row[6], warc_length=row[7],
        response_record_id=row[8], request_record_id=row[9], payload_digest=row[10],
        redirects=tuple(json.loads(row[11])),
    )  # fmt: skip


CHANGE_COLUMNS = ", ".join(
    [*(f"c.{name.strip()}" for name in _CHANGE_FIELDS.split(",")), "c.crawl_id", "c.detected_at"]
)


def change_from_row(row: tuple[Any, ...]) -> ChangeRow:
    """A change from a row of `CHANGE_COLUMNS` (of the `changes` table as c)."""
    return ChangeRow(
        seed_id=row[0],
        kind=ChangeKind(row[1]),
        previous_crawl_id=row[2],
        previous_record_id=row[3],
        record_id=row[4],
        previous_conversion_id=row[5],
        conversion_id=row[6],
        summary=row[7],
        diff=json.loads(row[8]),
        crawl_id=row[9],
        detected_at=row[10],
    )


def _change_values(row: ChangeRow) -> tuple[Any, ...]:
    return (
        row.seed_id,
        row.kind,
        row.previous_crawl_id,
        row.previous_record_id,
        row.record_id,
        row.previous_conversion_id,
        row.conversion_id,
        row.summary,
        json.dumps(list(row.diff), ensure_ascii=False),
    )


def _insert(
    db: sqlite3.Connection,
    crawl_id: int,
    verdict: VerdictRow,
    capture: CaptureRow | None,
    observation: ObservationRow | None,
    change: ChangeRow | None,
) -> int:
    """The rows of one seed, inside the caller's transaction."""
    if observation is not None:
        db.execute(
            f"INSERT INTO observations (crawl_id, {_OBSERVATION_FIELDS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (crawl_id, *_observation_values(observation)),
        )
    if change is not None:
        db.execute(
            f"INSERT INTO changes (crawl_id, {_CHANGE_FIELDS}, detected_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (crawl_id, *_change_values(change), _now()),
        )
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
    evidence, digest = _store_assessment(db, verdict.evidence.json)
    cursor = db.execute(
        """INSERT INTO verdict_rows (crawl_id, seed_id, capture_id, verdict, reasons, counts,
           seed_sha256, seed_digest, article_digest, normalizer, extractor,
           conversion_record_id, metadata_record_id, evidence, decided_at, page_digest,
           assessment_digest)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
            evidence,
            _now(),
            verdict.page_digest,
            digest,
        ),
    )
    return int(cursor.lastrowid or 0)


_ASSESSMENT_KEY = ',"assessment":'


def split_evidence(text: str) -> tuple[str, str] | None:
    """An evidence JSON object cut into the object without its top-level `assessment` (its last
    key) and that assessment's JSON, exactly as written: the view `verdicts` joins them back
    byte for byte. None when the evidence has no such assessment to cut off."""
    at = text.find(_ASSESSMENT_KEY)
    while at != -1:
        head, assessment = text[:at] + "}", text[at + len(_ASSESSMENT_KEY) : -1]
        try:
            # The head parses only when the key is the top-level one: a nested "assessment"
            # (in the time axis, say) leaves it unbalanced. The rest, the last member of a
            # valid object, is then the assessment's JSON (not parsed: it is the bulk).
            if isinstance(json.loads(head), dict) and text.endswith("}"):
                return head, assessment
        except ValueError:
            pass
        at = text.find(_ASSESSMENT_KEY, at + 1)
    return None


def _store_assessment(db: sqlite3.Connection, evidence: str) -> tuple[str, str | None]:
    """The evidence to keep in a verdict row and its assessment's digest: the assessment is
    stored once per distinct content (None: the evidence is kept whole)."""
    parts = split_evidence(evidence)
    if parts is None:
        return evidence, None
    head, assessment = parts
    digest = hashlib.sha256(assessment.encode("utf-8")).hexdigest()
    db.execute(
        "INSERT OR IGNORE INTO assessments (digest, json) VALUES (?, ?)", (digest, assessment)
    )
    return head, digest
