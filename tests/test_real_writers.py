"""`warcproof check` on WARCs written by other tools, fetching the replica on loopback:
Debian's `wget --warc-file` (gzipped and plain), warcio's `capture_http`, pywb's recorder and
scrapy-webarchive (a crawl, packed by it as a WACZ).
Each checks with no error (warnings allowed: wget writes WARC/1.0 Target-URIs in <...>, pywb
and warcio write no warcinfo record); then damaged copies of each
(cut, a flipped byte, a wrong Content-Length, a wrong digest) give errors naming the damaged
record's offset and, where its head is readable, its WARC-Record-ID. The table of results is in
tests/README.md."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.check.checker import check
from archive.check.problems import Problem
from tests.pywb import COLLECTION, PYWB_BIN, ROOT, running_wayback

PAGES = (
    "/newarab.com/news/exclusive-resistance-weakening-militants-flee-mosul-battle",
    "/diyaruna.com/en_GB/articles/cnmi_di/features/2016/08/01/feature-02",
    "/www.timesofisrael.com/us-general-claims-is-leaders-abandoning-mosul/",
)

pytestmark = pytest.mark.external


def findings(path: Path) -> list[Problem]:
    found: list[Problem] = []
    check([path], on_problem=found.append)
    return found


def errors(path: Path) -> list[Problem]:
    return [problem for problem in findings(path) if problem.level == "error"]


def wget_warc(origin: str, folder: Path, *, compressed: bool) -> Path:
    if shutil.which("wget") is None:
        raise RuntimeError("wget is not installed: run scripts/install.sh")
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / ("wget" if compressed else "wget-plain")
    command = ["wget", "--quiet", f"--warc-file={stem}", "-O", str(folder / "pages.html")]
    if not compressed:
        command.append("--no-warc-compression")
    subprocess.run(
        [*command, *(origin + page for page in PAGES)], check=True, timeout=120, cwd=folder
    )
    return stem.with_name(stem.name + (".warc.gz" if compressed else ".warc"))


def pywb_recorder_warc(origin: str, folder: Path) -> Path:
    """pywb in record mode (`wayback --record --live`), asked for each page through
    /web/record/id_/URL; the WARC it wrote, once it has stopped."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(PYWB_BIN / "wb-manager"), "init", COLLECTION], cwd=folder, check=True, timeout=120
    )
    with running_wayback(folder, "--record", "--live") as base:
        for page in PAGES:
            url = f"{base}/{COLLECTION}/record/id_/{origin}{page}"
            with urllib.request.urlopen(url, timeout=60) as response:
                response.read()
    (warc,) = (folder / "collections" / COLLECTION / "archive").glob("*.warc.gz")
    return warc


def scrapy_webarchive_wacz(origin: str, folder: Path) -> Path:
    """A crawl by scrapy-webarchive (its own environment, .venv-webarchive): its WACZ."""
    python = ROOT / ".venv-webarchive" / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"scrapy-webarchive is not installed in {python.parent.parent}")
    folder.mkdir(parents=True, exist_ok=True)
    spider = Path(__file__).with_name("webarchive_spider.py")
    subprocess.run(
        [str(python), str(spider), origin, str(folder), *PAGES],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wacz,) = folder.glob("*.wacz")
    return wacz


def warcio_warc(origin: str, folder: Path) -> Path:
    from warcio.capture_http import capture_http

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "warcio.warc.gz"
    with capture_http(str(path)):
        for page in PAGES:
            with urllib.request.urlopen(origin + page, timeout=60) as response:
                response.read()
    return path


