"""Servers that misbehave: one crawl of seeds whose sources are the replica's /_faults/ routes.
Every exchange must be archived (partial ones marked WARC-Truncated) and every seed must end
with a verdict whose reason says what went wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from archive.warc.reader import StoredRecord, iter_records
from tests.conftest import report_by_seed, run_crawl, seeds_at

LIMIT = 1_000_000
FAULTS = {
    "reset": "reset-mid-body",
    "lying": "lying-length",
    "stall": "stall?seconds=4",
    "drip": "drip?pause=0.4",
    "loop": "redirect-loop/a",
    "chain": "redirect-chain?hops=15",
    "big": "big?bytes=3000000",
    "bomb": "gzip-bomb",
    "badgzip": "bad-gzip",
    "pdf": "pdf",
    "image": "image",
    "r429": "retry-after?status=429&key=429",
    "r503": "retry-after?status=503&key=503",
}


@pytest.fixture(scope="module")
def faulty(
    tmp_path_factory: pytest.TempPathFactory, replica_origin: str
) -> tuple[dict[str, dict[str, Any]], list[StoredRecord]]:
    root = tmp_path_factory.mktemp("faults")
    manifest = seeds_at(root, {s: f"http://faults.test/_faults/{p}" for s, p in FAULTS.items()})
    collection = root / "collection"
    result = run_crawl(
        manifest, collection, replica_origin,
        "-s", "DOWNLOAD_TIMEOUT=2", "-s", f"WARCPROOF_MAX_RESPONSE_BYTES={LIMIT}",
        "-s", "DOWNLOAD_MAXSIZE=16000000", "-s", "RETRY_TIMES=1",
        "-s", "WARCPROOF_MAX_RESPONSE_SECONDS=1",
        # The pages' own faults only: requisites' faults are test_requisites_crawl.py's.
        "-s", "WARCPROOF_REQUISITES=False",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    entries = report_by_seed(collection)
    records = [r for p in sorted((collection / "warcs").glob("*.warc.gz")) for r in iter_records(p)]
    return entries, records


def responses(records: list[StoredRecord], fault: str) -> list[StoredRecord]:
    return [
        r
        for r in records
        if r.rec_type == "response" and f"/_faults/{fault}" in (r.target_uri or "")
    ]


@pytest.mark.crawl
def test_every_seed_gets_a_verdict(faulty: Any) -> None:
    entries, _ = faulty
    assert set(entries) == set(FAULTS)


@pytest.mark.crawl
def test_connection_reset_mid_body_keeps_the_partial_capture(faulty: Any) -> None:
    (record,) = responses(faulty[1], "reset-mid-body")
    assert record.header("WARC-Truncated") == "disconnect"
    assert 0 < len(record.payload) < int(dict(record.http_headers or [])["Content-Length"])


@pytest.mark.crawl
def test_lying_content_length_is_marked_truncated(faulty: Any) -> None:
    (record,) = responses(faulty[1], "lying-length")
    assert record.header("WARC-Truncated") == "disconnect"
    assert len(record.payload) * 3 == int(dict(record.http_headers or [])["Content-Length"])


@pytest.mark.crawl
def test_oversized_response_is_kept_up_to_the_limit(faulty: Any) -> None:
    (record,) = responses(faulty[1], "big")
    assert record.header("WARC-Truncated") == "length"
    assert len(record.payload) == LIMIT


@pytest.mark.crawl
def test_a_body_still_arriving_at_the_time_limit_is_kept_and_marked(faulty: Any) -> None:
    (record,) = responses(faulty[1], "drip")
    assert record.header("WARC-Truncated") == "time"
    assert 0 < len(record.payload) < int(dict(record.http_headers or [])["Content-Length"])


@pytest.mark.crawl
def test_timeout_is_named(faulty: Any) -> None:
    entry = faulty[0]["stall"]
    assert entry["verdict"] == "unverifiable"
    assert "took longer than 2.0 seconds" in " ".join(entry["reasons"]), entry["reasons"]


@pytest.mark.crawl
@pytest.mark.parametrize(
    ("seed_id", "fault"), [("loop", "redirect-loop"), ("chain", "redirect-chain")]
)
def test_redirect_loops_and_long_chains_stop_with_every_hop_archived(
    faulty: Any, seed_id: str, fault: str
) -> None:
    entry = faulty[0][seed_id]
    assert entry["verdict"] == "unverifiable"
    assert "max redirections reached" in " ".join(entry["reasons"])
    hops = responses(faulty[1], fault)
    assert len(hops) == 11  # the first request and REDIRECT_MAX_TIMES (10) redirects
    assert {r.http_status for r in hops} == {302}


@pytest.mark.crawl
@pytest.mark.parametrize(("seed_id", "kind"), [("pdf", "application/pdf"), ("image", "image/png")])
def test_documents_that_are_not_html_are_archived_and_not_extracted(
    faulty: Any, seed_id: str, kind: str
) -> None:
    entry = faulty[0][seed_id]
    assert entry["verdict"] == "unverifiable"
    assert f"not an HTML page ({kind})" in " ".join(entry["reasons"])
    assert entry["capture"]["status"] == 200
    (record,) = responses(faulty[1], seed_id)
    assert record.payload  # the bytes are kept


@pytest.mark.crawl
@pytest.mark.parametrize(("seed_id", "status"), [("r429", 429), ("r503", 503)])
def test_retry_after_is_waited_out(faulty: Any, seed_id: str, status: int) -> None:
    entry = faulty[0][seed_id]
    assert entry["verdict"] == "faithful", entry["reasons"]
    throttled, answered = sorted(
        responses(faulty[1], f"retry-after?status={status}"), key=lambda r: r.date or ""
    )
    assert (throttled.http_status, answered.http_status) == (status, 200)
    waited = datetime.fromisoformat(answered.date or "") - datetime.fromisoformat(
        throttled.date or ""
    )
    assert waited.total_seconds() >= 1  # Retry-After: 1


@pytest.mark.crawl
@pytest.mark.parametrize("seed_id", ["bomb", "badgzip"])
def test_bad_compression_is_archived_raw_and_answered(faulty: Any, seed_id: str) -> None:
    entry = faulty[0][seed_id]
    assert entry["verdict"] == "unverifiable"
    assert entry["reasons"]
    (record,) = responses(faulty[1], FAULTS[seed_id])
    assert dict(record.http_headers or [])["Content-Encoding"] == "gzip"
    assert record.payload[:2] == b"\x1f\x8b"
