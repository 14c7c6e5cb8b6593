"""The report folder of a 1,000-seed collection in a real browser (Debian's chromium, headless,
from the files alone): the summary draws its first page of rows, the search box and the verdict
filter (given in the address, as a bookmarked view would be) narrow the table, and a seed's page
opens with its section. bench/report_scale.py opens the 10,000- and 100,000-seed folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from lxml import html as lxml_html

from bench.report_scale import build_collection
from tests.test_htmlreport_chromium import chromium

SEEDS = 1000
WARCPROOF = str(Path(sys.executable).parent / "warcproof")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("folder")
    collection = build_collection(root, SEEDS)
    out = root / "report"
    written = subprocess.run(
        [WARCPROOF, "report", "--collection", str(collection), "--html", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    return out


def opened(folder: Path, tmp: Path, address: str = "") -> Any:
    page = (folder / "index.html").as_uri() + address
    result = chromium("--window-size=1280,1000", "--dump-dom", page, tmp=tmp)
    return lxml_html.document_fromstring(result.stdout)


def shown(tree: Any) -> tuple[str, list[str], list[str]]:
    (status,) = tree.xpath("//*[@id='shown']")
    rows = tree.xpath("//tbody[@id='rows']/tr")
    return (
        status.text_content(),
        [row.get("data-seed") for row in rows],
        [row.get("data-verdict") for row in rows],
    )


@pytest.mark.external
def test_the_summary_opens_with_its_first_page(folder: Path, tmp_path: Path) -> None:
    status, seeds, _ = shown(opened(folder, tmp_path))
    assert status == f"{SEEDS} of {SEEDS} seed(s) shown, page 1 of {SEEDS // 100}"
    assert seeds == [f"{n:06d}" for n in range(100)]


@pytest.mark.external
def test_the_verdict_filter_and_the_search_narrow_the_table(folder: Path, tmp_path: Path) -> None:
    status, seeds, verdicts = shown(
        opened(folder, tmp_path, "#verdict=" + quote("foreign content"))
    )
    # Every fourth seed of the synthetic collection is checked against another seed's page.
    assert status == f"{SEEDS // 4} of {SEEDS} seed(s) shown, page 1 of 3"
    assert set(verdicts) == {"foreign content"}
    assert seeds[:3] == ["000003", "000007", "000011"]
    status, seeds, _ = shown(opened(folder, tmp_path, "#q=000123"))
    assert status == f"1 of {SEEDS} seed(s) shown"
    assert seeds == ["000123"]
    status, seeds, _ = shown(opened(folder, tmp_path, "#q=00012&verdict=faithful"))
    # 000012 and 000120 to 000129 hold the text; 000123 and 000127 are foreign content.
    assert seeds == ["000012", *(f"00012{d}" for d in "01245689")]
    assert status == f"{len(seeds)} of {SEEDS} seed(s) shown"


@pytest.mark.external
def test_a_seed_page_opens_from_the_summary(folder: Path, tmp_path: Path) -> None:
    tree = opened(folder, tmp_path)
    (link,) = tree.xpath("//tbody[@id='rows']/tr[@data-seed='000042']//a/@href")
    page = chromium("--window-size=1280,1000", "--dump-dom", (folder / link).as_uri(), tmp=tmp_path)
    seed: Any = lxml_html.document_fromstring(page.stdout)
    (heading,) = seed.xpath("//section[@class='seed']/h2")
    assert heading.text_content().startswith("Seed 000042")
