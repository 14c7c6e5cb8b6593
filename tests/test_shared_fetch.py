"""One fetch per URL per crawl: seeds naming one page share its fetch and its records, and each
still gets its own verdict and evidence."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from archive.check.checker import check
from archive.warc.reader import iter_records
from provenance.ledger.store import Ledger
from provenance.sources.manifest import Seed
from replica.generated import article_text, page_path
from replica.server import ReplicaServer
from spiders.spiders.seeds import by_url
from tests.conftest import run_crawl

HOST = "shared.test"
SIZE = 5000


def page_url(number: int) -> str:
    return "http://" + page_path(HOST, number, SIZE)[1:]


def write_seed(folder: Path, seed_id: str, text: str, url: str) -> str:
    raw = text.encode("utf-8")
    (folder / f"{seed_id}.txt").write_bytes(raw)
    return (
        f'[[seed]]\nid = "{seed_id}"\nfile = "{seed_id}.txt"\nurls = ["{url}"]\n'
        f'sha256 = "{hashlib.sha256(raw).hexdigest()}"\n'
    )


@pytest.mark.crawl
def test_three_seeds_naming_one_page_share_one_fetch(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    text = article_text(1, SIZE)
    entries = [
        write_seed(folder, "copy", text, page_url(1)),
        write_seed(
            folder,
            "tampered",
            text.replace("government", "army", 1).replace(" the ", " no ", 4),
            page_url(1),
        ),
        write_seed(folder, "other", article_text(2, SIZE), page_url(2)),
        write_seed(folder, "excerpt", text[: len(text) // 3], page_url(1)),
    ]
    manifest = folder / "seeds.toml"
    manifest.write_text("\n".join(["version = 1\n", *entries]), "utf-8")
    collection = tmp_path / "collection"

    result = run_crawl(manifest, collection, replica.url)
    assert result.returncode == 0, result.stderr[-3000:]

    fetched = {path: hits for path, hits in replica.hits.items() if "/_generated/" in path}
    assert fetched == {page_path(HOST, n, SIZE): 1 for n in (1, 2)}
    warcs = sorted((collection / "warcs").glob("*.warc.gz"))
    kinds: Counter[tuple[str, str]] = Counter()
    for warc in warcs:
        for record in iter_records(warc):
            kinds[(record.rec_type, record.target_uri or "")] += 1
    shared = replica.url + page_path(HOST, 1, SIZE)
    responses = {uri: n for (kind, uri), n in kinds.items() if kind == "response"}
    assert responses[shared] == 1
    conversions = {uri: n for (kind, uri), n in kinds.items() if kind == "conversion"}
    other = replica.url + page_path(HOST, 2, SIZE)
    assert conversions == {f"urn:text:{shared}": 1, f"urn:text:{other}": 1}

    with Ledger(collection / "ledger.sqlite") as ledger:
        entries = {entry.verdict.seed_id: entry for entry in ledger.entries()}
    assert sorted(entries) == ["copy", "excerpt", "other", "tampered"]
    assert entries["copy"].verdict.verdict in {"verbatim", "faithful"}
    assert entries["tampered"].verdict.verdict == "modified"
    assert entries["excerpt"].verdict.verdict == "excerpt"
    # Each verdict's evidence names the one shared response and conversion.
    sharing = [entries[seed_id] for seed_id in ("copy", "tampered", "excerpt")]
    assert len({entry.evidence.source.response_record_id for entry in sharing}) == 1
    assert len({entry.evidence.source.conversion_record_id for entry in sharing}) == 1
    assert len({entry.verdict.metadata_record_id for entry in sharing}) == 3
    problems: list[object] = []
    check(warcs, on_problem=problems.append)
    assert problems == []


def test_seeds_are_grouped_by_url_in_manifest_order() -> None:
    def seed(seed_id: str, url: str | None) -> Seed:
        path = Path(f"{seed_id}.txt")
        return Seed(seed_id, path.name, path, "0" * 64, urls=(url,) if url else ())

    seeds = [seed("a", "http://x/1"), seed("b", None), seed("c", "http://x/2")]
    seeds += [seed("d", "http://x/1"), seed("e", None), seed("f", "http://x/2")]
    groups = [[member.id for member in group] for group in by_url(seeds)]
    assert groups == [["a", "d"], ["b"], ["c", "f"], ["e"]]
