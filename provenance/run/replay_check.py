"""The replay check (`warcproof qa`): each page rendered by headless Chromium from the
collection alone, through the WARC replay proxy on loopback, as an archivist would see it.

For every page it reports what Browsertrix's QA reports: each resource the page asked for that
the archive lacks, how much of the extracted article text the rendered page shows, and a
screenshot. The screenshot goes into the collection as evidence: a resource record (image/png,
Target-URI `urn:screenshot:PAGE-URL`, WARC-Refers-To the page's response record), with a
metadata record holding the rest of the check next to it."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from archive.errors import ArchiveError
from archive.index.collection_index import index_collection
from archive.replay.warc_proxy import ReplayProxy, missing, page_requests
from archive.warc.reader import decoded_body
from archive.warc.records import RecordRef
from archive.warc.writer import WarcWriter
from provenance.run.headless_chromium import Chromium, ChromiumError
from provenance.text.extract import Article, extract_article
from provenance.text.normalize import normalize
from provenance.text.pagetext import visible_text

log = logging.getLogger(__name__)

SCREENSHOT_SCHEME = "urn:screenshot:"
CHECK_SCHEME = "urn:replay-check:"
_DIGITS = re.compile(r"\D")


def screenshot_uri(page_url: str) -> str:
    return f"{SCREENSHOT_SCHEME}{page_url}"


@dataclass(frozen=True)
class ReplayPage:
    """A page to render: the URL its response record is archived under."""

    url: str
    response_record_id: str
    captured_at: str | None = None  # RFC 3339; the replay prefers captures nearest it
    open_url: str | None = None  # what the browser opens (a capture's original URL)
    source_url: str | None = None  # the page's own URL (a replica page's real one)
    seeds: tuple[str, ...] = ()


@dataclass
class ReplayResult:
    page: ReplayPage
    screenshot: bytes | None = field(default=None, repr=False)
    requested: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    text_shown: float | None = None  # share of the article's words the rendered page shows
    rendered_text: str = field(default="", repr=False)
    problem: str | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "page": self.page.url,
            "response_record": self.page.response_record_id,
            "seeds": list(self.page.seeds),
            "requested": len(self.requested),
            "missing": self.missing,
            "article_text_shown": self.text_shown,
            "rendered_characters": len(self.rendered_text),
            "problem": self.problem,
        }


def replay_check(
    collection: Path,
    pages: Iterable[ReplayPage],
    chromium_binary: str,
    *,
    workdir: Path,
    alias: Callable[[str], str | None] | None = None,
) -> list[ReplayResult]:
    """Render every page from the collection; screenshots are also left in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[ReplayResult] = []
    with ReplayProxy(collection, alias=alias) as proxy:
        browser = Chromium(chromium_binary, proxy.address)
        for number, page in enumerate(pages):
            proxy.moment = _DIGITS.sub("", page.captured_at or "")[:14] or None
            results.append(_check_one(proxy, browser, page, workdir / f"page-{number:04d}.png"))
    return results


def _check_one(proxy: ReplayProxy, browser: Chromium, page: ReplayPage, shot: Path) -> ReplayResult:
    result = ReplayResult(page)
    url = page.open_url or page.url
    dom = ""
    proxy.take_log()
    try:
        dom, result.screenshot = browser.render(url, shot)
    except ChromiumError as exc:
        result.problem = str(exc)
    served = page_requests(proxy.take_log(), url)
    result.requested = list(dict.fromkeys(s.url for s in served))
    result.missing = missing(served)
    if result.problem is None:
        result.rendered_text = _rendered_text(dom)
        article = _archived_article(proxy, page)
        if article is not None:
            result.text_shown = text_shown(article.text, result.rendered_text)
    return result


def _rendered_text(dom: str) -> str:
    try:
        return visible_text(lxml_html.document_fromstring(dom or "<html></html>"))
    except (etree.ParserError, ValueError):
        return ""


def _archived_article(proxy: ReplayProxy, page: ReplayPage) -> Article | None:
    record = proxy.index.lookup(page.url, proxy.moment)
    if record is None:
        return None
    content_type = next(
        (v for k, v in record.http_headers or () if k.lower() == "content-type"), None
    )
    try:
        body = decoded_body(record)
    except ArchiveError:
        return None
    article = extract_article(body, url=page.open_url or page.url, content_type=content_type)
    return article if isinstance(article, Article) else None


def text_shown(article: str, rendered: str) -> float:
    """The share of the article's words (normalized, counted with repeats) found in the
    rendered text."""
    wanted = Counter(normalize(article).split())
    if not wanted:
        return 1.0
    shown = Counter(normalize(rendered).split())
    return sum(min(count, shown[word]) for word, count in wanted.items()) / sum(wanted.values())


def record_results(collection: Path, results: list[ReplayResult], *, prefix: str) -> list[Path]:
    """Each screenshot as a resource record and each check as a metadata record, in a new
    WARC file of the collection; then the collection is re-indexed. Returns the files."""
    with WarcWriter(collection / "warcs", prefix=prefix, info=_info()) as writer:
        for result in results:
            screenshot: RecordRef | None = None
            if result.screenshot is not None:
                screenshot = writer.write_resource(
                    screenshot_uri(result.page.url),
                    result.screenshot,
                    "image/png",
                    refers_to=result.page.response_record_id,
                )
            writer.write_metadata(
                f"{CHECK_SCHEME}{result.page.url}",
                json.dumps(result.summary(), ensure_ascii=False, indent=1).encode("utf-8"),
                "application/json",
                concurrent_to=screenshot,
                extra_headers={"WARC-Refers-To": result.page.response_record_id},
            )
        files = writer.close()
    index_collection(collection)
    return files


def _info() -> dict[str, str]:
    return {
        "description": "Screenshots of the collection's pages rendered from the archive alone "
        "(headless Chromium through a WARC replay proxy), with the replay check's findings",
    }


def ledger_pages(collection: Path, crawl_id: int | None = None) -> list[ReplayPage]:
    """The pages of a crawl's verdicts (default: the latest crawl with verdicts), one per
    capture; a capture from an archive opens under its original URL."""
    from provenance.ledger.store import Ledger

    with Ledger(collection / "ledger.sqlite", create=False) as ledger:
        entries = ledger.entries(crawl_id)
    pages: dict[str, ReplayPage] = {}
    for entry in entries:
        capture = entry.capture
        if capture is None:
            continue
        known = pages.get(capture.response_record_id)
        seeds = (*known.seeds, entry.verdict.seed_id) if known else (entry.verdict.seed_id,)
        archived = capture.source_kind == "archived" and capture.source_url
        pages[capture.response_record_id] = ReplayPage(
            url=capture.fetched_url,
            response_record_id=capture.response_record_id,
            captured_at=capture.captured_at,
            open_url=capture.source_url if archived else None,
            source_url=capture.source_url,
            seeds=seeds,
        )
    return list(pages.values())


def replica_alias(pages: Iterable[ReplayPage]) -> Callable[[str], str | None]:
    """For a replica crawl: where the replica put another host's URL (spiders.requisite_fetch
    maps them into the replica as the seeds are)."""
    from provenance.sources.replica_routing import replica_url

    bases = set()
    for page in pages:
        source = page.source_url
        if source is None or page.open_url is not None:
            continue
        suffix = replica_url("", source)
        if page.url.endswith(suffix) and len(page.url) > len(suffix):
            bases.add(page.url[: -len(suffix)])

    def alias(url: str) -> str | None:
        for base in bases:
            if not url.startswith(base + "/"):
                try:
                    return replica_url(base, url)
                except ValueError:
                    return None
        return None

    return alias
