"""Downloader middleware: a response goes on only once its WARC records are written.

The capture extension writes each exchange on its writer thread (spiders/capture.py). Placed
closest to the download handler, this middleware's process_response runs first and waits for
that write, so redirects, retries, callbacks and pipelines all find the record references in
the request's meta, and responses can never outrun the archive (back-pressure). A response that
did not come from the network (none is written for it) passes straight through."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

from spiders.capture import PENDING_KEY


class CaptureWaitMiddleware:
    async def process_response(self, request: Request, response: Response) -> Response:
        pending = request.meta.pop(PENDING_KEY, None)
        if pending is not None:
            # A failed write was logged by the extension, which also stops the crawl; the
            # response goes on without record references.
            await maybe_deferred_to_future(pending)
        return response
