"""Downloader middleware: a 429 or 503 with Retry-After is waited out before Scrapy's retry.

Scrapy's RetryMiddleware retries these statuses at once, which a throttling server answers
with the same status again. This middleware sits just below it (its process_response runs
first), waits what the server asked (bounded by WARCPROOF_MAX_RETRY_AFTER seconds), then hands
the response on for the retry. Waits longer than the bound are not honoured: the retry happens
as usual and the log says why."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from provenance.sources.http_policy import THROTTLE_STATUSES, retry_after_seconds

log = logging.getLogger(__name__)


class RetryAfterMiddleware:
    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        max_wait = crawler.settings.getfloat("WARCPROOF_MAX_RETRY_AFTER")
        if max_wait <= 0:
            # Off: WARCPROOF_MAX_RETRY_AFTER is 0 (no message: Scrapy logs one as a WARNING).
            raise NotConfigured()
        return cls(max_wait)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in THROTTLE_STATUSES:
            return response
        wait = retry_after_seconds((response.headers.get("Retry-After") or b"").decode("latin-1"))
        if wait is None:
            return response
        if wait > self.max_wait:
            log.warning(
                "%s asks to retry after %.0f s, more than WARCPROOF_MAX_RETRY_AFTER (%.0f s): "
                "not waiting",
                request.url,
                wait,
                self.max_wait,
            )
            return response
        log.info(
            "%s answered %d: waiting %.1f s as Retry-After asks", request.url, response.status, wait
        )
        from twisted.internet import reactor  # the one Scrapy installed

        await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return response
