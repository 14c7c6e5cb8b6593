"""The demo's WACZ replayed in a real pywb and rendered by headless Chromium: a replica crawl
with its requisites is packed, unpacked by pywb's own `wb-manager add --unpack-wacz`, and served
by pywb in proxy mode (archived bytes as captured: no rewriting, no banner) once the replica has
stopped. Each page matches the live replica's render within 1% of pixels; every request the
browser made went to pywb, was for a loopback URL and was found in the archive. The screenshots
are saved under test-artifacts/pywb-replay/ for a person to look at."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from provenance.run.headless_chromium import Chromium
from provenance.sources.replica_routing import replica_url
from tests.conftest import ROOT, SEEDS, run_crawl
from tests.processes import stop
from tests.pywb import pywb_server, unpacked_wacz
from tests.test_replay_qa import MAX_DIFFERENT, chromium_binary, different_share, live_screenshot

pytestmark = [pytest.mark.crawl, pytest.mark.external]
ARTIFACTS = ROOT / "test-artifacts" / "pywb-replay"
# pywb's server logs one line per request: "GET <url> HTTP/1.1" <status> (proxy mode: the
# absolute URL the browser asked for).
REQUEST_LINE = re.compile(r'"GET (\S+) HTTP/1\.[01]" (\d{3}) ')
PROXY_CONFIG = """\
proxy:
  coll: web
  enable_content_rewrite: false
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("pywb-browser")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    replica = subprocess.Popen(
        [sys.executable, "-m", "replica", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    assert replica.stdout is not None
    origin = replica.stdout.readline().strip()
    collection = root / "collection"
    try:
        crawl = run_crawl(SEEDS / "seeds.toml", collection, origin)
        assert crawl.returncode == 0, crawl.stderr
        pages = page_urls(collection)
        live = {}
        for number, url in enumerate(pages):
            live[url] = ARTIFACTS / f"page-{number}-live.png"
            live_screenshot(url, live[url], root / f"profile-{number}")
    finally:
        stop(replica)
        replica.stdout.close()
    files = unpacked_wacz(collection, root)
    served = root / "served"
    served.mkdir()
    (served / "config.yaml").write_text(PROXY_CONFIG, "utf-8")
    warcs = sorted((files / "archive").glob("*.warc.gz"))
    replayed = {}
    with pywb_server(served, warcs, index=files / "indexes" / "index.cdxj") as base:
        browser = Chromium(chromium_binary(), urlsplit(base).netloc)
        for number, url in enumerate(pages):
            replayed[url] = ARTIFACTS / f"page-{number}-pywb.png"
            browser.render(url, replayed[url])
    log = (served / "pywb.log").read_text("utf-8", "replace")
    archived: dict[str, set[str]] = {}
    for line in (files / "indexes" / "index.cdxj").read_text("utf-8").splitlines():
        fields = json.loads(line.split(" ", 2)[2])
        archived.setdefault(fields["url"], set()).add(fields.get("status", "-"))
    return {
        "origin": origin,
        "pages": pages,
        "live": live,
        "replayed": replayed,
        "log": log,
        "archived": archived,
    }


def page_urls(collection: Path) -> list[str]:
    """The URL of every page fetched for a verdict, from the crawl's JSON report."""
    report = subprocess.run(
        [str(Path(sys.executable).parent / "warcproof"), "report", "--json", "--collection",
         str(collection)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return sorted({e["capture"]["fetched_url"] for e in json.loads(report) if e["capture"]})


def test_every_page_replayed_in_pywb_matches_the_live_render(rendered: dict[str, Any]) -> None:
    assert len(rendered["pages"]) == 4
    for url in rendered["pages"]:
        share = different_share(rendered["live"][url], rendered["replayed"][url])
        print(f"{url}: {share:.4%} of pixels differ ({rendered['replayed'][url]})")
        assert share <= MAX_DIFFERENT, (url, share)


def test_every_request_in_replay_is_answered_from_the_archive(
    rendered: dict[str, Any],
) -> None:
    # Every request the browser sent through the proxy (the absolute URLs; the others are the
    # test's own check that pywb had started).
    requests = [(u, s) for u, s in REQUEST_LINE.findall(rendered["log"]) if "://" in u]
    asked = {url for url, _ in requests}
    for page in rendered["pages"]:
        assert page in asked  # the browser went through pywb
    # Missing: asked for, not in the WACZ's index. What is there replays with its archived
    # status (the replica's pages keep their sites' own image paths, which answered 404 live
    # and were archived so).
    archived = rendered["archived"]
    origin = rendered["origin"]
    on_replica = [(url, status) for url, status in requests if url.startswith(origin + "/")]
    missing = sorted({url for url, _ in on_replica if url not in archived})
    assert missing == [], "\n".join(missing)
    assert [(url, status) for url, status in on_replica if status not in archived[url]] == []
    assert {status for url, status in requests if url.endswith("/_static/mark.ttf")} == {"200"}
    # The pages also name other hosts outright (http://diyaruna.com/...jpg, an ad script). The
    # live render could not load them (every name but loopback resolves to nothing there); the
    # crawl fetched each from the replica in that host's place and archived it under the
    # replica's URL, so pywb has it under that name, not the original one, and answers the
    # original with its own 404 page. Nothing was fetched from anywhere: the browser's only
    # connection was the proxy (pywb, without recording or live collections), whose log holds
    # every request above.
    elsewhere = {(url, status) for url, status in requests if not url.startswith(origin + "/")}
    for url, status in elsewhere:
        assert replica_url(origin, url) in archived, url
        assert status == "404", (url, status)
    # The page's requisites were asked for and found: the @imported stylesheet's web font, the
    # srcset's choice, the lazy image the script loads, the frame's own image.
    for name in ("theme.css", "mark.ttf", "hero-960.png", "lazy.png", "frame-map.png"):
        assert any(url.endswith(f"/_static/{name}") for url in asked), name
