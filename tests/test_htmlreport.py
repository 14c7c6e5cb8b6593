"""The HTML provenance report: built from a real crawl of the replica (the five seeds, tampered
copies of seed 004, one seed full of markup), crawled twice; every number on it checked against
the ledger, every text against the WARC records, and nothing in it that loads from elsewhere."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from archive.warc.reader import iter_records
from provenance.compare.align import align
from provenance.compare.verdict import assess
from provenance.ledger.store import Ledger, LedgerEntry
from provenance.report.html.seed_section import url_link
from provenance.report.html.style import PALETTE, contrast
from provenance.report.html.unit_rows import HEADLINE, OMITTED, build_rows, seed_units
from provenance.sources.manifest import add_seed
from provenance.text.segment import units
from tests.conftest import SEEDS, run_crawl
from tests.test_pipeline import SEED_004, TAMPERED, URL_004

MARKUP = SEED_004 + "\n\nSee <script>alert('x')</script> & <img src=x onerror=y> here.\n"
WARCPROOF = str(Path(sys.executable).parent / "warcproof")


def build_collection(root: Path, replica: str, crawls: int = 2) -> Path:
    """The default corpus, the tampered copies and the markup seed, crawled ``crawls`` times."""
    corpus = root / "seeds"
    shutil.copytree(SEEDS, corpus)
    manifest = corpus / "seeds.toml"
    for name, text in [*((t[0], t[1]) for t in TAMPERED), ("markup", MARKUP)]:
        source = root / f"tampered-{name}.txt"
        source.write_text(text, "utf-8")
        add_seed(manifest, source, urls=[URL_004], seed_id=f"004-{name}")
    collection = root / "collection"
    for _ in range(crawls):
        result = run_crawl(manifest, collection, replica)
        assert result.returncode == 0, result.stderr
    return collection


def write_report(collection: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WARCPROOF, "report", "--collection", str(collection), "--html", str(out), *extra],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory, replica_origin: str) -> Path:
    return build_collection(tmp_path_factory.mktemp("htmlreport"), replica_origin)


@pytest.fixture(scope="module")
def report(collection: Path) -> tuple[str, Any]:
    out = collection.parent / "report.html"
    result = write_report(collection, out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out}: report of 10 seed(s), crawl 2"
    text = out.read_text("utf-8")
    return text, lxml_html.document_fromstring(text)


@pytest.fixture(scope="module")
def entries(collection: Path) -> list[LedgerEntry]:
    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        return ledger.entries()


def section(tree: Any, seed_id: str) -> Any:
    (found,) = tree.xpath(f'//section[@data-seed="{seed_id}"]')
    return found


def texts_in_warcs(collection: Path) -> dict[str, str]:
    """Every resource and conversion record's text, by record id."""
    found = {}
    for path in (collection / "warcs").glob("*.warc.gz"):
        for record in iter_records(path):
            if record.rec_type in ("resource", "conversion"):
                found[record.record_id] = record.payload.decode("utf-8")
    return found


@pytest.mark.crawl
def test_every_number_matches_the_ledger(report: tuple[str, Any], entries: list[Any]) -> None:
    _, tree = report
    assert len(entries) == 10
    for entry in entries:
        seed_id, counts = entry.verdict.seed_id, entry.verdict.counts
        (row,) = tree.xpath(f'//table[@class="summary"]//tr[@data-seed="{seed_id}"]')
        page = section(tree, seed_id)
        for scope in (row, page):
            cells = scope.xpath(".//*[@data-count]")
            shown = {cell.get("data-count"): int(cell.text_content()) for cell in cells}
            assert shown == dict(counts), (seed_id, shown)
            badge = scope.xpath('.//span[@data-verdict][contains(@class,"badge")]')[0]
            assert badge.get("data-verdict") == entry.verdict.verdict
            assert entry.verdict.verdict.upper() in badge.text_content()
        found = counts["matched"] + counts["edited"]
        furniture = counts["furniture"]
        judged = counts["seed_units"] - furniture  # furniture is shown apart, not as a shortfall
        if judged > 0:
            assert f"{found} of {judged} ({100 * found // judged}%)" in row.text_content()
        if furniture:
            assert f"{furniture} furniture" in row.text_content()
        seed_spans = page.xpath('.//td[@class="s"]//span[@data-seed-unit]')
        assert [int(s.get("data-seed-unit")) for s in seed_spans] == list(
            range(counts["seed_units"])
        )
        classes = Counter(s.get("data-class") for s in seed_spans)
        for cls in ("matched", "edited", "furniture", "foreign"):
            assert classes[cls] == counts[cls], (seed_id, cls)
        article_spans = page.xpath('.//td[@class="a"]//span[@data-article-unit]')
        indexes = sorted(int(s.get("data-article-unit")) for s in article_spans)
        assert indexes == list(range(counts["article_units"] if counts["seed_units"] else 0))
        omitted = [s for s in article_spans if s.get("data-state") == OMITTED]
        assert len(omitted) == counts["omitted"]
        evidence = entry.verdict.evidence["assessment"]["seed_units"]
        for unit in (u for u in evidence if u["class"] == "edited"):
            tag = page.xpath(f'.//tr[.//span[@data-seed-unit="{unit["index"]}"]]/td[@class="tag"]')
            similarity = int(unit["similarity"] * 1000) / 10
            assert f"similarity {similarity:.1f}%" in tag[0].text_content()
    verdicts = Counter(e.verdict.verdict for e in entries)
    summary = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    assert f"10 seed(s): {summary}." in tree.xpath('//section[@id="summary"]')[0].text_content()


