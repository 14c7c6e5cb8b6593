"""Page requisites crawled for real from the replica: every seed page's stylesheets (and what
they import), images, script, icon and iframe (with its own requisites) are archived, each
once per crawl, as revisits when unchanged; verdicts stay what they were; hostile pages are
held to their page's caps and are still judged."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from archive.warc.reader import StoredRecord, iter_records
from provenance.sources.manifest import add_seed
from replica.page_assets import assets
from tests.conftest import ROOT, SEEDS, report_by_seed, run_crawl, seeds_at

pytestmark = pytest.mark.crawl

STATIC = ("site.css", "theme.css", "app.js", "logo.svg", "pattern.svg", "hero-960.png",
          "lazy.png", "thumb.webp", "dot.png", "icon.png", "share.png", "frame.html",
          "frame.css", "frame-map.png", "mark.ttf")  # fmt: skip
PAGE_004 = (ROOT / "replica" / "pages" / "004_diyaruna.html").read_bytes()
PAGES = {"000": "newarab.com", "002": "www.gulf-times.com", "003": "www.timesofisrael.com",
         "004": "diyaruna.com"}  # fmt: skip


def records(collection: Path, names: set[str] | None = None) -> list[StoredRecord]:
    files = sorted((collection / "warcs").glob("*.warc.gz"))
    return [r for f in files if names is None or f.name in names for r in iter_records(f)]


def listings(found: list[StoredRecord]) -> dict[str, dict[str, Any]]:
    """The requisite listings (metadata records) by the page response they refer to."""
    return {
        str(r.header("WARC-Refers-To")): json.loads(r.payload)
        for r in found
        if r.rec_type == "metadata" and r.header("WARC-Warcproof-Requisites") is not None
    }


@pytest.fixture(scope="module")
def two_crawls(
    tmp_path_factory: pytest.TempPathFactory, replica_origin: str
) -> tuple[Path, set[str], dict[str, Any]]:
    collection = tmp_path_factory.mktemp("requisites") / "collection"
    first = run_crawl(SEEDS / "seeds.toml", collection, replica_origin)
    assert first.returncode == 0, first.stderr
    first_files = {p.name for p in (collection / "warcs").glob("*.warc.gz")}
    verdicts = report_by_seed(collection)
    second = run_crawl(SEEDS / "seeds.toml", collection, replica_origin)
    assert second.returncode == 0, second.stderr
    return collection, first_files, verdicts


def test_every_page_requisite_is_archived_once_with_its_listing(two_crawls: Any) -> None:
    collection, first_files, verdicts = two_crawls
    found = records(collection, first_files)
    responses = Counter(r.target_uri for r in found if r.rec_type == "response")
    for seed, host in PAGES.items():
        for name in STATIC:
            urls = [u for u in responses if u and u.endswith(f"/{host}/_static/{name}")]
            assert len(urls) == 1, (seed, name, urls)
            assert responses[urls[0]] == 1, (seed, name)  # fetched once in the crawl
    pages = {
        r.record_id: r
        for r in found
        if r.rec_type == "response"
        and any(f"/{h}/" in (r.target_uri or "") for h in PAGES.values())
    }
    lists = listings(found)
    for seed, entry in verdicts.items():
        if seed not in PAGES:
            continue
        page_record = entry["capture"]["response_record_id"]
        listing = lists[page_record]
        assert page_record in pages
        fetched = {item["url"].rsplit("/", 1)[1] for item in listing["fetched"]}
        assert set(STATIC) <= fetched, (seed, set(STATIC) - fetched)
        assert all(item["record"] for item in listing["fetched"])
        assert listing["left_out"] == []


def test_verdicts_are_unchanged_by_requisites(two_crawls: Any) -> None:
    _, _, verdicts = two_crawls
    assert {seed: entry["verdict"] for seed, entry in verdicts.items() if seed in PAGES} == {
        "000": "faithful", "002": "faithful", "003": "faithful", "004": "faithful",
    }  # fmt: skip


def test_unchanged_requisites_are_revisits_in_the_next_crawl(two_crawls: Any) -> None:
    collection, first_files, _ = two_crawls
    later = {p.name for p in (collection / "warcs").glob("*.warc.gz")} - first_files
    found = records(collection, later)
    statics = [r for r in found if "/_static/" in (r.target_uri or "") and r.rec_type != "request"]
    assert len(statics) == len(STATIC) * len(PAGES)
    assert {r.rec_type for r in statics} == {"revisit"}


def test_requisites_can_be_switched_off(tmp_path: Path, replica_origin: str) -> None:
    collection = tmp_path / "collection"
    result = run_crawl(
        SEEDS / "seeds.toml", collection, replica_origin, "--seed", "004",
        "-s", "WARCPROOF_REQUISITES=False",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = records(collection)
    assert not [r for r in found if "/_static/" in (r.target_uri or "")]
    assert not listings(found)


HOSTILE = {
    "images": "images?n=10000",
    "loop": "import-loop",
    "srcset": "srcset?n=500",
    "huge": "huge?bytes=3000000",
    "slow": "slow?seconds=30",
}
CAP = 40
LIMIT = 1_000_000


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, replica_origin: str
) -> tuple[dict[str, Any], list[StoredRecord]]:
    root = tmp_path_factory.mktemp("hostile")
    manifest = seeds_at(root, {s: f"http://hostile.test/_hostile/{p}" for s, p in HOSTILE.items()})
    collection = root / "collection"
    result = run_crawl(
        manifest, collection, replica_origin,
        "-s", f"WARCPROOF_REQUISITES_MAX_COUNT={CAP}",
        "-s", f"WARCPROOF_MAX_RESPONSE_BYTES={LIMIT}",
        "-s", "WARCPROOF_REQUISITES_SECONDS=20",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    entries = report_by_seed(collection)
    return entries, records(collection)


def page_listing(hostile: Any, seed: str) -> dict[str, Any]:
    entries, found = hostile
    return listings(found)[entries[seed]["capture"]["response_record_id"]]


def test_every_hostile_page_is_judged(hostile: Any) -> None:
    entries, _ = hostile
    assert set(entries) == set(HOSTILE)
    assert {entry["verdict"] for entry in entries.values()} == {"faithful"}


def test_ten_thousand_images_stop_at_the_count_cap(hostile: Any) -> None:
    listing = page_listing(hostile, "images")
    assert listing["requested"] == CAP
    capped = [e for e in listing["left_out"] if "cap of 40 requisites" in e["why"]]
    assert len(capped) + listing["requested"] + len(listing["fetched_for_an_earlier_page"]) >= 10000
    _, found = hostile
    assert sum("/_hostile/img-" in (r.target_uri or "") for r in found) <= 2 * CAP


def test_an_import_loop_fetches_each_stylesheet_once(hostile: Any) -> None:
    _, found = hostile
    loop = Counter(
        (r.target_uri or "").rsplit("/", 1)[1] for r in found
        if r.rec_type == "response" and "/loop-" in (r.target_uri or "")
    )  # fmt: skip
    assert loop == {"loop-a.css": 1, "loop-b.css": 1}


def test_a_srcset_of_500_candidates_fetches_one(hostile: Any) -> None:
    _, found = hostile
    candidates = {
        r.target_uri for r in found if r.rec_type == "response" and "/cand-" in (r.target_uri or "")
    }
    assert len(candidates) == 1
    assert next(iter(candidates)).endswith("/cand-1300.png")


def test_a_huge_image_is_kept_up_to_the_limit_and_marked(hostile: Any) -> None:
    _, found = hostile
    (huge,) = [r for r in found if r.rec_type == "response" and "/huge.png" in (r.target_uri or "")]
    assert huge.header("WARC-Truncated") == "length"
    assert len(huge.payload) == LIMIT
    (entry,) = [e for e in page_listing(hostile, "huge")["fetched"] if "huge.png" in e["url"]]
    assert entry["truncated"] == "length"


def test_a_requisite_that_times_out_does_not_hold_the_verdict(hostile: Any) -> None:
    entries, found = hostile
    listing = page_listing(hostile, "slow")
    (stalled,) = [e for e in listing["left_out"] if "stall" in e["url"]]
    assert "took longer than" in stalled["why"] or "ran out" in stalled["why"]
    # The verdict was recorded before the page's requisites were settled.
    metadata_id = entries["slow"]["records"]["metadata"]
    (verdict,) = [r for r in found if r.record_id == metadata_id]
    (listed,) = [
        r for r in found
        if r.header("WARC-Warcproof-Requisites") is not None
        and r.header("WARC-Refers-To") == entries["slow"]["capture"]["response_record_id"]
    ]  # fmt: skip
    assert (verdict.date or "") < (listed.date or "")


PUBLIC = "http://93.184.216.34"  # a public address, reached here only through the proxy below


class _PublicOrigin(http.server.ThreadingHTTPServer):
    """An HTTP proxy on loopback standing in for the public web: the crawl sends every request
    to it (http_proxy), so a page can live at a public address; each URL asked is recorded."""

    daemon_threads = True
    routes: dict[str, tuple[int, list[tuple[str, str]], bytes]]
    asked: list[str]


class _PublicHandler(http.server.BaseHTTPRequestHandler):
    server: _PublicOrigin

    def do_GET(self) -> None:
        self.server.asked.append(self.path)  # a proxy request: the absolute URL
        status, headers, body = self.server.routes.get(self.path, (404, [], b""))
        self.send_response(status)
        for name, value in [*headers, ("Content-Length", str(len(body)))]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads `asked`."""


