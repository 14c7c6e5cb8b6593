"""Distributed crawls: several `scrapy crawl seeds` processes, on one machine or many, share one
frontier in Redis when WARCPROOF_REDIS_URL is set.

Every process of a run (WARCPROOF_RUN_ID) uses scrapy-redis's scheduler, so requests go into one
shared queue and any process may fetch them. The seeds are handed out once: the first process
to start claims the run and puts the seed ids into a Redis list in one atomic step; every process
then pops ids from it, so each seed is started by exactly one process. Seeds naming one URL are
fed as one entry (their ids joined by commas) and share one fetch, as in a single-process crawl.
Seed requests also pass scrapy-redis's shared duplicate filter, with fingerprints keyed by the
group's first seed (SeedRequestFingerprinter), so a seed fed twice (by hand) is still fetched
once.

Each process writes its own WARC files (their names carry host and pid) and its own crawl in the
ledger; the last process to re-index the collection, one at a time under a Redis lock, covers
every WARC file closed by then. The run's keys live on while any process of it runs and expire
RUN_KEYS_TTL after the last one closes: a process started later with the same run id finds the
run done instead of crawling it again."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, ScrapyDeprecationWarning, UsageError
from scrapy.settings import BaseSettings
from scrapy.utils.request import RequestFingerprinter
from scrapy_redis.dupefilter import RFPDupeFilter

from spiders.extensions.indexing import CollectionIndexExtension

log = logging.getLogger(__name__)
# scrapy-redis 0.9.1 (the latest) calls Scrapy APIs deprecated since 2.13 for every request; its
# warnings say nothing a warcproof user could act on.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module=r"scrapy_redis\.")

SEED_KEY = "seed_id"  # request meta: the seed a request belongs to (of a group: the first)
SEEDS_KEY = "seed_ids"  # request meta: every seed naming the page's URL
RUN_KEYS_TTL = 7 * 24 * 3600
INDEX_LOCK_SECONDS = 600  # a crashed holder's lock is released after this long
INDEX_EXTENSION = "spiders.extensions.indexing.CollectionIndexExtension"
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

# Claims the run and moves the staged seed ids into the feed, or drops them when the run was
# claimed before: one script, so no process can see the claim without the feed.
_CLAIM_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[2]) end
  return 1
end
redis.call('DEL', KEYS[3])
return 0
"""


@dataclass(frozen=True)
class RunKeys:
    """The Redis keys of one run."""

    run_id: str

    @property
    def prefix(self) -> str:
        return f"warcproof:{self.run_id}"

    @property
    def claim(self) -> str:
        return f"{self.prefix}:claim"

    @property
    def feed(self) -> str:
        return f"{self.prefix}:seeds"

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def index_lock(self) -> str:
        return f"{self.prefix}:index-lock"

    def all(self) -> tuple[str, ...]:
        return (self.claim, self.feed, self.requests, self.dupefilter, self.workers)


def run_keys(settings: BaseSettings) -> RunKeys | None:
    """The run's keys when WARCPROOF_REDIS_URL is set, else None."""
    if not settings.get("WARCPROOF_REDIS_URL"):
        return None
    run_id = settings.get("WARCPROOF_RUN_ID") or ""
    if not _RUN_ID_RE.match(run_id):
        raise UsageError(
            f"WARCPROOF_RUN_ID {run_id!r}: a distributed crawl needs a run id shared by all its "
            "processes, of 1 to 100 letters, digits, dots, hyphens or underscores",
            print_help=False,
        )
    return RunKeys(run_id)


def configure(settings: BaseSettings) -> None:
    """Switch a crawl to the shared frontier when WARCPROOF_REDIS_URL is set (from the spider's
    `update_settings`, so command-line settings still win)."""
    keys = run_keys(settings)
    if keys is None:
        return
    extensions = dict(settings.getdict("EXTENSIONS"))
    if INDEX_EXTENSION in extensions:
        extensions[INDEX_EXTENSION] = None
        extensions[f"{__name__}.SharedIndexExtension"] = 950
    settings.setdict(
        {
            "REDIS_URL": settings.get("WARCPROOF_REDIS_URL"),
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            # Siblings still crawl when one process closes: nothing is flushed on close.
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "DUPEFILTER_CLASS": f"{__name__}.SeedDupeFilter",
            "REQUEST_FINGERPRINTER_CLASS": f"{__name__}.SeedRequestFingerprinter",
            "EXTENSIONS": extensions,
        },
        priority="spider",
    )