@pytest.mark.crawl
def test_texts_shown_are_the_archived_records(
    report: tuple[str, Any], entries: list[Any], collection: Path
) -> None:
    _, tree = report
    records = texts_in_warcs(collection)
    for entry in entries:
        page = section(tree, entry.verdict.seed_id)
        seed_record = entry.verdict.evidence["seed"]["resource_record_id"]
        seed_text = records[seed_record]
        shown = [s.text_content() for s in page.xpath('.//td[@class="s"]//span[@data-seed-unit]')]
        if entry.verdict.counts["seed_units"]:
            expected = [u.text for u in units(seed_text)]
            assert [re.sub(r"\[(seed|page):\] ", "", s) for s in shown] == expected
        else:  # not compared: the whole archived seed is shown as it is
            (pre, *_) = page.xpath('.//pre[@class="fulltext"]')
            assert pre.text_content() == seed_text
        if entry.verdict.conversion_record_id:
            article = [u.text for u in units(records[entry.verdict.conversion_record_id])]
            spans = page.xpath('.//td[@class="a"]//span[@data-article-unit]')
            by_index = {int(s.get("data-article-unit")): s.text_content() for s in spans}
            shown_article = [re.sub(r"\[page:\] ", "", by_index[k]) for k in sorted(by_index)]
            assert shown_article == article
        evidence_text = page.xpath('.//dl[@class="evidence"]')[0].text_content()
        assert evidence_text.count("\u2714 verified") == (
            2 if entry.verdict.conversion_record_id else 1
        )


@pytest.mark.crawl
def test_evidence_names_urls_times_records_digests_and_versions(
    report: tuple[str, Any], entries: list[Any]
) -> None:
    _, tree = report
    for entry in entries:
        text = section(tree, entry.verdict.seed_id).xpath('.//dl[@class="evidence"]')[0]
        shown = text.text_content()
        verdict, capture = entry.verdict, entry.capture
        expected = [
            verdict.metadata_record_id,
            verdict.seed_sha256,
            verdict.seed_digest,
            verdict.normalizer,
            verdict.evidence["seed"]["resource_record_id"],
            verdict.evidence["seed"]["file"],
        ]
        if capture is not None:
            expected += [
                capture.source_url,
                capture.fetched_url,
                capture.captured_at,
                capture.warc_file,
                capture.response_record_id,
                capture.request_record_id,
                capture.payload_digest,
                str(capture.warc_offset),
                verdict.conversion_record_id,
                verdict.article_digest,
                verdict.extractor,
            ]
        for value in expected:
            assert value
            assert value in shown, (verdict.seed_id, value)


@pytest.mark.crawl
def test_tampered_seeds_show_what_changed(report: tuple[str, Any]) -> None:
    _, tree = report
    figure = section(tree, "004-figure").xpath('.//tr[@data-kind="edited"]')
    assert len(figure) == 1
    assert [d.text_content() for d in figure[0].xpath(".//del")] == ["[seed:] 3,800"]
    assert [i.text_content() for i in figure[0].xpath(".//ins")] == ["[page:] 3,300"]
    assert "Edited" in figure[0].xpath('./td[@class="tag"]')[0].text_content()

    reworded = section(tree, "004-reworded").xpath('.//tr[@data-kind="edited"]')[0]
    assert "vowed" in " ".join(d.text_content() for d in reworded.xpath(".//del"))
    assert "threatened" in " ".join(i.text_content() for i in reworded.xpath(".//ins"))

    (omitted,) = section(tree, "004-deleted").xpath('.//tr[@data-kind="omitted"]')
    assert "Al-Hollandi was in charge" in omitted.xpath('./td[@class="a"]')[0].text_content()
    assert "Not in the seed" in omitted.xpath('./td[@class="s"]')[0].text_content()

    foreign = section(tree, "004-inserted").xpath('.//tr[@data-kind="foreign"]')
    assert [r.xpath('./td[@class="s"]')[0].text_content() for r in foreign] == [
        "SeedWitnesses said he had been seen in Raqqa only a week earlier."
    ]


