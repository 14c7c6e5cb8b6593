"""Seed files and manifests a hostile corpus may hold (issue 14, finding 8, 14 and the TOML
and id findings): links, devices, FIFOs, folders linked out of the corpus, credentials in
URLs, deep nesting, ids with a trailing newline. Each is refused with one line naming it;
nothing outside the corpus is read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from provenance.cli.main import main
from provenance.sources.manifest import ManifestError, load, verify
from provenance.text.seedtext import SeedTextError, read_seed

SEED_FILE = "004_3a71e7ca43e17fc5.txt"


def replace_with(corpus: Path, make: str) -> Path:
    """Seed 004's file replaced by a hostile one; returns its path."""
    path = corpus.parent / SEED_FILE
    outside = corpus.parent.parent / "outside.txt"
    outside.write_bytes(path.read_bytes())  # same bytes: only the kind of file differs
    path.unlink()
    if make == "link-out":
        path.symlink_to(outside)
    elif make == "link-passwd":
        path.symlink_to("/etc/passwd")
    elif make == "link-zero":
        path.symlink_to("/dev/zero")
    elif make == "fifo":
        os.mkfifo(path)
    return path


@pytest.mark.parametrize("make", ["link-out", "link-passwd", "link-zero", "fifo"])
def test_links_and_special_files_are_refused_without_being_read(corpus: Path, make: str) -> None:
    path = replace_with(corpus, make)
    kind = "is a symbolic link" if make.startswith("link") else "is not a regular file"
    with pytest.raises(SeedTextError, match=rf"{SEED_FILE}: {kind}"):
        read_seed(path)
    problems = {(p.kind, p.file) for p in verify(load(corpus))}
    assert problems == {("refused", SEED_FILE)}


def test_seeds_verify_fails_on_a_link(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replace_with(corpus, "link-out")
    assert main(["seeds", "verify", "--manifest", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert f"refused: {SEED_FILE}: " in out
    assert "is a symbolic link" in out


def test_a_folder_linked_out_of_the_corpus_is_refused(corpus: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(corpus.parent / SEED_FILE, elsewhere / SEED_FILE)
    (corpus.parent / "texts").symlink_to(elsewhere)
    text = corpus.read_text("utf-8").replace(f'"{SEED_FILE}"', f'"texts/{SEED_FILE}"')
    corpus.write_text(text, "utf-8")
    with pytest.raises(ManifestError, match="outside the corpus folder through a symbolic link"):
        load(corpus)


def test_reading_stops_at_the_limit_whatever_the_size_says(tmp_path: Path) -> None:
    path = tmp_path / "grows.txt"
    path.write_bytes(b"word " * 1000)
    with pytest.raises(SeedTextError, match="more than a copy of one article"):
        read_seed(path, max_bytes=100)


def manifest_with(tmp_path: Path, body: str) -> Path:
    (tmp_path / "a.txt").write_text("text")
    manifest = tmp_path / "seeds.toml"
    manifest.write_text("version = 1\n" + body, "utf-8")
    return manifest


def test_credentials_in_a_url_are_refused_and_never_echoed(tmp_path: Path) -> None:
    manifest = manifest_with(
        tmp_path,
        f'[[seed]]\nid = "x"\nfile = "a.txt"\nsha256 = "{"0" * 64}"\n'
        'urls = ["http://user:s3cret@example.com/a"]\n',
    )
    with pytest.raises(ManifestError, match="carries credentials") as raised:
        load(manifest)
    assert "s3cret" not in str(raised.value)


def test_an_id_ending_in_a_newline_is_refused(tmp_path: Path) -> None:
    manifest = manifest_with(
        tmp_path, f'[[seed]]\nid = "x\\n"\nfile = "a.txt"\nsha256 = "{"0" * 64}"\n'
    )
    with pytest.raises(ManifestError, match="'id' must be"):
        load(manifest)


def test_deeply_nested_toml_is_a_manifest_error(tmp_path: Path) -> None:
    manifest = manifest_with(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ManifestError, match="nested too deeply"):
        load(manifest)


def test_a_manifest_that_is_a_device_is_refused(tmp_path: Path) -> None:
    manifest = tmp_path / "seeds.toml"
    manifest.symlink_to("/dev/zero")
    with pytest.raises(ManifestError, match="must be a regular file"):
        load(manifest)
