"""Scrapy settings of the warcproof project. `WARCPROOF_*` settings are warcproof's own."""

from importlib.metadata import version

from spiders import offline

offline.use_bundled_public_suffix_list()

BOT_NAME = "warcproof"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

USER_AGENT = f"warcproof/{version('warcproof')} (provenance verification of archived texts)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
# A connection lost mid-body still yields a response (flagged "dataloss"): it is archived and
# marked WARC-Truncated rather than thrown away.
DOWNLOAD_FAIL_ON_DATALOSS = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

EXTENSIONS = {"spiders.capture.WarcCaptureExtension": 0}
ITEM_PIPELINES = {
    "spiders.pipelines.extract.ExtractPipeline": 100,
    "spiders.pipelines.compare.ComparePipeline": 200,
    "spiders.pipelines.ledger.LedgerPipeline": 300,
}

WARCPROOF_SEEDS = "seeds/seeds.toml"
WARCPROOF_COLLECTION = "collection"
# When set (e.g. http://127.0.0.1:8080), seeds are fetched from the replica origin instead of
# the live web.
WARCPROOF_REPLICA_URL = ""
WARCPROOF_WARC_PREFIX = "warcproof"
WARCPROOF_WARC_MAX_SIZE = 1_000_000_000
WARCPROOF_WARC_GZIP_LEVEL = 6
