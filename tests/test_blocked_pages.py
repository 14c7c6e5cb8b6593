"""Pages that are not the article, crawled for real: seed 004's text filed under the replica's
bot challenges (403, 503; a captcha with 429 and with 200), consent wall (200), login wall (401)
and paywall teaser (200). Each verdict is unverifiable with the kind of page named, never
"foreign content" or "excerpt"; with an archive configured (a real pywb holding the article at
those URLs), the archive is asked and the verdict rests on its capture."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from warcio.archiveiterator import ArchiveIterator

from provenance.sources.manifest import add_seed
from replica.errors import RoutesError
from replica.routes import RouteTable
from replica.server import ReplicaServer
from spiders.spiders.seeds import NOT_IN_REPLICA_MODE
from tests.archive_fixture import PAGES, PYWB_CDX, PastCapture, write_archive
from tests.conftest import SEEDS, report_by_seed, run_crawl
from tests.pywb import pywb_server

WARCPROOF = str(Path(sys.executable).parent / "warcproof")
SITE = "https://www.mosul-monitor.example"
# seed id: (path on the site, the words the reason starts with, the status served)
BLOCKED = {
    "challenge-503": ("/challenge/503/", "the site answered with a bot challenge", 503),
    "challenge-403": ("/challenge/403/", "the site answered with a bot challenge", 403),
    "challenge-header": ("/challenge/header/", "the site answered with a bot challenge", 429),
    "captcha-429": ("/captcha/429/", "the site answered with a bot challenge", 429),
    "captcha-200": ("/captcha/200/", "the site answered with a bot challenge", 200),
    "consent": ("/consent/", "the site answered with a consent wall", 200),
    "login": ("/login/", "the site answered with a login wall", 401),
    "paywall": ("/paywall/", "the site answered with a paywall teaser", 200),
}
SLUG = "isil-ranks-depleted"
CAPTURED = datetime(2017, 2, 7, 10, 2, 55, tzinfo=UTC)

pytestmark = pytest.mark.crawl


def url_of(seed_id: str) -> str:
    return f"{SITE}{BLOCKED[seed_id][0]}{SLUG}"


@pytest.fixture(scope="module")
def replica() -> Iterator[str]:
    with ReplicaServer() as server:
        yield server.url


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("blocked-seeds")
    path = root / "seeds" / "seeds.toml"
    path.parent.mkdir()
    path.write_text("version = 1\n")
    for seed_id in BLOCKED:
        copy = root / f"{seed_id}.txt"
        copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
        add_seed(path, copy, urls=[url_of(seed_id)], seed_id=seed_id)
    return path


def test_the_replica_sends_a_route_s_headers(replica: str) -> None:
    path = BLOCKED["challenge-503"][0]
    request = urllib.request.Request(f"{replica}/www.mosul-monitor.example{path}{SLUG}")
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)
    assert answer.value.code == 503
    assert answer.value.headers["cf-mitigated"] == "challenge"
    answer.value.close()


def test_route_headers_must_be_strings(tmp_path: Path) -> None:
    (tmp_path / "routes.toml").write_text(
        '[[route]]\npath = "/a"\nbody = "x"\nheaders = { a = 1 }\n'
    )
    with pytest.raises(RoutesError, match="every value of headers must be a string"):
        RouteTable.load(tmp_path)


def target_uris(collection: Path) -> list[str]:
    found = []
    for path in sorted((collection / "warcs").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    found.append(record.rec_headers.get_header("WARC-Target-URI"))
    return found


def test_blocked_pages_are_unverifiable_with_the_reason(
    tmp_path: Path, manifest: Path, replica: str
) -> None:
    collection = tmp_path / "collection"
    result = run_crawl(manifest, collection, replica)
    assert result.returncode == 0, result.stderr
    entries = report_by_seed(collection)
    for seed_id, (_, reason, status) in BLOCKED.items():
        entry = entries[seed_id]
        assert entry["verdict"] == "unverifiable", (seed_id, entry["reasons"])
        (said,) = [r for r in entry["reasons"] if r.startswith(reason)]
        if seed_id == "challenge-header":  # the page says too little: its CDN's header tells
            assert "the header x-vercel-mitigated: challenge" in said
        if status != 200:
            assert f"(HTTP {status} for " in said, (seed_id, said)
        # The archive would have been asked: here none is, and the reasons say why.
        assert (
            f"No archived capture could stand in for it: {NOT_IN_REPLICA_MODE}."
            in (entry["reasons"])
        )


@pytest.mark.external
def test_blocked_pages_are_verified_from_the_archive(
    tmp_path: Path, manifest: Path, replica: str
) -> None:
    captures = [
        PastCapture(url_of(seed_id), PAGES / "004_diyaruna.html", CAPTURED) for seed_id in BLOCKED
    ]
    warcs = write_archive(tmp_path / "past", captures)
    with pywb_server(tmp_path / "pywb", warcs) as wayback:
        collection = tmp_path / "collection"
        settings = [
            "-s",
            f"WARCPROOF_WAYBACK_URL={wayback}",
            "-s",
            f"WARCPROOF_WAYBACK_CDX={PYWB_CDX}",
        ]
        result = run_crawl(manifest, collection, replica, *settings)
    assert result.returncode == 0, result.stderr
    entries = report_by_seed(collection)
    asked = [unquote(uri) for uri in target_uris(collection)]
    for seed_id, (_, reason, _) in BLOCKED.items():
        entry = entries[seed_id]
        assert entry["verdict"] == "faithful", (seed_id, entry["reasons"])
        assert entry["capture"]["source_kind"] == "archived"
        first = entry["reasons"][0]
        assert first.startswith("Verified against the archived capture of 2017-02-07 10:02:55 UTC")
        assert f"because the live page could not be used: {reason}" in first, (seed_id, first)
        assert any(
            uri.startswith(f"{wayback}/web/cdx?") and url_of(seed_id) in uri for uri in asked
        )