@pytest.mark.crawl
def test_markup_in_a_seed_is_shown_as_text(report: tuple[str, Any]) -> None:
    raw, tree = report
    assert len(tree.xpath("//script")) == 1  # the report's own
    assert not tree.xpath("//img")
    foreign = section(tree, "004-markup").xpath('.//tr[@data-kind="foreign"]')
    assert "See <script>alert('x')</script> & <img src=x onerror=y> here." in [
        r.xpath('./td[@class="s"]//span[@data-seed-unit]')[0].text_content() for r in foreign
    ]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;img" in raw


@pytest.mark.crawl
def test_nothing_is_loaded_from_anywhere(
    report: tuple[str, Any], entries: list[Any], collection: Path
) -> None:
    raw, tree = report
    for tag in ("link", "iframe", "object", "embed", "img", "video", "audio", "source", "base"):
        assert not tree.xpath(f"//{tag}"), tag
    assert not tree.xpath("//*[@src or @srcset or @data or @poster or @action]")
    assert not tree.xpath("//@style")
    (style,) = tree.xpath("//style")
    (script,) = tree.xpath("//script")
    for code in (style.text, script.text):
        assert not re.search(r"url\(|@import|https?:|//[a-z]", code, re.I)
    assert not re.search(r"fetch|XMLHttpRequest|import\(|WebSocket|\.src\b", script.text)
    urls = {
        url
        for entry in entries
        if entry.capture is not None
        for url in (entry.capture.source_url, entry.capture.fetched_url, *entry.capture.redirects)
        if url
    }
    for anchor in tree.xpath("//a[@href]"):
        href = anchor.get("href")
        assert href.startswith("#") or href in urls, href
    shown_texts = "\n".join(texts_in_warcs(collection).values())
    for url in re.findall(r"https?://[^\s\"'<>]+", raw):
        assert any(url in known for known in urls) or url in shown_texts, url


@pytest.mark.crawl
def test_capture_history_lists_every_crawl(report: tuple[str, Any], entries: list[Any]) -> None:
    _, tree = report
    for entry in entries:
        page = section(tree, entry.verdict.seed_id)
        rows = page.xpath('.//table[@class="history"]/tbody/tr')
        assert [r.xpath("./td")[0].text_content() for r in rows] == ["1", "2 (this report)"]
        assert rows[1].get("aria-current") == "true"
        assert "first crawl of this seed" in rows[0].text_content()
        assert "no change" in rows[1].text_content()
        for row in rows:
            assert row.xpath(".//span[@data-verdict]")[0].get("data-verdict") == (
                entry.verdict.verdict
            )


