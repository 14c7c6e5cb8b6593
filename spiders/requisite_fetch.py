"""Page requisites through Scrapy: once a seed's page (live, or a capture from a Wayback
endpoint) is fetched, the resources it embeds (provenance.text.requisites) are requested like
any other URL, so the capture extension archives each exchange, robots.txt, politeness and the
downloader middlewares (the address policy too) apply, and an unchanged resource is written as
a revisit record by the dedup index.

The page's item does not wait for them: its verdict comes as soon as the page is judged. Per
page, at most WARCPROOF_REQUISITES_MAX_COUNT resources, WARCPROOF_REQUISITES_MAX_BYTES bytes
and WARCPROOF_REQUISITES_SECONDS seconds (spiders.middlewares.requisite_guard drops requests
past that time and shortens the timeout of the others); each URL is fetched once per crawl.
Stylesheets are followed (`@import`, `url()`), iframes one level deep. When a page's
requisites are settled, a metadata record (WARC-Refers-To the page's response) lists what was
fetched and what was left out, and why. For a capture, requisites come from the same archive
(`im_` for images, `id_` otherwise, at the capture's timestamp) and the record pairs each
original URL with the archive's URL. WARCPROOF_REQUISITES=False turns all this off."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.python.failure import Failure

from archive.warc.record_uris import requisites_uri
from archive.warc.records import RecordRef
from provenance.sources.replica_routing import replica_url
from provenance.sources.wayback import Capture, Endpoint
from provenance.text.requisites import Requisite, css_requisites, html_requisites
from spiders.extensions.capture import (
    MAX_BYTES_KEY,
    RESPONSE_RECORD_KEY,
    TRUNCATED_AS_KEY,
    WarcCaptureExtension,
    records_written,
)
from spiders.items import PageVersion
from spiders.middlewares.requisite_guard import DEADLINE_KEY, PAGE_URL_KEY

log = logging.getLogger(__name__)

# meta: (page number, URL, kind, depth) of what a request fetches; the page's state stays in the
# spider, so a request stored on disk (JOBDIR) carries no copy of it.
REQUISITE_KEY = "warcproof_requisite"
LIST_TYPE = "application/json"


@dataclass
class PageRequisites:
    """One page's requisites: the budget, and what became of each."""

    page_url: str  # the URL the page was fetched from (its response's Target-URI)
    source_url: str  # the page's own URL (a capture's original URL)
    response_record: RecordRef | None
    deadline: float
    max_count: int
    max_bytes: int
    archive: tuple[Endpoint, str] | None = None  # a capture's archive and timestamp
    requested: int = 0
    received_bytes: int = 0
    pending: int = 0
    fetched: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, str]] = field(default_factory=list)
    earlier: list[str] = field(default_factory=list)  # fetched for another page of this crawl
    number: int = 0  # the page's key among the spider's pages with requisites pending


@dataclass(frozen=True)
class _Wanted:
    page: PageRequisites
    requisite: Requisite
    depth: int  # 0: named by the page; 1: by a stylesheet or frame it named


