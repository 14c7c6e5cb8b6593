"""Bare Scrapy fetching a list of URLs (`-a urls=FILE`, one a line): the baseline the
requisites benchmark compares warcproof's capture with requisites against."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class FetchListSpider(scrapy.Spider):
    name = "fetch_list"

    def __init__(self, urls: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls = Path(urls).read_text("utf-8").split()

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        for nothing in ():
            yield nothing

    async def failed(self, failure: Any) -> AsyncIterator[Any]:
        for nothing in ():
            yield nothing
