"""Distributed crawls: two crawler processes share one frontier in a real redis-server and crawl
a few hundred generated replica pages; every page is fetched once, each seed gets one verdict,
and the merged collection is whole (its WARCs check clean and the index covers them all)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st
from scrapy import Request
from scrapy.utils.request import RequestFingerprinter

from archive.check.checker import check
from archive.collection import Collection
from archive.index.collection_index import indexed_files
from archive.warc.reader import iter_records
from provenance.ledger.store import Ledger
from replica.generated import article_text, page_path
from replica.server import ReplicaServer
from spiders.frontier import RunKeys, SeedRequestFingerprinter
from tests.conftest import SCREENSHOTS_OFF
from tests.redis_server import redis_server

HOST = "dist.test"
SIZE = 5000  # small pages keep a few hundred of them quick
PAGES = 300
WARCPROOF = str(Path(sys.executable).parent / "warcproof")
SCRAPY = str(Path(sys.executable).parent / "scrapy")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def page_url(number: int) -> str:
    return "http://" + page_path(HOST, number, SIZE)[1:]


def seed_entry(folder: Path, seed_id: str, text: str, url: str | None) -> str:
    raw = text.encode("utf-8")
    (folder / f"{seed_id}.txt").write_bytes(raw)
    urls = f'urls = ["{url}"]\n' if url else ""
    return (
        f'[[seed]]\nid = "{seed_id}"\nfile = "{seed_id}.txt"\n{urls}'
        f'sha256 = "{hashlib.sha256(raw).hexdigest()}"\n'
    )


def write_corpus(folder: Path, pages: int, *, extras: bool) -> Path:
    """Seed n claims generated page n; with `extras`, a tampered copy of page 0's article (a
    second seed for the same URL) and a seed with no URL."""
    folder.mkdir(parents=True)
    entries = [
        seed_entry(folder, f"p{n:04d}", article_text(n, SIZE), page_url(n)) for n in range(pages)
    ]
    if extras:
        tampered = article_text(0, SIZE).replace("forces", "tanks", 3)
        entries.append(seed_entry(folder, "tampered", tampered, page_url(0)))
        entries.append(seed_entry(folder, "nourl", "A text whose source is unknown.\n", None))
    manifest = folder / "seeds.toml"
    manifest.write_text("\n".join(["version = 1\n", *entries]), "utf-8")
    return manifest


def run_verdicts(collection: Path) -> list[tuple[int, str, str]]:
    """(crawl id, seed id, verdict) of every verdict in the collection's ledger."""
    with Ledger(collection / "ledger.sqlite") as ledger:
        last = ledger.last_crawl_id() or 0
        return [
            (entry.crawl_id, entry.verdict.seed_id, entry.verdict.verdict)
            for crawl in range(1, last + 1)
            for entry in ledger.entries(crawl)
        ]


def warc_responses(collection: Path) -> Counter[str]:
    """Target-URIs of the response records in all the collection's WARC files."""
    targets: Counter[str] = Counter()
    for warc in sorted((collection / "warcs").glob("*.warc.gz")):
        for record in iter_records(warc):
            if record.rec_type == "response":
                targets[record.target_uri or ""] += 1
    return targets


def assert_collection_whole(collection: Path) -> None:
    warcs = sorted((collection / "warcs").glob("*.warc.gz*"))
    assert not [warc for warc in warcs if warc.name.endswith(".open")]
    problems: list[object] = []
    summary = check(warcs, on_problem=problems.append)
    assert problems == []
    assert summary.records > 0
    with_pages = {warc.name for warc in warcs if any(_responses(warc))}
    assert with_pages <= indexed_files(Collection(collection).index)


def _responses(warc: Path) -> Iterator[object]:
    return (record for record in iter_records(warc) if record.rec_type == "response")