class RequisitesMixin(scrapy.Spider):
    """Mixed into the seeds spider; `page_requisites` starts a page's requisites."""

    _requisites_seen: set[str]
    _requisite_pages: dict[int, PageRequisites]
    _requisite_numbers: Iterator[int]

    def requisites_on(self) -> bool:
        return self.settings.getbool("WARCPROOF_REQUISITES")

    async def page_requisites(
        self,
        response: Response,
        version: PageVersion,
        archive: tuple[Endpoint, Capture] | None = None,
    ) -> AsyncIterator[scrapy.Request]:
        """The first requests of the requisites of a fetched page (none when switched off or
        when the page is not HTML); awaited by the page's callback after its own records."""
        if not self.requisites_on() or not isinstance(response, HtmlResponse):
            return
        if not hasattr(self, "_requisites_seen"):
            self._requisites_seen = set()
            self._requisite_pages = {}
            self._requisite_numbers = itertools.count(1)
        settings: BaseSettings = self.settings
        page = PageRequisites(
            page_url=response.url,
            source_url=version.source_url or response.url,
            response_record=version.response_record,
            deadline=time.time() + settings.getfloat("WARCPROOF_REQUISITES_SECONDS"),
            max_count=settings.getint("WARCPROOF_REQUISITES_MAX_COUNT"),
            max_bytes=settings.getint("WARCPROOF_REQUISITES_MAX_BYTES"),
            archive=(archive[0], archive[1].timestamp) if archive else None,
        )
        base = page.source_url if archive else response.url
        media = settings.getbool("WARCPROOF_REQUISITES_MEDIA")
        page.number = next(self._requisite_numbers)
        self._requisite_pages[page.number] = page
        requests = list(self._requests(page, html_requisites(response.body, base, media=media), 0))
        if not requests:
            self._requisite_pages.pop(page.number, None)
            await self._write_list(page)
        for request in requests:
            yield request

    def _requests(
        self, page: PageRequisites, found: list[Requisite], depth: int
    ) -> Iterator[scrapy.Request]:
        now = time.time()
        for requisite in found:
            if requisite.url in self._requisites_seen:
                page.earlier.append(requisite.url)
                continue
            reason = self._over_budget(page, now)
            if reason is not None:
                page.left_out.append({"url": requisite.url, "kind": requisite.kind, "why": reason})
                continue
            self._requisites_seen.add(requisite.url)
            page.requested += 1
            page.pending += 1
            remaining_bytes = page.max_bytes - page.received_bytes
            yield scrapy.Request(
                self._fetch_url(page, requisite),
                callback=self._requisite_fetched,
                errback=self._requisite_failed,
                dont_filter=True,  # deduplicated here, so that every request settles
                meta={
                    REQUISITE_KEY: (page.number, requisite.url, requisite.kind, depth),
                    DEADLINE_KEY: page.deadline,
                    PAGE_URL_KEY: page.page_url,
                    MAX_BYTES_KEY: min(remaining_bytes, self._response_limit(remaining_bytes)),
                },
            )

    def _response_limit(self, remaining_bytes: int) -> int:
        limit = self.settings.getint("WARCPROOF_MAX_RESPONSE_BYTES")
        return limit if limit > 0 else remaining_bytes  # 0: no limit of its own

    @staticmethod
    def _over_budget(page: PageRequisites, now: float) -> str | None:
        if page.requested >= page.max_count:
            return f"the page's cap of {page.max_count} requisites was reached"
        if page.received_bytes >= page.max_bytes:
            return f"the page's cap of {page.max_bytes} bytes of requisites was reached"
        if now >= page.deadline:
            return "the page's time for requisites ran out"
        return None

    def _fetch_url(self, page: PageRequisites, requisite: Requisite) -> str:
        if page.archive is None:
            replica = self.settings.get("WARCPROOF_REPLICA_URL")
            if replica and not requisite.url.startswith(replica.rstrip("/") + "/"):
                # A replica crawl fetches nothing off loopback: other hosts map into the
                # replica as the seed URLs do.
                return replica_url(replica, requisite.url)
            return requisite.url
        endpoint, timestamp = page.archive
        url = endpoint.replay_url(Capture(timestamp=timestamp, url=requisite.url))
        # Raw bytes for every resource: images in `im_` mode, the rest in `id_` mode.
        return url.replace("id_/", "im_/", 1) if requisite.kind == "image" else url

    async def _requisite_fetched(self, response: Response) -> AsyncIterator[Any]:
        await records_written(response.meta)
        wanted = self._wanted(response.meta)
        if wanted is None:
            return  # a request of a page from before a JOBDIR resume: nothing to account to
        page = wanted.page
        self._note_fetched(wanted, response)
        more: list[Requisite] = []
        if 200 <= response.status < 300:
            if wanted.requisite.kind == "stylesheet":
                # @import chains are followed to any depth; the per-crawl deduplication ends a
                # loop and the count cap a chain.
                more = css_requisites(response.body, wanted.requisite.url)
            elif wanted.requisite.kind == "frame" and wanted.depth == 0:
                found = html_requisites(response.body, wanted.requisite.url)
                more = [r for r in found if r.kind != "frame"]  # frames one level deep
        for request in self._requests(page, more, wanted.depth + 1):
            yield request
        await self._settle(page)

    async def _requisite_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        await records_written(request.meta)
        wanted = self._wanted(request.meta)
        if wanted is None:
            return
        response = getattr(failure.value, "response", None)
        if isinstance(response, Response):
            self._note_fetched(wanted, response)  # an error status, archived as answered
        else:
            reason = failure.getErrorMessage() or type(failure.value).__name__
            wanted.page.left_out.append(
                {"url": wanted.requisite.url, "kind": wanted.requisite.kind, "why": reason}
            )
        await self._settle(wanted.page)
        for request in ():  # an asynchronous generator, as the callback is
            yield request

    @staticmethod
    def _note_fetched(wanted: _Wanted, response: Response) -> None:
        wanted.page.received_bytes += len(response.body)
        record: RecordRef | None = response.meta.get(RESPONSE_RECORD_KEY)
        entry: dict[str, Any] = {
            "url": wanted.requisite.url,
            "kind": wanted.requisite.kind,
            "status": response.status,
            "bytes": len(response.body),
            "record": record.record_id if record else None,
            "record_type": record.rec_type if record else None,
        }
        if response.url != wanted.requisite.url:
            entry["fetched_url"] = response.url
        truncated = response.meta.get(TRUNCATED_AS_KEY)
        if truncated:
            entry["truncated"] = truncated
        wanted.page.fetched.append(entry)

    def _wanted(self, meta: dict[str, Any]) -> _Wanted | None:
        number, url, kind, depth = meta[REQUISITE_KEY]
        page = getattr(self, "_requisite_pages", {}).get(number)
        return None if page is None else _Wanted(page, Requisite(url, kind), depth)

    async def _settle(self, page: PageRequisites) -> None:
        page.pending -= 1
        if page.pending == 0:
            self._requisite_pages.pop(page.number, None)
            await self._write_list(page)

    async def _write_list(self, page: PageRequisites) -> None:
        capture = self.crawler.get_extension(WarcCaptureExtension)
        if capture is None or capture.writer is None or page.response_record is None:
            return
        if page.left_out:
            log.info(
                "Requisites of %s: %d fetched, %d left out (first: %s)",
                page.page_url,
                len(page.fetched),
                len(page.left_out),
                page.left_out[0]["why"],
            )
        listing = _listing(page)
        await maybe_deferred_to_future(
            capture.submit(
                len(listing),
                capture.writer.write_metadata,
                requisites_uri(page.page_url),
                listing,
                LIST_TYPE,
                refers_to=page.response_record,
                extra_headers={"WARC-Warcproof-Requisites": str(len(page.fetched))},
            )
        )


def _listing(page: PageRequisites) -> bytes:
    listing = {
        "page": page.page_url,
        "source_url": page.source_url,
        "requested": page.requested,
        "fetched": page.fetched,
        "left_out": page.left_out,
        "fetched_for_an_earlier_page": page.earlier,
        "caps": {
            "count": page.max_count,
            "bytes": page.max_bytes,
        },
    }
    # On one line: json encodes with indentation in Python, without it in C.
    return json.dumps(listing, ensure_ascii=False).encode("utf-8")
