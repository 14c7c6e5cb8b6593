"""A replay server that answers only from a collection's WARC files: an HTTP proxy on loopback
for a browser to load archived pages through (Chromium's --proxy-server), so that a page is
seen exactly as archived and nothing is fetched from the live web.

Each URL is looked up in the collection's CDXJ index (the capture nearest the moment asked for),
its record read with archive.warc.reader (a revisit followed to its original payload) and sent
back with its archived status, headers and body (content coding kept, framing rebuilt). A URL
the archive lacks gets a 404 marked `X-Archive-Missing`; every request is logged so a caller
can tell what a page asked for and what the archive did not hold. Captures fetched from a
Wayback-style archive (`.../web/TIMESTAMPid_/URL`, `im_/`) also answer for their original URL.
https is replayed too: a CONNECT tunnel ends in the proxy, in TLS with a throwaway
self-signed certificate (archive.replay.tls_cert) the replaying browser is told to accept."""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.index.resolve import resolve_record
from archive.replay.tls_cert import server_context
from archive.warc.reader import StoredRecord

MISSING_HEADER = "X-Archive-Missing"
# Hop-by-hop and framing headers are rebuilt for the replayed answer, not copied.
_DROPPED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}
)
_WAYBACK = re.compile(r"/(?P<ts>\d{4,14})(?:[a-z]{2}_)?/(?P<url>https?://.+)$", re.I)
_SAFE = "/%:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class _Entry:
    timestamp: str
    filename: str
    offset: int
    direct: bool  # False: a Wayback-style archive URL answering for its original URL


@dataclass(frozen=True)
class Served:
    """One request the replay answered."""

    url: str
    status: int
    found: bool
    referer: str | None = None  # None: the browser's own request, or a navigation


def canonical(url: str) -> str:
    """The lookup form of a URL: scheme and host lower-cased, default port and fragment
    dropped, path and query percent-encoded one way."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    scheme = parts.scheme.lower()
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe=_SAFE)
    query = quote(unquote(parts.query), safe=_SAFE + "?")
    return urlunsplit((scheme, host, path, query, ""))


class ReplayIndex:
    """The collection's captures by canonical URL, read from its CDXJ index."""

    def __init__(self, collection: Path) -> None:
        self.warcs = collection / "warcs"
        self._entries: dict[str, list[_Entry]] = {}
        index = Collection(collection).index
        try:
            lines = index.read_text("utf-8").splitlines()
        except OSError as exc:
            raise ArchiveError(f"{index}: cannot read the collection's index: {exc}") from exc
        for line in lines:
            self._add(line)

    def _add(self, line: str) -> None:
        parts = line.split(" ", 2)
        if len(parts) != 3:
            return
        try:
            fields = json.loads(parts[2])
            entry_url = str(fields["url"])
            offset = int(fields["offset"])
            filename = str(fields["filename"])
        except (ValueError, KeyError, TypeError):
            return  # not a capture line
        self._entries.setdefault(canonical(entry_url), []).append(
            _Entry(parts[1], filename, offset, direct=True)
        )
        wayback = _WAYBACK.search(urlsplit(entry_url).path + _query(entry_url))
        if wayback is not None:
            self._entries.setdefault(canonical(wayback["url"]), []).append(
                _Entry(wayback["ts"].ljust(14, "0"), filename, offset, direct=False)
            )

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, url: str, moment: str | None = None) -> StoredRecord | None:
        """The response or revisit record of `url` nearest `moment` (a 14-digit timestamp;
        None: the newest); direct captures before ones via an archive's URL."""
        entries = self._entries.get(canonical(url), [])
        target = int((moment or "9" * 14).ljust(14, "0")[:14])
        ranked = sorted(
            entries,
            key=lambda e: (not e.direct, abs(int(e.timestamp.ljust(14, "0")[:14]) - target)),
        )
        for entry in ranked:
            try:
                record = resolve_record(self.warcs / entry.filename, entry.offset)
            except (ArchiveError, OSError):
                continue  # an unreadable capture: try the next one
            if record.rec_type in ("response", "revisit") and record.http_status is not None:
                return record
        return None


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


