"""Downloader middleware: back-pressure from the WARC writer.

The capture extension writes each exchange on its writer thread (spiders/capture.py) while the
response goes on; a response waits here only while the writer is more than MAX_BACKLOG
exchanges behind, so downloads can never outrun the archive by much. Waiting costs a download
slot (Scrapy counts a response in the downloader until its middlewares are done), which is why
responses are not held for their own records: the callbacks that need the record references
await them (spiders.extensions.capture.records_written). Placed closest to the download handler."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from spiders.extensions.capture import MAX_BACKLOG, WarcCaptureExtension, records_written


class CaptureWaitMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureWaitMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        capture = self.crawler.get_extension(WarcCaptureExtension)
        if capture is not None and capture.backlog > MAX_BACKLOG:
            await records_written(request.meta)
        return response
