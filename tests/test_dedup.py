"""The dedup index (archive.index.dedup) and revisit resolution (archive.index.resolve) on
collections written with the real writer and indexed with the real indexer: a revisit only
ever points at a complete response with exactly its payload digest, whatever the index says."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.check.checker import check
from archive.collection import Collection
from archive.index.collection_index import index_collection
from archive.index.dedup import DedupIndex
from archive.index.resolve import RevisitError, resolve_record
from archive.warc.reader import iter_records, read_record
from archive.warc.records import HttpExchange, Original, RecordRef, sha1_digest
from archive.warc.writer import WarcWriter

URL = "http://example.test/page"
START = datetime(2026, 1, 1, tzinfo=UTC)


def exchange(
    body: bytes, url: str = URL, *, at: int = 0, truncated: str | None = None
) -> HttpExchange:
    return HttpExchange(
        url=url, method="GET", request_headers=[("User-Agent", "t")], request_body=b"",
        protocol="HTTP/1.1", status=200, reason="OK",
        response_headers=[("Content-Type", "text/html")], body=body, ip_address="127.0.0.1",
        started=START + timedelta(seconds=at), truncated=truncated,
    )  # fmt: skip


def crawl(collection: Path, captures: list[HttpExchange], *, index: bool = True) -> list[RecordRef]:
    """One crawl into the collection, deduplicated against it as the capture extension does."""
    dedup = DedupIndex.load(collection, refresh=index)
    refs = []
    used: list[Original] = []

    def previous(uri: str, digest: str) -> Original | None:
        found = dedup.previous(uri, digest)
        used.extend([found] if found else [])
        return found

    with WarcWriter(collection / "warcs") as writer:
        for ex in captures:
            used.clear()
            _, ref = writer.write_exchange(ex, previous=previous)
            dedup.note(ref.target_uri, ref.payload_digest, used[0] if used else None)
            refs.append(ref)
    if index:
        index_collection(collection)
    return refs


def test_only_the_latest_captures_digest_makes_a_revisit(tmp_path: Path) -> None:
    (a,) = crawl(tmp_path, [exchange(b"A")])
    (b,) = crawl(tmp_path, [exchange(b"B", at=10)])
    back_to_a, again_a = crawl(tmp_path, [exchange(b"A", at=20), exchange(b"A", at=21)])
    assert (a.rec_type, b.rec_type) == ("response", "response")
    assert back_to_a.rec_type == "response"  # equals an older capture, not the latest
    assert again_a.rec_type == "response"  # not within one crawl unless asked
    (revisit,) = crawl(tmp_path, [exchange(b"A", at=30)])
    assert revisit.rec_type == "revisit"
    stored = read_record(tmp_path / "warcs" / revisit.warc_file, revisit.offset)
    assert stored.header("WARC-Refers-To") == again_a.record_id  # the latest of the two


def test_a_revisit_of_a_revisit_points_at_the_original_response(tmp_path: Path) -> None:
    (first,) = crawl(tmp_path, [exchange(b"same")])
    (second,) = crawl(tmp_path, [exchange(b"same", at=10)])
    (third,) = crawl(tmp_path, [exchange(b"same", at=20)])
    assert (second.rec_type, third.rec_type) == ("revisit", "revisit")
    stored = read_record(tmp_path / "warcs" / third.warc_file, third.offset)
    assert stored.header("WARC-Refers-To") == first.record_id
    assert resolve_record(tmp_path / "warcs" / third.warc_file, third.offset).payload == b"same"


def test_a_missing_index_is_rebuilt_or_else_nothing_is_deduplicated(tmp_path: Path) -> None:
    crawl(tmp_path, [exchange(b"x")], index=False)
    assert not (Collection(tmp_path).index).exists()
    assert DedupIndex.load(tmp_path, refresh=False).previous(URL, sha1_digest(b"x")) is None
    assert DedupIndex.load(tmp_path).previous(URL, sha1_digest(b"x")) is not None
    assert (Collection(tmp_path).index).exists()


def test_an_index_that_lies_about_a_digest_makes_no_revisit(tmp_path: Path) -> None:
    crawl(tmp_path, [exchange(b"real")])
    index = Collection(tmp_path).index
    real = sha1_digest(b"real")
    index.write_text(index.read_text().replace(real, sha1_digest(b"claimed")))
    assert DedupIndex.load(tmp_path).previous(URL, sha1_digest(b"claimed")) is None


def test_two_captures_in_one_second_with_different_digests_are_not_guessed(tmp_path: Path) -> None:
    crawl(tmp_path, [exchange(b"one"), exchange(b"two")])
    dedup = DedupIndex.load(tmp_path)
    assert dedup.previous(URL, sha1_digest(b"one")) is None
    assert dedup.previous(URL, sha1_digest(b"two")) is None


def test_a_truncated_capture_is_never_an_original(tmp_path: Path) -> None:
    crawl(tmp_path, [exchange(b"cut", truncated="length")])
    assert DedupIndex.load(tmp_path).previous(URL, sha1_digest(b"cut")) is None


def test_resolution_reads_the_warcs_when_the_index_misses_the_original(tmp_path: Path) -> None:
    crawl(tmp_path, [exchange(b"p")])
    (revisit,) = crawl(tmp_path, [exchange(b"p", at=10)])
    (Collection(tmp_path).index).unlink()
    warc = tmp_path / "warcs" / revisit.warc_file
    assert resolve_record(warc, revisit.offset).payload == b"p"
    original = next(p for p in (tmp_path / "warcs").glob("*.warc.gz") if p != warc)
    original.unlink()
    with pytest.raises(RevisitError, match="is in no WARC file"):
        resolve_record(warc, revisit.offset)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from([b"1", b"2", b"3"])), max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_every_revisit_points_at_a_response_with_its_payload(
    crawls: list[list[tuple[str, bytes]]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        collection = Path(scratch)
        latest: dict[str, bytes] = {}  # the payload of each URL's latest capture
        at = 0
        for captures in crawls:
            exchanges = []
            for name, body in captures:
                at += 2
                exchanges.append(exchange(body, f"http://example.test/{name}", at=at))
            # A response written by this crawl is no original for it (within-crawl is off).
            written_here: set[str] = set()
            expected = []
            for ex in exchanges:
                revisit = latest.get(ex.url) == ex.body and ex.url not in written_here
                if not revisit:
                    written_here.add(ex.url)
                latest[ex.url] = ex.body
                expected.append(revisit)
            refs = crawl(collection, exchanges)
            assert [ref.rec_type == "revisit" for ref in refs] == expected
            for ex, ref in zip(exchanges, refs, strict=True):
                stored = resolve_record(collection / "warcs" / ref.warc_file, ref.offset)
                assert stored.payload == ex.body
        warcs = sorted((collection / "warcs").glob("*.warc.gz"))
        if warcs:
            assert check(warcs).exit_code(strict=False) == 0
        for warc in warcs:
            for record in iter_records(warc):
                if record.rec_type == "revisit":
                    payload = resolve_record(warc, record.offset).payload
                    assert record.header("WARC-Payload-Digest") == sha1_digest(payload)
