from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.cli.main import main
from provenance.sources.manifest import ManifestError, add_seed, from_data, load, verify
from tests.conftest import SEEDS

SHARED = SEEDS.parent.parent / "shared" / "seeds"


def test_corpus_is_byte_identical_to_the_shared_seeds() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    texts = sorted(p.name for p in SHARED.glob("*.txt"))
    assert texts == sorted(p.name for p in SEEDS.glob("*.txt"))
    for name in texts:
        assert (SEEDS / name).read_bytes() == (SHARED / name).read_bytes()


def test_manifest_describes_the_five_seeds() -> None:
    manifest = load(SEEDS / "seeds.toml")
    assert [s.id for s in manifest.seeds] == ["000", "001", "002", "003", "004"]
    for seed in manifest.seeds:
        assert hashlib.sha256(seed.path.read_bytes()).hexdigest() == seed.sha256
    assert manifest.get("001").url is None
    assert manifest.get("001").locate.url_prefix is not None
    assert manifest.get("002").published == date(2016, 10, 20)
    assert verify(manifest) == []


def test_verify_reports_changed_missing_and_unlisted(corpus: Path) -> None:
    folder = corpus.parent
    (folder / "000_b3ac7b66661ae4a7.txt").write_bytes(b"tampered")
    (folder / "004_3a71e7ca43e17fc5.txt").unlink()
    (folder / "stray.txt").write_text("not registered")
    problems = {(p.kind, p.file) for p in verify(load(corpus))}
    assert problems == {
        ("changed", "000_b3ac7b66661ae4a7.txt"),
        ("missing", "004_3a71e7ca43e17fc5.txt"),
        ("unlisted", "stray.txt"),
    }


def test_seeds_verify_command(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seeds", "verify", "--manifest", str(corpus)]) == 0
    assert "5 of 5 seed files intact" in capsys.readouterr().out
    (corpus.parent / "002_94083e9d46d5205f.txt").write_bytes(b"x")
    (corpus.parent / "extra.txt").write_text("y")
    assert main(["seeds", "verify", "--manifest", str(corpus)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("changed: 002_94083e9d46d5205f.txt: sha256 ")
    assert lines[1] == "unlisted: extra.txt: not in the manifest"
    assert lines[2] == "4 of 5 seed files intact, 2 problem(s)"


def test_seeds_add_copies_and_registers(corpus: Path, tmp_path: Path) -> None:
    text = tmp_path / "mine.txt"
    text.write_text("An article of my own.\n", "utf-8")
    code = main(
        [
            "seeds",
            "add",
            str(text),
            "--url",
            "https://example.org/a?b=1",
            "--publisher",
            'Example "News"',
            "--published",
            "2024-05-01",
            "--manifest",
            str(corpus),
        ]
    )
    assert code == 0
    manifest = load(corpus)
    seed = manifest.get("005")
    assert seed.urls == ("https://example.org/a?b=1",)
    assert seed.publisher == 'Example "News"'
    assert seed.path.read_bytes() == text.read_bytes()
    assert verify(manifest) == []
    assert "# warcproof seed manifest" in corpus.read_text()  # comments survive


def test_seeds_add_refuses_bad_input(corpus: Path, tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text("x")
    with pytest.raises(ManifestError, match="not an absolute http"):
        add_seed(corpus, text, urls=["ftp://example.org/x"])
    with pytest.raises(ManifestError, match="already taken"):
        add_seed(corpus, text, urls=[], seed_id="003")
    with pytest.raises(ManifestError, match="no such file"):
        add_seed(corpus, tmp_path / "absent.txt")
    assert load(corpus).seeds[-1].id == "004"  # nothing was written


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('id = "x"\nfile = "../escape.txt"\nsha256 = "' + "0" * 64 + '"', "inside the corpus"),
        ('id = "x"\nfile = "/etc/passwd"\nsha256 = "' + "0" * 64 + '"', "inside the corpus"),
        ('id = "x"\nfile = "a.txt"\nsha256 = "abc"', "64 hex digits"),
        (
            'id = "x"\nfile = "a.txt"\nurls = ["javascript:alert(1)"]\nsha256 = "' + "0" * 64 + '"',
            "seed x: URL",
        ),
        (
            'id = "x"\nfile = "a.txt"\nsha256 = "' + "0" * 64 + '"\npublished = "May 2016"',
            "must be a date",
        ),
    ],
)
def test_invalid_entries_are_refused_with_the_seed_named(
    tmp_path: Path, entry: str, message: str
) -> None:
    path = tmp_path / "seeds.toml"
    path.write_text(f"version = 1\n[[seed]]\n{entry}\n")
    with pytest.raises(ManifestError, match=message):
        load(path)


def test_syntax_errors_give_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "seeds.toml"
    path.write_text('version = 1\n\n[[seed]]\nid = "000\n')
    assert main(["seeds", "verify", "--manifest", str(path)]) == 2
    assert "line 4" in capsys.readouterr().err


def test_duplicate_ids_are_refused(corpus: Path) -> None:
    text = corpus.read_text().replace('id = "004"', 'id = "003"')
    corpus.write_text(text)
    with pytest.raises(ManifestError, match="duplicate seed id '003'"):
        load(corpus)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="manifest not found"):
        load(tmp_path / "nope.toml")


def test_copy_of_corpus_keeps_relative_files(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, target)
    assert verify(load(target / "seeds.toml")) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_manifest_text_loads_or_gives_a_manifest_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "seeds.toml"
    path.write_text(text, "utf-8", errors="surrogatepass")
    try:
        load(path)
    except ManifestError as exc:
        message = str(exc)
    else:
        return
    assert str(path) in message


SEED_ENTRY = st.dictionaries(
    st.sampled_from(["id", "file", "sha256", "urls", "published", "publisher", "locate", "x"]),
    st.one_of(
        st.text(max_size=20),
        st.integers(),
        st.lists(st.text(max_size=20), max_size=3),
        st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(SEED_ENTRY, max_size=4))
def test_any_structured_manifest_parses_or_gives_a_manifest_error(
    entries: list[dict[str, object]],
) -> None:
    path = Path("/nonexistent/seeds.toml")
    try:
        manifest = from_data(path, {"version": 1, "seed": entries})
    except ManifestError:
        return
    for seed in manifest.seeds:
        assert seed.path.parent == path.parent
