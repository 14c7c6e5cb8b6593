"""An HTTP exchange as Scrapy saw it, turned into the archive's `HttpExchange`.

Scrapy's Response keeps the status, protocol, peer address, every header value and the body
exactly as received (content coding intact, chunking removed); it loses the reason phrase,
header case and the chunk framing. The record says so in `reconstructed`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from scrapy import Request
from scrapy.http import Response
from scrapy.http.headers import Headers

from archive.warc.records import HttpExchange, archivable

RECONSTRUCTED = (
    "HTTP head rebuilt from Scrapy's parsed response: reason phrase from the status table, "
    "header names in canonical case, repeated headers kept in order, Content-Length restored "
    "from the parsed length; connection headers (Connection, Keep-Alive, Transfer-Encoding) "
    "are not kept by the HTTP client, and the body is stored with any chunking removed"
)


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    # The stored names and value lists as they are: Headers.items() would normalise each name
    # again and copy each list, once per header of every response.
    return [
        (_text(name), _text(value))
        for name, values in dict.items(headers)
        for value in _values(values)
    ]


def _values(values: bytes | Iterable[bytes]) -> Iterable[bytes]:
    return [values] if isinstance(values, bytes) else values


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def to_exchange(
    request: Request, response: Response, started: datetime, truncated: str | None = None
) -> HttpExchange:
    """`truncated` is the WARC-Truncated reason the caller knows of (e.g. its size limit);
    a connection lost mid-body is read from the response's flags. Header bytes a record
    cannot hold are escaped and the change noted (archive.warc.records.archivable)."""
    if truncated is None and "dataloss" in response.flags:
        truncated = "disconnect"
    exchange = HttpExchange(
        url=request.url,
        method=request.method,
        request_headers=header_pairs(request.headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason=None,
        response_headers=header_pairs(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        started=started,
        truncated=truncated,
        reconstructed=RECONSTRUCTED,
    )
    return archivable(exchange)
