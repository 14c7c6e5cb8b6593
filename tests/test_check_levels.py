"""`warcproof check` levels (error, warning, info) and the files a collection may hold besides
warcproof's own: older WARC versions, one gzip member or none, LF-only heads, ARC, zstd/LZ4,
files that are no archive at all."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import json
from pathlib import Path

import pytest

from archive.check.problems import Problem
from provenance.cli.main import main
from tests.test_check_warc import (
    codes,
    gz,
    new_id,
    record,
    response,
    run_check,
    sha1_b32,
    warcinfo,
    write,
)


def levels(problems: list[Problem]) -> list[str]:
    return [problem.level for problem in problems]


def test_advisory_findings_are_warnings_or_info_and_pass(tmp_path: Path) -> None:
    # No warcinfo, no WARC-Warcinfo-ID, a Target-URI in <...> as wget writes WARC/1.0, and a
    # reference to a record in another file: all valid data.
    block = b"HTTP/1.1 200 OK\r\n\r\nhello"
    quirky = record(
        "response",
        block,
        version="1.0",
        headers=[
            ("WARC-Target-URI", "<http://127.0.0.1/page>"),
            ("WARC-Concurrent-To", new_id()),
            ("Content-Type", "application/http; msgtype=response"),
        ],
    )
    path = write(tmp_path / "quirky.warc.gz", gz(quirky))
    summary, problems = run_check(path)
    assert sorted(zip(codes(problems), levels(problems), strict=True)) == [
        ("dangling-concurrent-to", "warning"),
        ("field-value", "warning"),
        ("warcinfo-id-missing", "info"),
        ("warcinfo-missing", "warning"),
    ]
    assert summary.exit_code() == 0
    assert summary.exit_code(strict=True) == 1
    assert main(["check", str(path)]) == 0
    assert main(["check", "--strict", str(path)]) == 1


def test_json_gives_every_finding_with_level_file_offset_and_record_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = new_id()
    good = response(info, b"hello")
    bad = response(info, b"hello", payload_digest=sha1_b32(b"jello"))
    path = write(tmp_path / "digest.warc.gz", gz(warcinfo(info), good, bad))
    offset = len(gz(warcinfo(info), good))
    record_id = bad.split(b"WARC-Record-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
    assert main(["check", "--json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [
        {
            "level": "error",
            "file": str(path),
            "offset": offset,
            "record_id": record_id,
            "code": "payload-digest",
            "message": "the response record for http://127.0.0.1/page does not match its "
            "WARC-Payload-Digest",
            "more": 0,
        }
    ]
    assert report["summary"]["by_file"] == {str(path): {"error": 1, "warning": 0, "info": 0}}
    assert report["summary"]["levels"] == {"error": 1, "warning": 0, "info": 0}


@pytest.mark.parametrize("version", ["0.17", "0.18", "1.0", "1.1"])
def test_every_warc_version_is_read(tmp_path: Path, version: str) -> None:
    info = new_id()
    records = [
        record(
            "warcinfo",
            b"software: test\r\n",
            record_id=info,
            version=version,
            headers=[("Content-Type", "application/warc-fields")],
        ),
        record(
            "resource",
            b"text",
            version=version,
            headers=[("WARC-Target-URI", "urn:x:1"), ("WARC-Warcinfo-ID", info)],
        ),
    ]
    _, problems = run_check(write(tmp_path / "v.warc", b"".join(records)))
    assert problems == []


def test_one_gzip_member_for_the_whole_file_is_a_warning_and_damage_still_an_error(
    tmp_path: Path,
) -> None:
    info = new_id()
    plain = warcinfo(info) + response(info, b"first") + response(info, b"second")
    one = write(tmp_path / "one.warc.gz", gzip.compress(plain))
    summary, problems = run_check(one)
    assert codes(problems) == ["member-layout"]
    assert (summary.records, summary.exit_code()) == (3, 0)
    wrong = response(info, b"second", payload_digest=sha1_b32(b"sekond"))
    damaged = gzip.compress(warcinfo(info) + response(info, b"first") + wrong)
    _, problems = run_check(write(tmp_path / "damaged.warc.gz", damaged))
    assert codes(problems) == ["member-layout", "payload-digest"]
    payload = problems[1]
    assert (payload.level, payload.offset) == ("error", 0)
    assert f"starts {len(warcinfo(info)) + len(response(info, b'first'))} bytes" in (
        payload.message
    )
    cut = write(tmp_path / "cut.warc.gz", gzip.compress(plain)[:-30])
    assert "error" in levels(run_check(cut)[1])


def test_lf_only_heads_are_a_warning_not_truncation(tmp_path: Path) -> None:
    info = new_id()
    crlf = warcinfo(info) + response(info, b"body\r\nwith CRLF inside")
    heads_and_ends = []
    for one in (warcinfo(info), response(info, b"body\r\nwith CRLF inside")):
        head, _, rest = one.partition(b"\r\n\r\n")
        block = rest[: -len(b"\r\n\r\n")]
        heads_and_ends.append(head.replace(b"\r\n", b"\n") + b"\n\n" + block + b"\n\n")
    lf_only = b"".join(heads_and_ends)
    assert lf_only != crlf
    for path in (
        write(tmp_path / "lf.warc", lf_only),
        write(tmp_path / "lf.warc.gz", gz(*heads_and_ends)),
    ):
        summary, problems = run_check(path)
        assert codes(problems) == ["line-ends"], path
        assert (summary.records, summary.exit_code()) == (2, 0)


def test_a_digest_in_url_safe_base64_is_accepted(tmp_path: Path) -> None:
    info = new_id()
    body = next(
        f"body {n}".encode()
        for n in range(1000)
        if {"-", "_"}
        & set(base64.urlsafe_b64encode(hashlib.sha256(f"body {n}".encode()).digest()).decode())
    )
    urlsafe = "sha256:" + base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode()
    path = write(
        tmp_path / "b64.warc.gz", gz(warcinfo(info), response(info, body, payload_digest=urlsafe))
    )
    assert run_check(path)[1] == []
    wrong = "sha256:" + base64.urlsafe_b64encode(hashlib.sha256(b"other").digest()).decode()
    path = write(
        tmp_path / "bad.warc.gz", gz(warcinfo(info), response(info, body, payload_digest=wrong))
    )
    assert codes(run_check(path)[1]) == ["payload-digest"]


def arc_file(records: list[tuple[bytes, bytes]]) -> bytes:
    """An ARC v1 file: the filedesc record, then one record per (URL, content)."""
    body = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://t.arc 0.0.0.0 20050614070144 text/plain %d\n%s\n" % (len(body), body)
    for url, content in records:
        out += b"%s 10.0.0.1 20050614070159 text/html %d\n%s\n" % (url, len(content), content)
    return out


ARC_RECORDS = [
    (b"http://127.0.0.1/a", b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\nhello"),
    (b"http://127.0.0.1/b", b"HTTP/1.0 200 OK\r\n\r\nbye"),
]


def test_arc_files_are_read_and_checked(tmp_path: Path) -> None:
    data = arc_file(ARC_RECORDS)
    starts = [0, data.index(b"http://127.0.0.1/a"), data.index(b"http://127.0.0.1/b"), len(data)]
    members = b"".join(gzip.compress(data[a:b]) for a, b in itertools.pairwise(starts))
    for path in (write(tmp_path / "a.arc", data), write(tmp_path / "a.arc.gz", members)):
        summary, problems = run_check(path)
        assert problems == [], path
        assert summary.records == 3
    summary, problems = run_check(write(tmp_path / "one.arc.gz", gzip.compress(data)))
    assert codes(problems) == ["member-layout"]
    assert summary.records == 3
    cut = write(tmp_path / "cut.arc", data[:-8])
    _, problems = run_check(cut)
    assert codes(problems) == ["record-truncated"]
    assert problems[0].offset == data.index(b"http://127.0.0.1/b")
    gz_cut = write(tmp_path / "cut.arc.gz", gzip.compress(data)[:-12])
    assert "gzip-truncated" in codes(run_check(gz_cut)[1])


def test_unsupported_and_foreign_files_are_named_never_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = new_id()
    folder = tmp_path / "collection"
    folder.mkdir()
    warc = write(folder / "good.warc.gz", gz(warcinfo(info)))
    write(folder / "a.warc.zst", b"\x28\xb5\x2f\xfd" + b"\0" * 20)
    write(folder / "b.warc.lz4", b"\x04\x22\x4d\x18" + b"\0" * 20)
    write(folder / "c.warc.gz.bad", gz(warcinfo(new_id()))[:-9])
    write(folder / "d.arc", arc_file(ARC_RECORDS))
    write(folder / "notes.txt", b"some notes\n")
    write(folder / "e.warc.gz.open", gz(warcinfo(new_id()))[:-9])
    write(folder / "f.warc.gz.tail", gz(warcinfo(new_id()))[:-9])
    summary, problems = run_check(folder)
    assert sorted(name for name, _ in summary.not_checked) == [
        str(folder / "a.warc.zst"),
        str(folder / "b.warc.lz4"),
        str(folder / "e.warc.gz.open"),
        str(folder / "f.warc.gz.tail"),
        str(folder / "notes.txt"),
    ]
    by_file = {Path(problem.file).name: (problem.code, problem.level) for problem in problems}
    assert by_file == {
        "a.warc.zst": ("unsupported", "warning"),
        "b.warc.lz4": ("unsupported", "warning"),
        "c.warc.gz.bad": ("gzip-truncated", "error"),
        "e.warc.gz.open": ("not-checked", "info"),
        "f.warc.gz.tail": ("not-checked", "info"),
        "notes.txt": ("not-checked", "info"),
    }
    assert {str(warc), str(folder / "d.arc")} <= summary.by_file.keys()
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert all(word in out for word in ("Zstandard", "LZ4", "notes.txt"))
    only_notes = tmp_path / "notes"
    only_notes.mkdir()
    (folder / "notes.txt").rename(only_notes / "notes.txt")
    assert main(["check", str(only_notes)]) == 2
    assert "no WARC, ARC or WACZ file" in capsys.readouterr().err
