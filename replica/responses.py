"""What the replica answers to a request, as plain data the HTTP handler writes out."""

import gzip
import html
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus

from replica.routes import Route, RouteTable, source_host

REPLICA_HEADER = ("X-Warcproof-Replica", "reconstruction")
# Chunk sizes cycled over a chunked body, so that framing is visibly irregular.
CHUNK_SIZES = (1000, 4096, 517, 2048, 8192)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chunked: bool = False


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (RFC 9110 section 12.5.3)."""
    if not accept_encoding:
        return False
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        qualities[coding.strip().lower()] = quality
    for name in ("gzip", "x-gzip"):
        if name in qualities:
            return qualities[name] > 0
    return qualities.get("*", 0.0) > 0


def chunks(body: bytes) -> Iterator[bytes]:
    """``body`` in HTTP/1.1 chunked framing, ending with the zero-size last chunk."""
    offset, turn = 0, 0
    while offset < len(body):
        piece = body[offset : offset + CHUNK_SIZES[turn % len(CHUNK_SIZES)]]
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
        offset += len(piece)
        turn += 1
    yield b"0\r\n\r\n"


def error_page(status: int, detail: str) -> Response:
    """A small HTML error page, marked as coming from the replica."""
    phrase = HTTPStatus(status).phrase
    body = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        '<meta name="warcproof-replica" content="reconstruction: replica error page">\n'
        f"<title>{status} {phrase}</title></head>\n"
        f"<body><h1>{phrase}</h1><p>{html.escape(detail)}</p></body></html>\n"
    ).encode()
    return Response(status, [("Content-Type", "text/html; charset=utf-8")], body)


def respond(
    table: RouteTable,
    request_path: str,
    *,
    accept_encoding: str | None,
    base_url: str,
    gone_hosts: Collection[str],
) -> Response:
    """The response to ``GET request_path``; ``gone_hosts`` are lower-case host names."""
    host = source_host(request_path)
    if host in gone_hosts:
        return error_page(410, f"Every page of {host} is gone from this replica.")
    route = table.lookup(request_path)
    if route is None:
        return error_page(404, "The requested URL was not found on this replica.")
    if route.location is not None:
        return _redirect(route, base_url)
    if route.file is None and route.body is None:
        return error_page(route.status, route.notes or HTTPStatus(route.status).phrase)
    return _page(route, table.payload(route), accept_encoding)


def _redirect(route: Route, base_url: str) -> Response:
    target = f"{base_url}{route.location}"
    response = error_page(route.status, f"Moved to {target}")
    response.headers.append(("Location", target))
    return response


def _page(route: Route, payload: bytes, accept_encoding: str | None) -> Response:
    headers = [("Content-Type", route.content_type), *route.headers]
    if route.encoding == "gzip-if-accepted":
        headers.append(("Vary", "Accept-Encoding"))
        if accepts_gzip(accept_encoding):
            payload = gzip.compress(payload, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
    return Response(route.status, headers, payload, chunked=route.transfer == "chunked")
