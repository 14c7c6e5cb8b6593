"""`report --json`, `--jsonl` and `--html DIR` on ledgers written through the ledger's own API
with real evidence (bench/report_scale.py): the streamed outputs agree with each other and with
the ledger's own reading of it, a closed pipe ends the output quietly, and the report folder
holds a page per seed, links only to http(s) URLs and nothing outside itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from archive.collection import Collection
from bench.report_scale import build_collection, templates
from provenance.compare.evidence import RunKind
from provenance.ledger.store import Ledger
from provenance.report.html.folder import MARK, file_name

WARCPROOF = str(Path(sys.executable).parent / "warcproof")
SEEDS = 40
HOSTILE_SEED = "zz-hostile"
HOSTILE_URL = "javascript:alert(document.domain)"


def warcproof(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WARCPROOF, *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two crawls of SEEDS seeds, then a re-verification of two of them with another verdict,
    and a seed whose source URL is a javascript: URL."""
    made = build_collection(tmp_path_factory.mktemp("scale"), SEEDS, crawls=2)
    faithful, foreign = templates()[0], templates()[-1]
    with Ledger(Collection(made).ledger) as ledger:
        again = ledger.begin_crawl(origin="reverify", settings={}, kind=RunKind.REVERIFICATION)
        ledger.record_many(
            again,
            [(replace(foreign.row, seed_id=seed), None) for seed in ("000000", "000001")],
        )
        ledger.finish_crawl(again, "finished")
        crawl = ledger.begin_crawl(origin="test", settings={})
        hostile = replace(faithful.capture, source_url=HOSTILE_URL)
        ledger.record(crawl, replace(faithful.row, seed_id=HOSTILE_SEED), hostile)
        ledger.finish_crawl(crawl, "finished")
    return made


def test_json_and_jsonl_carry_the_same_seeds_as_the_ledger(collection: Path) -> None:
    shown = warcproof("report", "--json", "--collection", str(collection))
    lines = warcproof("report", "--jsonl", "--collection", str(collection))
    assert shown.returncode == 0, shown.stderr
    assert lines.returncode == 0, lines.stderr
    document = json.loads(shown.stdout)
    assert isinstance(document, list)  # the shape `report --json` always had
    assert lines.stdout.endswith("\n")
    assert [json.loads(line) for line in lines.stdout.splitlines()] == document
    with Ledger(Collection(collection).ledger, create=False) as ledger:
        entries = ledger.latest_entries()
        again = ledger.reverifications(entries)
    assert [item["seed_id"] for item in document] == [e.verdict.seed_id for e in entries]
    assert len(document) == SEEDS + 1
    for item, entry in zip(document, entries, strict=True):
        assert item["crawl_id"] == entry.crawl_id
        assert item["verdict"] == entry.verdict.verdict
        assert item["evidence"] == json.loads(entry.verdict.evidence.json)
        assert entry.capture is not None
        assert item["capture"]["response_record_id"] == entry.capture.response_record_id
        later = again.get(entry.verdict.seed_id)
        if later is None:
            assert "reverification" not in item
        else:
            assert item["reverification"] == {
                "run": later.crawl_id,
                "verdict": later.verdict.verdict,
                "reasons": list(later.verdict.reasons),
                "decided_at": later.decided_at,
            }
    assert {item["seed_id"] for item in document if "reverification" in item} == {
        "000000",
        "000001",
    }


def test_an_earlier_crawl_is_streamed_and_an_unknown_one_refused(collection: Path) -> None:
    first = warcproof("report", "--jsonl", "--crawl", "1", "--collection", str(collection))
    assert first.returncode == 0, first.stderr
    assert {json.loads(line)["crawl_id"] for line in first.stdout.splitlines()} == {1}
    unknown = warcproof("report", "--jsonl", "--crawl", "99", "--collection", str(collection))
    assert unknown.returncode == 2
    assert unknown.stdout == ""
    assert "no crawl 99" in unknown.stderr
    both = warcproof("report", "--json", "--jsonl", "--collection", str(collection))
    assert both.returncode == 2
    assert both.stdout == ""
    assert "not both" in both.stderr


