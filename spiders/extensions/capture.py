"""The capture extension: every response Scrapy downloads, redirects, errors and robots.txt
included, goes into WARC as a request/response pair the moment it arrives, before any
downloader middleware can decode or change it.

The exchange is taken on the reactor thread; compressing and hashing a large one (the costly
part) runs on one writer thread, in arrival order, while Scrapy goes on downloading (zlib and
hashlib release the GIL). A small one (WARCPROOF_WARC_INLINE_BYTES) is written at once on the
reactor thread when the writer thread has nothing queued: handing it over would cost more than
writing it (waking the thread, then the reactor for the result, and both contending for the
GIL), and the order of the records stays that of arrival either way. A response goes on at
once; whoever needs its record references awaits `records_written` (the seeds spider does,
before it reads them from the request's meta).
spiders/capturewait.py holds responses back only while the writer is more than
MAX_BACKLOG exchanges behind, so downloads can never outrun the archive by much."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredList, maybeDeferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from archive.collection import Collection
from archive.errors import InvalidInputError
from archive.index.dedup import DedupIndex
from archive.warc.record_uris import tls_uri
from archive.warc.records import HttpExchange, Original, RecordRef
from archive.warc.writer import WarcWriter
from spiders.crawl_provenance import summary_fields
from spiders.exchange import to_exchange

log = logging.getLogger(__name__)
T = TypeVar("T")

STARTED_KEY = "warcproof_started"
RECEIVED_KEY = "warcproof_received"
TRUNCATED_KEY = "warcproof_truncated"
TRUNCATED_AS_KEY = "warcproof_truncated_as"  # the WARC-Truncated reason, once written
MAX_BYTES_KEY = "warcproof_max_bytes"  # a request's own, lower limit (page requisites)
REQUEST_RECORD_KEY = "warcproof_request_record"
RESPONSE_RECORD_KEY = "warcproof_response_record"
NOT_ARCHIVED_KEY = "warcproof_not_archived"  # why this exchange could not be archived
TRUNCATION_KEY = "warcproof_truncation"  # the WARC-Truncated reason of the archived response
PENDING_KEY = "warcproof_pending_capture"  # a Deferred firing once the records are written
# Metadata about the response that other components (spiders.extensions.tls_evidence) leave in
# the request's meta before this extension sees the response: [(content type, payload)], each
# written right after the exchange as a metadata record WARC-Refers-To its response record.
METADATA_KEY = "warcproof_response_metadata"
MAX_BACKLOG = 64  # exchanges the writer may be behind before responses are held back
INLINE_BYTES = 256 * 1024  # WARCPROOF_WARC_INLINE_BYTES' default


class WarcCaptureExtension:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.directory = Collection(Path(settings.get("WARCPROOF_COLLECTION"))).warcs
        self.prefix: str = settings.get("WARCPROOF_WARC_PREFIX")
        self.max_size = settings.getint("WARCPROOF_WARC_MAX_SIZE")
        self.gzip_level = settings.getint("WARCPROOF_WARC_GZIP_LEVEL")
        self.max_response = settings.getint("WARCPROOF_MAX_RESPONSE_BYTES")
        self.max_seconds = settings.getfloat("WARCPROOF_MAX_RESPONSE_SECONDS")
        self.inline_bytes = settings.getint("WARCPROOF_WARC_INLINE_BYTES", INLINE_BYTES)
        self.queued = 0  # calls handed to the writer thread whose results are not back yet
        self.records = 0
        self.revisits = 0
        self.directory.mkdir(parents=True, exist_ok=True)
        # Revisit records for payloads the collection already holds (archive.index.dedup); within
        # one crawl only with WARCPROOF_DEDUP_WITHIN_CRAWL, so each crawl's pages stand alone.
        self.dedup: DedupIndex | None = None
        if settings.getbool("WARCPROOF_DEDUP"):
            self.dedup = DedupIndex.load(Path(settings.get("WARCPROOF_COLLECTION")))
        self.dedup_within_crawl = settings.getbool("WARCPROOF_DEDUP_WITHIN_CRAWL")
        # Opened here, not on spider_opened: a collection that cannot be written must stop the
        # crawl before anything is fetched, and signal handlers' errors are only logged.
        self.writer: WarcWriter | None = WarcWriter(
            self.directory,
            prefix=self.prefix,
            max_size=self.max_size,
            info=self._warcinfo(),
            gzip_level=self.gzip_level,
        )
        # One thread keeps the records in arrival order; the dedup index is touched only by the
        # call writing, on that thread or, when it is idle, on the reactor thread.
        self.thread = ThreadPool(minthreads=1, maxthreads=1, name="warcproof-writer")
        self.pending: set[Deferred[Any]] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureExtension:
        return cls(crawler)

    def _warcinfo(self) -> dict[str, str]:
        settings = self.crawler.settings
        return {
            "software": " ".join(
                f"{name}/{version(name)}"
                for name in ("warcproof", "scrapy", "warcio", "trafilatura")
            ),
            "hostname": socket.gethostname(),
            "http-header-user-agent": str(settings.get("USER_AGENT")),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "isPartOf": Path(settings.get("WARCPROOF_COLLECTION")).resolve().name,
            "description": "Source pages of seed texts, fetched for provenance verification",
            **summary_fields(settings),
        }

    def spider_opened(self, spider: Spider) -> None:
        self.thread.start()
        # Its thread is not a daemon: a forced stop (a second Ctrl-C) stops the reactor without
        # spider_closed, and the process would then wait for that thread forever at exit.
        _reactor().addSystemEventTrigger("during", "shutdown", self._stop_thread)

    def _stop_thread(self) -> None:
        """Stop the writer thread once the writes queued on it are done (only once)."""
        if self.thread.started:
            self.thread.stop()

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the WARC files once every pending write is done (a coroutine: Scrapy
        deprecates handlers that return a Deferred)."""
        # consumeErrors: a failed write was logged where it failed; the files close anyway.
        await maybe_deferred_to_future(DeferredList(list(self.pending), consumeErrors=True))
        self._close()

    def _close(self) -> None:
        self._stop_thread()
        if self.writer is not None:
            files = self.writer.close()
            self.writer = None
            log.info(
                "WARC capture closed: %d records (%d revisits) in %d file(s)",
                self.records,
                self.revisits,
                len(files),
            )

    def headers_received(
        self, headers: Headers, body_length: int, request: Request, spider: Spider
    ) -> None:
        # download_latency runs from the download handler's start to these headers.
        latency = request.meta.get("download_latency")
        if latency is not None:
            request.meta[STARTED_KEY] = time.time() - latency
        # body_length is Twisted's UNKNOWN_LENGTH (a str) for chunked or close-delimited bodies.
        if isinstance(body_length, int) and body_length > self._limit(request) > 0:
            # Scrapy cancels a body announced above DOWNLOAD_MAXSIZE before reading any of it,
            # losing the exchange; stopping here keeps at least the head, marked truncated.
            download_maxsize = request.meta.get(
                "download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
            )
            if 0 < download_maxsize < body_length:
                request.meta[TRUNCATED_KEY] = "length"
                raise StopDownload(fail=False)

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        received = request.meta.get(RECEIVED_KEY, 0) + len(data)
        request.meta[RECEIVED_KEY] = received
        if received > self._limit(request) > 0:
            # Kept up to the limit and marked WARC-Truncated: length, not thrown away.
            request.meta[TRUNCATED_KEY] = "length"
            raise StopDownload(fail=False)
        started = request.meta.get(STARTED_KEY)
        if started is not None and time.time() - started > self.max_seconds > 0:
            # A body still trickling in is kept as far as it came (WARC-Truncated: time)
            # instead of being lost when DOWNLOAD_TIMEOUT cancels the download.
            request.meta[TRUNCATED_KEY] = "time"
            raise StopDownload(fail=False)

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        metadata = request.meta.pop(METADATA_KEY, [])  # never carried on to a redirect's request
        if self.writer is None:
            return
        started_ts: Any = request.meta.pop(STARTED_KEY, None)
        now = datetime.now(UTC)
        if started_ts is not None:
            started = datetime.fromtimestamp(started_ts, UTC)
        else:
            started = now - timedelta(seconds=request.meta.get("download_latency", 0.0))
        request.meta.pop(RECEIVED_KEY, None)
        truncated = request.meta.pop(TRUNCATED_KEY, None)
        if truncated == "length":
            response = response.replace(body=response.body[: self._limit(request)])
        if truncated is not None:
            request.meta[TRUNCATED_AS_KEY] = truncated
        exchange = to_exchange(request, response, started, truncated)
        for key in (NOT_ARCHIVED_KEY, TRUNCATION_KEY):  # an earlier redirect hop's
            request.meta.pop(key, None)
        if exchange.truncated is not None:
            request.meta[TRUNCATION_KEY] = exchange.truncated
        size = len(exchange.body) + len(exchange.request_body)
        written = self.submit(size, self._write, exchange, truncated, metadata)
        written.addCallbacks(
            self._written, self._failed, callbackArgs=(request,), errbackArgs=(request,)
        )
        self.pending.add(written)
        written.addBoth(self._settled, written)
        request.meta[PENDING_KEY] = written

    def _limit(self, request: Request) -> int:
        limit: int = request.meta.get(MAX_BYTES_KEY, self.max_response)
        return limit

    @property
    def backlog(self) -> int:
        """Exchanges taken and not yet written."""
        return len(self.pending)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a call on the writer thread, in order with the captures (for the pipelines'
        records: compression then happens off the reactor thread too)."""
        result: T = await maybe_deferred_to_future(self.submit(None, function, *args, **kwargs))
        return result

    def submit(
        self, size: int | None, function: Callable[..., T], *args: Any, **kwargs: Any
    ) -> Deferred[T]:
        """`function(*args, **kwargs)` in order with every other write: here and now when it
        writes at most WARCPROOF_WARC_INLINE_BYTES (`size`; None: unknown) and the writer thread
        has nothing queued, else on the writer thread."""
        if size is not None and size <= self.inline_bytes and self.queued == 0:
            return maybeDeferred(function, *args, **kwargs)
        self.queued += 1
        done: Deferred[T] = deferToThreadPool(_reactor(), self.thread, function, *args, **kwargs)
        done.addBoth(self._dequeued)
        return done

    def _dequeued(self, result: T) -> T:
        self.queued -= 1
        return result

    def _write(
        self,
        exchange: HttpExchange,
        truncated: str | None,
        metadata: list[tuple[str, bytes]],
    ) -> tuple[RecordRef, RecordRef]:
        """On the writer thread: the records, a revisit if the dedup index knows the payload,
        then the metadata records about the response."""
        assert self.writer is not None
        used: list[Original] = []

        def previous(target_uri: str, payload_digest: str) -> Original | None:
            found = self.dedup.previous(target_uri, payload_digest) if self.dedup else None
            used.extend([found] if found else [])
            return found

        request_ref, response_ref = self.writer.write_exchange(exchange, previous=previous)
        self._note(response_ref, truncated, used[0] if used else None)
        for content_type, payload in metadata:
            self.writer.write_metadata(  # e.g. TLS evidence: its own URI, never the page's
                tls_uri(response_ref.target_uri), payload, content_type, refers_to=response_ref
            )
        return request_ref, response_ref

    def _written(self, refs: tuple[RecordRef, RecordRef], request: Request) -> None:
        self.records += 2
        request.meta[REQUEST_RECORD_KEY], request.meta[RESPONSE_RECORD_KEY] = refs

    def _failed(self, failure: Failure, request: Request) -> None:
        if isinstance(failure.value, InvalidInputError):
            # This exchange alone cannot be a record (e.g. a status without three digits):
            # nothing of it was written, its page is no evidence, and the crawl goes on.
            request.meta.pop(REQUEST_RECORD_KEY, None)
            request.meta.pop(RESPONSE_RECORD_KEY, None)
            request.meta[NOT_ARCHIVED_KEY] = f"the response could not be archived: {failure.value}"
            log.error("Not archived: %s: %s", request.url, failure.value)
            return
        # Records already written stay intact; fetching more pages that cannot be archived
        # would only lose them, so the crawl stops here.
        log.error("Cannot write WARC records (%s); stopping the crawl", failure.value)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and self.writer is not None:
            deferred_from_coro(engine.close_spider_async(reason="warc_write_failed"))

    def _settled(self, result: Any, written: Deferred[Any]) -> Any:
        self.pending.discard(written)
        return result

    def _note(self, ref: RecordRef, truncated: str | None, original: Original | None) -> None:
        """Tell the dedup index what the URL's latest capture now is."""
        if self.dedup is None:
            return
        if ref.rec_type == "revisit":
            self.revisits += 1
        elif truncated is None and self.dedup_within_crawl and ref.payload_digest:
            original = Original(ref.record_id, ref.target_uri, ref.date, ref.payload_digest)
        else:
            original = None
        self.dedup.note(ref.target_uri, ref.payload_digest, original)


async def records_written(meta: dict[str, Any]) -> None:
    """Wait until the records of the exchange whose request has this meta are written (then
    its REQUEST_RECORD_KEY and RESPONSE_RECORD_KEY are set). A failed write was logged by the
    extension, which also stops the crawl; the keys are then missing."""
    pending = meta.pop(PENDING_KEY, None)
    if pending is not None and not pending.called:
        await maybe_deferred_to_future(_signal(pending))


def _signal(pending: Deferred[Any]) -> Deferred[None]:
    """A Deferred firing when `pending` does, leaving `pending`'s own result alone (awaiting it
    directly would swallow the result of the callbacks that come after)."""
    fired: Deferred[None] = Deferred()

    def done(result: Any) -> Any:
        fired.callback(None)
        return result

    pending.addBoth(done)
    return fired


def _reactor() -> Any:
    from twisted.internet import reactor  # the one Scrapy installed

    return reactor
