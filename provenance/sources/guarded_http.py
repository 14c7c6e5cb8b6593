"""urllib under the address policy, for the requests warcproof sends outside Scrapy (the
Wayback client of `seeds locate`): redirects only to http(s), connections only to public
addresses once the first URL is public (checked on the socket actually connected, so a name
cannot be re-resolved to a private address in between), and answers read up to a size cap."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from provenance.sources.http_policy import MAX_RESPONSE_BYTES, host_is_public, is_public_address


class RefusedAddress(OSError):
    """A connection to a private address, or a redirect to another scheme, was refused."""


@dataclass(frozen=True)
class Answer:
    url: str  # after redirects
    status: int
    headers: Message
    body: bytes


def _check_peer(connection: http.client.HTTPConnection) -> None:
    peer = str(connection.sock.getpeername()[0])
    if not is_public_address(peer):
        connection.close()
        raise RefusedAddress(
            f"refused to connect to {connection.host}: it is at the private address {peer}"
        )


class _PublicHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self)


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        # The address is checked before TLS begins: nothing is sent to a private peer.
        http.client.HTTPConnection.connect(self)
        _check_peer(self)
        host = self._tunnel_host or self.host  # type: ignore[attr-defined]
        self.sock = self._context.wrap_socket(self.sock, server_hostname=host)  # type: ignore[attr-defined]


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_PublicHTTPSConnection, req)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            fp.close()
            raise RefusedAddress(f"refused to follow {req.full_url} to {newurl}: not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    request: urllib.request.Request, *, timeout: float, max_bytes: int = MAX_RESPONSE_BYTES
) -> Answer:
    """Send `request`; an HTTP error status is an Answer too. Raises RefusedAddress, or
    OSError/URLError when the server cannot be reached, ValueError for an answer over
    `max_bytes`."""
    handlers: list[urllib.request.BaseHandler] = [_HttpOnlyRedirects()]
    # A first URL that is itself private (a loopback archive, e.g. pywb in a test) may keep
    # its answers and redirects private; a public one may not lead anywhere private.
    if host_is_public(urlsplit(request.full_url).hostname or ""):
        handlers += [_PublicHTTPHandler(), _PublicHTTPSHandler()]
    opener = urllib.request.build_opener(*handlers)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        response = exc
    with response:
        body = response.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise ValueError(
                f"the answer for {request.full_url} is larger than {max_bytes >> 20} MiB"
            )
        return Answer(response.geturl(), response.status, response.headers, body)