WRITERS: dict[str, Callable[[str, Path], Path]] = {
    "wget": lambda origin, folder: wget_warc(origin, folder, compressed=True),
    "wget-plain": lambda origin, folder: wget_warc(origin, folder, compressed=False),
    "warcio": warcio_warc,
    "pywb-recorder": pywb_recorder_warc,
    "scrapy-webarchive": scrapy_webarchive_wacz,
}


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(name, marks=pytest.mark.crawl) if name == "scrapy-webarchive" else name
        for name in sorted(WRITERS)
    ],
)
def written(
    request: pytest.FixtureRequest, replica_origin: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return WRITERS[request.param](replica_origin, tmp_path_factory.mktemp(request.param))


def unsorted_index_lines(wacz: Path) -> int:
    """How many lines of a WACZ's CDXJ index sort before the line above them."""
    with zipfile.ZipFile(wacz) as package:
        lines = package.read("indexes/index.cdxj").splitlines()
    return sum(1 for above, line in itertools.pairwise(lines) if line < above)


def test_a_real_writers_warc_checks_without_errors(written: Path) -> None:
    found = findings(written)
    summary = check([written])
    assert summary.records >= 2 * len(PAGES)
    # scrapy-webarchive 0.5 writes its WACZ index in crawl order, not sorted: ReplayWeb.page
    # loads such an index whole and replays it, pywb's binary search misses pages: a warning.
    assert [p for p in found if p.level == "error"] == []
    assert summary.exit_code() == 0
    if written.suffix == ".wacz" and unsorted_index_lines(written):
        assert [p.level for p in found if p.code == "wacz-index-unsorted"] == ["warning"]


# -- damaged copies ---------------------------------------------------------------------------


def members(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """Each gzip member: its offset, its compressed bytes, its decompressed bytes."""
    out = []
    offset = 0
    while offset < len(data):
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        plain = decompressor.decompress(data[offset:])
        size = len(data) - offset - len(decompressor.unused_data)
        out.append((offset, data[offset : offset + size], plain))
        offset += size
    return out


def records(data: bytes) -> list[tuple[int, bytes]]:
    """Each record of a plain WARC: its offset and its bytes (head, block, end)."""
    out = []
    offset = 0
    while offset < len(data):
        head_end = data.index(b"\r\n\r\n", offset) + 4
        length = int(re.search(rb"Content-Length: *(\d+)", data[offset:head_end])[1])  # type: ignore[index]
        end = head_end + length + 4
        out.append((offset, data[offset:end]))
        offset = end
    return out


def record_id(record: bytes) -> str:
    return re.search(rb"WARC-Record-ID: *(<[^>]+>)", record)[1].decode()  # type: ignore[index]


def with_wrong_length(record: bytes) -> bytes:
    return re.sub(
        rb"Content-Length: *(\d+)",
        lambda m: b"Content-Length: " + str(int(m[1]) + 7).encode(),
        record,
        count=1,
    )


def with_wrong_digest(record: bytes) -> bytes:
    other = "sha1:" + base64.b32encode(hashlib.sha1(b"other bytes").digest()).decode()
    return re.sub(rb"WARC-Block-Digest: *\S+", b"WARC-Block-Digest: " + other.encode(), record)


def damaged_copies(path: Path, folder: Path) -> list[tuple[str, Path, int, str | None]]:
    """(damage, damaged file, offset of the damaged record, its id or None)."""
    data = path.read_bytes()
    gzipped = path.name.endswith(".gz")
    parts = (
        [(offset, plain, raw) for offset, raw, plain in members(data)]
        if gzipped
        else [(offset, raw, raw) for offset, raw in records(data)]
    )
    index = next(i for i, (_, plain, _) in enumerate(parts) if b"WARC-Type: response" in plain)
    offset, plain, raw = parts[index]
    before, after = data[:offset], data[offset + len(raw) :]
    pack = gzip.compress if gzipped else (lambda record: record)
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x55
    copies = {
        "cut": (data[: offset + len(raw) // 2], None),
        "flipped byte": (before + bytes(flipped) + after, None),
        "wrong Content-Length": (before + pack(with_wrong_length(plain)) + after, record_id(plain)),
        "wrong digest": (before + pack(with_wrong_digest(plain)) + after, record_id(plain)),
    }
    out = []
    for damage, (content, rid) in copies.items():
        target = folder / f"{damage.replace(' ', '-')}-{path.name}"
        target.write_bytes(content)
        out.append((damage, target, offset, rid))
    return out


def a_warc_of(written: Path, folder: Path) -> Path:
    """The file itself, or the WARC file inside a WACZ."""
    if written.suffix != ".wacz":
        return written
    with zipfile.ZipFile(written) as package:
        (name,) = (n for n in package.namelist() if n.startswith("archive/"))
        target = folder / name.rsplit("/", 1)[-1]
        target.write_bytes(package.read(name))
    return target


def test_damaged_copies_give_errors_naming_record_and_offset(written: Path, tmp_path: Path) -> None:
    for damage, path, offset, rid in damaged_copies(a_warc_of(written, tmp_path), tmp_path):
        found = errors(path)
        assert found, damage
        first = found[0]
        assert first.offset == offset, (damage, found)
        if rid is not None:
            assert first.record_id == rid, (damage, found)
        assert check([path]).exit_code() == 1
