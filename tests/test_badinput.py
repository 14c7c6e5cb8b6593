"""Bad seed files in a real crawl, and a disk that fills up mid-crawl."""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from archive.check.checker import check
from provenance.ledger.store import Ledger
from provenance.sources.manifest import add_seed, load, verify
from replica.generated import article_text
from tests.conftest import SEEDS, run_crawl

URL_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"
TEXT_004 = (SEEDS / "004_3a71e7ca43e17fc5.txt").read_text("utf-8")


@pytest.mark.crawl
def test_bad_seed_files_get_a_verdict_naming_the_file_and_problem(
    tmp_path: Path, replica_origin: str
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n")
    files = {
        "empty": b"",
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20,
        "cp1252": TEXT_004.replace("Mosul", "Mosul\u2019s").encode("cp1252"),
        "utf16": codecs.BOM_UTF16_LE + TEXT_004.encode("utf-16-le"),
        "crlf": TEXT_004.replace("\n", "\r\n").encode("utf-8"),
        "missing": TEXT_004.encode("utf-8"),
    }
    for seed_id, data in files.items():
        source = tmp_path / f"{seed_id}.txt"
        source.write_bytes(data)
        add_seed(manifest, source, urls=[URL_004], seed_id=seed_id)
    (folder / "missing.txt").unlink()
    assert {p.kind for p in verify(load(manifest))} == {"missing"}

    collection = tmp_path / "collection"
    result = run_crawl(manifest, collection, replica_origin)
    assert result.returncode == 0, result.stderr
    verdicts = {
        e.verdict.seed_id: e.verdict for e in Ledger(collection / "ledger.sqlite").entries()
    }
    expected = {
        "empty": r"empty\.txt: the file holds no text",
        "binary": r"binary\.txt: contains NUL bytes",
        "cp1252": r"cp1252\.txt: not valid utf-8 \(byte \d+",
        "missing": r"missing\.txt: cannot read",
    }
    for seed_id, message in expected.items():
        assert verdicts[seed_id].verdict == "unverifiable"
        assert re.search(message, verdicts[seed_id].reasons[0]), verdicts[seed_id].reasons
    for seed_id in ("utf16", "crlf"):
        assert verdicts[seed_id].verdict == "faithful", verdicts[seed_id].reasons


def _mount_tmpfs(target: Path, size: str) -> bool:
    if shutil.which("mount") is None:
        return False
    target.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
        capture_output=True, check=False,
    )  # fmt: skip
    return mounted.returncode == 0


@pytest.mark.crawl
def test_a_full_disk_stops_the_crawl_cleanly_and_keeps_every_record(
    tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    warcs = collection / "warcs"
    if not _mount_tmpfs(warcs, "400k"):
        pytest.skip("mounting a small tmpfs needs root")
    try:
        folder = tmp_path / "seeds"
        folder.mkdir()
        manifest = folder / "seeds.toml"
        lines = ["version = 1"]
        for n in range(60):
            text = article_text(n, 20000).encode()
            (folder / f"{n}.txt").write_bytes(text)
            lines += [
                "[[seed]]", f'id = "g{n}"', f'file = "{n}.txt"',
                f'urls = ["http://news.test/_generated/{n}?size=20000"]',
                f'sha256 = "{hashlib.sha256(text).hexdigest()}"',
            ]  # fmt: skip
        manifest.write_text("\n".join(lines) + "\n")
        result = run_crawl(manifest, collection, replica_origin, "-s", "CONCURRENT_REQUESTS=2")
        assert result.returncode == 1, result.stdout
        assert "warc_write_failed" in result.stderr
        log = next((collection / "logs").glob("*.log")).read_text()
        assert "No space left on device" in log
        files = sorted(warcs.iterdir())
        assert files
        problems: list[object] = []
        summary = check(files, on_problem=problems.append)
        assert problems == []
        assert summary.records > 10
        with Ledger(collection / "ledger.sqlite") as ledger:
            entries = ledger.entries()
        for entry in entries:  # every recorded capture is readable
            assert entry.capture is None or (warcs / entry.capture.warc_file).exists()
    finally:
        subprocess.run(["umount", str(warcs)], check=False)
