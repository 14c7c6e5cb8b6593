"""The crawl's worker processes: CPU-bound work (extraction, comparison, change detection) runs
here, never on the reactor thread, where it would stall downloading and capture.

One process per core by default (WARCPROOF_WORKERS; 0 runs the work inline, for debugging).
forkserver, not fork: the crawler process runs threads (reactor, WARC writer), and a forked
copy of a held lock would never be released. The pipelines reach the pool through
`crawler.get_extension(WorkerPool)`."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.conf import build_component_list

from provenance.run.parent_death import pool_worker

log = logging.getLogger(__name__)

STARTUP_SECONDS = 120
# Imported by the forkserver once, so each worker starts with trafilatura and the comparison
# already loaded.
PRELOAD = [
    "provenance.run.forkserver_guard",
    "provenance.compare.seedcheck",
    "provenance.compare.page_changes",
]

P = ParamSpec("P")
R = TypeVar("R")


class WorkerPool:
    def __init__(self, workers: int, crawler: Crawler | None = None) -> None:
        self.workers = workers
        self.crawler = crawler
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerPool:
        workers = crawler.settings.getint("WARCPROOF_WORKERS", -1)
        if not build_component_list(crawler.settings.getwithbase("ITEM_PIPELINES")):
            # No pipeline to give work (a capture-only crawl): starting the workers would only
            # hold the reactor for their start-up and take CPU from the downloads.
            workers = 0
        pool = cls(os.cpu_count() or 1 if workers < 0 else workers, crawler)
        crawler.signals.connect(pool.start, signal=signals.spider_opened)
        crawler.signals.connect(pool.stop, signal=signals.spider_closed)
        return pool

    def start(self) -> None:
        if self.workers <= 0 or self.pool is not None:
            return
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        # The forkserver and every worker end with the crawler, even on SIGKILL.
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=pool_worker)
        # Workers started (trafilatura imported) before the first page arrives, not while
        # pages queue up for them; a pool that cannot start fails the crawl here.
        for started in [self.pool.submit(os.getpid) for _ in range(self.workers)]:
            started.result(timeout=STARTUP_SECONDS)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None

    async def run(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """`function(*args, **kwargs)` in a worker process; in this process (with a warning)
        if the pool broke, so that the seed still gets its verdict."""
        if self.pool is None:
            return function(*args, **kwargs)
        try:
            future = self.pool.submit(function, *args, **kwargs)
            result: R = await asyncio.wrap_future(future)
        except (BrokenProcessPool, pickle.PicklingError) as exc:
            if self.crawler is not None and not self.crawler.crawling:
                # Stopping (SIGTERM reached the workers too): running the work here would hold
                # the reactor thread, and with it a second SIGTERM, for as long as it takes.
                raise PoolStopped("the crawl was stopped before this work was done") from exc
            log.warning("worker pool failed (%s); running %s here", exc, _name(function))
            return function(*args, **kwargs)
        return result


class PoolStopped(Exception):
    """The crawl is stopping and its worker processes are gone."""


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", repr(function))
