"""Past captures of a page from a Wayback-compatible archive: the CDX server (which captures
exist) and raw replay (`<timestamp>id_`: the bytes as captured, no rewriting, no banner).

The Internet Archive and pywb answer the same queries with different shapes: IA a JSON array of
arrays whose first row names the fields, pywb newline-delimited JSON objects (or CDXJ lines),
both plain space-separated lines without `output=json`. `parse_cdx` reads all of them.

`WaybackClient` is the polite stdlib client used outside Scrapy (`warcproof seeds locate`): one
request in flight per host, 429/503 waited out as Retry-After asks (within a budget), CDX
answers cached for the run, and a User-Agent naming warcproof."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from provenance.errors import ProvenanceError
from provenance.sources.guarded_http import fetch

# The endpoints' defaults, re-exported for the callers that name them with the client.
from provenance.sources.http_policy import DEFAULT_WAYBACK_URL as DEFAULT_WAYBACK_URL
from provenance.sources.http_policy import IA_CDX as IA_CDX
from provenance.sources.http_policy import PYWB_CDX as PYWB_CDX
from provenance.sources.http_policy import (
    REPLAY,
    THROTTLE_STATUSES,
    USER_AGENT,
    retry_after_seconds,
)

DEFAULT_WAIT = 10.0  # seconds to wait on a 429/503 that names no Retry-After
MAX_WAIT = 120.0  # total seconds a run waits for throttling before giving up

_TIMESTAMP = re.compile(r"[0-9]{14}")
# Field names in the two dialects: IA's first, pywb's second.
_ALIASES = {"original": "url", "mimetype": "mime", "statuscode": "status"}
# Plain IA lines: urlkey timestamp original mimetype statuscode digest length (pywb's plain
# "cdx" lines start with the same six fields).
_PLAIN_FIELDS = ("urlkey", "timestamp", "url", "mime", "status", "digest")


class WaybackError(ProvenanceError):
    """The archive could not be reached, refused, or kept throttling past the wait budget."""

    exit_code = 5  # ExitCode.UNAVAILABLE: the archive, not the input, is at fault


class CdxError(WaybackError):
    """An answer that is not a CDX listing in any of the shapes warcproof reads."""


@dataclass(frozen=True)
class Capture:
    """One row of a CDX answer: a capture of `url` at `timestamp` (14 digits, UTC)."""

    timestamp: str
    url: str
    status: int | None = None  # None for "-" (e.g. a revisit record)
    mime: str | None = None
    digest: str | None = None

    @property
    def moment(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Endpoint:
    """Where the archive answers. Templates take `{base}` (and `{timestamp}`, `{url}`)."""

    base: str = DEFAULT_WAYBACK_URL
    cdx_template: str = IA_CDX
    replay_template: str = REPLAY

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc.lower()

    def cdx_url(
        self,
        url: str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        prefix: bool = False,
        limit: int | None = None,
    ) -> str:
        params = [("url", url), ("output", "json"), ("filter", "statuscode:200")]
        if prefix:
            params.append(("matchType", "prefix"))
        if date_from is not None:
            params.append(("from", date_from.strftime("%Y%m%d")))
        if date_to is not None:
            params.append(("to", date_to.strftime("%Y%m%d") + "235959"))
        if limit is not None:
            params.append(("limit", str(limit)))
        return f"{self.cdx_template.format(base=self.base.rstrip('/'))}?{urlencode(params)}"

    def replayed_original(self, fetched_url: str) -> str | None:
        """The original URL of the capture that `fetched_url` (where a replay request ended,
        after the archive's redirects) replays, by the replay template; None when it names
        none. The base is left out: archives move between http and https."""
        tail = self.replay_template.split("{base}", 1)[-1]
        pattern = re.escape(tail).replace(r"\{timestamp\}", r"\d{1,14}").replace(r"\{url\}", "(.+)")
        found = re.search(pattern + "$", fetched_url)
        return found.group(1) if found else None

    def replay_url(self, capture: Capture) -> str:
        return self.replay_template.format(
            base=self.base.rstrip("/"),
            timestamp=capture.timestamp,
            url=quote(capture.url, safe=":/?#[]@!$&'()*+,;=%~"),
        )


def parse_cdx(body: bytes) -> list[Capture]:
    """Every capture in a CDX answer, in the order given; raises `CdxError` for anything that
    is not a CDX listing (an empty answer is an empty listing)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CdxError(f"the CDX answer is not UTF-8 (byte {exc.start})") from None
    text = text.strip()
    if not text:
        return []
    try:
        if text.startswith("["):
            return _parse_table(json.loads(text))
        rows = [line.strip() for line in text.splitlines() if line.strip()]
        return [_parse_line(line) for line in rows]
    except json.JSONDecodeError as exc:
        raise CdxError(f"the CDX answer is not valid JSON: {exc}") from None


def _parse_table(table: object) -> list[Capture]:
    if not isinstance(table, list):
        raise CdxError("the CDX answer is not a JSON array")
    if not table:
        return []
    header, *rows = table
    if not _is_str_list(header):
        raise CdxError("the CDX answer's first row is not a list of field names")
    names = [_ALIASES.get(name, name) for name in header]
    captures = []
    for number, row in enumerate(rows, start=2):
        if not _is_str_list(row) or len(row) != len(names):
            raise CdxError(f"CDX row {number} does not match the {len(names)} field names")
        captures.append(_capture(dict(zip(names, row, strict=True))))
    return captures


def _parse_line(line: str) -> Capture:
    if line.startswith("{"):
        return _capture(_json_object(line))
    parts = line.split(" ", 2)
    if len(parts) == 3 and parts[2].startswith("{"):  # CDXJ: urlkey timestamp {json}
        return _capture({**_json_object(parts[2]), "urlkey": parts[0], "timestamp": parts[1]})
    fields = line.split()
    if len(fields) < len(_PLAIN_FIELDS) - 1:
        raise CdxError(f"a CDX line has {len(fields)} fields, too few: {line[:80]!r}")
    return _capture(dict(zip(_PLAIN_FIELDS, fields, strict=False)))


def _json_object(text: str) -> dict[str, object]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise CdxError(f"a CDX line is not a JSON object: {text[:80]!r}")
    return {_ALIASES.get(str(key), str(key)): item for key, item in value.items()}


def _capture(fields: dict[str, object]) -> Capture:
    timestamp, url = fields.get("timestamp"), fields.get("url")
    if not isinstance(timestamp, str) or not _TIMESTAMP.fullmatch(timestamp):
        raise CdxError(f"a CDX row has no 14-digit timestamp: {timestamp!r}")
    if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
        raise CdxError(f"a CDX row has no URL: {url!r}")
    try:
        datetime.strptime(timestamp, "%Y%m%d%H%M%S")
    except ValueError:
        raise CdxError(f"a CDX row's timestamp is not a date: {timestamp}") from None
    status, mime, digest = fields.get("status"), fields.get("mime"), fields.get("digest")
    return Capture(
        timestamp=timestamp,
        url=url,
        status=int(status) if isinstance(status, str) and _is_number(status) else None,
        mime=mime if isinstance(mime, str) and mime != "-" else None,
        digest=digest if isinstance(digest, str) and digest != "-" else None,
    )


def _is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts e.g. superscripts, which int() refuses."""
    return text.isascii() and text.isdigit()


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def url_variants(url: str) -> list[str]:
    """`url` first, then its http/https and with/without-www forms."""
    parts = urlsplit(url)
    host = parts.netloc
    bare = host[4:] if host.lower().startswith("www.") else host
    variants = [url]
    for scheme in (parts.scheme, "https" if parts.scheme == "http" else "http"):
        for netloc in (host, bare if bare != host else f"www.{host}"):
            variant = urlunsplit((scheme, netloc, parts.path, parts.query, ""))
            if variant not in variants:
                variants.append(variant)
    return variants


def same_page(capture_url: str, url: str) -> bool:
    """Whether an archive's capture URL names the page `url` (http or https, host in any case,
    with or without "www.", default port or none, with or without a trailing slash): an archive
    may list anything, a `javascript:` URL or
    another site included, and no verdict may rest on a page other than the seed's."""

    def key(text: str) -> tuple[str, str, str] | None:
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.removeprefix("www.")
        if port not in (None, 80, 443):
            host = f"{host}:{port}"
        return host, parts.path.rstrip("/"), parts.query

    found = key(capture_url)
    return found is not None and found == key(url)


