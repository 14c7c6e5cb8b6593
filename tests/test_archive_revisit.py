"""Revisit records (identical-payload-digest profile) for payloads seen before."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warc.reader import iter_records
from archive.warc.records import REVISIT_PROFILE, HttpExchange, Original, sha1_digest
from archive.warc.writer import WarcWriter

BODY = b"<html><body><p>Same article.</p></body></html>"


def exchange(body: bytes = BODY, url: str = "http://example.test/a?b=1") -> HttpExchange:
    return HttpExchange(
        url=url, method="GET", request_headers=[("User-Agent", "t")], request_body=b"",
        protocol="HTTP/1.1", status=200, reason=None,
        response_headers=[("Content-Type", "text/html"), ("ETag", '"1"')], body=body,
        ip_address="127.0.0.1", started=datetime.now(UTC),
    )  # fmt: skip


def test_identical_payload_becomes_a_revisit_pointing_at_the_original(tmp_path: Path) -> None:
    seen: dict[tuple[str, str], Original] = {}

    def previous(uri: str, digest: str) -> Original | None:
        return seen.get((uri, digest))

    with WarcWriter(tmp_path) as writer:
        _, first = writer.write_exchange(exchange(), previous=previous)
        assert first.rec_type == "response"
        assert first.payload_digest == sha1_digest(BODY)
        seen[(first.target_uri, first.payload_digest)] = Original(
            first.record_id, first.target_uri, first.date, first.payload_digest
        )
        _, second = writer.write_exchange(exchange(), previous=previous)
        _, changed = writer.write_exchange(exchange(BODY + b" "), previous=previous)
    assert second.rec_type == "revisit"
    assert changed.rec_type == "response"
    (path,) = sorted(tmp_path.glob("*.warc.gz"))
    revisit = next(r for r in iter_records(path) if r.rec_type == "revisit")
    assert revisit.header("WARC-Profile") == REVISIT_PROFILE
    assert revisit.header("WARC-Refers-To") == first.record_id
    assert revisit.header("WARC-Refers-To-Target-URI") == first.target_uri
    assert revisit.header("WARC-Refers-To-Date") == first.date
    assert revisit.header("WARC-Payload-Digest") == first.payload_digest
    assert revisit.payload == b""
    assert revisit.http_status == 200
    assert ("ETag", '"1"') in (revisit.http_headers or [])
    with path.open("rb") as stream:
        types = [r.rec_type for r in ArchiveIterator(stream)]
    assert types.count("revisit") == 1
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout


def test_truncated_captures_are_never_revisits(tmp_path: Path) -> None:
    def always(uri: str, digest: str) -> Original:
        return Original("<urn:uuid:x>", uri, "2026-01-01T00:00:00Z", digest)

    truncated = HttpExchange(**{**exchange().__dict__, "truncated": "length"})
    with WarcWriter(tmp_path) as writer:
        _, ref = writer.write_exchange(truncated, previous=always)
    assert ref.rec_type == "response"
