"""`warcproof warc recover`: cutting the partial tail of a `.open` file, refusing what is not a
crash tail, running twice; and a real crawl killed with SIGKILL mid-write, then recovered."""

from __future__ import annotations

import gzip
import os
import re
import signal
import sqlite3
import subprocess
import time
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from archive import RecordRef, iter_records, read_record
from archive.check.checker import check
from archive.check.problems import Problem
from archive.check.recover import RecoveryError, recover_file
from provenance.cli.main import main
from provenance.run.crawl_process import scrapy_command
from tests.conftest import SCREENSHOTS_OFF, SEEDS
from tests.test_check_warc import written_warc

CRAWL_TIMEOUT = 180.0


def open_copy(tmp_path: Path, data: bytes | None = None) -> tuple[Path, bytes, list[RecordRef]]:
    """A `.open` file with the content of a WarcWriter file (or ``data``)."""
    warc, refs = written_warc(tmp_path / "source")
    content = warc.read_bytes() if data is None else data
    target = tmp_path / "out" / (warc.name + ".open")
    target.parent.mkdir()
    target.write_bytes(content)
    return target, warc.read_bytes(), refs


def final_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".open"))


def problems(*paths: Path) -> list[Problem]:
    found: list[Problem] = []
    check(list(paths), on_problem=found.append)
    return found


