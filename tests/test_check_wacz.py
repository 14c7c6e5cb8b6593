"""`warcproof check` on WACZ files built here by hand with zipfile: a clean package passes, each
WACZ 1.1.1 MUST broken on purpose is reported."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import RecordRef
from archive.check.checker import check
from archive.check.problems import PER_KIND, Problem
from provenance.cli.main import main
from tests.test_check_warc import written_warc

Entries = dict[str, tuple[bytes, int]]  # name -> (content, zip compression)


def cdxj_lines(refs: list[RecordRef], warc_name: str) -> list[bytes]:
    lines = []
    for ref in refs:
        if ref.rec_type != "response":
            continue
        parts = urlsplit(ref.target_uri)
        host = ",".join(reversed(parts.hostname.split(".")))  # type: ignore[union-attr]
        key = f"{host})/{parts.path.lstrip('/')}?{parts.query}"
        stamp = ref.date[:19].replace("-", "").replace("T", "").replace(":", "")
        fields = {"url": ref.target_uri, "offset": ref.offset, "length": ref.length}
        fields["filename"] = warc_name
        lines.append(f"{key} {stamp} {json.dumps(fields)}".encode())
    return sorted(lines)


def package(entries: Entries, *, digest: bool = True) -> Entries:
    """Add datapackage.json (and datapackage-digest.json) describing ``entries``."""
    resources = [
        {
            "name": name.rsplit("/", 1)[-1],
            "path": name,
            "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
            "bytes": len(content),
        }
        for name, (content, _) in entries.items()
    ]
    datapackage = json.dumps(
        {"profile": "data-package", "wacz_version": "1.1.1", "resources": resources}
    ).encode()
    out = {**entries, "datapackage.json": (datapackage, zipfile.ZIP_DEFLATED)}
    if digest:
        hashed = {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest(),
        }
        out["datapackage-digest.json"] = (json.dumps(hashed).encode(), zipfile.ZIP_DEFLATED)
    return out


def build(path: Path, entries: Entries) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, (content, compression) in entries.items():
            archive.writestr(name, content, compress_type=compression)
    return path


@pytest.fixture
def parts(tmp_path: Path) -> Entries:
    """The entries of a valid WACZ (without its datapackage)."""
    warc, refs = written_warc(tmp_path / "warcs")
    pages = [
        {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
        *(
            {"id": str(index), "url": ref.target_uri, "ts": ref.date, "title": "an article"}
            for index, ref in enumerate(refs)
            if ref.rec_type == "response"
        ),
    ]
    return {
        "archive/data.warc.gz": (warc.read_bytes(), zipfile.ZIP_STORED),
        "indexes/index.cdxj": (
            b"\n".join(cdxj_lines(refs, "data.warc.gz")) + b"\n",
            zipfile.ZIP_DEFLATED,
        ),
        "pages/pages.jsonl": (
            "".join(json.dumps(page) + "\n" for page in pages).encode(),
            zipfile.ZIP_DEFLATED,
        ),
    }


def problems_of(path: Path) -> list[Problem]:
    found: list[Problem] = []
    check([path], on_problem=found.append)
    return found


def test_a_hand_built_wacz_is_clean(tmp_path: Path, parts: Entries) -> None:
    wacz = build(tmp_path / "good.wacz", package(parts))
    found: list[Problem] = []
    summary = check([wacz], on_problem=found.append)
    assert found == []
    assert summary.records == 9
    assert summary.exit_code() == 0


def test_a_wacz_with_no_pages_file_is_a_warning(tmp_path: Path, parts: Entries) -> None:
    del parts["pages/pages.jsonl"]
    (problem,) = problems_of(build(tmp_path / "x.wacz", package(parts)))
    assert (problem.code, problem.level, problem.file) == (
        "wacz-pages-missing",
        "warning",
        f"{tmp_path / 'x.wacz'}#pages/pages.jsonl",
    )


def test_17_digit_index_timestamps_are_one_warning(tmp_path: Path, parts: Entries) -> None:
    content, method = parts["indexes/index.cdxj"]
    longer = re.sub(rb"^(\S+ \d{14})", rb"\g<1>123", content, flags=re.MULTILINE)
    assert longer != content
    parts["indexes/index.cdxj"] = (longer, method)
    (problem,) = problems_of(build(tmp_path / "x.wacz", package(parts)))
    assert (problem.code, problem.level) == ("wacz-index-quirk", "warning")


def test_a_repeated_page_id_is_a_warning(tmp_path: Path, parts: Entries) -> None:
    content, method = parts["pages/pages.jsonl"]
    lines = content.splitlines(keepends=True)
    parts["pages/pages.jsonl"] = (content + lines[1], method)
    (problem,) = problems_of(build(tmp_path / "x.wacz", package(parts)))
    assert (problem.code, problem.level, problem.offset) == (
        "wacz-pages-id",
        "warning",
        len(content),
    )


def test_an_unsorted_index(tmp_path: Path, parts: Entries) -> None:
    lines = parts["indexes/index.cdxj"][0].splitlines(keepends=True)
    parts["indexes/index.cdxj"] = (b"".join(reversed(lines)), zipfile.ZIP_DEFLATED)
    found = problems_of(build(tmp_path / "x.wacz", package(parts)))
    # One finding per index, at its first line out of order (the entry's second line here): a
    # warning, as ReplayWeb.page reads a whole CDXJ index in any order.
    assert [(p.code, p.level) for p in found] == [("wacz-index-unsorted", "warning")]
    assert found[0].offset == len(lines[-1])
    assert f"{len(lines) - 1} line(s) sort before" in found[0].message


def test_a_compressed_warc_inside_the_zip(tmp_path: Path, parts: Entries) -> None:
    content, _ = parts["archive/data.warc.gz"]
    parts["archive/data.warc.gz"] = (content, zipfile.ZIP_DEFLATED)
    (problem,) = problems_of(build(tmp_path / "x.wacz", package(parts)))
    assert problem.code == "wacz-compressed"
    assert problem.file.endswith("#archive/data.warc.gz")


def test_a_wrong_datapackage_hash_and_size(tmp_path: Path, parts: Entries) -> None:
    entries = package(parts)
    content, method = entries["pages/pages.jsonl"]
    entries["pages/pages.jsonl"] = (content.replace(b"an article", b"AN ARTICLE"), method)
    assert [p.code for p in problems_of(build(tmp_path / "hash.wacz", entries))] == ["wacz-hash"]
    entries["pages/pages.jsonl"] = (
        content + b'{"url": "http://x/", "ts": "2026-01-01T00:00:00Z"}\n',
        method,
    )
    found = problems_of(build(tmp_path / "size.wacz", entries))
    assert sorted(p.code for p in found) == ["wacz-hash", "wacz-size"]


def test_a_datapackage_that_does_not_match_its_digest(tmp_path: Path, parts: Entries) -> None:
    entries = package(parts)
    content, method = entries["datapackage.json"]
    entries["datapackage.json"] = (content.replace(b'"1.1.1"', b'"1.1.2"'), method)
    found = problems_of(build(tmp_path / "x.wacz", entries))
    assert [(p.code, p.file.rsplit("#", 1)[1]) for p in found] == [
        ("wacz-hash", "datapackage-digest.json")
    ]


def test_a_damaged_warc_inside_the_zip_is_checked_as_a_warc(tmp_path: Path, parts: Entries) -> None:
    content, _ = parts["archive/data.warc.gz"]
    parts["archive/data.warc.gz"] = (content[:-3], zipfile.ZIP_STORED)
    found = problems_of(build(tmp_path / "x.wacz", package(parts)))
    assert [p.code for p in found] == ["gzip-truncated"]
    assert found[0].file == f"{tmp_path / 'x.wacz'}#archive/data.warc.gz"


def _missing_datapackage(parts: Entries) -> Entries:
    return parts


def _unlisted_file(parts: Entries) -> Entries:
    entries = package(parts)
    entries["notes.txt"] = (b"not listed", zipfile.ZIP_DEFLATED)
    return entries


def _page_without_ts(parts: Entries) -> Entries:
    content, method = parts["pages/pages.jsonl"]
    parts["pages/pages.jsonl"] = (content + b'{"url": "http://127.0.0.1/x"}\n', method)
    return package(parts)


def _bad_cdxj_line(parts: Entries) -> Entries:
    content, method = parts["indexes/index.cdxj"]
    parts["indexes/index.cdxj"] = (content + b"zz,example)/ not-a-cdxj-line\n", method)
    return package(parts)


def _index_naming_another_warc(parts: Entries) -> Entries:
    content, method = parts["indexes/index.cdxj"]
    parts["indexes/index.cdxj"] = (content.replace(b"data.warc.gz", b"gone.warc.gz"), method)
    return package(parts)


def _no_index(parts: Entries) -> Entries:
    del parts["indexes/index.cdxj"]
    return package(parts)


def _wrong_profile(parts: Entries) -> Entries:
    entries = package(parts, digest=False)
    content, method = entries["datapackage.json"]
    entries["datapackage.json"] = (content.replace(b'"data-package"', b'"tabular"'), method)
    return entries


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (_missing_datapackage, "wacz-datapackage"),
        (_unlisted_file, "wacz-datapackage"),
        (_page_without_ts, "wacz-pages"),
        (_bad_cdxj_line, "wacz-index"),
        (_index_naming_another_warc, "wacz-index"),
        (_no_index, "wacz-layout"),
        (_wrong_profile, "wacz-datapackage"),
    ],
)
def test_other_wacz_rules(
    tmp_path: Path, parts: Entries, damage: Callable[[Entries], Entries], code: str
) -> None:
    found = problems_of(build(tmp_path / "x.wacz", damage(parts)))
    assert code in [p.code for p in found], found


def test_a_gzipped_index_must_be_stored_and_sorted(tmp_path: Path, parts: Entries) -> None:
    content, _ = parts.pop("indexes/index.cdxj")
    parts["indexes/index.cdxj.gz"] = (gzip.compress(content), zipfile.ZIP_STORED)
    assert problems_of(build(tmp_path / "good.wacz", package(parts))) == []
    lines = content.splitlines(keepends=True)
    parts["indexes/index.cdxj.gz"] = (
        gzip.compress(b"".join(reversed(lines))),
        zipfile.ZIP_DEFLATED,
    )
    found = problems_of(build(tmp_path / "bad.wacz", package(parts)))
    assert sorted({p.code for p in found}) == ["wacz-compressed", "wacz-index-unsorted"]
    # A gzipped index is a ZipNum block, only ever read by binary search.
    assert {p.level for p in found if p.code == "wacz-index-unsorted"} == {"error"}


def test_a_file_named_wacz_that_is_no_zip_is_unreadable(tmp_path: Path) -> None:
    broken = tmp_path / "broken.wacz"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    summary = check([broken])
    assert summary.unreadable == [str(broken)]
    assert summary.exit_code() == 2


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "/tmp/evil", "archive/../../x", "C:/x"])
def test_a_wacz_with_paths_escaping_the_folder_is_refused(
    tmp_path: Path, parts: Entries, name: str
) -> None:
    wacz = build(tmp_path / "slip.wacz", package({**parts, name: (b"x", zipfile.ZIP_STORED)}))
    found = [p for p in problems_of(wacz) if p.code == "wacz-unsafe-path"]
    assert [p.file for p in found] == [f"{wacz}#{name}"]
    assert "zip-slip" in found[0].message
    result = subprocess.run(
        [str(Path(sys.executable).parent / "warcproof"), "check", str(wacz)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "wacz-unsafe-path" in result.stdout


ENTRY_NAMES = st.sampled_from(
    ["datapackage.json", "datapackage-digest.json", "pages/pages.jsonl", "indexes/index.cdxj",
     "archive/a.warc.gz", "archive/b.warc", "../x", "other"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(ENTRY_NAMES, st.binary(max_size=300), max_size=6), st.booleans())
def test_any_zip_is_checked_without_crashing(entries: dict[str, bytes], stored: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.wacz"
        compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        build(path, {name: (data, compression) for name, data in entries.items()})
        summary = check([path], on_problem=lambda problem: None)
    assert summary.exit_code() in (0, 1, 2)


def test_a_pages_file_of_newlines_gives_a_bounded_list_of_findings(
    tmp_path: Path, parts: Entries, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14, finding 13 (there 5 GiB of newlines): every line is a finding, but at most
    PER_KIND of them per kind and file are passed on, then one that counts the rest; the
    summary still counts every one."""
    lines = 300_000
    parts["pages/pages.jsonl"] = (b"\n" * lines, zipfile.ZIP_DEFLATED)
    wacz = build(tmp_path / "newlines.wacz", package(parts))
    entry = f"{wacz}#pages/pages.jsonl"
    found: list[Problem] = []
    summary = check([wacz], on_problem=found.append)
    assert summary.problems == {"wacz-layout": lines}
    assert len(found) == PER_KIND + 1
    *listed, rest = found
    assert [(p.file, p.code, p.offset, p.more) for p in listed] == [
        (entry, "wacz-layout", offset, 0) for offset in range(PER_KIND)
    ]
    assert (rest.file, rest.code, rest.level, rest.more) == (
        entry,
        "wacz-layout",
        "error",
        lines - PER_KIND,
    )
    assert str(rest) == (
        f"{entry}: error: wacz-layout: ... and {lines - PER_KIND:,} more of this kind, the first "
        f"at offset {PER_KIND}"
    )
    # The command line, in text and in JSON.
    assert main(["check", str(wacz)]) == 1
    out = capsys.readouterr().out
    assert len(out.splitlines()) == PER_KIND + 3  # the findings, the file's line, the summary
    assert f"and {lines - PER_KIND:,} more of this kind" in out
    assert main(["check", "--json", str(wacz)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [one["more"] for one in report["findings"]] == [0] * PER_KIND + [lines - PER_KIND]
    assert report["summary"]["levels"]["error"] == lines


def test_the_cap_is_per_kind_and_per_file(tmp_path: Path, parts: Entries) -> None:
    parts["pages/pages.jsonl"] = (
        b"\n" * 5 + b'{"url": "u", "ts": "x"}\n' * 4,
        zipfile.ZIP_DEFLATED,
    )
    first = build(tmp_path / "a.wacz", package(parts))
    second = build(tmp_path / "b.wacz", package(parts))
    found: list[Problem] = []
    check([first, second], on_problem=found.append, per_kind=3)
    shown = [
        (p.file.split("#")[0], p.code, p.message.startswith("..."), p.more)
        for p in found
        if p.file.endswith("#pages/pages.jsonl")
    ]
    for wacz in (first, second):
        assert [one for one in shown if one[0] == str(wacz)] == [
            *[(str(wacz), "wacz-layout", False, 0)] * 3,
            *[(str(wacz), "wacz-pages", False, 0)] * 3,
            (str(wacz), "wacz-layout", True, 2),
            (str(wacz), "wacz-pages", True, 1),
        ]
