"""`warcproof check` on WARC files: every kind of damage it must catch, and clean files it must
pass (files from WarcWriter and from a real crawl of the replica)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import subprocess
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import HttpExchange, RecordRef, WarcWriter
from archive.check.checker import check
from archive.check.problems import CheckSummary, Problem
from provenance.cli.main import main
from tests.conftest import run_crawl

WARCIO = Path(sys.executable).parent / "warcio"
STARTED = datetime(2026, 11, 21, 10, 13, 45, tzinfo=UTC)


# -- building WARCs --------------------------------------------------------------------------


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def new_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def record(
    rec_type: str,
    block: bytes,
    *,
    record_id: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
    length: int | None = None,
    version: str = "1.1",
    digests: bool = True,
) -> bytes:
    """One WARC record (uncompressed); ``length`` overrides the true Content-Length."""
    fields = [
        ("WARC-Type", rec_type),
        ("WARC-Record-ID", record_id or new_id()),
        ("WARC-Date", "2026-11-21T10:13:45Z"),
        *headers,
    ]
    if digests:
        fields.append(("WARC-Block-Digest", sha1_b32(block)))
    fields.append(("Content-Length", str(len(block) if length is None else length)))
    head = f"WARC/{version}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields)
    return head.encode() + b"\r\n" + block + b"\r\n\r\n"


def warcinfo(record_id: str) -> bytes:
    return record(
        "warcinfo",
        b"software: test\r\n",
        record_id=record_id,
        headers=[("Content-Type", "application/warc-fields")],
    )


def response(
    info_id: str, body: bytes, *, http_head: bytes | None = None, payload_digest: str | None = None
) -> bytes:
    head = http_head or b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
    return record(
        "response",
        head + body,
        headers=[
            ("WARC-Target-URI", "http://127.0.0.1/page"),
            ("WARC-Warcinfo-ID", info_id),
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Payload-Digest", payload_digest or sha1_b32(body)),
        ],
    )


def metadata(info_id: str, *, refers_to: str) -> bytes:
    return record(
        "metadata",
        b"note: test\r\n",
        headers=[
            ("WARC-Target-URI", "http://127.0.0.1/page"),
            ("WARC-Warcinfo-ID", info_id),
            ("WARC-Refers-To", refers_to),
            ("Content-Type", "application/warc-fields"),
        ],
    )


def gz(*records: bytes) -> bytes:
    """Each record as its own gzip member."""
    return b"".join(gzip.compress(one) for one in records)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def run_check(*paths: Path) -> tuple[CheckSummary, list[Problem]]:
    problems: list[Problem] = []
    return check(list(paths), on_problem=problems.append), problems


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


def exchange(number: int, **changes: object) -> HttpExchange:
    values: dict[str, object] = {
        "url": f"http://127.0.0.1:8080/article?id={number}",
        "method": "GET",
        "request_headers": [("User-Agent", "warcproof-test")],
        "request_body": b"",
        "protocol": "HTTP/1.1",
        "status": 200,
        "reason": None,
        "response_headers": [("Content-Type", "text/html; charset=utf-8")],
        "body": b"<html><body>" + b"article text " * 300 * number + b"</body></html>",
        "ip_address": "127.0.0.1",
        "started": STARTED,
        **changes,
    }
    return HttpExchange(**values)  # type: ignore[arg-type]


def written_warc(directory: Path) -> tuple[Path, list[RecordRef]]:
    """A WARC from WarcWriter: warcinfo, three exchanges, a metadata and a conversion record."""
    refs: list[RecordRef] = []
    with WarcWriter(directory) as writer:
        for number in (1, 2, 3):
            request, response_ref = writer.write_exchange(exchange(number))
            refs += [response_ref, request]
        refs.append(
            writer.write_metadata(
                "http://127.0.0.1:8080/", b"a: b\r\n", "application/warc-fields", refers_to=refs[0]
            )
        )
        refs.append(
            writer.write_conversion(
                "http://127.0.0.1:8080/", b"text", "text/plain", refers_to=refs[0]
            )
        )
    (path,) = directory.glob("*.warc.gz")
    return path, refs


@pytest.fixture
def warc(tmp_path: Path) -> tuple[Path, list[RecordRef]]:
    return written_warc(tmp_path / "written")


# -- clean files ------------------------------------------------------------------------------


def test_a_file_written_by_warcwriter_is_clean(warc: tuple[Path, list[RecordRef]]) -> None:
    path, refs = warc
    summary, problems = run_check(path)
    assert problems == []
    assert summary.records == len(refs) + 1  # and the warcinfo
    assert (summary.files, summary.bytes, summary.exit_code()) == (1, path.stat().st_size, 0)


def test_an_uncompressed_warc_is_checked_too(tmp_path: Path) -> None:
    info = new_id()
    plain = warcinfo(info) + response(info, b"hello") + response(info, b"again")
    summary, problems = run_check(write(tmp_path / "a.warc", plain))
    assert (problems, summary.records) == ([], 3)
    summary, problems = run_check(write(tmp_path / "b.warc", plain[:-30]))
    assert codes(problems) == ["record-truncated"]
    assert problems[0].offset == len(warcinfo(info) + response(info, b"hello"))


def test_a_chunked_payload_digest_is_over_the_entity_body(tmp_path: Path) -> None:
    info = new_id()
    chunked = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    right = response(info, chunked, http_head=head, payload_digest=sha1_b32(b"hello world"))
    _, problems = run_check(write(tmp_path / "right.warc.gz", gz(warcinfo(info), right)))
    assert problems == []
    over_chunks = response(info, chunked, http_head=head, payload_digest=sha1_b32(chunked))
    _, problems = run_check(write(tmp_path / "raw.warc.gz", gz(warcinfo(info), over_chunks)))
    assert codes(problems) == ["payload-digest-chunked"]


@pytest.mark.parametrize(
    "encode",
    [
        lambda digest: "sha1:" + digest.hex(),
        lambda digest: "sha1:" + base64.b32encode(digest).decode().lower(),
        lambda digest: "SHA-1:" + base64.b64encode(digest).decode(),
    ],
    ids=["base16", "base32-lower", "base64"],
)
def test_digest_encodings_are_understood(tmp_path: Path, encode: object) -> None:
    info = new_id()
    body = b"payload"
    digest = encode(hashlib.sha1(body).digest())  # type: ignore[operator]
    data = gz(warcinfo(info), response(info, body, payload_digest=digest))
    assert run_check(write(tmp_path / "a.warc.gz", data))[1] == []


def test_sha256_and_md5_digests_are_verified(tmp_path: Path) -> None:
    info = new_id()
    body = b"payload"
    good = "sha256:" + hashlib.sha256(body).hexdigest()
    bad = "md5:" + hashlib.md5(b"other").hexdigest()
    data = gz(warcinfo(info), response(info, body, payload_digest=good))
    assert run_check(write(tmp_path / "a.warc.gz", data))[1] == []
    data = gz(warcinfo(info), response(info, body, payload_digest=bad))
    assert codes(run_check(write(tmp_path / "b.warc.gz", data))[1]) == ["payload-digest"]


# -- damage ------------------------------------------------------------------------------------


def test_a_warc_gz_cut_inside_a_record(warc: tuple[Path, list[RecordRef]], tmp_path: Path) -> None:
    path, refs = warc
    target = refs[2]  # the second response
    data = path.read_bytes()[: target.offset + target.length // 2]
    cut = write(tmp_path / "cut.warc.gz", data)
    assert subprocess.run([WARCIO, "check", cut], check=False).returncode == 0  # warcio misses it
    summary, problems = run_check(cut)
    assert codes(problems) == ["gzip-truncated"]
    assert (problems[0].offset, problems[0].file) == (target.offset, str(cut))
    assert summary.exit_code() == 1


@pytest.mark.parametrize("where", ["in-the-gzip-trailer", "in-the-next-gzip-header"])
def test_a_warc_gz_cut_between_members(
    warc: tuple[Path, list[RecordRef]], tmp_path: Path, where: str
) -> None:
    path, refs = warc
    target = refs[2]
    end = target.offset + target.length
    # The record's data is complete; only the CRC/size trailer or the next member is cut.
    data = path.read_bytes()[: end - 4 if where == "in-the-gzip-trailer" else end + 10]
    cut = write(tmp_path / "cut.warc.gz", data)
    assert subprocess.run([WARCIO, "check", cut], check=False).returncode == 0  # warcio misses it
    _, problems = run_check(cut)
    assert codes(problems) == ["gzip-truncated"]
    assert problems[0].offset == (target.offset if where == "in-the-gzip-trailer" else end)


def test_bytes_between_members_are_reported(
    warc: tuple[Path, list[RecordRef]], tmp_path: Path
) -> None:
    path, refs = warc
    data = path.read_bytes()
    at = refs[2].offset
    damaged = write(tmp_path / "junk.warc.gz", data[:at] + b"junk" + data[at:])
    summary, problems = run_check(damaged)
    assert [(p.code, p.offset) for p in problems] == [("not-gzip", at)]
    assert summary.records == len(refs) + 1  # every record is still found


def test_corrupt_gzip_data_is_reported(warc: tuple[Path, list[RecordRef]], tmp_path: Path) -> None:
    path, refs = warc
    data = bytearray(path.read_bytes())
    target = refs[2]
    data[target.offset + target.length // 2] ^= 0xFF
    summary, problems = run_check(write(tmp_path / "flip.warc.gz", bytes(data)))
    assert ("gzip-corrupt", target.offset) in [(p.code, p.offset) for p in problems]
    assert summary.records >= len(refs) - 1  # it resynchronises at the next member


@pytest.mark.parametrize(("delta", "code"), [(10, "record-truncated"), (-10, "record-end")])
def test_a_record_whose_content_length_lies(tmp_path: Path, delta: int, code: str) -> None:
    info = new_id()
    block = b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 100
    lying = record(
        "resource",
        block,
        length=len(block) + delta,
        headers=[("WARC-Target-URI", "http://127.0.0.1/"), ("WARC-Warcinfo-ID", info)],
    )
    data = gz(warcinfo(info), lying, response(info, b"after"))
    summary, problems = run_check(write(tmp_path / "lie.warc.gz", data))
    assert codes(problems) == [code]
    assert problems[0].offset == len(gzip.compress(warcinfo(info)))
    assert summary.records == 3


def test_a_bad_payload_digest_and_a_bad_block_digest(tmp_path: Path) -> None:
    info = new_id()
    wrong = response(info, b"the body", payload_digest=sha1_b32(b"another body"))
    _, problems = run_check(write(tmp_path / "payload.warc.gz", gz(warcinfo(info), wrong)))
    assert codes(problems) == ["payload-digest"]
    assert "http://127.0.0.1/page" in problems[0].message
    tampered = response(info, b"the body").replace(b"the body", b"THE BODY")
    _, problems = run_check(write(tmp_path / "block.warc.gz", gz(warcinfo(info), tampered)))
    assert sorted(codes(problems)) == ["block-digest", "payload-digest"]


def test_a_dangling_refers_to(tmp_path: Path) -> None:
    info = new_id()
    data = gz(warcinfo(info), metadata(info, refers_to=new_id()))
    _, problems = run_check(write(tmp_path / "dangling.warc.gz", data))
    assert codes(problems) == ["dangling-refers-to"]
    assert problems[0].offset == len(gzip.compress(warcinfo(info)))


def test_links_are_resolved_across_all_files_given(tmp_path: Path) -> None:
    info_a, info_b = new_id(), new_id()
    target = response(info_a, b"body")
    target_id = target.split(b"WARC-Record-ID: ")[1].split(b"\r\n")[0].decode()
    first = write(tmp_path / "a.warc.gz", gz(warcinfo(info_a), target))
    second = write(
        tmp_path / "b.warc.gz", gz(warcinfo(info_b), metadata(info_b, refers_to=target_id))
    )
    assert run_check(first, second)[1] == []
    assert run_check(second, first)[1] == []  # a forward reference is fine too
    assert codes(run_check(second)[1]) == ["dangling-refers-to"]


def test_warcinfo_rules(tmp_path: Path) -> None:
    info = new_id()
    no_info = gz(response(info, b"body"))
    assert sorted(codes(run_check(write(tmp_path / "a.warc.gz", no_info))[1])) == [
        "dangling-warcinfo-id",
        "warcinfo-missing",
    ]
    unnamed = record("resource", b"x", headers=[("WARC-Target-URI", "http://127.0.0.1/")])
    data = gz(warcinfo(info), unnamed)
    assert codes(run_check(write(tmp_path / "b.warc.gz", data))[1]) == ["warcinfo-id-missing"]


def test_one_warc_version_per_file(tmp_path: Path) -> None:
    info = new_id()
    old = record(
        "resource",
        b"x",
        headers=[("WARC-Target-URI", "http://127.0.0.1/"), ("WARC-Warcinfo-ID", info)],
        version="1.0",
    )
    _, problems = run_check(write(tmp_path / "mixed.warc.gz", gz(warcinfo(info), old)))
    assert codes(problems) == ["warc-version"]


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 1\r\n\r\nx\r\n\r\n", "header-field"),
        (b"WARC/1.1\r\nno colon here\r\nContent-Length: 1\r\n\r\nx\r\n\r\n", "header-syntax"),
        (
            b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: many\r\n\r\nx\r\n\r\n",
            "header-syntax",
        ),
    ],
    ids=["mandatory-fields-missing", "bad-line", "bad-content-length"],
)
def test_header_syntax_and_mandatory_fields(tmp_path: Path, head: bytes, code: str) -> None:
    info = new_id()
    _, problems = run_check(write(tmp_path / "h.warc.gz", gz(warcinfo(info), head)))
    assert code in codes(problems)


def test_field_values_are_checked(tmp_path: Path) -> None:
    info = new_id()
    bad = record(
        "resource",
        b"x",
        record_id="urn:uuid:no-brackets",
        headers=[
            ("WARC-Target-URI", "http://127.0.0.1/a b"),
            ("WARC-Warcinfo-ID", info),
            ("WARC-IP-Address", "not-an-ip"),
        ],
    ).replace(b"2026-11-21T10:13:45Z", b"2026-13-21T10:13:45Z")
    _, problems = run_check(write(tmp_path / "v.warc.gz", gz(warcinfo(info), bad)))
    messages = " ".join(problem.message for problem in problems)
    assert codes(problems) == ["header-field"] * 3 + ["field-value"]
    assert [problem.level for problem in problems] == ["error"] * 3 + ["warning"]
    for field in ("WARC-Record-ID", "WARC-Target-URI", "WARC-Date", "WARC-IP-Address"):
        assert field in messages


def test_duplicate_record_ids(tmp_path: Path) -> None:
    info = new_id()
    data = gz(warcinfo(info), warcinfo(info))
    assert codes(run_check(write(tmp_path / "d.warc.gz", data))[1]) == ["duplicate-id"]


def test_unreadable_files_exit_2(tmp_path: Path, warc: tuple[Path, list[RecordRef]]) -> None:
    text = write(tmp_path / "notes.warc.gz", b"just some text, not a WARC\n")
    gzipped_text = write(tmp_path / "text.warc.gz", gzip.compress(b"plain text, gzipped"))
    summary, problems = run_check(warc[0], text, gzipped_text, tmp_path / "missing.warc.gz")
    assert codes(problems) == ["unreadable"] * 3
    assert summary.unreadable == [str(tmp_path / "missing.warc.gz"), str(text), str(gzipped_text)]
    assert summary.exit_code() == 2


def test_progress_reaches_the_total(warc: tuple[Path, list[RecordRef]], tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    other = write(tmp_path / "other.warc", b"WARC/1.1\r\n" * 100_000)
    check([warc[0], other], progress=lambda done, total: seen.append((done, total)))
    total = warc[0].stat().st_size + other.stat().st_size
    assert seen[-1] == (total, total)
    assert all(b[0] >= a[0] and b[1] == total for a, b in itertools.pairwise(seen))


# -- the command -------------------------------------------------------------------------------


def test_the_command_prints_one_line_per_problem_and_a_summary(
    tmp_path: Path, warc: tuple[Path, list[RecordRef]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, refs = warc
    assert main(["check", str(path.parent)]) == 0
    assert capsys.readouterr().out.strip().endswith("0 errors, 0 warnings, 0 info")
    cut = write(tmp_path / "cut.warc.gz", path.read_bytes()[: refs[2].offset + 20])
    assert main(["check", str(cut)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(
        f"{cut}: offset {refs[2].offset}: error: gzip-truncated: the file ends"
    )
    assert lines[1] == f"{cut}: 1 errors, 0 warnings, 0 info"
    assert lines[2].startswith("1 file(s), 3 record(s)")
    assert "(gzip-truncated 1)" in lines[2]
    assert main(["check", str(tmp_path / "nothing.warc.gz")]) == 2


@pytest.mark.crawl
def test_a_real_crawl_of_the_replica_checks_clean(
    corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    result = run_crawl(corpus, collection, replica_origin)
    assert result.returncode == 0, result.stderr
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    assert warcs
    summary, problems = run_check(*warcs)
    assert problems == []
    assert summary.records > 10


def test_a_non_http_payload_digest_is_over_the_whole_block(tmp_path: Path) -> None:
    info = new_id()
    headers = [("WARC-Target-URI", "http://127.0.0.1/"), ("WARC-Warcinfo-ID", info)]
    good = record(
        "resource", b"text", headers=[*headers, ("WARC-Payload-Digest", sha1_b32(b"text"))]
    )
    bad = record("resource", b"text", headers=[*headers, ("WARC-Payload-Digest", sha1_b32(b"t"))])
    data = gz(warcinfo(info), good, bad)
    _, problems = run_check(write(tmp_path / "r.warc.gz", data))
    assert [(p.code, p.offset) for p in problems] == [
        ("payload-digest", len(gz(warcinfo(info), good)))
    ]


def test_dangling_links_are_reported_in_file_order(tmp_path: Path) -> None:
    info, response_id, missing = new_id(), new_id(), new_id()
    first = metadata(info, refers_to=missing)
    early = metadata(info, refers_to=response_id)  # resolved by a later record
    wrong_kind = record(
        "resource",
        b"x",
        headers=[("WARC-Target-URI", "http://127.0.0.1/"), ("WARC-Warcinfo-ID", response_id)],
    )
    later = metadata(info, refers_to=missing)
    target = record(
        "resource",
        b"y",
        record_id=response_id,
        headers=[("WARC-Target-URI", "http://127.0.0.1/"), ("WARC-Warcinfo-ID", info)],
    )
    data = gz(warcinfo(info), first, early, wrong_kind, later, target)
    _, problems = run_check(write(tmp_path / "links.warc.gz", data))
    assert codes(problems) == ["dangling-refers-to", "dangling-warcinfo-id", "dangling-refers-to"]
    assert [problem.offset for problem in problems] == sorted(p.offset for p in problems)
    assert "not a warcinfo record" in problems[1].message


def test_uuid_ids_differing_only_in_case_are_different_records(tmp_path: Path) -> None:
    info = new_id()
    lower = new_id()
    upper = lower.upper().replace("<URN:UUID:", "<urn:uuid:")
    data = gz(
        warcinfo(info),
        record(
            "resource",
            b"a",
            record_id=lower,
            headers=[("WARC-Target-URI", "http://h/"), ("WARC-Warcinfo-ID", info)],
        ),
        record(
            "resource",
            b"b",
            record_id=upper,
            headers=[("WARC-Target-URI", "http://h/"), ("WARC-Warcinfo-ID", info)],
        ),
        metadata(info, refers_to=upper.replace("<urn:uuid:", "<urn:uuid:0")[:-2] + ">"),
    )
    _, problems = run_check(write(tmp_path / "case.warc.gz", data))
    assert codes(problems) == ["dangling-refers-to"]
