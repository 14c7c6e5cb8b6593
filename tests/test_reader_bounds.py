"""Readers in bounded memory (issue 14, finding 6): a small WARC member that inflates far
beyond any record warcproof writes is refused with its file and offset, never held whole; so is
a Content-Encoding that decodes past the same bound."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from pathlib import Path

import pytest

from archive.errors import WarcFormatError
from archive.warc.reader import MAX_RECORD_BYTES, decoded_body, iter_records, read_record
from tests.test_archive_writer import encoded_record

BOMB = MAX_RECORD_BYTES + (64 << 20)


def write_bomb(path: Path) -> None:
    """One gzip member: a WARC resource record whose block is BOMB zero bytes (some 200 KB)."""
    head = (
        "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:0>\r\n"
        f"WARC-Date: 2026-01-01T00:00:00Z\r\nContent-Type: text/plain\r\nContent-Length: {BOMB}"
        "\r\n\r\n"
    ).encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    with path.open("wb") as out:
        out.write(compressor.compress(head))
        block = bytes(1 << 20)
        for _ in range(BOMB >> 20):
            out.write(compressor.compress(block))
        out.write(compressor.compress(b"\r\n\r\n") + compressor.flush())


def test_a_record_inflating_past_the_bound_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.warc.gz"
    write_bomb(path)
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(WarcFormatError, match=r"bomb\.warc\.gz: offset 0: .*inflates to more"):
            list(iter_records(path))
        with pytest.raises(WarcFormatError, match="inflates to more"):
            read_record(path, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_RECORD_BYTES  # the bound, never the bomb


def test_a_content_encoding_bomb_is_refused(tmp_path: Path) -> None:
    body = gzip.compress(bytes(MAX_RECORD_BYTES + 1), compresslevel=1)
    record = encoded_record(tmp_path, body, "gzip")
    with pytest.raises(WarcFormatError, match="decodes to more than"):
        decoded_body(record)


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_brotli_and_zstd_bombs_are_refused(tmp_path: Path, encoding: str) -> None:
    zeros = bytes(MAX_RECORD_BYTES + 1)
    if encoding == "br":
        import brotli

        body = brotli.compress(zeros, quality=1)
    else:
        from backports import zstd

        body = zstd.compress(zeros)
    del zeros
    record = encoded_record(tmp_path, body, encoding)
    with pytest.raises(WarcFormatError, match="decodes to more than"):
        decoded_body(record)
