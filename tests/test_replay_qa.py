"""The replay check in a real browser: a replica crawl with its requisites, rendered by
headless Chromium from the collection alone (the replica stopped first, so nothing can come
from it) through the WARC replay proxy, matches the live replica's render within 1% of pixels
with no request missing; the screenshots are kept in the WARC, listed in pages.jsonl and shown
in the HTML report. Screenshots are saved under a `replay-artifacts` folder in pytest's tmp."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from PIL import Image, ImageChops

from archive.warc.reader import iter_records
from provenance.run.headless_chromium import FLAGS, VIRTUAL_TIME_MS, WINDOW
from tests.conftest import SEEDS, crawl_command, report_by_seed, run_crawl
from tests.processes import announced_url

pytestmark = [pytest.mark.crawl, pytest.mark.external]
WARCPROOF = str(Path(sys.executable).parent / "warcproof")
MAX_DIFFERENT = 0.01


def chromium_binary() -> str:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed: run scripts/install.sh (Debian package chromium)")
    return binary


def live_screenshot(url: str, target: Path, profile: Path) -> None:
    """The page rendered straight from the running replica (no proxy; every host name but
    loopback resolves to nothing)."""
    subprocess.run(
        [chromium_binary(), *FLAGS, f"--user-data-dir={profile}",
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
         f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--virtual-time-budget={VIRTUAL_TIME_MS}",
         f"--screenshot={target}", url],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip


def different_share(a: Path, b: Path) -> float:
    with Image.open(a) as first, Image.open(b) as second:
        assert first.size == second.size
        diff = ImageChops.difference(first.convert("RGB"), second.convert("RGB")).convert("L")
        same = diff.histogram()[0]
        return 1 - same / (first.size[0] * first.size[1])


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("replay-artifacts")
    collection = root / "collection"
    # The origin is stopped before `qa` runs: the replay must need nothing from it.
    with announced_url([sys.executable, "-m", "replica", "--port", "0"]) as origin:
        crawl = run_crawl(SEEDS / "seeds.toml", collection, origin)
        assert crawl.returncode == 0, crawl.stderr
        entries = report_by_seed(collection).values()
        pages = [e["capture"]["fetched_url"] for e in entries if e["capture"]]
        live = {}
        for number, url in enumerate(pages):
            live[url] = root / f"live-{number}.png"
            live_screenshot(url, live[url], root / f"profile-{number}")
    qa = subprocess.run(
        [WARCPROOF, "qa", "--collection", str(collection), "--screenshots", str(root / "replay")],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    return {"root": root, "collection": collection, "pages": pages, "live": live, "qa": qa}


def test_replay_matches_the_live_render_with_nothing_missing(replayed: dict[str, Any]) -> None:
    qa = replayed["qa"]
    assert qa.returncode == 0, qa.stdout + qa.stderr
    assert qa.stdout.count(" 0 missing from the archive") == len(replayed["pages"]) == 4
    replays = sorted((replayed["root"] / "replay").glob("page-*.png"))
    assert len(replays) == len(replayed["pages"])
    for url, replay in zip(replayed["pages"], replays, strict=True):
        share = different_share(replayed["live"][url], replay)
        print(f"{url}: {share:.4%} of pixels differ ({replay})")
        assert share <= MAX_DIFFERENT, (url, share)


def test_the_screenshot_is_a_resource_record_referring_to_the_page(
    replayed: dict[str, Any],
) -> None:
    collection = replayed["collection"]
    report = json.loads(
        subprocess.run(
            [WARCPROOF, "report", "--json", "--collection", str(collection)],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    pages = {e["capture"]["response_record_id"]: e["capture"]["fetched_url"] for e in report
             if e["capture"]}  # fmt: skip
    found = [r for p in sorted((collection / "warcs").glob("*.warc.gz")) for r in iter_records(p)]
    shots = [r for r in found if (r.target_uri or "").startswith("urn:screenshot:")]
    assert {r.header("WARC-Refers-To") for r in shots} == set(pages)
    for shot in shots:
        assert shot.rec_type == "resource"
        assert shot.header("Content-Type") == "image/png"
        assert shot.target_uri == f"urn:screenshot:{pages[str(shot.header('WARC-Refers-To'))]}"
        assert shot.payload.startswith(b"\x89PNG\r\n\x1a\n")
    checks = [json.loads(r.payload) for r in found if (r.target_uri or "").startswith("urn:replay")]
    assert {c["page"] for c in checks} == set(pages.values())
    assert all(c["missing"] == [] and c["article_text_shown"] > 0.9 for c in checks)


def test_the_screenshot_is_listed_in_pages_jsonl(replayed: dict[str, Any]) -> None:
    wacz = replayed["root"] / "out.wacz"
    subprocess.run(
        [WARCPROOF, "pack", str(replayed["collection"]), "-o", str(wacz)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    with zipfile.ZipFile(wacz) as archive:
        lines = archive.read("pages/pages.jsonl").decode().splitlines()[1:]
    listed = {json.loads(line)["url"]: json.loads(line).get("screenshot") for line in lines}
    assert listed == {url: f"urn:screenshot:{url}" for url in replayed["pages"]}


def test_the_html_report_shows_the_screenshot_beside_the_verdict(
    replayed: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    subprocess.run(
        [WARCPROOF, "report", "--collection", str(replayed["collection"]), "--html", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    probe = (
        "<script>window.addEventListener('load',function(){var i=document.querySelectorAll("
        "'figure.screenshot img');for(var k=0;k<i.length;k++){i[k].setAttribute("
        "'data-width',String(i[k].naturalWidth));}});</script>"
    )
    page = tmp_path / "probed.html"
    page.write_text(out.read_text("utf-8").replace("</body>", probe + "</body>"), "utf-8")
    dom = subprocess.run(
        [chromium_binary(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    ).stdout  # fmt: skip
    tree = lxml_html.document_fromstring(dom)
    sections = tree.xpath("//section[@data-seed]")
    with_shot = [s for s in sections if s.xpath(".//figure[@class='screenshot']//img")]
    assert len(with_shot) == len(replayed["pages"])
    for section in with_shot:
        (image,) = section.xpath(".//figure[@class='screenshot']//img")
        assert image.get("data-width") == str(WINDOW[0])  # the browser decoded the PNG
        assert section.xpath(".//h2//span[@data-verdict]")  # next to the verdict


def test_without_chromium_the_crawl_says_once_that_screenshots_were_skipped(
    tmp_path: Path, replica_origin: str
) -> None:
    """Screenshots are on by default (no setting given here): without a browser on PATH the
    crawl says so once, and nothing at WARNING level."""
    collection = tmp_path / "collection"
    env = {k: v for k, v in os.environ.items() if k != "WARCPROOF_SCREENSHOTS"}
    env["PATH"] = str(Path(sys.executable).parent)
    result = subprocess.run(
        [WARCPROOF, "crawl", "--manifest", str(SEEDS / "seeds.toml"), "--collection",
         str(collection), "--replica", replica_origin, "--seed", "004"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    log = "".join(p.read_text("utf-8") for p in (collection / "logs").glob("*.log"))
    assert log.count("screenshots were skipped") == 1
    assert "WARNING" not in log


def test_a_crawl_keeps_screenshots_by_default_and_not_when_turned_off(
    tmp_path: Path, replica_origin: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WARCPROOF_SCREENSHOTS"}
    off = tmp_path / "off"
    result = subprocess.run(
        [*crawl_command(SEEDS / "seeds.toml", off, replica_origin, "--seed", "004"),
         "-s", "WARCPROOF_SCREENSHOTS=False"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = [r for p in sorted((off / "warcs").glob("*.warc.gz")) for r in iter_records(p)]
    assert not [r for r in found if (r.target_uri or "").startswith("urn:screenshot:")]
    log = "".join(p.read_text("utf-8") for p in (off / "logs").glob("*.log"))
    assert "screenshots were skipped" not in log
    assert "rendered from the archive" not in log

    collection = tmp_path / "collection"
    result = subprocess.run(
        crawl_command(SEEDS / "seeds.toml", collection, replica_origin, "--seed", "004"),
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = [r for p in sorted((collection / "warcs").glob("*.warc.gz")) for r in iter_records(p)]
    (shot,) = [r for r in found if (r.target_uri or "").startswith("urn:screenshot:")]
    (page,) = [r for r in found if r.record_id == shot.header("WARC-Refers-To")]
    assert page.rec_type == "response"
    assert "/diyaruna.com/" in (page.target_uri or "")
