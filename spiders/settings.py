"""Scrapy settings of the warcproof project. `WARCPROOF_*` settings are warcproof's own."""

import warnings

from scrapy.settings import default_settings

from provenance.sources import http_policy
from spiders import offline

offline.use_bundled_public_suffix_list()

BOT_NAME = "warcproof"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

USER_AGENT = http_policy.USER_AGENT
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# The seeds spider yields one item per page: Scrapy starts this many item tasks per response,
# and its default (100) costs the reactor thread more than the item itself.
CONCURRENT_ITEMS = 4
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
RETRY_TIMES = 2
# A server that accepts the connection and then stays silent is not asked again: retrying a
# timeout would triple the wait (robots.txt and the page each; 6 minutes a seed at 60 s).
RETRY_EXCEPTIONS = [
    name
    for name in default_settings.RETRY_EXCEPTIONS
    if name != "scrapy.exceptions.DownloadTimeoutError"
]
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
# (replica mode allows them: the replica is on loopback). Every connection goes to the address
# the policy saw: names are resolved once per crawl (spiders.middlewares.addresspolicy).
TWISTED_DNS_RESOLVER = "spiders.middlewares.addresspolicy.PinnedResolver"
WARCPROOF_ALLOW_PRIVATE = False
# 429/503 with Retry-After up to this many seconds are waited out before the retry.
WARCPROOF_MAX_RETRY_AFTER = 120
DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.retryafter.RetryAfterMiddleware": 560,
    # Before RobotsTxtMiddleware (100): a refused target's robots.txt is not fetched either.
    "spiders.middlewares.addresspolicy.AddressPolicyMiddleware": 50,
    "spiders.middlewares.requisite_guard.RequisiteGuardMiddleware": 60,
    # After DownloadTimeoutMiddleware (350), which leaves a timeout already set alone.
    "spiders.middlewares.requisite_guard.RequisiteTimeoutMiddleware": 595,
    # Closest to the download handler: waits for the capture's records (spiders.extensions.capture).
    "spiders.middlewares.capturewait.CaptureWaitMiddleware": 1000,
}
# No remote control of a crawl: Scrapy's telnet console and its HTTP code-execution endpoint
# (RemoteControl, on by default since Scrapy 2.19) stay off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

EXTENSIONS = {
    # Before anything else starts: a crawler whose `warcproof crawl` is gone ends (orphan_exit).
    "spiders.extensions.orphan_exit.OrphanExitExtension": -200,
    # First: no other component opens anything before the collection's lock is held.
    "spiders.extensions.lock.CollectionLockExtension": -100,
    # Before the capture: it leaves each HTTPS response's TLS evidence for the capture to write
    # next to the response; the context factory shows it the connections.
    "spiders.extensions.tls_evidence.TlsEvidenceExtension": -50,
    "spiders.extensions.capture.WarcCaptureExtension": 0,
    "spiders.extensions.worker_pool.WorkerPool": 10,  # the pipelines' CPU-bound work
    "spiders.extensions.crawl_progress.CrawlProgressExtension": 900,  # terminal-only progress
    "spiders.extensions.indexing.CollectionIndexExtension": 950,  # re-index on engine_stopped
    # After the index: screenshots of the crawl's pages rendered from the archive.
    "spiders.extensions.screenshots.ScreenshotsExtension": 960,
}
DOWNLOADER_CLIENTCONTEXTFACTORY = "spiders.tls_recording.TlsRecordingContextFactory"
# Scrapy 2.14+ calls this setting deprecated, yet offers no other way to see the TLS connection.
warnings.filterwarnings("ignore", message="The 'DOWNLOADER_CLIENTCONTEXTFACTORY' setting")
SPIDER_MIDDLEWARES = {"spiders.middlewares.resume.ResumeMiddleware": 50}  # JOBDIR: no seed twice
ITEM_PIPELINES = {
    "spiders.pipelines.analyse.AnalysePipeline": 100,  # extract, compare (worker processes)
    "spiders.pipelines.judge.JudgePipeline": 200,  # the time axis: which version decides
    # The seed, article text and verdict WARC records.
    "spiders.pipelines.evidence_records.EvidenceRecordsPipeline": 300,
    "spiders.pipelines.ledger.LedgerPipeline": 400,  # one ledger transaction per seed
}

WARCPROOF_SEEDS = "seeds/seeds.toml"
WARCPROOF_COLLECTION = "collection"
# When set (e.g. http://127.0.0.1:8080), seeds are fetched from the replica origin instead of
# the live web.
WARCPROOF_REPLICA_URL = ""
WARCPROOF_WARC_PREFIX = "warcproof"
WARCPROOF_WARC_MAX_SIZE = 1_000_000_000
# 0 stores; 1-3 compress with ISA-L, 4-9 with zlib (archive.warc.records.DEFAULT_GZIP_LEVEL).
WARCPROOF_WARC_GZIP_LEVEL = 2
# An exchange of at most this many body bytes is written on the reactor thread when the WARC
# writer thread is idle (cheaper than handing it over); larger ones go to the writer thread.
WARCPROOF_WARC_INLINE_BYTES = 256 * 1024
# Once the `warcproof crawl` that started a crawler is gone, the crawler has this many seconds
# to stop cleanly before it exits hard (spiders.extensions.orphan_exit).
WARCPROOF_ORPHAN_GRACE = 30.0
# Worker processes that extract and compare pages (spiders.pipelines.analyse); -1: one per
# core, 0: in the crawler process itself.
WARCPROOF_WORKERS = -1
# A response whose payload equals the latest capture of its URL in the collection is written as
# a revisit record (archive.index.dedup); within one crawl too only with
# WARCPROOF_DEDUP_WITHIN_CRAWL.
WARCPROOF_DEDUP = True
WARCPROOF_DEDUP_WITHIN_CRAWL = False
# Seconds to wait for another run's lock on the collection (archive.collection_lock);
# 0: exit at once.
WARCPROOF_LOCK_WAIT = 0
# Past captures (spiders/spiders/seeds.py): a Wayback-compatible archive is asked for captures
# of each seed's URL; the one nearest publication and the newest are verified too. In replica
# mode the archive is asked only when WARCPROOF_WAYBACK_URL is set explicitly (-s).
WARCPROOF_FALLBACK = True
WARCPROOF_WAYBACK_URL = http_policy.DEFAULT_WAYBACK_URL
WARCPROOF_WAYBACK_CDX = http_policy.IA_CDX  # pywb: http_policy.PYWB_CDX, "{base}/web/cdx"
WARCPROOF_WAYBACK_REPLAY = http_policy.REPLAY
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
# screenshots (spiders/extensions/screenshots.py; `warcproof qa` does it for any crawl). On
# when Chromium is installed (one browser run per page, a few seconds each); False turns it off.
WARCPROOF_SCREENSHOTS = True
WARCPROOF_RUN_ID = ""
# Crawl progress on a terminal (spiders.extensions.crawl_progress); with an interval (seconds),
# one plain line that often when stderr is not a terminal.
WARCPROOF_PROGRESS = True
WARCPROOF_PROGRESS_INTERVAL = 0
# Bring the collection's CDXJ index up to date when the crawl ends (spiders.extensions.indexing).
WARCPROOF_INDEX_ON_CLOSE = True
