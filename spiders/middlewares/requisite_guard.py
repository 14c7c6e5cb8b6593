"""Downloader middlewares for page requisites (spiders.requisite_fetch).

`RequisiteGuardMiddleware`, before Scrapy's robots.txt middleware (as the address policy is, so
that a refused target's robots.txt is not fetched either): a requisite whose page's time is up
is not sent, and, unless private addresses are allowed, a public page cannot make the crawler
fetch a requisite on a loopback or private address (as the address policy refuses redirects
into one). `RequisiteTimeoutMiddleware`, after Scrapy's download timeout middleware: the others
may take no longer than their page's time left."""

from __future__ import annotations

import time

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from provenance.sources.http_policy import refusal
from spiders.middlewares.addresspolicy import PrivateAddressRefused

DEADLINE_KEY = "warcproof_deadline"  # meta: time.time() after which a requisite is not sent
PAGE_URL_KEY = "warcproof_requisite_page"  # meta: the page a requisite was found on


def requisite_refusal(page_url: str, url: str) -> str | None:
    """Why a requisite at `url` of the page at `page_url` must not be fetched (a public page
    naming a private address), else None. Resolves host names: call it off the reactor."""
    reason = refusal([page_url], url)
    return reason.replace(" redirects to ", " names a requisite on ", 1) if reason else None


class RequisiteTimeUp(IgnoreRequest):
    """A requisite not sent: its page's time for requisites ran out."""


class RequisiteGuardMiddleware:
    def __init__(self, check_addresses: bool) -> None:
        self.check_addresses = check_addresses

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequisiteGuardMiddleware:
        settings = crawler.settings
        private_allowed = settings.getbool("WARCPROOF_ALLOW_PRIVATE") or bool(
            settings.get("WARCPROOF_REPLICA_URL")
        )
        return cls(check_addresses=not private_allowed)

    async def process_request(self, request: Request) -> None:
        deadline = request.meta.get(DEADLINE_KEY)
        if deadline is None:
            return
        if deadline <= time.time():
            raise RequisiteTimeUp("the page's time for requisites ran out")
        page = request.meta.get(PAGE_URL_KEY)
        if self.check_addresses and page and not request.meta.get("redirect_urls"):
            reason = await maybe_deferred_to_future(
                deferToThread(requisite_refusal, page, request.url)
            )
            if reason is not None:
                raise PrivateAddressRefused(reason)


class RequisiteTimeoutMiddleware:
    def process_request(self, request: Request) -> None:
        deadline = request.meta.get(DEADLINE_KEY)
        if deadline is None:
            return
        left = deadline - time.time()
        if left <= 0:  # it ran out while the request waited (for its robots.txt, say)
            raise RequisiteTimeUp("the page's time for requisites ran out")
        # Retries and redirects keep their request's meta: the deadline holds for them too.
        request.meta["download_timeout"] = min(request.meta.get("download_timeout", left), left)
