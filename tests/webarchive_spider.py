"""A spider recording pages with scrapy-webarchive's WACZ exporter, run by the Python of
.venv-webarchive (scrapy-webarchive pins a Scrapy older than warcproof's):

    .venv-webarchive/bin/python tests/webarchive_spider.py ORIGIN OUT_DIR PATH...
"""

import sys

import scrapy
from scrapy.crawler import CrawlerProcess


def main(origin: str, out: str, *paths: str) -> None:
    class Pages(scrapy.Spider):
        name = "pages"
        start_urls = tuple(origin + path for path in paths)

        def parse(self, response: scrapy.http.Response) -> None:
            return None

    process = CrawlerProcess(
        {
            "EXTENSIONS": {"scrapy_webarchive.extensions.WaczExporter": 543},
            "SW_EXPORT_URI": f"file://{out}/",
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "ERROR",
        }
    )
    process.crawl(Pages)
    process.start()


if __name__ == "__main__":
    main(*sys.argv[1:])