class ReplayProxy:
    """The replay server on 127.0.0.1 (port 0: any free port), in a daemon thread."""

    def __init__(
        self,
        collection: Path,
        *,
        port: int = 0,
        alias: Callable[[str], str | None] | None = None,
    ) -> None:
        """`alias` names another URL to look a URL up under when the archive lacks it (e.g.
        where a replica crawl fetched another host's resource)."""
        self.index = ReplayIndex(collection)
        self.alias = alias
        self._certs = tempfile.TemporaryDirectory(prefix="warcproof-replay-")
        self.tls = server_context(Path(self._certs.name))
        self.moment: str | None = None  # the time replayed (14 digits); None: newest
        self._log: list[Served] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", port), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="warcproof-replay", daemon=True
        )

    @property
    def address(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self._certs.cleanup()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def take_log(self) -> list[Served]:
        """The requests answered since the last call."""
        with self._lock:
            log, self._log = self._log, []
        return log

    def note(self, served: Served) -> None:
        with self._lock:
            self._log.append(served)

    def answer(
        self, url: str, referer: str | None = None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        record = self.index.lookup(url, self.moment)
        wayback = _WAYBACK.search(urlsplit(url).path + _query(url))
        if record is None and wayback is not None:
            # An archive URL in another mode (id_ for im_) answers with the original's capture.
            record = self.index.lookup(wayback["url"], self.moment)
        other = self.alias(url) if record is None and self.alias is not None else None
        if other is not None:
            record = self.index.lookup(other, self.moment)
        if record is None:
            body = f"Not in the archive: {url}\n".encode()
            headers = [("Content-Type", "text/plain; charset=utf-8"), (MISSING_HEADER, "1")]
            self.note(Served(url, 404, found=False, referer=referer))
            return 404, headers, body
        status = record.http_status or 200
        headers = [
            (name, value)
            for name, value in record.http_headers or ()
            if name.lower() not in _DROPPED
        ]
        self.note(Served(url, status, found=True, referer=referer))
        return status, headers, record.payload


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], proxy: ReplayProxy
    ) -> None:
        self.proxy = proxy
        super().__init__(address, handler)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser closing a connection early is no error of the replay


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._replay(send_body=True)

    def do_HEAD(self) -> None:
        self._replay(send_body=False)

    tunnel: str | None = None  # inside a CONNECT: the https origin, e.g. "https://host"

    def do_CONNECT(self) -> None:
        """https through the proxy: the tunnel ends here, in TLS with a throwaway
        certificate, and the requests inside it are replayed like plain ones."""
        host, _, port = self.path.rpartition(":")
        origin = f"https://{host}" if port in ("443", "") else f"https://{host}:{port}"
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        try:
            secure = self.server.proxy.tls.wrap_socket(self.connection, server_side=True)
        except (OSError, ValueError):
            self.close_connection = True
            return
        self.connection = secure
        self.rfile = secure.makefile("rb")
        self.wfile = secure.makefile("wb")
        self.tunnel = origin
        self.close_connection = False

    def finish(self) -> None:
        super().finish()
        if self.tunnel is not None:
            self.connection.close()  # the TLS socket; the server closes the plain one

    def _replay(self, *, send_body: bool) -> None:
        url = self.path
        if not url.lower().startswith(("http://", "https://")):
            origin = self.tunnel or f"http://{self.headers.get('Host', 'localhost')}"
            url = f"{origin}{self.path}"
        status, headers, body = self.server.proxy.answer(url, self.headers.get("Referer"))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def page_requests(log: Iterable[Served], page_url: str) -> list[Served]:
    """The requests a page made: the page itself and those sent with a Referer (what a
    browser sends on its own, e.g. update or time checks, carries none)."""
    return [served for served in log if served.referer is not None or served.url == page_url]


def missing(log: Iterable[Served]) -> list[str]:
    """The URLs the archive did not hold, each once, in request order."""
    return list(dict.fromkeys(served.url for served in log if not served.found))