def usable(captures: Iterable[Capture]) -> list[Capture]:
    """Captures of a page as served (status 200), deduplicated, oldest first."""
    seen: dict[tuple[str, str], Capture] = {}
    for capture in captures:
        if capture.status == 200:
            seen.setdefault((capture.timestamp, capture.url), capture)
    return sorted(seen.values(), key=lambda c: (c.timestamp, c.url))


def nearest(captures: Sequence[Capture], when: date, window: timedelta) -> Capture | None:
    """The capture closest in time to `when` (noon UTC), if one lies within `window` of it."""
    target = datetime(when.year, when.month, when.day, 12, tzinfo=UTC)
    close = [c for c in captures if abs(c.moment - target) <= window]
    return min(close, key=lambda c: (abs(c.moment - target), c.timestamp), default=None)


def newest(captures: Sequence[Capture]) -> Capture | None:
    return max(captures, key=lambda c: c.timestamp, default=None)


def memento_moment(stated: str | None, capture: Capture) -> datetime:
    """When the archive captured the page: its Memento-Datetime header (RFC 7089), else the
    CDX timestamp."""
    if stated:
        try:
            return parsedate_to_datetime(stated).astimezone(UTC)
        except (TypeError, ValueError, IndexError):
            pass  # an unreadable header: the CDX timestamp stands
    return capture.moment


