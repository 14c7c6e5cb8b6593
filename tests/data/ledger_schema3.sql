-- The ledger schema of warcproof 0.2 (schema 3), frozen: tests build old ledgers with it to
-- check that the current code migrates and reads them.
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
    page_digest TEXT,
    normalizer TEXT,
    extractor TEXT,
    conversion_record_id TEXT,
    metadata_record_id TEXT,
    evidence TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verdicts_seed ON verdicts(seed_id, id);
CREATE INDEX IF NOT EXISTS verdicts_crawl ON verdicts(crawl_id, seed_id);
CREATE INDEX IF NOT EXISTS captures_url ON captures(fetched_url, id);
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
