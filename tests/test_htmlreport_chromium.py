"""The HTML report in a real browser: Debian's chromium, headless, renders the report of a
replica crawl; the DOM it built is checked for every seed's verdict and the tampered seed's
highlighted change, the layout for side by side on a wide screen and stacked on a phone, and
screenshots are saved under test-artifacts/ for a person to look at."""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from provenance.ledger.store import Ledger
from provenance.report.html.document import load_report, render
from provenance.run.headless_chromium import OFFLINE_FLAGS
from tests.conftest import ROOT
from tests.test_htmlreport import build_collection, write_report

ARTIFACTS = ROOT / "test-artifacts"
PHONE_WIDTH = 500  # headless chromium's narrowest window; the layout stacks below 700px
# Reads back what the browser computed, into the DOM that --dump-dom prints.
PROBE = """<script>
(function(){
 function style(selector){var node=document.querySelector(selector);
  return node?getComputedStyle(node):null;}
 var seed=style('tr[data-kind="edited"] td.s'),del=style('tr[data-kind="edited"] del'),
     ins=style('tr[data-kind="edited"] ins'),side=style('tr[data-kind="edited"] .side');
 var probe=document.createElement("pre");probe.id="probe";
 probe.setAttribute("data-cell-display",seed.display);
 probe.setAttribute("data-del-line",del.textDecorationLine);
 probe.setAttribute("data-ins-line",ins.textDecorationLine);
 probe.setAttribute("data-side-label",side.display);
 probe.setAttribute("data-page-width",String(document.documentElement.scrollWidth));
 probe.setAttribute("data-view-width",String(window.innerWidth));
 document.body.appendChild(probe);
})();
</script>"""


def chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail(
            "chromium is not installed: run scripts/install-test.sh (Debian package chromium)"
        )
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [
            binary,
            *OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def dump_dom(page: Path, width: int, tmp: Path) -> Any:
    result = chromium(f"--window-size={width},1000", "--dump-dom", page.as_uri(), tmp=tmp)
    return lxml_html.document_fromstring(result.stdout)


def screenshot(page: Path, name: str, width: int, height: int, tmp: Path) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    target.unlink(missing_ok=True)
    chromium(f"--screenshot={target}", f"--window-size={width},{height}", page.as_uri(), tmp=tmp)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (width, height)  # the IHDR chunk
    return target


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory, replica_origin: str) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("chromium")
    collection = build_collection(root, replica_origin, crawls=1)
    out = root / "report.html"
    assert write_report(collection, out).returncode == 0
    return collection, out


@pytest.mark.crawl
@pytest.mark.external
def test_browser_dom_has_every_verdict_and_the_highlighted_change(
    reported: tuple[Path, Path], tmp_path: Path
) -> None:
    collection, out = reported
    tree = dump_dom(out, 1280, tmp_path)
    assert "js" in (tree.get("class") or "")  # the optional script ran without error
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        entries = ledger.entries()
    assert len(entries) == 10
    for entry in entries:
        seed_id = entry.verdict.seed_id
        for scope in (f'//tr[@data-seed="{seed_id}"]', f'//section[@data-seed="{seed_id}"]//h2'):
            (badge,) = tree.xpath(scope + "//span[@data-verdict]")
            assert badge.get("data-verdict") == entry.verdict.verdict
            assert entry.verdict.verdict.upper() in badge.text_content()
    (edited,) = tree.xpath('//section[@data-seed="004-figure"]//tr[@data-kind="edited"]')
    assert [d.text_content() for d in edited.xpath('./td[@class="s"]//del')] == ["[seed:] 3,800"]
    assert [i.text_content() for i in edited.xpath('./td[@class="a"]//ins')] == ["[page:] 3,300"]


@pytest.mark.crawl
@pytest.mark.external
def test_side_by_side_when_wide_stacked_on_a_phone(
    reported: tuple[Path, Path], tmp_path: Path
) -> None:
    _, out = reported
    probed = tmp_path / "probed.html"
    probed.write_text(out.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    wide = dump_dom(probed, 1280, tmp_path).xpath('//pre[@id="probe"]')[0]
    assert wide.get("data-cell-display") == "table-cell"
    assert wide.get("data-side-label") == "none"
    assert wide.get("data-del-line") == "line-through"  # not colour alone
    assert wide.get("data-ins-line") == "underline"
    phone = dump_dom(probed, PHONE_WIDTH, tmp_path).xpath('//pre[@id="probe"]')[0]
    assert phone.get("data-cell-display") == "block"
    assert phone.get("data-side-label") == "block"  # each stacked cell says which side it is
    assert phone.get("data-view-width") == str(PHONE_WIDTH)
    assert int(phone.get("data-page-width")) <= PHONE_WIDTH  # nothing scrolls sideways


@pytest.mark.crawl
@pytest.mark.external
def test_screenshots_are_saved(reported: tuple[Path, Path], tmp_path: Path) -> None:
    collection, out = reported
    screenshot(out, "report-desktop.png", 1280, 2000, tmp_path)
    screenshot(out, "report-phone.png", PHONE_WIDTH, 1600, tmp_path)
    report = load_report(collection)
    tampered = [p for p in report.pages if p.entry.verdict.seed_id.startswith("004-")]
    focused = tmp_path / "tampered.html"
    focused.write_text(render(replace(report, pages=tampered)), "utf-8")
    screenshot(focused, "report-tampered-seeds.png", 1280, 2000, tmp_path)