@dataclass
class WaitBudget:
    """How long a run may still wait for a throttling archive, in total."""

    remaining: float = MAX_WAIT

    def take(self, seconds: float, url: str) -> float:
        """Spend `seconds` (or raise `WaybackError` when the budget cannot cover them)."""
        if seconds > self.remaining:
            raise WaybackError(
                f"the archive keeps throttling ({url}): it asked to wait {seconds:.0f} s more, "
                f"beyond the {self.remaining:.0f} s left of warcproof's wait budget"
            )
        self.remaining -= seconds
        return seconds


@dataclass(frozen=True)
class Memento:
    """A capture's raw bytes as replayed by the archive."""

    capture: Capture
    replay_url: str  # what was fetched (after any redirect)
    status: int
    content_type: str | None
    body: bytes = field(repr=False)
    memento_datetime: datetime  # the archive's Memento-Datetime, else the capture timestamp


@dataclass(frozen=True)
class _Answer:
    url: str
    status: int
    headers: Message
    body: bytes


_HOST_LOCKS: dict[str, threading.Lock] = {}
_HOST_LOCKS_GUARD = threading.Lock()


def _host_lock(url: str) -> threading.Lock:
    host = urlsplit(url).netloc.lower()
    with _HOST_LOCKS_GUARD:
        return _HOST_LOCKS.setdefault(host, threading.Lock())


class WaybackClient:
    """CDX queries and raw replay over urllib, one request in flight per host."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = 60.0,
        budget: WaitBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.user_agent = user_agent
        self.timeout = timeout
        self.budget = budget or WaitBudget()
        self._sleep = sleep
        self._cdx_cache: dict[str, list[Capture]] = {}
        self.requests = 0  # sent over the network, throttled attempts included

    def cdx(self, query_url: str) -> list[Capture]:
        """The captures a CDX query URL lists; asked once per run."""
        if query_url not in self._cdx_cache:
            answer = self._get(query_url)
            if answer.status == 404 and not answer.body.strip():
                self._cdx_cache[query_url] = []
            elif answer.status != 200:
                raise WaybackError(f"the CDX server answered HTTP {answer.status} for {query_url}")
            else:
                self._cdx_cache[query_url] = parse_cdx(answer.body)
        return list(self._cdx_cache[query_url])

    def captures(
        self, url: str, date_from: date | None = None, date_to: date | None = None
    ) -> list[Capture]:
        """Usable captures of `url` and its variants, oldest first."""
        found: list[Capture] = []
        for variant in url_variants(url):
            found += self.cdx(self.endpoint.cdx_url(variant, date_from=date_from, date_to=date_to))
        return usable(capture for capture in found if same_page(capture.url, url))

    def prefix_captures(
        self, prefix: str, date_from: date | None, date_to: date | None, limit: int
    ) -> list[Capture]:
        query = self.endpoint.cdx_url(
            prefix, date_from=date_from, date_to=date_to, prefix=True, limit=limit
        )
        return usable(self.cdx(query))

    def fetch(self, capture: Capture) -> Memento:
        replay = self.endpoint.replay_url(capture)
        answer = self._get(replay)
        if answer.status != 200:
            raise WaybackError(f"the archive answered HTTP {answer.status} for {replay}")
        return Memento(
            capture=capture,
            replay_url=answer.url,
            status=answer.status,
            content_type=answer.headers.get("Content-Type"),
            body=answer.body,
            memento_datetime=memento_moment(answer.headers.get("Memento-Datetime"), capture),
        )

    def _get(self, url: str) -> _Answer:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        while True:
            with _host_lock(url):
                answer = self._send(request)
            if answer.status not in THROTTLE_STATUSES:
                return answer
            wait = retry_after_seconds(answer.headers.get("Retry-After"))
            self._sleep(self.budget.take(DEFAULT_WAIT if wait is None else wait, url))

    def _send(self, request: urllib.request.Request) -> _Answer:
        self.requests += 1
        try:
            answer = fetch(request, timeout=self.timeout)
        except ValueError as exc:  # over the size cap
            raise WaybackError(str(exc)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WaybackError(
                f"cannot reach the archive at {request.full_url}: {reason}"
            ) from None
        return _Answer(answer.url, answer.status, answer.headers, answer.body)
