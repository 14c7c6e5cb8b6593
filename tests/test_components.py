"""The crawl's components one at a time, without a crawl: Scrapy's own test crawler
(`scrapy.utils.test.get_crawler`) and hand-made items. The fast tier's view of what the crawl
tests check end to end."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from archive.collection import Collection
from archive.warc.records import RecordRef
from provenance.compare.change_rows import ChangeKind
from provenance.compare.evidence import SourceEvidence, SourceKind
from provenance.compare.seedcheck import check_seed, examine
from provenance.compare.verdict import Verdict
from provenance.ledger.store import Ledger, verdict_row
from provenance.sources.manifest import load
from spiders.extensions.worker_pool import WorkerPool
from spiders.items import PageVersion, SeedItem
from spiders.pipelines.analyse import AnalysePipeline
from spiders.pipelines.judge import JudgePipeline
from spiders.pipelines.ledger import LedgerPipeline

PAGES = Path(__file__).resolve().parent.parent / "replica" / "pages"
URL_004 = "http://diyaruna.com/en_GB/articles/cnmi_di/features/2017/02/06/feature-01"


def live_page(body: bytes | None, *, error: str | None = None) -> PageVersion:
    response = None
    if body is not None:
        response = RecordRef(
            record_id="<urn:uuid:00000000-0000-4000-8000-000000000001>",
            warc_file="w.warc.gz",
            offset=100,
            length=len(body),
            rec_type="response",
            target_uri=URL_004,
            date="2026-12-01T10:00:00.000000Z",
            payload_digest="sha1:AAAA",
            block_digest="sha1:BBBB",
        )
    return PageVersion(
        SourceKind.REPLICA,
        "live",
        URL_004,
        fetched_url=URL_004 if body is not None else None,
        status=200 if body is not None else None,
        body=body,
        content_type="text/html; charset=utf-8",
        response_record=response,
        error=error,
    )


def test_the_worker_pool_runs_work_in_processes_and_inline() -> None:
    async def both() -> tuple[int, int]:
        inline, pooled = WorkerPool(0), WorkerPool(1)
        pooled.start()
        try:
            return await inline.run(os.getpid), await pooled.run(os.getpid)
        finally:
            pooled.stop()

    here, there = asyncio.run(both())
    assert here == os.getpid()
    assert there != os.getpid()


def test_analyse_extracts_and_compares_the_live_page(corpus: Path) -> None:
    pipeline = AnalysePipeline(seeds_crawler(corpus), WorkerPool(0))
    pipeline.open_spider()
    item = SeedItem("004", live_page((PAGES / "004_diyaruna.html").read_bytes()))
    asyncio.run(pipeline.process_item(item))
    assert item.live.check is not None
    assert item.live.check.assessment.verdict is Verdict.FAITHFUL


def test_analyse_measures_the_share_only_when_the_archive_could_stand_in(corpus: Path) -> None:
    pipeline = AnalysePipeline(seeds_crawler(corpus), WorkerPool(0))
    pipeline.open_spider()
    other = SeedItem("004", live_page((PAGES / "000_newarab.html").read_bytes()), min_shared=0.5)
    asyncio.run(pipeline.process_item(other))
    assert other.live_problem is not None
    assert "too little to be the same article" in other.live_problem


def seeds_crawler(manifest: Path) -> Crawler:
    return get_crawler(settings_dict={"WARCPROOF_SEEDS": str(manifest)})


def test_seeds_sharing_a_response_share_its_extraction(corpus: Path) -> None:
    text = next(corpus.parent.glob("004_*.txt")).read_text("utf-8")
    tampered = text.replace("3,300", "3,900")
    assert tampered != text
    (corpus.parent / "copy.txt").write_text(tampered, "utf-8")
    digest = hashlib.sha256(tampered.encode("utf-8")).hexdigest()
    with corpus.open("a", encoding="utf-8") as manifest:
        manifest.write(f'\n[[seed]]\nid = "copy"\nfile = "copy.txt"\nsha256 = "{digest}"\n')
    pipeline = AnalysePipeline(seeds_crawler(corpus), WorkerPool(0))
    pipeline.open_spider()
    body = (PAGES / "004_diyaruna.html").read_bytes()
    # One response (live_page's record), as the spider hands it to every seed naming the page.
    items = [SeedItem(seed_id, live_page(body)) for seed_id in ("004", "copy")]

    async def both() -> None:
        await asyncio.gather(*(pipeline.process_item(item) for item in items))

    asyncio.run(both())
    first, second = (item.live for item in items)
    assert first.article is second.article  # extracted once
    assert first.check is not None
    assert second.check is not None
    assert first.check.assessment.verdict is Verdict.FAITHFUL
    assert second.check.assessment.verdict is Verdict.MODIFIED


def test_judge_rests_the_verdict_on_the_live_page_when_it_is_the_only_one(corpus: Path) -> None:
    pipeline = JudgePipeline(seeds_crawler(corpus))
    pipeline.open_spider()
    item = SeedItem("004", live_page(None, error="the page answered 404 Not Found"))
    pipeline.process_item(item)
    assert item.finding is not None
    assert item.finding.kind == "single"
    assert item.check is not None
    assert item.check.assessment.verdict is Verdict.UNVERIFIABLE
    assert "404" in item.check.assessment.reasons[0]


def test_the_ledger_pipeline_records_a_verdict_and_detects_a_change(
    corpus: Path, tmp_path: Path
) -> None:
    """Two crawls of a hand-made item: the second observes an edited article."""
    seed = load(corpus).get("004")
    original = (PAGES / "004_diyaruna.html").read_bytes()
    edited = original.replace(b"At least 3,300 ISIL fighters", b"At least 3,800 ISIL fighters")
    collection = tmp_path / "collection"
    crawler = get_crawler(settings_dict={"WARCPROOF_COLLECTION": str(collection)})

    def crawl(body: bytes) -> SeedItem:
        live = live_page(body)
        live.article, live.check, _ = examine(
            seed, body, url=URL_004, content_type=live.content_type
        )
        item = SeedItem("004", live, check=live.check, versions=[live])
        source = SourceEvidence(source_url=URL_004, source_kind=SourceKind.REPLICA)
        item.verdict = verdict_row(live.check, live.check.evidence(source))
        item.conversions = [None]
        pipeline = LedgerPipeline(crawler, WorkerPool(0))
        pipeline.open_spider()
        asyncio.run(pipeline.process_item(item))
        pipeline.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
        return item

    crawl(original)
    crawl(edited)
    with Ledger(Collection(collection).ledger, create=False) as ledger:
        first, second = ledger.entries(1), ledger.entries(2)
        (change,) = ledger.changes(crawl_id=2)
    assert [e.verdict.verdict for e in first] == [Verdict.FAITHFUL]
    assert [e.verdict.verdict for e in second] == [Verdict.MODIFIED]
    assert change.kind is ChangeKind.ARTICLE
    # The hand-made crawls wrote no conversion record: the change is found from the digests,
    # and the summary says why there is no sentence diff.
    assert change.summary.startswith("the article text changed; the old one cannot be read")


def test_a_seed_recorded_twice_in_one_crawl_is_dropped(corpus: Path, tmp_path: Path) -> None:
    from scrapy.exceptions import DropItem

    crawler = get_crawler(settings_dict={"WARCPROOF_COLLECTION": str(tmp_path / "c")})
    pipeline = LedgerPipeline(crawler, WorkerPool(0))
    pipeline.open_spider()
    check = check_seed(load(corpus).get("001"), None, "the manifest gives no URL")
    item = SeedItem("001", PageVersion(SourceKind.LIVE, "live", None, error="no URL"))
    item.check = check
    item.verdict = verdict_row(check, check.evidence(SourceEvidence(error="no URL")))
    item.conversions = [None]
    asyncio.run(pipeline.process_item(item))
    try:
        with pytest.raises(DropItem, match="already recorded"):
            asyncio.run(pipeline.process_item(item))
    finally:
        pipeline.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