@pytest.mark.crawl
def test_an_earlier_crawl_can_be_reported(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "crawl1.html"
    result = write_report(collection, out, "--crawl", "1")
    assert result.returncode == 0, result.stderr
    tree = lxml_html.document_fromstring(out.read_text("utf-8"))
    rows = section(tree, "004-figure").xpath('.//table[@class="history"]/tbody/tr')
    assert [r.xpath("./td")[0].text_content() for r in rows] == ["1 (this report)", "2"]


@pytest.mark.crawl
def test_navigation_by_keyboard_needs_no_script(report: tuple[str, Any]) -> None:
    _, tree = report
    skip = tree.xpath("//body/*[1]")[0]
    assert skip.tag == "a"
    assert skip.get("href") == "#summary"
    ids = set(tree.xpath("//@id"))
    for href in tree.xpath("//a/@href"):
        assert not href.startswith("#") or href[1:] in ids, href
    sections = tree.xpath("//section[@data-seed]")
    for page in sections:
        assert page.xpath(".//h2")[0].get("tabindex") == "-1"
        assert page.xpath('.//a[@href="#summary"]')
    assert tree.xpath("//html")[0].get("lang") == "en"
    for region in tree.xpath('//*[@role="region"]'):
        assert region.get("tabindex") == "0"
        assert region.get("aria-label")


def test_palette_text_meets_wcag_aa_contrast() -> None:
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    for name, (foreground, background) in PALETTE.items():
        assert contrast(foreground, background) >= 4.5, name


@pytest.mark.crawl
def test_missing_warc_files_are_named_and_the_report_still_written(
    collection: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy, ignore=shutil.ignore_patterns("warcs"))
    out = tmp_path / "report.html"
    result = write_report(copy, out)
    assert result.returncode == 0, result.stderr
    tree = lxml_html.document_fromstring(out.read_text("utf-8"))
    notes = " ".join(n.text_content() for n in section(tree, "004").xpath('.//p[@class="note"]'))
    assert "The seed text could not be read from the collection" in notes
    assert f"is not in any WARC file under {copy / 'warcs'}" in notes
    assert len(section(tree, "004").xpath(".//span[@data-seed-unit]")) == 32


@pytest.mark.crawl
def test_a_truncated_warc_file_is_reported(collection: Path, tmp_path: Path) -> None:
    copy = tmp_path / "collection"
    shutil.copytree(collection, copy)
    for warc in (copy / "warcs").glob("*.warc.gz"):
        warc.write_bytes(warc.read_bytes()[: warc.stat().st_size // 2])
    out = tmp_path / "report.html"
    assert write_report(copy, out).returncode == 0
    assert "gzip member truncated (file ends)" in out.read_text("utf-8")


@pytest.mark.crawl
def test_usage_errors_exit_2_with_a_message(collection: Path, tmp_path: Path) -> None:
    result = write_report(collection, tmp_path / "no" / "such" / "dir" / "report.html")
    assert result.returncode == 2
    assert "cannot write the report there" in result.stderr
    assert str(tmp_path / "no" / "such" / "dir" / "report.html") in result.stderr
    result = write_report(tmp_path / "empty", tmp_path / "report.html")
    assert result.returncode == 2
    assert "no ledger here" in result.stderr
    assert not list(tmp_path.glob("*.html"))
    assert not list(tmp_path.glob(".report.html.*"))


@pytest.mark.crawl
def test_a_collection_without_verdicts_gets_a_report_saying_so(tmp_path: Path) -> None:
    Ledger(tmp_path / "ledger.sqlite").close()
    out = tmp_path / "report.html"
    result = write_report(tmp_path, out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out}: report of 0 seed(s), no verdicts recorded"
    assert "No verdicts recorded." in out.read_text("utf-8")


SENTENCES = [
    "The army entered the city at dawn.",
    "Officials said the fighting was heavy.",
    "Dozens of families fled to the camps.",
    "The bridge was destroyed by the retreating forces.",
    "Aid groups warned of shortages.",
    "Read more.",
    "A spokesman declined to comment.",
    "Residents described days without water.",
]


@settings(max_examples=60, deadline=None)
@given(
    article=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=7, unique=True),
    picks=st.lists(st.integers(0, 20), max_size=9),
    edits=st.lists(st.booleans(), max_size=9),
    title=st.booleans(),
)
def test_rows_place_every_unit_exactly_once(
    article: list[str], picks: list[int], edits: list[bool], title: bool
) -> None:
    pool = [*article, "Subscribe to our newsletter.", "An entirely invented sentence here."]
    seed_lines = []
    for k, pick in enumerate(picks):
        line = pool[pick % len(pool)]
        if k < len(edits) and edits[k]:
            line = line.replace("the", "a", 1)
        seed_lines.append(line)
    headline = "Battle for the city"
    article_text = (headline + "\n" if title else "") + "\n".join(article)
    page_text = article_text + "\nSubscribe to our newsletter.\n"
    alignment = align(
        "\n".join(seed_lines), article_text, page_text, title=headline if title else None
    )
    evidence = assess(alignment).to_dict()
    article_units = units(article_text)
    lacking = [*evidence["omitted"], *evidence["left_out"]]  # type: ignore[misc]
    omitted = frozenset(int(u["index"]) for u in lacking)
    rows = build_rows(seed_units(evidence), article_units, omitted, bool(evidence["omitted_title"]))
    placed_seed = [u.index for row in rows for u in row.seed]
    assert placed_seed == list(range(len(alignment.seed_units)))
    placed_article = sorted(u.index for row in rows for u in row.article)
    assert placed_article == list(range(len(article_units)))
    for row in rows:
        paired = [u.article_unit for u in row.seed if u.article_unit is not None]
        if paired:
            assert row.article[0].index == paired[0]
            assert row.kind == row.seed[0].cls
        if row.kind in (OMITTED, HEADLINE):
            assert not row.seed
        if row.kind == OMITTED:
            assert {u.index for u in row.article} <= omitted


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:x", "data:text/html,x"]
)
def test_a_url_that_is_not_http_is_never_a_link(url: str) -> None:
    shown = lxml_html.fragment_fromstring(url_link(url))
    assert shown.tag == "span"
    assert shown.get("href") is None
    assert shown.text == url


def test_http_urls_are_links() -> None:
    for url in ("http://example.test/a?b=1&c=2", "HTTPS://example.test/"):
        link = lxml_html.fragment_fromstring(url_link(url))
        assert link.get("href") == url
