"""`scrapy crawl seeds`: fetch the source page of every seed in the manifest, and past captures
of it from a Wayback-compatible archive.

Seeds with no known URL become items at once, so every seed gets a verdict. Seeds naming one
URL share its fetch: the page is fetched (and archived) once per crawl and each of them gets its
own item, hence its own comparison, verdict and evidence; so do their archive lookups, for seeds
of one publication date. With WARCPROOF_REPLICA_URL set, pages come from the loopback replica
instead of the live web.

The archive (WARCPROOF_WAYBACK_URL, on unless WARCPROOF_FALLBACK is false) is asked for captures
of each seed's URL and its http/https and www variants, from WARCPROOF_WAYBACK_WINDOW_DAYS
before publication on; the capture nearest publication and the newest are fetched raw (`id_`)
so the verdict can rest on the page as it stood then when the live page failed, shares too
little with the seed (WARCPROOF_MIN_SHARED), or changed. Every archive request goes through
Scrapy, so the WARC holds it like any other exchange, with the archive's URL as Target-URI. In
replica mode the archive is asked only if WARCPROOF_WAYBACK_URL was set explicitly, so a demo or
a test never reaches the Internet Archive.

With WARCPROOF_REDIS_URL and WARCPROOF_RUN_ID set, several processes crawl one run together,
taking seeds from a shared feed (spiders.frontier)."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from provenance.compare.evidence import SourceKind
from provenance.sources.http_policy import names_private_host
from provenance.sources.manifest import Manifest, Seed
from provenance.sources.replica_routing import replica_url
from provenance.sources.wayback import (
    Capture,
    CdxError,
    Endpoint,
    memento_moment,
    nearest,
    newest,
    parse_cdx,
    same_page,
    url_variants,
    usable,
)
from provenance.text.interstitial import (
    CHALLENGE_HEADERS,
    Interstitial,
    interstitial_in,
    marked_challenge,
)
from spiders import frontier
from spiders.crawl_manifest import crawl_manifest
from spiders.extensions.capture import (
    NOT_ARCHIVED_KEY,
    REQUEST_RECORD_KEY,
    RESPONSE_RECORD_KEY,
    TRUNCATION_KEY,
    records_written,
)
from spiders.frontier import SEED_KEY, SEEDS_KEY, RedisRun
from spiders.items import PageVersion, SeedItem
from spiders.requisite_fetch import RequisitesMixin

NO_URL = "no source URL is known for this seed (its manifest entry lists none)"
QUEST_KEY = "warcproof_archive_quest"
NOT_IN_REPLICA_MODE = (
    "a crawl of the replica asks no archive unless WARCPROOF_WAYBACK_URL is set explicitly"
)

PRIVATE_URL = "a public archive is not asked about a URL on a loopback or private address"
FEED_BATCH = 64  # seed ids a distributed process takes from the run's feed at a time


def archive_slot(endpoint: Endpoint) -> str:
    """The download slot of every archive request: one request in flight at a time."""
    return f"wayback:{endpoint.host}"


@dataclass
class _Quest:
    """One seed's way through the archive: CDX queries to ask, then captures to fetch."""

    seed: Seed  # the first of the seeds; they share its URL and publication date
    items: list[SeedItem]
    queries: list[str]
    found: list[Capture] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fetches: list[tuple[str, Capture]] | None = None  # (role, capture), once chosen