@pytest.mark.crawl
@pytest.mark.external
def test_two_processes_share_one_frontier(
    redis_url: str, replica: ReplicaServer, tmp_path: Path
) -> None:
    manifest = write_corpus(tmp_path / "seeds", PAGES, extras=True)
    collection = tmp_path / "collection"
    result = warcproof_crawl(
        manifest, collection, "--replica", replica.url, "--redis", redis_url, "--processes", "2"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARCPROOF_RUN_ID=" in result.stdout  # how to add processes on other machines

    # Every page fetched once, page 0 too, though two seeds claim it.
    pages = {path: hits for path, hits in replica.hits.items() if "/_generated/" in path}
    assert pages == {page_path(HOST, n, SIZE): 1 for n in range(PAGES)}
    assert replica.hits[f"/{HOST}/robots.txt"] <= 2  # once per process at most

    # One verdict per seed across the two processes' crawls, and both processes crawled.
    verdicts = run_verdicts(collection)
    seeds = Counter(seed_id for _, seed_id, _ in verdicts)
    assert seeds == Counter([*(f"p{n:04d}" for n in range(PAGES)), "tampered", "nourl"])
    assert len({crawl for crawl, _, _ in verdicts}) == 2
    run_id = re.search(r"WARCPROOF_RUN_ID=(\S+)", result.stdout)
    assert run_id is not None
    with Ledger(collection / "ledger.sqlite") as ledger:  # the run's crawls, by its id
        assert ledger.run_crawls(run_id.group(1)) == sorted({crawl for crawl, _, _ in verdicts})
    by_seed = {seed_id: verdict for _, seed_id, verdict in verdicts}
    assert by_seed["nourl"] == "unverifiable"
    assert by_seed["tampered"] == "modified"
    assert {by_seed[f"p{n:04d}"] for n in range(PAGES)} <= {"verbatim", "faithful"}
    table = result.stdout
    assert "tampered" in table  # the merged table of the whole run
    assert "p0299" in table

    # Each process wrote its own WARC files; none overwrote another's records.
    names = [warc.name for warc in (collection / "warcs").glob("*.warc.gz")]
    assert len({name.rsplit("-", 1)[1] for name in names}) == 2  # two pids
    responses = warc_responses(collection)
    archived = sum(hits for target, hits in responses.items() if "/_generated/" in target)
    assert archived == sum(pages.values())
    assert_collection_whole(collection)
    logs = list((collection / "logs").glob("run-*/process-*.log"))
    assert len(logs) == 2


@pytest.mark.external
def test_a_seed_fed_twice_is_fetched_once(
    redis_url: str, replica: ReplicaServer, tmp_path: Path
) -> None:
    """Two processes joined by hand (as on other machines) to a run whose feed lists every
    seed twice: the shared duplicate filter, keyed by seed, lets each page through once."""
    manifest = write_corpus(tmp_path / "seeds", 30, extras=False)
    collection = tmp_path / "collection"
    keys = RunKeys("fed-twice")
    ids = [f"p{n:04d}" for n in range(30)]
    with redis.Redis.from_url(redis_url) as client:
        client.set(keys.claim, "test")
        client.rpush(keys.feed, *ids, *ids)
    settings = [
        f"WARCPROOF_REDIS_URL={redis_url}",
        f"WARCPROOF_RUN_ID={keys.run_id}",
        f"WARCPROOF_COLLECTION={collection}",
        f"WARCPROOF_SEEDS={manifest}",
        f"WARCPROOF_REPLICA_URL={replica.url}",
        "AUTOTHROTTLE_ENABLED=False",
    ]
    processes = [scrapy_crawl(settings, tmp_path / f"process-{n}.log") for n in (1, 2)]
    for process in processes:
        assert process.wait(timeout=120) == 0
    pages = {path: hits for path, hits in replica.hits.items() if "/_generated/" in path}
    assert pages == {page_path(HOST, n, SIZE): 1 for n in range(30)}
    assert sorted(seed_id for _, seed_id, _ in run_verdicts(collection)) == ids
    with redis.Redis.from_url(redis_url) as client:
        assert client.llen(keys.feed) == 0
        assert all(client.ttl(key) > 0 for key in (keys.claim, keys.dupefilter))
    assert_collection_whole(collection)


def warcproof_crawl(
    manifest: Path, collection: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WARCPROOF, "crawl", "--manifest", str(manifest), "--collection", str(collection), *extra],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def scrapy_crawl(
    settings: Sequence[str], log: Path, stderr: int | None = None
) -> subprocess.Popen[bytes]:
    """`scrapy crawl seeds` with these settings, as a process joins a run by hand."""
    command = [SCRAPY, "crawl", "seeds", "-s", f"LOG_FILE={log}", "-s", SCREENSHOTS_OFF]
    for setting in settings:
        command += ["-s", setting]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "spiders.settings"}
    return subprocess.Popen(command, env=env, cwd=log.parent, stderr=stderr)


@pytest.mark.crawl
def test_an_unreachable_redis_is_an_unavailable_service(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "seeds", 1, extras=False)
    result = warcproof_crawl(manifest, tmp_path / "c", "--redis", "redis://127.0.0.1:1/0")
    assert result.returncode == 5  # ExitCode.UNAVAILABLE: not a usage error
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in result.stderr
    assert not (tmp_path / "c" / "warcs").exists()


def test_a_distributed_crawl_needs_a_run_id(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "seeds", 1, extras=False)
    settings = ["WARCPROOF_REDIS_URL=redis://127.0.0.1:1/0", f"WARCPROOF_SEEDS={manifest}"]
    settings.append(f"WARCPROOF_COLLECTION={tmp_path / 'c'}")
    process = scrapy_crawl(settings, tmp_path / "crawl.log", stderr=subprocess.PIPE)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"WARCPROOF_RUN_ID '': a distributed crawl needs a run id" in stderr


@pytest.mark.crawl
def test_processes_without_redis_is_a_usage_error(tmp_path: Path) -> None:
    manifest = write_corpus(tmp_path / "seeds", 1, extras=False)
    result = warcproof_crawl(manifest, tmp_path / "c", "--processes", "3")
    assert result.returncode == 2
    assert "--processes needs --redis" in result.stderr


SEED_IDS = st.text("abc0123", min_size=1, max_size=6)


@given(url=st.sampled_from(["http://a.test/x", "http://a.test/y?z=1"]), seed=SEED_IDS)
def test_fingerprints_are_per_seed_and_redirect_hop(url: str, seed: str) -> None:
    fingerprinter = SeedRequestFingerprinter()
    plain = Request(url)
    first = Request(url, meta={"seed_id": seed})
    again = Request(url, meta={"seed_id": seed})
    other = Request(url, meta={"seed_id": seed + "x"})
    hop = Request(url, meta={"seed_id": seed, "redirect_urls": ["http://a.test/start"]})
    assert fingerprinter.fingerprint(first) == fingerprinter.fingerprint(again)
    assert fingerprinter.fingerprint(first) != fingerprinter.fingerprint(other)
    assert fingerprinter.fingerprint(first) != fingerprinter.fingerprint(hop)
    assert fingerprinter.fingerprint(plain) == RequestFingerprinter().fingerprint(plain)
