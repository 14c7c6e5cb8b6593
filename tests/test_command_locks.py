"""Every command that changes a collection takes its lock, as a crawl does (issue 14): while a
run holds it, `index`, `pack`, `export`, `reverify` and `warc recover` refuse at once with one
line naming the holder, exit 4 (ExitCode.LOCKED), and touch nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive.collection_lock import CollectionLock
from provenance.cli.main import main
from provenance.exitcodes import ExitCode


def _tree(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): path.stat().st_size
        for path in root.rglob("*")
        if not path.name.startswith(".lock")
    }


@pytest.mark.parametrize(
    "command",
    [
        ["index", "{c}"],
        ["index", "--rebuild", "--collection", "{c}"],
        ["pack", "{c}", "-o", "{out}/x.wacz"],
        ["export", "{c}", "--bag", "{out}/bag"],
        ["reverify", "--collection", "{c}"],
        ["warc", "recover", "{c}/warcs"],
    ],
)
def test_a_command_that_changes_a_locked_collection_refuses_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    collection, out = tmp_path / "collection", tmp_path / "out"
    (collection / "warcs").mkdir(parents=True)
    (collection / "warcs" / "a.warc.gz.open").write_bytes(b"WARC/1.1\r\n")  # being written
    out.mkdir()
    before = _tree(collection)
    crawl = CollectionLock(collection, run_id="")  # as the crawl's extension takes it
    crawl.acquire(0)
    try:
        argv = [part.format(c=collection, out=out) for part in command]
        assert main(argv) == ExitCode.LOCKED
    finally:
        crawl.release()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"warcproof: the collection {collection} is in use by another run")
    assert f"pid {os.getpid()}" in err[0]
    assert _tree(collection) == before
    assert list(out.iterdir()) == []


def test_index_runs_once_the_lock_is_free(tmp_path: Path) -> None:
    collection = tmp_path / "collection"
    (collection / "warcs").mkdir(parents=True)
    assert main(["index", str(collection)]) == ExitCode.OK
    assert main(["index", str(tmp_path / "missing")]) == ExitCode.USAGE
    assert not (tmp_path / "missing").exists()
