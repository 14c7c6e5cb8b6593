"""A loopback origin that answers each path with scripted raw bytes: any status line, any
header bytes (NUL, bad names), any body, cut off wherever the script says. Crawled in replica
mode, so `http://hostile.test/CASE` is asked for as `/hostile.test/CASE`; every other path
(robots.txt included) gets a 404."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

HOST = "hostile.test"
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass(frozen=True)
class Scripted:
    """Raw response bytes, sent up to `cut` (all when None), then the connection is closed;
    `silent`: nothing is sent, the connection is held open until the client gives up."""

    raw: bytes
    cut: int | None = None
    silent: bool = False


def response(
    status: bytes, headers: list[bytes], body: bytes, *, length: int | None = None
) -> bytes:
    """A raw response: `length` is the Content-Length to announce (default: the body's)."""
    announced = len(body) if length is None else length
    lines = [b"HTTP/1.1 " + status, *headers, b"Content-Length: %d" % announced]
    return b"\r\n".join([*lines, b"Connection: close", b"", b""]) + body


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        parts = head.split(b" ", 2)
        path = parts[1].decode("latin-1") if len(parts) > 2 else ""
        route = path.split("?")[0]
        self.server.hits[route] = self.server.hits.get(route, 0) + 1
        scripted = self.server.routes.get(route, Scripted(NOT_FOUND))
        if scripted.silent:
            self.request.settimeout(300)
            while self.request.recv(4096):  # until the client closes the connection
                pass
            return
        self.request.sendall(scripted.raw[: scripted.cut])


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    routes: dict[str, Scripted]
    hits: dict[str, int]  # requests received, by path


class _Server6(_Server):
    address_family = socket.AF_INET6


@contextmanager
def hostile_origin(
    routes: dict[str, Scripted], *, address: str = "127.0.0.1", hits: dict[str, int] | None = None
) -> Iterator[str]:
    """Serve `routes` (case name, or a whole path starting with "/" -> script) on a free
    port of the loopback `address` (IPv4 or IPv6); yields the base URL. `hits` is filled
    with the number of requests received for each path."""
    server = (_Server6 if ":" in address else _Server)((address, 0), _Handler)
    server.hits = {} if hits is None else hits
    server.routes = {
        case if case.startswith("/") else f"/{HOST}/{case}": script
        for case, script in routes.items()
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host = f"[{address}]" if ":" in address else address
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