def test_a_requisite_redirecting_to_a_private_address_is_refused_and_left_out(
    tmp_path: Path,
) -> None:
    """Not a replica crawl, so the address policy is on: a page on a public address whose
    image redirects to 127.0.0.1, and whose other image names 10.0.0.1 outright. Neither
    private URL is asked for; both are listed as left out with the reason; the public image
    is archived and the page is judged."""
    origin = _PublicOrigin(("127.0.0.1", 0), _PublicHandler)
    private = f"http://127.0.0.1:{origin.server_address[1]}/private/secret.png"
    page = PAGE_004.replace(
        b"</body>",
        b'<img src="/img/redirected.png"><img src="http://10.0.0.1/named.png">'
        b'<img src="/img/public.png"></body>',
    )
    html = [("Content-Type", "text/html; charset=utf-8")]
    origin.asked = []
    origin.routes = {
        f"{PUBLIC}/article": (200, html, page),
        f"{PUBLIC}/img/redirected.png": (302, [("Location", private)], b""),
        f"{PUBLIC}/img/public.png": (200, [("Content-Type", "image/png")], assets()["dot.png"][1]),
        private: (200, [("Content-Type", "image/png")], b"private"),
    }
    thread = threading.Thread(target=origin.serve_forever, daemon=True)
    thread.start()
    manifest = tmp_path / "seeds" / "seeds.toml"
    manifest.parent.mkdir()
    manifest.write_text("version = 1\n")
    copy = tmp_path / "seed.txt"
    copy.write_bytes((SEEDS / "004_3a71e7ca43e17fc5.txt").read_bytes())
    add_seed(manifest, copy, urls=[f"{PUBLIC}/article"], seed_id="public")
    collection = tmp_path / "collection"
    proxy = f"http://127.0.0.1:{origin.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if k.lower() not in {"no_proxy", "http_proxy"}}
    try:
        result = subprocess.run(
            [str(Path(sys.executable).parent / "warcproof"), "crawl", "--manifest",
             str(manifest), "--collection", str(collection),
             "-s", "WARCPROOF_FALLBACK=False", "-s", "RETRY_TIMES=0"],
            capture_output=True, text=True, timeout=300,
            env={**env, "http_proxy": proxy, "no_proxy": ""},
        )  # fmt: skip
    finally:
        origin.shutdown()
        origin.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{PUBLIC}/article" in origin.asked  # the page came through the stand-in
    assert private not in origin.asked
    assert not [url for url in origin.asked if "10.0.0.1" in url or "/private/" in url]
    entry = report_by_seed(collection)["public"]
    assert entry["verdict"] == "faithful", entry["reasons"]
    listing = listings(records(collection))[entry["capture"]["response_record_id"]]
    why = {item["url"]: item["why"] for item in listing["left_out"]}
    assert (
        "a public page redirects to a private address (127.0.0.1)"
        in why[f"{PUBLIC}/img/redirected.png"]
    )
    assert "names a requisite on a private address (10.0.0.1)" in why["http://10.0.0.1/named.png"]
    fetched = {item["url"]: item for item in listing["fetched"]}
    assert fetched[f"{PUBLIC}/img/public.png"]["status"] == 200
    assert fetched[f"{PUBLIC}/img/public.png"]["record"]
