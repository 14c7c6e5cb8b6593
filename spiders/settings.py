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
# The seeds spider yields one item per page: Scrapy starts this many item tasks per response,
# and its default (100) costs the reactor thread more than the item itself.
CONCURRENT_ITEMS = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 60
# A connection lost mid-body still yields a response (flagged "dataloss"): it is archived and
# marked WARC-Truncated rather than thrown away.
DOWNLOAD_FAIL_ON_DATALOSS = False
# Responses are archived up to WARCPROOF_MAX_RESPONSE_BYTES and marked WARC-Truncated: length
# beyond it; DOWNLOAD_MAXSIZE stays above it because Scrapy also applies it to decompressed
# bodies (gzip bombs).
WARCPROOF_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# A body still arriving this many seconds after the download began is kept as far as it came,
# marked WARC-Truncated: time (before DOWNLOAD_TIMEOUT would drop it); 0 turns this off.
WARCPROOF_MAX_RESPONSE_SECONDS = 50
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 10
# Redirects from a public address into a private network are refused unless this is set
# (replica mode allows them: the replica is on loopback).
WARCPROOF_ALLOW_PRIVATE = False
# 429/503 with Retry-After up to this many seconds are waited out before the retry.
WARCPROOF_MAX_RETRY_AFTER = 120
DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.retryafter.RetryAfterMiddleware": 560,
    "spiders.middlewares.addresspolicy.AddressPolicyMiddleware": 590,
    "spiders.middlewares.requisite_guard.RequisiteGuardMiddleware": 595,
    # Closest to the download handler: waits for the capture's records (spiders.extensions.capture).
    "spiders.middlewares.capturewait.CaptureWaitMiddleware": 1000,
}
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

EXTENSIONS = {"spiders.extensions.capture.WarcCaptureExtension": 0}
EXTENSIONS[
    "spiders.extensions.lock.CollectionLock"
] = -100  # first: no other component opens anything
SPIDER_MIDDLEWARES = {
    "spiders.middlewares.resume.ResumeMiddleware": 50
}  # JOBDIR: seeds not started twice
EXTENSIONS["spiders.extensions.crawl_progress.CrawlProgressExtension"] = (
    900  # terminal-only crawl progress
)
EXTENSIONS["spiders.extensions.indexing.CollectionIndexExtension"] = (
    950  # re-index on engine_stopped
)
# After the index: screenshots of the crawl's pages rendered from the archive.
EXTENSIONS["spiders.extensions.screenshots.ScreenshotsExtension"] = 960
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
# Worker processes that extract and compare pages (spiders.pipelines.extract); -1: one per
# core, 0: in the crawler process itself.
WARCPROOF_WORKERS = -1
# A response whose payload equals the latest capture of its URL in the collection is written as
# a revisit record (archive.warc.dedup); within one crawl too only with
# WARCPROOF_DEDUP_WITHIN_CRAWL.
WARCPROOF_DEDUP = True
WARCPROOF_DEDUP_WITHIN_CRAWL = False
# Seconds to wait for another run's lock on the collection (spiders.extensions.lock);
# 0: exit at once.
WARCPROOF_LOCK_WAIT = 0
# Past captures (spiders/spiders/seeds.py): a Wayback-compatible archive is asked for captures
# of each seed's URL; the one nearest publication and the newest are verified too. In replica
# mode the archive is asked only when WARCPROOF_WAYBACK_URL is set explicitly (-s).
WARCPROOF_FALLBACK = True
WARCPROOF_WAYBACK_URL = "https://web.archive.org"
WARCPROOF_WAYBACK_CDX = "{base}/cdx/search/cdx"  # pywb: "{base}/web/cdx"
WARCPROOF_WAYBACK_REPLAY = "{base}/web/{timestamp}id_/{url}"
WARCPROOF_WAYBACK_WINDOW_DAYS = 180  # captures from this long before publication count
WARCPROOF_MIN_SHARED = 0.3  # a live page sharing less of the seed's text is another article
# Distributed crawls (spiders/distributed.py): with a Redis URL (e.g. redis://host:6379/0), the
# processes started with one WARCPROOF_RUN_ID share one frontier and split the seeds.
WARCPROOF_REDIS_URL = ""
# Page requisites (spiders/requisite_fetch.py): stylesheets, images, scripts, icons, frames of
# every fetched page, archived like the page, within these caps per page; video and audio only
# with WARCPROOF_REQUISITES_MEDIA.
WARCPROOF_REQUISITES = True
WARCPROOF_REQUISITES_MAX_COUNT = 300
WARCPROOF_REQUISITES_MAX_BYTES = 50 * 1024 * 1024
WARCPROOF_REQUISITES_SECONDS = 60
WARCPROOF_REQUISITES_MEDIA = False
# At the end of a crawl, render every page from the archive in headless Chromium and keep the
# screenshots (spiders/extensions/screenshots.py; `warcproof qa` does it for any crawl). Off by
# default: each page costs two browser runs (about 10-20 s on a small machine).
WARCPROOF_SCREENSHOTS = False
WARCPROOF_RUN_ID = ""