class RedisRun:
    """One process's view of a run: the seed feed, the process count and the index lock."""

    def __init__(self, server: redis.Redis, keys: RunKeys) -> None:
        self.server = server
        self.keys = keys

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisRun | None:
        keys = run_keys(settings)
        if keys is None:
            return None
        return cls(redis.Redis.from_url(settings.get("WARCPROOF_REDIS_URL")), keys)

    def feed(self, seed_ids: Sequence[str], claimant: str) -> bool:
        """Hand out `seed_ids` unless the run was claimed before; True if this call claimed it."""
        staging = f"{self.keys.feed}:staging:{uuid.uuid4().hex}"
        for start in range(0, len(seed_ids), 10_000):
            self.server.rpush(staging, *seed_ids[start : start + 10_000])
        self.server.expire(staging, 3600)  # a feeder that dies here leaves nothing behind
        claimed = self.server.eval(
            _CLAIM_SCRIPT, 3, self.keys.claim, self.keys.feed, staging, claimant
        )
        return bool(claimed)

    def take(self, count: int) -> list[str]:
        """Up to `count` seed ids from the feed, each handed to one process only."""
        taken: Any = self.server.lpop(self.keys.feed, count)
        return [value.decode("utf-8") for value in taken or ()]

    def join(self) -> None:
        self.server.incr(self.keys.workers)

    def leave(self) -> None:
        if int(self.server.decr(self.keys.workers)) <= 0:
            for key in self.keys.all():
                self.server.expire(key, RUN_KEYS_TTL)

    @contextmanager
    def index_lock(self) -> Iterator[None]:
        with self.server.lock(
            self.keys.index_lock, timeout=INDEX_LOCK_SECONDS, blocking_timeout=INDEX_LOCK_SECONDS
        ):
            yield


class SeedRequestFingerprinter:
    """Scrapy's request fingerprint, made distinct per seed (a group's first) and per redirect
    hop: a redirect back to a URL already fetched for the seed is followed as in a
    single-process crawl (bounded by REDIRECT_MAX_TIMES), and a page that is also another seed's
    requisite is still fetched as the seed's page."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedRequestFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        fingerprint: bytes = self._default.fingerprint(request)
        seed_id = request.meta.get(SEED_KEY)
        if seed_id is None:
            return fingerprint
        hop = len(request.meta.get("redirect_urls", ()))
        return hashlib.sha1(b"%s\0%s\0%d" % (fingerprint, seed_id.encode(), hop)).digest()


class SeedDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's shared duplicate filter, fingerprinting with the crawler's request
    fingerprinter (its own looks at method, URL and body only)."""

    fingerprinter: Any

    @classmethod
    def from_spider(cls, spider: Any) -> SeedDupeFilter:
        dupefilter: SeedDupeFilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request: Request) -> str:
        fingerprint: bytes = self.fingerprinter.fingerprint(request)
        return fingerprint.hex()


class SharedIndexExtension:
    """The collection index update of `spiders.extensions.indexing`, one process of the run at a
    time, so the last one's update covers every WARC file its siblings closed before."""

    def __init__(self, index: CollectionIndexExtension, run: RedisRun) -> None:
        self.index = index
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedIndexExtension:
        run = RedisRun.from_settings(crawler.settings)
        if run is None or not crawler.settings.getbool("WARCPROOF_INDEX_ON_CLOSE", True):
            # Off: not a distributed crawl, or WARCPROOF_INDEX_ON_CLOSE is off (no message:
            # Scrapy logs one as a WARNING).
            raise NotConfigured()
        index = CollectionIndexExtension(Path(crawler.settings.get("WARCPROOF_COLLECTION")))
        extension = cls(index, run)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        try:
            with self.run.index_lock():
                self.index.engine_stopped()
        except redis.RedisError as exc:
            log.error("Cannot update the index of %s: %s", self.index.collection, exc)