class SeedsSpider(RequisitesMixin, scrapy.Spider):
    name = "seeds"

    def __init__(self, seeds: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `-a seeds=000,002` restricts the crawl to those seed ids.
        self.only = {seed_id.strip() for seed_id in seeds.split(",") if seed_id.strip()}
        self._cdx_answers: dict[str, list[Capture]] = {}  # asked once per run
        self.run: RedisRun | None = None  # a distributed crawl's run, once joined

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        frontier.configure(settings)  # a no-op unless WARCPROOF_REDIS_URL is set
        endpoint = _endpoint(settings)
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(archive_slot(endpoint), {"concurrency": 1})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    def manifest(self) -> Manifest:
        return crawl_manifest(self.crawler)

    async def start(self) -> AsyncIterator[Any]:
        settings = self.settings
        self.replica = settings.get("WARCPROOF_REPLICA_URL")
        self.endpoint, self.archive_off = _archive(settings)
        self.window = timedelta(days=settings.getint("WARCPROOF_WAYBACK_WINDOW_DAYS"))
        self.min_shared = settings.getfloat("WARCPROOF_MIN_SHARED")
        manifest = self.manifest()
        self.seeds = {seed.id: seed for seed in manifest.seeds}
        unknown = self.only - set(self.seeds)
        if unknown:
            self.logger.error(
                "No such seed id(s) in %s: %s", manifest.path, ", ".join(sorted(unknown))
            )
        if self.endpoint is not None:
            self.logger.info("Archived captures come from %s", self.endpoint.base)
        wanted = [seed for seed in manifest.seeds if not self.only or seed.id in self.only]
        groups = by_url(wanted)
        run = RedisRun.from_settings(settings)
        if run is not None:
            run.join()
        self.run = run
        if self.run is None:
            for group in groups:
                yield self._begin(group)
            return
        # Distributed: every process of the run takes seeds from the run's feed in Redis, a
        # group of seeds naming one URL as one entry (their ids joined by commas).
        claimant = f"{socket.gethostname()}:{os.getpid()}"
        if self.run.feed([",".join(seed.id for seed in group) for group in groups], claimant):
            self.logger.info("Run %s: %d seed(s) handed out", self.run.keys.run_id, len(wanted))
        while taken := self.run.take(FEED_BATCH):
            for entry in taken:
                ids = entry.split(",")
                known = [self.seeds[seed_id] for seed_id in ids if seed_id in self.seeds]
                if known:
                    yield self._begin(known)
                if len(known) < len(ids):
                    self.logger.error(
                        "Seed(s) %s of run %s not in %s (every process of a run must read the "
                        "same manifest)",
                        entry,
                        self.run.keys.run_id,
                        manifest.path,
                    )

    def _begin(self, group: list[Seed]) -> scrapy.Request | SeedItem:
        """The first request of seeds naming one URL, or at once the item of a seed with no
        known URL (such a seed comes alone)."""
        seed = group[0]
        if seed.url is None:
            return SeedItem(seed.id, PageVersion(SourceKind.LIVE, "live", None, error=NO_URL))
        return scrapy.Request(
            replica_url(self.replica, seed.url) if self.replica else seed.url,
            callback=self.parse,
            errback=self.failed,
            # A distributed run's shared duplicate filter keeps a seed fed twice from being
            # fetched twice (spiders.frontier); retries and redirects pass as usual.
            dont_filter=self.run is None,
            meta={
                SEED_KEY: seed.id,  # the group's first seed: it names the group
                SEEDS_KEY: tuple(member.id for member in group),
                "source_url": seed.url,
                "source_kind": SourceKind.REPLICA if self.replica else SourceKind.LIVE,
            },
        )

    def closed(self, reason: str) -> None:
        if self.run is not None:
            self.run.leave()

    # Callbacks first wait for their exchange's WARC records (spiders.extensions.capture): the
    # items carry the record references. They are asynchronous generators, not generators: for a
    # generator callback Scrapy reads and parses its source again on almost every response.

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        await records_written(response.meta)
        items = self._items(response.meta, response)
        marked = _marked(response)
        for item in items:
            item.live.body = response.body
            if marked is not None:  # nothing on the page to examine
                item.live.error = item.live_problem = marked.reason
            if self.endpoint is not None:
                # Worth knowing only when the archive can offer another version: the extract
                # pipeline measures, in its workers, how much of the seed the live page shares.
                item.min_shared = self.min_shared
        for output in self._after_live(items):
            yield output
        async for request in self.page_requisites(response, items[0].live):
            yield request

    async def failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        await records_written(request.meta)
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            items = self._items(response.meta, response)
            error = f"the server answered HTTP {response.status} for {response.url}"
            # A challenge or a wall answered with an error status says more than the status.
            content_type = items[0].live.content_type
            blocked = interstitial_in(response.body, content_type) or _marked(response)
            if blocked is not None:
                error = f"{blocked.reason} (HTTP {response.status} for {response.url})"
        else:
            items = self._items(request.meta, None)
            error = f"the fetch failed: {failure_reason(failure)}"
            for item in items:
                item.live.fetched_url = request.url
                item.live.response_record = None  # a record in meta is an earlier hop's
        for item in items:
            item.live.error = item.live_problem = error
        for output in self._after_live(items):
            yield output

    def _items(self, meta: dict[str, Any], response: Response | None) -> list[SeedItem]:
        """One item per seed that names the fetched URL, each with its own live version."""
        kind = SourceKind(meta["source_kind"])
        return [
            SeedItem(seed_id, _fetched(meta, response, kind, "live", meta["source_url"]))
            for seed_id in meta.get(SEEDS_KEY) or (meta[SEED_KEY],)
        ]

    # The archive: CDX queries, then the chosen captures, one request at a time per seed.

    def _after_live(self, items: list[SeedItem]) -> Iterator[Any]:
        """The items of seeds naming one URL, once the archive has been asked (for seeds of one
        publication date together) when it is to be."""
        url = self.seeds[items[0].seed_id].url or ""
        note = None
        if self.endpoint is None:
            # Said only if the live page turns out unusable, here or once examined (a page that
            # is a consent wall or a bot challenge, say: spiders.pipelines.extract).
            note = self.archive_off
        elif names_private_host(url) and not names_private_host(self.endpoint.base):
            note = PRIVATE_URL
        if self.endpoint is None or note is not None:
            for item in items:
                item.archive_note = note
                yield item
            return
        dated: dict[Any, list[SeedItem]] = {}
        for item in items:
            dated.setdefault(self.seeds[item.seed_id].published, []).append(item)
        for published, group in dated.items():
            date_from = published - self.window if published else None
            queries = [
                self.endpoint.cdx_url(variant, date_from=date_from) for variant in url_variants(url)
            ]
            yield from self._next(_Quest(self.seeds[group[0].seed_id], group, queries))

    def _next(self, quest: _Quest) -> Iterator[Any]:
        assert self.endpoint is not None
        while quest.queries:
            query = quest.queries[0]
            if query not in self._cdx_answers:
                yield self._archive_request(query, self._cdx_answer, quest)
                return
            quest.found += self._cdx_answers[quest.queries.pop(0)]
        if quest.fetches is None:
            quest.fetches = self._choose(quest)
        if quest.fetches:
            _, capture = quest.fetches[0]
            yield self._archive_request(self.endpoint.replay_url(capture), self._memento, quest)
            return
        for item in quest.items:
            if not item.archived and quest.problems:
                item.archive_note = "; ".join(dict.fromkeys(quest.problems))
            yield item

    def _archive_request(self, url: str, callback: Any, quest: _Quest) -> scrapy.Request:
        assert self.endpoint is not None
        return scrapy.Request(
            url,
            callback=callback,
            errback=self._archive_failed,
            dont_filter=True,
            meta={
                QUEST_KEY: quest,
                "download_slot": archive_slot(self.endpoint),
                # A throttling archive (429/503) is waited out as Retry-After asks
                # (spiders.middlewares.retryafter) and retried (RETRY_TIMES); past that it is a
                # failure.
            },
        )

    def _choose(self, quest: _Quest) -> list[tuple[str, Capture]]:
        captures = usable(c for c in quest.found if same_page(c.url, quest.seed.url or ""))
        published = quest.seed.published
        near = nearest(captures, published, self.window) if published else None
        last = newest(captures)
        if near is None and last is None:
            if not quest.problems:
                since = f" since {published - self.window}" if published else ""
                quest.problems.append(
                    f"the archive at {self.endpoint.base if self.endpoint else '?'} has no "
                    f"capture of {quest.seed.url} (nor of its http/https and www variants){since}"
                )
            return []
        if near is None or last is None or near == last:
            only = near or last
            assert only is not None
            return [("nearest, newest" if near and last else "newest", only)]
        return [("nearest", near), ("newest", last)]

    async def _cdx_answer(self, response: Response) -> AsyncIterator[Any]:
        await records_written(response.meta)
        quest: _Quest = response.meta[QUEST_KEY]
        query = quest.queries[0]  # `_next` takes the answer from the cache
        try:
            self._cdx_answers[query] = parse_cdx(response.body)
        except CdxError as exc:
            quest.problems.append(f"the archive's CDX answer for {query} is unreadable: {exc}")
            self._cdx_answers[query] = []
        for output in self._next(quest):
            yield output

    async def _memento(self, response: Response) -> AsyncIterator[Any]:
        await records_written(response.meta)
        quest: _Quest = response.meta[QUEST_KEY]
        assert quest.fetches is not None
        role, capture = quest.fetches.pop(0)
        original = self.endpoint.replayed_original(response.url) if self.endpoint else None
        if original is None or not same_page(original, quest.seed.url or ""):
            # The archive redirected the replay elsewhere: archived, never judged.
            quest.problems.append(
                f"the archive answered for its capture of {capture.url} with {response.url}, "
                "which is not a capture of the seed's page: not used"
            )
            for output in self._next(quest):
                yield output
            return
        versions = [self._version(response.meta, role, capture, response) for _ in quest.items]
        for item, version in zip(quest.items, versions, strict=True):
            version.body = response.body
            item.archived.append(version)
        for output in self._next(quest):
            yield output
        if self.endpoint is not None:
            archive = (self.endpoint, capture)
            async for request in self.page_requisites(response, versions[0], archive):
                yield request

    async def _archive_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        await records_written(request.meta)
        quest: _Quest = request.meta[QUEST_KEY]
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            problem = f"the archive answered HTTP {response.status} for {response.url}"
        else:
            response = None
            reason = failure_reason(failure)
            problem = f"the archive could not be reached at {request.url}: {reason}"
        if quest.queries:
            quest.problems.append(problem)
            quest.queries.pop(0)
            if response is None:
                quest.queries.clear()  # an unreachable archive is not asked again for this seed
        elif quest.fetches:
            role, capture = quest.fetches.pop(0)
            for item in quest.items:
                version = self._version(request.meta, role, capture, response)
                if response is None:
                    version.fetched_url = request.url
                    version.response_record = None
                version.error = problem
                item.archived.append(version)
        for output in self._next(quest):
            yield output

    def _version(
        self, meta: dict[str, Any], role: str, capture: Capture, response: Response | None
    ) -> PageVersion:
        stated = response.headers.get("Memento-Datetime") if response is not None else None
        moment = memento_moment(stated.decode("latin-1") if stated else None, capture)
        version = _fetched(meta, response, SourceKind.ARCHIVED, role, capture.url)
        version.memento_datetime = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        version.capture_timestamp = capture.timestamp
        return version


def _fetched(
    meta: dict[str, Any],
    response: Response | None,
    kind: SourceKind,
    role: str,
    source_url: str | None,
) -> PageVersion:
    """A fetched version of a page, from its request's meta (record references, redirects)
    and its response (None when the fetch failed)."""
    version = PageVersion(
        kind=kind,
        role=role,
        source_url=source_url,
        request_record=meta.get(REQUEST_RECORD_KEY),
        response_record=meta.get(RESPONSE_RECORD_KEY),
        redirects=list(meta.get("redirect_urls", [])),
    )
    if response is not None:
        version.truncated = meta.get(TRUNCATION_KEY)
        version.not_archived = meta.get(NOT_ARCHIVED_KEY)
        version.fetched_url = response.url
        version.status = response.status
        content_type = response.headers.get("Content-Type")
        version.content_type = content_type.decode("latin-1") if content_type else None
    return version


def failure_reason(failure: Failure) -> str:
    """What went wrong, in words: a failed response's causes (Twisted's ResponseFailed)
    each named by its kind and message rather than by a repr."""
    error = failure.value
    # Scrapy re-raises Twisted's ResponseFailed as DownloadFailedError(str(...)) from it.
    cause = error.__cause__ if error is not None else None
    causes = getattr(error, "reasons", None) or getattr(cause, "reasons", None)
    if isinstance(causes, list) and causes and all(isinstance(c, Failure) for c in causes):
        return "; ".join(f"{type(c.value).__name__}: {c.getErrorMessage()}" for c in causes)
    return failure.getErrorMessage() or type(failure.value).__name__


def _marked(response: Response) -> Interstitial | None:
    """The challenge the response's headers declare, if they do."""
    values = {name: response.headers.get(name) for name in CHALLENGE_HEADERS}
    return marked_challenge(
        {name: value.decode("latin-1") for name, value in values.items() if value}
    )


def _endpoint(settings: BaseSettings) -> Endpoint:
    return Endpoint(
        settings.get("WARCPROOF_WAYBACK_URL"),
        settings.get("WARCPROOF_WAYBACK_CDX"),
        settings.get("WARCPROOF_WAYBACK_REPLAY"),
    )


def _archive(settings: BaseSettings) -> tuple[Endpoint | None, str | None]:
    """The archive endpoint to ask, or None and why none is asked."""
    if not settings.getbool("WARCPROOF_FALLBACK"):
        return None, "the archive fallback is off (WARCPROOF_FALLBACK)"
    explicit = (settings.getpriority("WARCPROOF_WAYBACK_URL") or 0) > SETTINGS_PRIORITIES["project"]
    if settings.get("WARCPROOF_REPLICA_URL") and not explicit:
        return None, NOT_IN_REPLICA_MODE
    return _endpoint(settings), None


def by_url(seeds: list[Seed]) -> list[list[Seed]]:
    """The seeds grouped by the URL they name, in manifest order (a group stands where its first
    seed does); a seed with no URL is a group of its own."""
    groups: dict[str, list[Seed]] = {}
    order: list[list[Seed]] = []
    for seed in seeds:
        if seed.url is not None and seed.url in groups:
            groups[seed.url].append(seed)
            continue
        order.append([seed])
        if seed.url is not None:
            groups[seed.url] = order[-1]
    return order