def test_a_partial_member_is_cut_into_the_tail_file(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    last = refs[-1]
    path.write_bytes(full[: last.offset + last.length // 2])
    result = recover_file(path)
    final = final_of(path)
    assert (result.final, result.records, result.cut_offset) == (final, len(refs), last.offset)
    assert result.cut_bytes == last.length // 2
    assert result.cut_description is not None
    assert result.cut_description.startswith("a partial gzip member")
    assert final.read_bytes() == full[: last.offset]
    assert (result.tail and result.tail.read_bytes()) == full[
        last.offset : last.offset + last.length // 2
    ]
    assert not path.exists()
    assert problems(final) == []


def test_a_complete_member_holding_a_partial_record(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    partial = gzip.compress(b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 500\r\n\r\nshort")
    path.write_bytes(full + partial)
    result = recover_file(path)
    assert (result.records, result.cut_offset, result.cut_bytes) == (
        len(refs) + 1,
        len(full),
        len(partial),
    )
    assert result.cut_description is not None
    assert result.cut_description.startswith("a complete gzip member holding a partial record")
    assert "5 of its 500 bytes" in result.cut_description
    assert problems(final_of(path)) == []


def test_garbage_after_a_complete_record_is_cut(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    path.write_bytes(full + b"\0" * 4096)
    result = recover_file(path)
    assert (result.records, result.cut_bytes) == (len(refs) + 1, 4096)
    assert result.cut_description is not None
    assert result.cut_description.startswith("bytes that are not gzip data")
    assert final_of(path).read_bytes() == full


def test_a_complete_file_is_only_renamed(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    result = recover_file(path)
    assert (result.cut_bytes, result.tail, result.records) == (0, None, len(refs) + 1)
    assert final_of(path).read_bytes() == full
    assert not final_of(path).with_name(final_of(path).name + ".tail").exists()


def test_a_file_with_no_complete_record_leaves_only_the_tail(tmp_path: Path) -> None:
    path, full, _ = open_copy(tmp_path)
    path.write_bytes(full[:100])
    result = recover_file(path)
    assert (result.final, result.records, result.cut_bytes) == (None, 0, 100)
    assert not path.exists()
    assert not final_of(path).exists()
    assert result.tail is not None
    assert result.tail.read_bytes() == full[:100]


def test_damage_followed_by_complete_records_is_refused(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    at = refs[2].offset
    damaged = full[:at] + b"junk" + full[at:]
    path.write_bytes(damaged)
    with pytest.raises(RecoveryError, match="not a crash tail"):
        recover_file(path)
    assert path.read_bytes() == damaged  # untouched


def test_refusals_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, full, _ = open_copy(tmp_path)
    notes = tmp_path / "out" / "notes.txt"
    notes.write_bytes(b"not a WARC")
    assert main(["warc", "recover", str(notes)]) == 2
    assert "not a WARC file" in capsys.readouterr().err
    assert notes.read_bytes() == b"not a WARC"
    final_of(path).write_bytes(b"already here")
    assert main(["warc", "recover", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == full


def test_a_closed_file_is_recovered_in_place(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    closed = final_of(path)
    path.rename(closed)
    assert recover_file(closed).cut_bytes == 0
    closed.write_bytes(full + full[:50])
    result = recover_file(closed)
    assert (result.final, result.records, result.cut_bytes) == (closed, len(refs) + 1, 50)
    assert closed.read_bytes() == full
    assert (result.tail and result.tail.read_bytes()) == full[:50]


def test_a_file_compressed_as_one_member_keeps_every_complete_record(tmp_path: Path) -> None:
    path, full, _ = open_copy(tmp_path)
    plain = gzip.decompress(full)
    whole = gzip.compress(plain)
    path.write_bytes(whole[: len(whole) * 2 // 3])  # cut inside the one member
    result = recover_file(path)
    final = final_of(path)
    kept = list(iter_records(final))
    assert result.records == result.rewritten == len(kept) > 1
    assert (result.cut_offset, result.kept_bytes) == (0, 0)
    assert (result.tail and result.tail.read_bytes()) == whole[: len(whole) * 2 // 3]
    # Each complete record is back, one gzip member each, its bytes unchanged.
    assert plain.startswith(gzip.decompress(final.read_bytes()))
    assert [p.code for p in problems(final) if p.level == "error"] == []


def test_a_record_failing_its_digest_in_the_damaged_member_stays_in_the_tail(
    tmp_path: Path,
) -> None:
    # A deflate stream cut short and followed by other bytes can decode into well-framed text
    # that was never written; its digest is what tells. Nothing from it on is written back.
    path, full, _ = open_copy(tmp_path)
    plain = bytearray(gzip.decompress(full))
    second = plain.index(b"WARC/1.1\r\n", 1)
    block = plain.index(b"\r\n\r\n", second) + 4
    letter = next(at for at in range(block, len(plain)) if chr(plain[at]).isalpha())
    plain[letter] ^= 0x20  # the case of one letter: the framing is untouched
    whole = gzip.compress(bytes(plain))
    path.write_bytes(whole[:-8])  # the member's trailer lost
    result = recover_file(path)
    final = final_of(path)
    assert result.records == result.rewritten == 1
    assert (result.tail and result.tail.read_bytes()) == whole[:-8]
    assert gzip.decompress(final.read_bytes()) == bytes(plain[:second])
    assert [p.code for p in problems(final) if p.level == "error"] == []


def test_a_complete_one_member_file_is_left_whole(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    whole = gzip.compress(gzip.decompress(full))
    path.write_bytes(whole)
    result = recover_file(path)
    assert (result.cut_bytes, result.records) == (0, len(refs) + 1)
    assert final_of(path).read_bytes() == whole


def test_a_plain_warc_is_cut_after_its_last_complete_record(tmp_path: Path) -> None:
    _, full, refs = open_copy(tmp_path)
    plain = gzip.decompress(full)
    members = [gzip.decompress(full[ref.offset : ref.offset + ref.length]) for ref in refs]
    path = tmp_path / "out" / "plain.warc.open"
    path.write_bytes(plain[: len(plain) - len(members[-1]) // 2])
    result = recover_file(path)
    final = tmp_path / "out" / "plain.warc"
    assert result.final == final
    assert (result.records, result.cut_offset) == (len(refs), len(plain) - len(members[-1]))
    assert final.read_bytes() == plain[: len(plain) - len(members[-1])]
    assert problems(final) == []


def test_recovery_is_safe_to_run_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, full, refs = open_copy(tmp_path)
    path.write_bytes(full + full[:50])
    assert main(["warc", "recover", str(path.parent)]) == 0
    out = capsys.readouterr().out
    assert f"kept {len(refs) + 1} record(s)" in out
    assert "cut 50 bytes" in out
    tail = final_of(path).with_name(final_of(path).name + ".tail")
    assert main(["warc", "recover", str(path.parent)]) == 0
    assert "no .open file to recover" in capsys.readouterr().out
    assert main(["warc", "recover", str(path)]) == 2
    assert "already recovered?" in capsys.readouterr().err
    assert (final_of(path).read_bytes(), tail.read_bytes()) == (full, full[:50])


def test_an_interrupted_recovery_can_be_run_again(tmp_path: Path) -> None:
    path, full, refs = open_copy(tmp_path)
    path.write_bytes(full + full[:50])
    tail = final_of(path).with_name(final_of(path).name + ".tail")
    tail.write_bytes(full[:50])  # the tail was saved, then the recovery was killed
    result = recover_file(path)
    assert (result.records, result.cut_bytes) == (len(refs) + 1, 50)
    tail.write_bytes(b"something else")
    path.write_bytes(full + full[:50])
    final_of(path).unlink()
    with pytest.raises(RecoveryError, match="differs"):
        recover_file(path)


# -- a real crawl, killed --------------------------------------------------------------------


def many_seeds(folder: Path, copies: int) -> Path:
    """A manifest listing each seed that has a source URL ``copies`` times under new ids."""
    folder.mkdir()
    blocks = re.findall(
        r"\[\[seed\]\]\n(?:(?!\[\[seed\]\]).)*", (SEEDS / "seeds.toml").read_text("utf-8"), re.S
    )
    entries = []
    for block in blocks:
        if "urls = []" in block:
            continue
        seed_id = re.search(r'^id = "([^"]+)"', block, re.M)[1]  # type: ignore[index]
        name = re.search(r'^file = "([^"]+)"', block, re.M)[1]  # type: ignore[index]
        text = (SEEDS / name).read_bytes()
        body = re.sub(r"\[seed\.locate\].*", "", block, flags=re.S)
        for copy in range(copies):
            copy_id = f"{seed_id}-{copy:04d}"
            (folder / f"{copy_id}.txt").write_bytes(text)
            entries.append(
                body.replace(f'id = "{seed_id}"', f'id = "{copy_id}"').replace(
                    f'file = "{name}"', f'file = "{copy_id}.txt"'
                )
            )
    manifest = folder / "seeds.toml"
    manifest.write_text("version = 1\n\n" + "\n".join(entries), "utf-8")
    return manifest


def complete_members(data: bytes) -> int:
    """How many whole gzip members ``data`` begins with (an independent count)."""
    count, rest = 0, data
    while rest:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            decompressor.decompress(rest)
        except zlib.error:
            break
        if not decompressor.eof:
            break
        count += 1
        rest = decompressor.unused_data
    return count


@pytest.mark.crawl
def test_a_crawl_killed_mid_write_is_recovered(tmp_path: Path, replica_origin: str) -> None:
    manifest = many_seeds(tmp_path / "seeds", 100)
    collection = tmp_path / "collection"
    warcs = collection / "warcs"
    (collection / "logs").mkdir(parents=True)
    command = scrapy_command(
        manifest,
        collection,
        [],
        replica_origin,
        collection / "logs" / "crawl.log",
        ["WARCPROOF_WARC_MAX_SIZE=150000", SCREENSHOTS_OFF],
    )
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + CRAWL_TIMEOUT
        while True:
            opened = list(warcs.glob("*.open")) if warcs.exists() else []
            closed = list(warcs.glob("*.warc.gz")) if warcs.exists() else []
            if closed and opened and opened[0].stat().st_size > 60_000:
                break
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "the crawl wrote too little in time"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    (open_file,) = warcs.glob("*.open")
    before = open_file.read_bytes()
    whole = complete_members(before)

    result = recover_file(open_file)
    final = final_of(open_file)
    assert result.final == final
    assert result.records == whole
    assert final.read_bytes() + (result.tail.read_bytes() if result.tail else b"") == before
    assert len(list(iter_records(final))) == whole
    files = sorted(warcs.glob("*.warc.gz"))
    assert problems(*files) == []

    with closing(sqlite3.connect(collection / "ledger.sqlite")) as ledger:
        captures = ledger.execute(
            "SELECT warc_file, warc_offset, response_record_id FROM captures"
        ).fetchall()
    assert captures
    for warc_file, offset, record_id in captures:
        assert read_record(warcs / warc_file, offset).record_id == record_id


def test_recover_waits_for_no_crawl_it_refuses_a_locked_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archive.collection_lock import CollectionLock

    warc, _ = written_warc(tmp_path / "source")
    collection = tmp_path / "collection"
    live = collection / "warcs" / (warc.name + ".open")
    live.parent.mkdir(parents=True)
    live.write_bytes(warc.read_bytes()[:-10])  # a file a running crawl is still writing
    crawl = CollectionLock(collection, run_id="")
    crawl.acquire(0)
    try:
        assert main(["warc", "recover", str(collection / "warcs")]) == 4
        assert "is in use by another run" in capsys.readouterr().err
        assert live.exists()
        assert not final_of(live).exists()
    finally:
        crawl.release()
    assert main(["warc", "recover", str(collection / "warcs")]) == 0
    assert final_of(live).exists()
