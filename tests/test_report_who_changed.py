"""Who changed the text, as the reports say it: a seed file edited after it was registered
("the copy was changed"), a source page edited between two crawls ("the source changed"), and
both at once, each told apart in the text report, the HTML report's summary and seed sections,
and on screen in headless Chromium (screenshots kept in the test's tmp folder)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from provenance.sources.manifest import add_seed
from replica.routes import DEFAULT_PAGES_DIR
from replica.server import ReplicaServer
from tests.conftest import SEEDS, run_crawl
from tests.test_changes import AFTER, BEFORE, edit
from tests.test_htmlreport import write_report
from tests.test_htmlreport_chromium import dump_dom, screenshot

pytestmark = pytest.mark.crawl
BIN = Path(sys.executable).parent
COPY_WORD, COPY_EDIT = "Militant leaders are fleeing Mosul", "Militant leaders are leaving Mosul"
# Reads back how the browser drew the two tags, into the DOM that --dump-dom prints.
PROBE = """<script>
(function(){
 var probe=document.createElement("pre");probe.id="probe";
 ["copy","source","both"].forEach(function(kind){
  var node=document.querySelector('h2 .who[data-who="'+kind+'"]');
  var style=getComputedStyle(node);
  probe.setAttribute("data-"+kind,
   [style.borderTopStyle,style.backgroundColor,style.color,node.textContent].join("|"));
 });
 document.body.appendChild(probe);
})();
</script>"""


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two crawls. Between them: 004's page edited (the source), 002's file edited (the copy),
    and 004-copy, a copy of 004 registered before, edited too (both)."""
    root = tmp_path_factory.mktemp("who")
    pages = root / "pages"
    shutil.copytree(DEFAULT_PAGES_DIR, pages)
    corpus = root / "seeds"
    shutil.copytree(SEEDS, corpus)
    manifest, collection = corpus / "seeds.toml", root / "collection"
    seed_004 = next(corpus.glob("004_*.txt"))
    twin = root / "004-copy.txt"
    shutil.copyfile(seed_004, twin)
    url_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"
    add_seed(manifest, twin, urls=[url_004], seed_id="004-copy")
    with ReplicaServer(pages_dir=pages) as replica:
        first = run_crawl(manifest, collection, replica.url)
        assert first.returncode == 0, first.stderr
        edit(pages / "004_diyaruna.html", BEFORE, AFTER)
        edit(next(corpus.glob("002_*.txt")), COPY_WORD, COPY_EDIT)
        edit(corpus / "004-copy.txt", BEFORE, AFTER)
        second = run_crawl(manifest, collection, replica.url, "--no-change-status")
        assert second.returncode == 0, second.stderr
    return collection


def test_the_text_report_says_who_changed_it(changed: Path) -> None:
    shown = subprocess.run(
        [str(BIN / "warcproof"), "report", "--collection", str(changed)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    who = {line.split()[0]: lines[k + 2] for k, line in enumerate(lines) if line[:3].isdigit()}
    assert who["002"] == "      who changed it: the copy was changed after it was registered"
    assert who["004"] == "      who changed it: the source page changed since crawl 1"
    assert who["004-copy"] == (
        "      who changed it: both: the copy was changed after it was registered, "
        "and the source page changed since crawl 1"
    )
    assert "who changed it" not in who["000"]


@pytest.fixture(scope="module")
def report(changed: Path) -> tuple[Path, Any]:
    out = changed.parent / "report.html"
    assert write_report(changed, out).returncode == 0
    return out, lxml_html.document_fromstring(out.read_text("utf-8"))


def test_the_html_report_tells_copy_and_source_apart(report: tuple[Path, Any]) -> None:
    _, tree = report
    expected = {
        "002": ("copy", "the copy was changed", "The copy was changed: the seed file's sha256"),
        "004": ("source", "the source changed", "The source changed: the source page changed"),
        "004-copy": ("both", "the copy and the source changed", "Both changed. The copy was"),
    }
    for seed_id, (kind, tag, statement) in expected.items():
        (section,) = tree.xpath(f'//section[@data-seed="{seed_id}"]')
        (shown_tag,) = section.xpath(".//h2//span[@data-who]")
        assert (shown_tag.get("data-who"), shown_tag.text_content()) == (kind, tag)
        # The statement is the first thing under the heading.
        first = section.xpath("./h2/following-sibling::*[1]")[0]
        assert first.get("class") == f"who-statement who-{kind}"
        assert first.text_content().startswith(statement)
        (why,) = tree.xpath(
            f'//table[@class="summary"]//tr[@data-seed="{seed_id}"]/td[@class="why"]'
        )
        assert why.get("data-who") == kind
    (unchanged,) = tree.xpath('//section[@data-seed="000"]')
    assert not unchanged.xpath(".//*[@data-who]")
    (why_000,) = tree.xpath('//tr[@data-seed="000"]/td[@class="why"]')
    assert why_000.text_content()  # the first reason, in one line
    assert "\n" not in why_000.text_content()


def test_chromium_draws_copy_and_source_differently(
    report: tuple[Path, Any], tmp_path: Path
) -> None:
    out, _ = report
    probed = tmp_path / "probed.html"
    probed.write_text(out.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    (probe,) = dump_dom(probed, 1280, tmp_path).xpath('//pre[@id="probe"]')
    drawn = {kind: probe.get(f"data-{kind}").split("|") for kind in ("copy", "source", "both")}
    assert drawn["copy"][0] == "solid"
    assert drawn["source"][0] == "dashed"
    assert drawn["both"][0] == "double"
    assert len({tuple(style[1:3]) for style in drawn.values()}) == 3  # three colour pairs
    assert drawn["copy"][3] == "the copy was changed"
    assert drawn["source"][3] == "the source changed"
    for seed_id in ("002", "004"):
        shot = screenshot(
            only_seed(out, seed_id, tmp_path), f"who-{seed_id}.png", 1280, 700, tmp_path
        )
        kept = tmp_path / shot.name  # the test artifact: a person can look at both
        shutil.move(shot, kept)
        assert kept.stat().st_size > 10_000  # drawn, not blank


def only_seed(report: Path, seed_id: str, folder: Path) -> Path:
    """The report with only this seed's section: it opens at the top of the screenshot."""
    tree = lxml_html.document_fromstring(report.read_text("utf-8"))
    for node in tree.xpath(f'//main/*[not(@data-seed="{seed_id}")]'):
        node.getparent().remove(node)
    page = folder / f"seed-{seed_id}.html"
    page.write_bytes(lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8"))
    return page
