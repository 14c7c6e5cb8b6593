"""`warcproof export --bag`: a valid BagIt bag holding the WACZ, the report and the seed corpus,
checked with bagit-python (library and its command line) and by reading its payload back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import bagit  # type: ignore[import-untyped]
import pytest

from archive.errors import InvalidInputError
from archive.packaging.bag import export_bag
from provenance.sources.manifest import load
from tests.test_index import crawl_corpus

BIN = Path(sys.executable).parent


def export(collection: Path, bag: Path, manifest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "warcproof"),
            "export",
            str(collection),
            "--bag",
            str(bag),
            "--manifest",
            str(manifest),
            "--organization",
            "Example Newsroom Archive",
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, replica_origin: str) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bag")
    collection = crawl_corpus(root, replica_origin)
    bag = root / "out" / "bag"
    result = export(collection, bag, root / "seeds" / "seeds.toml")
    assert result.returncode == 0, result.stderr
    assert "valid bag" in result.stdout
    return collection, bag


@pytest.mark.crawl
def test_the_bag_validates_with_bagit(exported: tuple[Path, Path]) -> None:
    bag = bagit.Bag(str(exported[1]))
    bag.validate(fast=False)
    assert set(bag.algorithms) == {"sha256", "sha512"}
    info = bag.info
    assert info["Source-Organization"] == "Example Newsroom Archive"
    assert "WACZ" in info["External-Description"]
    assert info["Bagging-Date"]
    files = [p for p in (exported[1] / "data").rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    assert info["Payload-Oxum"] == f"{size}.{len(files)}"
    cli = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(exported[1])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert "is valid" in cli.stderr


@pytest.mark.crawl
def test_the_payload_is_the_wacz_the_report_and_the_seeds(
    exported: tuple[Path, Path], tmp_path: Path
) -> None:
    collection, bag = exported
    data = bag / "data"
    manifest = load(collection.parent / "seeds" / "seeds.toml")
    expected = {"collection.wacz", "report.json", "seeds/seeds.toml"} | {
        f"seeds/{seed.file}" for seed in manifest.seeds
    }
    found = {str(p.relative_to(data)) for p in data.rglob("*") if p.is_file()}
    assert found == expected
    for seed in manifest.seeds:
        assert (data / "seeds" / seed.file).read_bytes() == seed.path.read_bytes()
    report = subprocess.run(
        [str(BIN / "warcproof"), "report", "--json", "--collection", str(collection)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads((data / "report.json").read_text("utf-8")) == json.loads(report.stdout)
    check = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(data / "collection.wacz")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    # A bag whose payload changed no longer validates: the check is real.
    copy = tmp_path / "bag"
    shutil.copytree(bag, copy)
    (copy / "data" / "report.json").write_text("[]", "utf-8")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(copy)).validate(fast=False)


@pytest.mark.crawl
def test_a_non_empty_target_is_refused(exported: tuple[Path, Path], tmp_path: Path) -> None:
    collection, _ = exported
    target = tmp_path / "bag"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = export(collection, target, collection.parent / "seeds" / "seeds.toml")
    assert result.returncode == 2
    assert "must be new or empty" in result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["bag"]


@pytest.mark.crawl
def test_changed_seeds_are_not_bagged(exported: tuple[Path, Path], tmp_path: Path) -> None:
    collection, _ = exported
    corpus = tmp_path / "seeds"
    shutil.copytree(collection.parent / "seeds", corpus)
    changed = next(corpus.glob("003_*.txt"))
    changed.write_text(changed.read_text("utf-8") + "\nAn added line.\n", "utf-8")
    result = export(collection, tmp_path / "bag", corpus / "seeds.toml")
    assert result.returncode == 1
    assert changed.name in result.stderr
    assert not (tmp_path / "bag").exists()


def test_payload_paths_must_stay_inside_the_bag(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="must be relative"):
        export_bag(tmp_path / "bag", payload={"../escape.txt": b"x"}, description="d")
    assert not (tmp_path / "escape.txt").exists()