@pytest.mark.parametrize("form", ["--json", "--jsonl"])
def test_a_closed_pipe_ends_the_output_quietly(collection: Path, form: str) -> None:
    """`report --json | head -c 100`: the reader goes away; no traceback, exit 0."""
    with subprocess.Popen(
        [WARCPROOF, "report", form, "--collection", str(collection)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read(100)
        process.stdout.close()
        errors = process.stderr.read().decode()
        assert process.wait(timeout=300) == 0, errors
    assert errors == ""


@pytest.fixture(scope="module")
def folder(collection: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report"
    written = warcproof("report", "--collection", str(collection), "--html", str(out))
    assert written.returncode == 0, written.stderr
    assert f"report of {SEEDS + 1} seed(s)" in written.stdout
    return out


def rows(folder: Path) -> list[list[Any]]:
    text = (folder / "seeds.js").read_text("utf-8")
    prefix = "window.WARCPROOF_SEEDS="
    assert text.startswith(prefix)
    loaded: list[list[Any]] = json.loads(text[len(prefix) :].rstrip().rstrip(";"))
    return loaded


def test_the_folder_has_a_summary_row_and_a_page_per_seed(folder: Path) -> None:
    listed = rows(folder)
    assert [row[0] for row in listed] == [*(f"{n:06d}" for n in range(SEEDS)), HOSTILE_SEED]
    pages = {path.name for path in (folder / "seeds").iterdir()}
    assert pages == {row[5] for row in listed}
    index = lxml_html.parse(str(folder / "index.html")).getroot()
    assert f"{SEEDS + 1} seed(s)" in index.text_content()
    for name in pages:
        page = lxml_html.parse(str(folder / "seeds" / name)).getroot()
        assert len(page.xpath("//section[@class='seed']")) == 1
        for href in page.xpath("//nav[@class='pager']//a/@href"):
            assert (folder / "seeds" / href).resolve().exists(), (name, href)


def test_the_history_lists_every_run_from_the_light_query(folder: Path) -> None:
    page = lxml_html.parse(str(folder / "seeds" / "seed-000000.html")).getroot()
    history = page.xpath("//table[@class='history']/tbody/tr")
    labels = [row.xpath("./td")[0].text_content() for row in history]
    assert labels == ["1", "2 (this report)", "3 (re-verified offline)"]
    verdicts = [row.xpath(".//span[@data-verdict]/@data-verdict")[0] for row in history]
    assert verdicts == ["faithful", "faithful", "foreign content"]


def test_no_url_but_http_becomes_a_link(folder: Path, collection: Path, tmp_path: Path) -> None:
    (name,) = [row[5] for row in rows(folder) if row[0] == HOSTILE_SEED]
    page = lxml_html.parse(str(folder / "seeds" / name)).getroot()
    assert HOSTILE_URL in page.text_content()
    assert not [a for a in page.xpath("//a/@href") if a.lower().startswith("javascript")]
    one_file = tmp_path / "report.html"
    written = warcproof("report", "--collection", str(collection), "--html", str(one_file))
    assert written.returncode == 0, written.stderr
    tree = lxml_html.parse(str(one_file)).getroot()
    assert HOSTILE_URL in tree.text_content()
    assert not [a for a in tree.xpath("//a/@href") if a.lower().startswith("javascript")]


def test_nothing_is_loaded_from_outside_the_folder(folder: Path) -> None:
    for path in [folder / "index.html", *sorted((folder / "seeds").iterdir())[:5]]:
        tree = lxml_html.parse(str(path)).getroot()
        for source in tree.xpath("//*/@src | //link/@href"):
            assert not re.match(r"[a-z]+:", source), (path.name, source)
            assert (path.parent / source).exists(), (path.name, source)


def test_a_folder_of_other_files_is_refused_and_a_report_replaced(
    collection: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    refused = warcproof("report", "--collection", str(collection), "--html", str(mine))
    assert refused.returncode != 0
    assert "holds other files" in refused.stderr
    assert (mine / "notes.txt").read_text() == "keep me"
    out = tmp_path / "report"
    for _ in range(2):
        written = warcproof("report", "--collection", str(collection), "--html", str(out))
        assert written.returncode == 0, written.stderr
    assert (out / MARK).exists()
    assert len(list((out / "seeds").iterdir())) == SEEDS + 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_seed_page_names_never_differ_in_case_alone() -> None:
    anchors = [f"seed-{seed}" for seed in ("ab", "Ab", "aB", "AB", "ab.1", "ab~2")]
    names = [file_name(anchor) for anchor in anchors]
    assert len({name.lower() for name in names}) == len(anchors)
    assert names[0] == "seed-ab.html"
    assert all(re.fullmatch(r"[a-z0-9._~+-]+\.html", name) for name in names)
