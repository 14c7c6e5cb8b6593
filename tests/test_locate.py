"""`warcproof seeds locate`: finding the source of a seed with no URL among a real pywb's
captures, accepting it into the manifest, then crawling and verifying it end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.sources.locate import shared_text
from provenance.sources.manifest import ManifestError, load, set_source_url
from replica.server import ReplicaServer
from tests.archive_fixture import PYWB_CDX
from tests.conftest import SEEDS, run_crawl

WARCPROOF = str(Path(sys.executable).parent / "warcproof")
FOUND_001 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2016/08/01/feature-02"


def locate(
    manifest: Path, seed_id: str, base: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    options = ["--manifest", str(manifest), "--wayback", base, "--cdx", PYWB_CDX, *extra]
    return subprocess.run(
        [WARCPROOF, "seeds", "locate", seed_id, *options],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.external
def test_seed_001_is_found_among_the_candidates(corpus: Path, wayback: str) -> None:
    result = locate(corpus, "001", wayback, "--json")
    assert result.returncode == 0, result.stderr
    search: dict[str, Any] = json.loads(result.stdout)
    candidates = search["candidates"]
    assert len(candidates) == 6  # seed 001's page and five other features of those days
    assert search["found"]
    best, *others = candidates
    assert best["url"] == FOUND_001
    assert best["replay_url"] == f"{wayback}/web/20160802060537id_/{FOUND_001}"
    assert best["score"] > 0.8
    assert best["samples"]
    assert all(other["score"] < 0.05 for other in others)
    assert load(corpus).get("001").urls == ()  # no --accept, no change


@pytest.mark.crawl
@pytest.mark.external
def test_accepted_candidate_is_crawled_and_verified(corpus: Path, wayback: str) -> None:
    before = corpus.read_text("utf-8")
    result = locate(corpus, "001", wayback, "--accept")
    assert result.returncode == 0, result.stderr
    assert f"accepted: seed 001 now lists {FOUND_001}" in result.stdout
    assert "found word for word" in result.stdout
    after = corpus.read_text("utf-8")
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [("urls = []", f'urls = ["{FOUND_001}"]')]
    assert load(corpus).get("001").url == FOUND_001

    collection = corpus.parent.parent / "collection"
    with ReplicaServer(gone_hosts={"diyaruna.com"}) as replica:
        crawl = run_crawl(
            corpus,
            collection,
            replica.url,
            "--seed",
            "001",
            "-s",
            f"WARCPROOF_WAYBACK_URL={wayback}",
            "-s",
            f"WARCPROOF_WAYBACK_CDX={PYWB_CDX}",
        )
    assert crawl.returncode == 0, crawl.stderr
    report = subprocess.run(
        [WARCPROOF, "report", "--json", "--collection", str(collection)],
        capture_output=True,
        text=True,
        check=True,
    )
    (entry,) = json.loads(report.stdout)
    assert entry["verdict"] == "faithful", entry["reasons"]
    assert entry["capture"]["source_kind"] == "archived"
    assert entry["capture"]["source_url"] == FOUND_001
    assert "archived capture of 2016-08-02 06:05:37 UTC" in entry["reasons"][0]


@pytest.mark.external
def test_a_seed_matching_no_candidate_is_not_found(
    tmp_path: Path, corpus: Path, wayback: str
) -> None:
    """Seed 004's text (a 2017 article) searched among the 2016 features: never a match."""
    text = corpus.read_text("utf-8").replace(
        'urls = ["http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"]',
        "urls = []",
    )
    text += (
        '\n[seed.locate]\nurl_prefix = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2016/"'
        '\nfrom = "2016-07-25"\nto = "2016-08-10"\n'
    )
    corpus.write_text(text, "utf-8")
    before = corpus.read_bytes()
    result = locate(corpus, "004", wayback, "--accept")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not found: no candidate carries 50% of the seed (best scores:" in result.stdout
    assert "6 candidate page(s)" in result.stdout
    assert corpus.read_bytes() == before


@pytest.mark.external
def test_a_seed_without_search_hints_is_a_usage_error(corpus: Path, wayback: str) -> None:
    result = locate(corpus, "002", wayback)
    assert result.returncode == 2
    assert "seed 002: the manifest gives no [seed.locate] url_prefix" in result.stderr


@pytest.mark.external
def test_the_threshold_is_a_fraction(corpus: Path, wayback: str) -> None:
    result = locate(corpus, "001", wayback, "--threshold", "7")
    assert result.returncode == 2
    assert "the threshold is a fraction" in result.stderr


def test_set_source_url_refuses_a_seed_that_has_urls(corpus: Path) -> None:
    with pytest.raises(ManifestError, match="already lists source URLs"):
        set_source_url(corpus, "004", FOUND_001)


def test_set_source_url_adds_a_missing_urls_line(corpus: Path) -> None:
    text = corpus.read_text("utf-8").replace('id = "001"\nfile', 'id = "001"\n# a comment\nfile')
    corpus.write_text(text.replace("urls = []\n", "", 1), "utf-8")
    seed = set_source_url(corpus, "001", FOUND_001)
    assert seed.urls == (FOUND_001,)
    assert "# a comment" in corpus.read_text("utf-8")


SEED_004 = (SEEDS / "004_3a71e7ca43e17fc5.txt").read_text("utf-8")


@given(st.text(max_size=300), st.text(max_size=300))
def test_shared_score_is_a_fraction(seed: str, article: str) -> None:
    shared = shared_text(seed, article)
    assert 0.0 <= shared.score <= 1.0
    assert shared.matched_units <= shared.seed_units


def test_shared_score_of_a_text_with_itself_and_with_another() -> None:
    assert shared_text(SEED_004, SEED_004).score == 1.0
    seed_001 = (SEEDS / "001_0e914d85ad094d08.txt").read_text("utf-8")
    assert shared_text(SEED_004, seed_001).score < 0.05
