"""WarcWriter and the reader: faithful records, valid WARC 1.1 files, rollover, failures."""

import base64
import dataclasses
import errno
import gzip
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import (
    HttpExchange,
    InvalidInputError,
    RecordRef,
    StoredRecord,
    WarcFormatError,
    WarcWriter,
    WriterClosedError,
    decoded_body,
    iter_records,
    parse_warc_filename,
    read_record,
)
from archive.warc.httphead import encode_uri
from archive.warc.writer import open_exclusive

STARTED = datetime(2026, 11, 21, 10, 13, 45, 123456, tzinfo=UTC)
WARCIO = Path(sys.executable).parent / "warcio"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def make_exchange(**changes: object) -> HttpExchange:
    base = HttpExchange(
        url="http://127.0.0.1:8080/article?id=7",
        method="GET",
        request_headers=[("User-Agent", "warcproof-test"), ("Accept", "text/html")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason=None,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=b"<html><body>hello</body></html>",
        ip_address="127.0.0.1",
        started=STARTED,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


GZIPPED = gzip.compress(b"<html>" + b"compressed text " * 200 + b"</html>")
VARIANTS = {
    "plain": make_exchange(),
    "gzip": make_exchange(
        response_headers=[
            ("Content-Type", "text/html"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(GZIPPED))),
        ],
        body=GZIPPED,
    ),
    "chunked": make_exchange(
        response_headers=[("Transfer-Encoding", "chunked"), ("Content-Type", "text/plain")],
        body=b"de-chunked body",
    ),
    "empty": make_exchange(status=204, response_headers=[], body=b""),
    "binary": make_exchange(
        response_headers=[("Content-Type", "application/octet-stream")],
        body=bytes(range(256)) * 3 + b"\r\n\r\nWARC/1.1\r\nContent-Length: 0\r\n\r\n",
    ),
    "not-found": make_exchange(status=404, body=b"gone"),
    "set-cookie": make_exchange(
        response_headers=[
            ("Set-Cookie", "a=1; Path=/"),
            ("Content-Type", "text/html"),
            ("Set-Cookie", "b=2; HttpOnly"),
            ("Set-Cookie", "a=3"),
        ]
    ),
    "non-ascii-url": make_exchange(url="http://127.0.0.1:8080/données/été 2026?q=a b&x=%41&y=ü"),
    "truncated": make_exchange(
        body=b"partial", truncated="length", reconstructed="reason phrase and header case"
    ),
}


def expected_response_headers(ex: HttpExchange) -> list[tuple[str, str]]:
    return [
        ("X-Crawler-Transfer-Encoding" if name.lower() == "transfer-encoding" else name, value)
        for name, value in ex.response_headers
    ]


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def raw_record(path: Path, offset: int, length: int) -> tuple[bytes, bytes]:
    """(WARC header block, content block) of the member, decompressed independently."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        data = gzip.decompress(stream.read(length))
    head, _, rest = data.partition(b"\r\n\r\n")
    content_length = int(re.search(rb"\r\nContent-Length: (\d+)", head)[1])  # type: ignore[index]
    assert rest[content_length:] == b"\r\n\r\n"
    return head, rest[:content_length]


def write_variants(directory: Path) -> tuple[Path, dict[str, tuple[RecordRef, RecordRef]]]:
    with WarcWriter(directory) as writer:
        refs = {name: writer.write_exchange(ex) for name, ex in VARIANTS.items()}
    (path,) = writer.files
    return path, refs


@pytest.mark.parametrize("variant", VARIANTS)
def test_exchange_round_trip(tmp_path: Path, variant: str) -> None:
    path, refs = write_variants(tmp_path)
    ex = VARIANTS[variant]
    request_ref, response_ref = refs[variant]

    response = read_record(path, response_ref.offset)
    assert response.rec_type == "response"
    assert response.payload == ex.body
    assert response.http_status == ex.status
    assert response.http_headers == expected_response_headers(ex)
    assert response.http_start_line is not None
    assert response.http_start_line.startswith(f"HTTP/1.1 {ex.status} ")
    assert response.header("WARC-Truncated") == ex.truncated
    assert response.header("WARC-Warcproof-Reconstructed") == ex.reconstructed
    assert response.header("WARC-IP-Address") == "127.0.0.1"

    request = read_record(path, request_ref.offset)
    target = encode_uri(ex.url).split("8080", 1)[1]
    assert "?" in target
    assert request.http_start_line == f"GET {target} HTTP/1.1"
    assert request.http_headers == [("Host", "127.0.0.1:8080"), *ex.request_headers]
    assert request.http_status is None
    assert request.header("WARC-Concurrent-To") == response.record_id

    for ref, stored in ((request_ref, request), (response_ref, response)):
        assert (ref.offset, ref.length, ref.record_id) == (
            stored.offset,
            stored.length,
            stored.record_id,
        )
        assert ref.date == stored.date == "2026-11-21T10:13:45.123456Z"
        assert ref.target_uri == stored.target_uri == encode_uri(ex.url)
        assert ref.warc_file == path.name
        _, block = raw_record(path, ref.offset, ref.length)
        assert stored.header("WARC-Block-Digest") == ref.block_digest == sha1(block)
        assert stored.header("Content-Length") == str(len(block))
    assert response.header("WARC-Payload-Digest") == response_ref.payload_digest == sha1(ex.body)


def test_reason_phrase_and_protocol(tmp_path: Path) -> None:
    cases = [
        (make_exchange(status=404), "HTTP/1.1 404 Not Found"),
        (make_exchange(status=599), "HTTP/1.1 599 "),
        (make_exchange(status=200, reason="Fine"), "HTTP/1.1 200 Fine"),
        (make_exchange(protocol="HTTP/1.0"), "HTTP/1.0 200 OK"),
        (make_exchange(protocol="h2"), "HTTP/2 200 OK"),
    ]
    with WarcWriter(tmp_path) as writer:
        refs = [writer.write_exchange(ex)[1] for ex, _ in cases]
    for ref, (_, status_line) in zip(refs, cases, strict=True):
        _, block = raw_record(tmp_path / ref.warc_file, ref.offset, ref.length)
        assert block.startswith(status_line.encode() + b"\r\n")


def test_given_host_header_is_kept_not_duplicated(tmp_path: Path) -> None:
    headers = [("Accept", "*/*"), ("host", "example.org")]
    with WarcWriter(tmp_path) as writer:
        request_ref, _ = writer.write_exchange(make_exchange(request_headers=headers))
    stored = read_record(tmp_path / request_ref.warc_file, request_ref.offset)
    assert stored.http_headers == headers


def test_file_structure(tmp_path: Path) -> None:
    path, _ = write_variants(tmp_path)
    records = list(iter_records(path))
    warcinfo, *others = records
    assert warcinfo.rec_type == "warcinfo"
    assert warcinfo.header("WARC-Filename") == path.name
    assert warcinfo.header("Content-Type") == "application/warc-fields"
    fields = dict(line.split(": ", 1) for line in warcinfo.payload.decode().splitlines())
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["conformsTo"] == CONFORMS_TO
    assert re.fullmatch(r"warcproof/\S+ warcio/1\.8\.\d+", fields["software"])
    assert fields["hostname"]
    assert len(others) == 2 * len(VARIANTS)
    for record in records:
        head, _ = raw_record(path, record.offset, record.length)
        assert head.startswith(b"WARC/1.1\r\n")
        assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", record.record_id)
        assert record.date is not None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", record.date)
        assert record.header("WARC-Block-Digest") is not None
    for record in others:
        assert record.header("WARC-Warcinfo-ID") == warcinfo.record_id
        kind = "response" if record.rec_type == "response" else "request"
        assert record.header("Content-Type") == f"application/http; msgtype={kind}"
    assert len({record.record_id for record in records}) == len(records)


def test_offsets_and_bytes_agree_with_warcio(tmp_path: Path) -> None:
    path, _ = write_variants(tmp_path)
    ours = list(iter_records(path))
    seen = []
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            body = record.raw_stream.read()
            http = record.http_headers
            seen.append(
                (
                    iterator.get_record_offset(),
                    iterator.get_record_length(),
                    record.rec_headers.get_header("WARC-Record-ID"),
                    body,
                    list(http.headers) if http else None,
                )
            )
    assert seen == [
        (rec.offset, rec.length, rec.record_id, rec.payload, rec.http_headers) for rec in ours
    ]
    assert ours[-1].offset + ours[-1].length == path.stat().st_size


def warcio_check(path: Path) -> str:
    result = subprocess.run(
        [str(WARCIO), "check", "-v", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_warcio_check_passes_and_verifies_digests(tmp_path: Path) -> None:
    path, _ = write_variants(tmp_path)
    output = warcio_check(path)
    records = list(iter_records(path))
    assert output.count("digest pass") == len(records)
    assert "no digest" not in output
    assert "fail" not in output


def test_latin1_header_bytes_survive(tmp_path: Path) -> None:
    # Bytes 0x80-0xFF (obs-text), decoded with latin-1; warcio alone would percent-encode them.
    raw_value = b'attachment; filename="r\xe9sum\xe9.pdf"'
    headers = [("Content-Disposition", raw_value.decode("latin-1")), ("X-Odd", 'a\tb  c;"q"')]
    with WarcWriter(tmp_path) as writer:
        _, ref = writer.write_exchange(make_exchange(response_headers=headers))
    path = tmp_path / ref.warc_file
    _, block = raw_record(path, ref.offset, ref.length)
    assert b"Content-Disposition: " + raw_value + b"\r\n" in block
    assert read_record(path, ref.offset).http_headers == headers
    assert "digest pass" in warcio_check(path)


@pytest.mark.parametrize(
    "bad",
    [
        {"response_headers": [("X-Split", "a\r\nInjected: yes")]},
        {"response_headers": [("Bad Name", "x")]},
        {"response_headers": [("X-Wide", "\u20ac")]},
        {"request_headers": [("X", "a\nb")]},
        {"reason": "OK\r\n"},
        {"status": 42},
        {"protocol": "SPDY/3"},
        {"method": "GE T"},
        {"url": "/relative/only"},
        {"url": "ftp://127.0.0.1/file"},
        {"started": datetime(2026, 1, 1)},
        {"truncated": "because"},
        {"ip_address": "not-an-ip"},
        {"reconstructed": "two\nlines"},
    ],
)
def test_invalid_exchange_is_refused_before_anything_is_written(
    tmp_path: Path, bad: dict[str, object]
) -> None:
    with WarcWriter(tmp_path) as writer, pytest.raises(InvalidInputError):
        writer.write_exchange(make_exchange(**bad))
    assert list(tmp_path.iterdir()) == []


def test_metadata_conversion_and_resource_records(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        request_ref, response_ref = writer.write_exchange(make_exchange())
        conversion = writer.write_conversion(
            "http://127.0.0.1:8080/article?id=7",
            "Extracted text, ünïcode.".encode(),
            "text/plain; charset=utf-8",
            refers_to=response_ref,
            extra_headers={"WARC-Warcproof-Extractor": "trafilatura 2.3.1"},
        )
        metadata = writer.write_metadata(
            "http://127.0.0.1:8080/article?id=7",
            b'{"verdict": "verbatim"}',
            "application/json",
            refers_to=conversion,
            concurrent_to=response_ref,
        )
        resource = writer.write_resource(
            "urn:warcproof:seed:0001", b"seed text", "text/plain", concurrent_to=request_ref
        )
    path = tmp_path / conversion.warc_file
    stored = {record.record_id: record for record in iter_records(path)}

    conv = stored[conversion.record_id]
    assert conv.rec_type == "conversion"
    assert conv.payload == "Extracted text, ünïcode.".encode()
    assert conv.http_headers is None
    assert conv.header("WARC-Refers-To") == response_ref.record_id
    assert conv.header("WARC-Warcproof-Extractor") == "trafilatura 2.3.1"
    assert conv.header("Content-Type") == "text/plain; charset=utf-8"
    assert conversion.payload_digest == sha1(conv.payload)

    meta = stored[metadata.record_id]
    assert meta.rec_type == "metadata"
    assert meta.payload == b'{"verdict": "verbatim"}'
    assert meta.header("WARC-Refers-To") == conversion.record_id
    assert meta.header("WARC-Concurrent-To") == response_ref.record_id
    assert meta.header("Content-Type") == "application/json"

    res = stored[resource.record_id]
    assert (res.rec_type, res.target_uri, res.payload) == (
        "resource",
        "urn:warcproof:seed:0001",
        b"seed text",
    )
    assert res.header("WARC-Concurrent-To") == request_ref.record_id
    assert "digest pass" in warcio_check(path)


@pytest.mark.parametrize("name", ["WARC-Type", "content-length", "WARC-Payload-Digest", "Bad:Name"])
def test_extra_headers_cannot_override_the_writer(tmp_path: Path, name: str) -> None:
    with WarcWriter(tmp_path) as writer, pytest.raises(InvalidInputError):
        writer.write_metadata("urn:x", b"{}", "application/json", extra_headers={name: "x"})


def test_rollover_gives_each_file_its_own_warcinfo(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, prefix="roll", max_size=1, info={"isPartOf": "test-crawl"})
    for number in range(3):
        writer.write_exchange(make_exchange(url=f"http://127.0.0.1/{number}"))
        open_files = [p.name for p in tmp_path.iterdir() if p.name.endswith(".open")]
        assert open_files == [writer.files[-1].name + ".open"]
    writer.write_metadata("urn:x", b"{}", "application/json")
    paths = writer.close()

    assert paths == writer.files
    assert len(paths) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    names = [parse_warc_filename(p.name) for p in paths]
    assert [name.serial for name in names] == [0, 1, 2, 3]
    assert {(name.prefix, name.pid, name.is_open) for name in names} == {
        ("roll", os.getpid(), False)
    }
    for path in paths:
        warcinfo, *rest = iter_records(path)
        assert warcinfo.rec_type == "warcinfo"
        assert warcinfo.header("WARC-Filename") == path.name
        assert b"isPartOf: test-crawl\r\n" in warcinfo.payload
        assert rest
        assert {r.header("WARC-Warcinfo-ID") for r in rest} == {warcinfo.record_id}
    # the two records of an exchange never straddle files
    assert [len(list(iter_records(p))) for p in paths] == [3, 3, 3, 2]


def test_rollover_happens_only_once_max_size_is_reached(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, max_size=50_000) as writer:
        for _ in range(10):
            writer.write_exchange(make_exchange())
    assert len(writer.files) == 1


def test_closed_writer_refuses_writes(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    writer.write_exchange(make_exchange())
    first = writer.close()
    assert writer.close() == first
    with pytest.raises(WriterClosedError):
        writer.write_exchange(make_exchange())
    with pytest.raises(WriterClosedError):
        writer.write_metadata("urn:x", b"", "application/json")


def test_writer_without_records_leaves_no_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        pass
    assert writer.files == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs", [{"max_size": 0}, {"gzip_level": 10}, {"prefix": "bad/prefix"}])
def test_bad_writer_settings_are_refused(tmp_path: Path, kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        WarcWriter(tmp_path, **kwargs)  # type: ignore[arg-type]


def test_gzip_level_is_applied(tmp_path: Path) -> None:
    body = b"very repetitive text " * 5000
    sizes = {}
    for level in (0, 2, 9):  # stored, ISA-L's level 2, zlib's level 9
        with WarcWriter(tmp_path / str(level), gzip_level=level) as writer:
            _, ref = writer.write_exchange(make_exchange(body=body))
        sizes[level] = ref.length
        assert read_record(writer.files[0], ref.offset).payload == body
        with writer.files[0].open("rb") as warc:
            warc.seek(ref.offset)
            member = warc.read(ref.length)
        # One whole gzip member, as the standard library's zlib reads it.
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        assert inflater.decompress(member).startswith(b"WARC/1.1\r\n")
        assert inflater.eof
        assert not inflater.unused_data
    assert sizes[0] > len(body) > 20 * sizes[2]
    assert sizes[2] > sizes[9]


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    taken: list[Path] = []

    def racing_opener(path: Path) -> object:
        if not taken:  # another process creates the same name first
            path.write_bytes(b"someone else's data")
            taken.append(path)
        return open_exclusive(path)

    with WarcWriter(tmp_path, opener=racing_opener) as writer:  # type: ignore[arg-type]
        writer.write_exchange(make_exchange())
    assert taken[0].read_bytes() == b"someone else's data"
    (path,) = writer.files
    assert parse_warc_filename(path.name).serial == 1
    assert len(list(iter_records(path))) == 3


def test_two_writers_in_one_directory_never_collide(tmp_path: Path) -> None:
    first = WarcWriter(tmp_path, max_size=1)
    second = WarcWriter(tmp_path, max_size=1)
    for _ in range(5):
        first.write_exchange(make_exchange(url="http://127.0.0.1/first"))
        second.write_exchange(make_exchange(url="http://127.0.0.1/second"))
    paths = first.close() + second.close()
    assert len(set(paths)) == 10
    for path, expected in zip(paths, ["first"] * 5 + ["second"] * 5, strict=True):
        targets = {r.target_uri for r in iter_records(path) if r.target_uri}
        assert targets == {f"http://127.0.0.1/{expected}"}


def test_threads_share_one_writer(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, max_size=20_000)

    def work(number: int) -> None:
        for index in range(20):
            writer.write_exchange(make_exchange(url=f"http://127.0.0.1/{number}/{index}"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = [r for path in writer.close() for r in iter_records(path)]
    assert sum(r.rec_type == "response" for r in records) == 80


class FlakySink:
    """A real unbuffered file that can be told to fail part-way through its next write."""

    def __init__(self, path: Path) -> None:
        self.file = open(path, "xb", buffering=0)  # noqa: SIM115 - closed by the writer
        self.fail_after: int | None = None
        self.fail_truncate = False

    def write(self, data: bytes) -> int | None:
        if self.fail_after is not None:
            self.file.write(data[: self.fail_after])
            self.fail_after = None
            raise OSError(errno.ENOSPC, "No space left on device (simulated)")
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def truncate(self, size: int) -> int:
        if self.fail_truncate:
            raise OSError(errno.EIO, "Input/output error (simulated)")
        return self.file.truncate(size)

    def seek(self, offset: int) -> int:
        return self.file.seek(offset)

    def close(self) -> None:
        self.file.close()


@pytest.fixture
def archive_flaky_writer(tmp_path: Path) -> Iterator[tuple[WarcWriter, list[FlakySink]]]:
    sinks: list[FlakySink] = []

    def opener(path: Path) -> FlakySink:
        sinks.append(FlakySink(path))
        return sinks[-1]

    writer = WarcWriter(tmp_path, opener=opener)
    yield writer, sinks
    writer.close()


def test_failed_write_is_rolled_back(
    archive_flaky_writer: tuple[WarcWriter, list[FlakySink]],
) -> None:
    writer, sinks = archive_flaky_writer
    writer.write_exchange(make_exchange(url="http://127.0.0.1/before"))
    sinks[0].fail_after = 40
    with pytest.raises(OSError, match="No space left"):
        writer.write_exchange(make_exchange(url="http://127.0.0.1/failed"))
    writer.write_exchange(make_exchange(url="http://127.0.0.1/after"))
    (path,) = writer.close()

    targets = [(r.rec_type, r.target_uri) for r in iter_records(path)]
    assert targets == [
        ("warcinfo", None),
        ("response", "http://127.0.0.1/before"),
        ("request", "http://127.0.0.1/before"),
        ("response", "http://127.0.0.1/after"),
        ("request", "http://127.0.0.1/after"),
    ]
    warcio_check(path)


def test_failure_on_second_record_of_an_exchange_keeps_the_first(
    archive_flaky_writer: tuple[WarcWriter, list[FlakySink]],
) -> None:
    writer, sinks = archive_flaky_writer
    writer.write_exchange(make_exchange())
    original_write = sinks[0].write
    calls = []

    def fail_on_second(data: bytes) -> int | None:
        calls.append(len(data))
        if len(calls) == 2:
            sinks[0].fail_after = 3
        return original_write(data)

    sinks[0].write = fail_on_second  # type: ignore[method-assign]
    with pytest.raises(OSError, match="No space left"):
        writer.write_exchange(make_exchange())
    (path,) = writer.close()
    assert [r.rec_type for r in iter_records(path)] == [
        "warcinfo",
        "response",
        "request",
        "response",
    ]


def test_unrecoverable_failed_write_abandons_the_file(
    archive_flaky_writer: tuple[WarcWriter, list[FlakySink]],
) -> None:
    writer, sinks = archive_flaky_writer
    _, kept = writer.write_exchange(make_exchange(url="http://127.0.0.1/kept"))
    sinks[0].fail_after = 40
    sinks[0].fail_truncate = True
    with pytest.raises(OSError, match="No space left"):
        writer.write_exchange(make_exchange(url="http://127.0.0.1/failed"))
    _, later = writer.write_exchange(make_exchange(url="http://127.0.0.1/later"))
    (abandoned,) = writer.abandoned
    (final,) = writer.close()

    assert abandoned.name.endswith(".warc.gz.open")
    assert abandoned.exists()
    assert later.warc_file == final.name != kept.warc_file
    survivors: list[str | None] = []
    with pytest.raises(WarcFormatError, match=rf"{re.escape(str(abandoned))}: offset \d+"):
        survivors.extend(r.target_uri for r in iter_records(abandoned))
    assert survivors == [None, "http://127.0.0.1/kept", "http://127.0.0.1/kept"]
    assert [r.target_uri for r in iter_records(final)][1:] == ["http://127.0.0.1/later"] * 2


@pytest.fixture
def archive_small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, only if this process may mount one (root in a container or VM)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a tmpfs needs root")
    command = [mount, "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)]
    if subprocess.run(command, capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_full_disk_keeps_earlier_records(archive_small_tmpfs: Path) -> None:
    rng = random.Random(7)
    writer = WarcWriter(archive_small_tmpfs)
    written = 0
    with pytest.raises(OSError, match="No space left") as failure:  # noqa: PT012 - fill it
        for number in range(100):
            writer.write_exchange(
                make_exchange(url=f"http://127.0.0.1/{number}", body=rng.randbytes(20_000))
            )
            written += 1
    assert failure.value.errno == errno.ENOSPC
    assert written > 3
    (path,) = writer.close()
    records = list(iter_records(path))
    responses = [r for r in records if r.rec_type == "response"]
    assert len(responses) in (written, written + 1)  # the failed pair may have kept its response
    assert records[-1].offset + records[-1].length == path.stat().st_size
    warcio_check(path)


@pytest.fixture
def archive_three_exchanges(tmp_path: Path) -> tuple[Path, list[StoredRecord]]:
    with WarcWriter(tmp_path) as writer:
        for number in range(3):
            writer.write_exchange(make_exchange(url=f"http://127.0.0.1/{number}"))
    (path,) = writer.files
    return path, list(iter_records(path))


def test_truncated_file_is_reported_with_file_and_offset(
    archive_three_exchanges: tuple[Path, list[StoredRecord]],
) -> None:
    path, records = archive_three_exchanges
    with open(path, "r+b") as stream:
        stream.truncate(path.stat().st_size - 10)
    seen: list[StoredRecord] = []
    with pytest.raises(
        WarcFormatError, match=rf"{re.escape(str(path))}: offset {records[-1].offset}: .*truncated"
    ):
        seen.extend(iter_records(path))
    assert seen == records[:-1]


def test_trailing_garbage_is_reported(
    archive_three_exchanges: tuple[Path, list[StoredRecord]],
) -> None:
    path, _ = archive_three_exchanges
    size = path.stat().st_size
    with open(path, "ab") as stream:
        stream.write(b"\0\0not gzip")
    with pytest.raises(WarcFormatError, match=f"offset {size}: not valid gzip"):
        list(iter_records(path))


def test_read_record_needs_a_member_start(
    archive_three_exchanges: tuple[Path, list[StoredRecord]],
) -> None:
    path, records = archive_three_exchanges
    assert read_record(path, records[2].offset) == records[2]
    with pytest.raises(WarcFormatError, match=f"offset {records[2].offset + 5}"):
        read_record(path, records[2].offset + 5)
    with pytest.raises(WarcFormatError, match="end of file"):
        read_record(path, path.stat().st_size)


RESOURCE = b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <x>\r\n"
RESPONSE = (
    b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <x>\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (RESOURCE + b"Content-Length: 10\r\n\r\nabc\r\n\r\n", "Content-Length 10"),
        (RESOURCE + b"Content-Length: 3\r\n\r\nabc\r\n\r\nWARC/1.1", "exactly CRLF CRLF"),
        (RESOURCE + b"Content-Length: 3\r\nabc", "header block"),
        (RESOURCE + b"Content-Length: -3\r\n\r\n\r\n\r\n", "bad Content-Length"),
        (b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 0\r\n\r\n\r\n\r\n", "warc-record-id"),
        (b"HTTP/1.1 200 OK\r\n\r\n", "not a WARC record"),
        (RESPONSE + b"Content-Length: 5\r\n\r\nHTTP/\r\n\r\n", "HTTP head"),
        (
            RESPONSE + b"Content-Length: 12\r\n\r\nHTTP/1.1\r\n\r\n\r\n\r\n",
            "not an HTTP status line",
        ),
    ],
)
def test_malformed_records_are_reported(tmp_path: Path, record: bytes, problem: str) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(gzip.compress(record))
    with pytest.raises(WarcFormatError, match=rf"bad\.warc\.gz: offset 0: .*{re.escape(problem)}"):
        list(iter_records(path))


def encoded_record(tmp_path: Path, body: bytes, encoding: str) -> StoredRecord:
    headers = [("Content-Encoding", encoding)] if encoding else []
    with WarcWriter(tmp_path) as writer:
        _, ref = writer.write_exchange(make_exchange(response_headers=headers, body=body))
    return read_record(tmp_path / ref.warc_file, ref.offset)


TEXT = "Un texte accentué, répété. ".encode() * 50


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


# mtime=0: test ids hold the bytes, and xdist workers must collect the same ids.
@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT, mtime=0)),
        ("x-gzip", gzip.compress(TEXT[:10], mtime=0) + gzip.compress(TEXT[10:], mtime=0)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", deflate_raw(TEXT)),
        ("gzip, deflate", zlib.compress(gzip.compress(TEXT, mtime=0))),
        ("GZIP", gzip.compress(TEXT, mtime=0)),
    ],
)
def test_decoded_body(tmp_path: Path, encoding: str, body: bytes) -> None:
    record = encoded_record(tmp_path, body, encoding)
    assert record.payload == body
    assert decoded_body(record) == TEXT


@pytest.mark.parametrize(("encoding", "module"), [("br", "brotli"), ("zstd", "backports.zstd")])
def test_decoded_body_optional_codecs(tmp_path: Path, encoding: str, module: str) -> None:
    codec = pytest.importorskip(module)
    record = encoded_record(tmp_path, codec.compress(TEXT), encoding)
    assert decoded_body(record) == TEXT
    broken = encoded_record(tmp_path / "broken", codec.compress(TEXT)[:-8], encoding)
    with pytest.raises(WarcFormatError, match=encoding):
        decoded_body(broken)


@pytest.mark.parametrize(
    ("encoding", "body", "problem"),
    [
        ("gzip", gzip.compress(TEXT, mtime=0)[:-20], "truncated"),
        ("gzip", b"plain text", "bad gzip"),
        ("deflate", b"plain text", "bad deflate"),
        ("compress", b"x", "unsupported Content-Encoding 'compress'"),
    ],
)
def test_bad_encoded_body_is_reported(
    tmp_path: Path, encoding: str, body: bytes, problem: str
) -> None:
    record = encoded_record(tmp_path, body, encoding)
    with pytest.raises(WarcFormatError, match=rf"record <urn:uuid:.*{re.escape(problem)}"):
        decoded_body(record)


def test_archive_never_imports_scrapy() -> None:
    code = "import sys, archive; assert 'scrapy' not in sys.modules, 'scrapy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("info", [{"bad:name": "x"}, {"robots": "two\r\nlines"}, {"": "x"}])
def test_bad_warcinfo_fields_are_refused_at_once(tmp_path: Path, info: dict[str, str]) -> None:
    with pytest.raises(InvalidInputError):
        WarcWriter(tmp_path, info=info)


def test_sigkill_keeps_every_completed_record(tmp_path: Path) -> None:
    code = f"""
import os, signal
from datetime import UTC, datetime
from pathlib import Path
from archive import HttpExchange, WarcWriter
writer = WarcWriter(Path({str(tmp_path)!r}))
for number in range(3):
    writer.write_exchange(HttpExchange(
        url=f"http://127.0.0.1/{{number}}", method="GET", request_headers=[], request_body=b"",
        protocol="HTTP/1.1", status=200, reason=None, response_headers=[], body=b"x" * 5000,
        ip_address=None, started=datetime.now(UTC)))
os.kill(os.getpid(), signal.SIGKILL)
"""
    result = subprocess.run([sys.executable, "-c", code], check=False)
    assert result.returncode == -9
    (path,) = tmp_path.iterdir()
    assert path.name.endswith(".warc.gz.open")
    records = list(iter_records(path))
    assert [r.rec_type for r in records] == ["warcinfo"] + ["response", "request"] * 3
    assert records[-1].offset + records[-1].length == path.stat().st_size
