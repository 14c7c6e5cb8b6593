"""Misbehaving answers under ``/_faults/``, for testing what a crawler does with bad servers.

Some faults need the raw connection (a reset mid-body, a Content-Length that lies, a stall), so
each fault is a function writing straight to the handler's socket. Everything here is loopback
only; the pages carry the replica's reconstruction marker like every other answer."""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from replica.routes import DEFAULT_PAGES_DIR

PREFIX = "/_faults/"
# A bounded stall: long enough to trip a client's timeout, never long enough to hang a test run.
MAX_STALL_SECONDS = 30.0
BOMB_UNCOMPRESSED = 64 * 1024 * 1024

Fault = Callable[[BaseHTTPRequestHandler, dict[str, str], "FaultState"], None]


class FaultState:
    """Per-server memory for faults that answer differently the second time."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


@cache
def article_page() -> bytes:
    return (DEFAULT_PAGES_DIR / "004_diyaruna.html").read_bytes()


@cache
def gzip_bomb() -> bytes:
    """BOMB_UNCOMPRESSED zero bytes, gzipped, built from one compressed MiB repeated: a full
    flush ends each deflate block with no reference to what came before, so copies of it make
    one valid stream. Compressing 64 MiB at once takes seconds on a busy machine, long enough
    to time out the crawl that asked for the page."""
    chunk = b"\0" * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty last block
    count = BOMB_UNCOMPRESSED // len(chunk)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, mtime 0
    size = (count * len(chunk)) & 0xFFFFFFFF
    return header + block * count + final + struct.pack("<II", crc, size)


def _head(handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]]) -> None:
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    extra: list[tuple[str, str]] | None = None,
) -> None:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *(extra or [])]
    _head(handler, status, headers)
    handler.wfile.write(body)


def _reset_mid_body(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    body = article_page()
    _head(
        handler,
        200,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    # Let the client read the first half: a reset discards data still unread in its buffer.
    time.sleep(0.5)
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def _lying_length(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    body = article_page()
    _head(
        handler,
        200,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body) * 3))],
    )
    handler.wfile.write(body)
    handler.close_connection = True


def _stall(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    time.sleep(min(float(query.get("seconds", "5")), MAX_STALL_SECONDS))
    _send(handler, 200, article_page())


def _drip(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    """The page in ten pieces, a pause before each (bounded as a stall is)."""
    body = article_page()
    pause = min(float(query.get("pause", "0.4")), MAX_STALL_SECONDS / 10)
    _head(
        handler,
        200,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    step = len(body) // 10 + 1
    for start in range(0, len(body), step):
        time.sleep(pause)
        handler.wfile.write(body[start : start + step])
        handler.wfile.flush()


def _redirect_loop(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    other = "b" if handler.path.split("?")[0].endswith("/a") else "a"
    _send(handler, 302, b"", extra=[("Location", f"{PREFIX}redirect-loop/{other}")])


def _redirect_chain(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    hops = int(query.get("hops", "0"))
    if hops <= 0:
        _send(handler, 200, article_page())
        return
    _send(handler, 302, b"", extra=[("Location", f"{PREFIX}redirect-chain?hops={hops - 1}")])


def _redirect_to(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    _send(handler, 302, b"", extra=[("Location", query.get("url", "/"))])


def _big(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    size = int(query.get("bytes", str(1 << 20)))
    page = article_page()
    filler = b"<p>" + b"Filler paragraph of an oversized page. " * 50 + b"</p>\n"
    body = (page.replace(b"</body>", filler * (size // len(filler) + 1) + b"</body>"))[:size]
    _send(handler, 200, body)


def _gzip_bomb(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    _send(handler, 200, gzip_bomb(), extra=[("Content-Encoding", "gzip")])


def _bad_gzip(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    body = b"\x1f\x8b\x08\x00" + b"this is not deflate data at all" * 10
    _send(handler, 200, body, extra=[("Content-Encoding", "gzip")])


def _pdf(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    _send(handler, 200, body, content_type="application/pdf")


def _image(handler: BaseHTTPRequestHandler, query: dict[str, str], _: FaultState) -> None:
    body = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    _send(handler, 200, body, content_type="image/png")


def _retry_after(handler: BaseHTTPRequestHandler, query: dict[str, str], state: FaultState) -> None:
    status = int(query.get("status", "429"))
    if state.first_time(handler.path):
        extra = [("Retry-After", query.get("after", "1"))]
        _send(handler, status, b"<html><body><p>Slow down.</p></body></html>", extra=extra)
        return
    _send(handler, 200, article_page())


FAULTS: dict[str, Fault] = {
    "reset-mid-body": _reset_mid_body,
    "lying-length": _lying_length,
    "stall": _stall,
    "drip": _drip,
    "redirect-loop/a": _redirect_loop,
    "redirect-loop/b": _redirect_loop,
    "redirect-chain": _redirect_chain,
    "redirect-to": _redirect_to,
    "big": _big,
    "gzip-bomb": _gzip_bomb,
    "bad-gzip": _bad_gzip,
    "pdf": _pdf,
    "image": _image,
    "retry-after": _retry_after,
}


def answer_fault(handler: BaseHTTPRequestHandler, state: FaultState) -> bool:
    """Answer ``handler``'s request if it names a fault; False when it does not."""
    parts = urlsplit(handler.path)
    # Faults answer at the root and under any source host: /_faults/x and /host/_faults/x.
    at = parts.path.find(PREFIX)
    if at < 0 or "/" in parts.path[1:at]:
        return False
    fault = FAULTS.get(parts.path[at + len(PREFIX) :])
    if fault is None:
        return False
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    fault(handler, query, state)
    return True
