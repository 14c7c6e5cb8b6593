"""The replica origin server: a threaded HTTP/1.1 server on loopback, and its command line."""

import argparse
import gzip
import logging
import signal
import ssl
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

from replica import generated
from replica.errors import ReplicaError
from replica.faults import FaultState, answer_fault
from replica.hostile import answer_hostile
from replica.index_page import index_page
from replica.page_assets import answer_asset, asset_name
from replica.responses import (
    REPLICA_HEADER,
    Response,
    accepts_gzip,
    chunks,
    error_page,
    respond,
)
from replica.routes import RouteTable
from replica.server_options import add_options

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# Request bodies are drained to keep the connection usable; larger ones close it instead.
MAX_DRAINED_BODY = 1 << 20


class ReplicaServer:
    """Serves the replica pages on ``host:port`` (port 0: any free port) in a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        pages_dir: Path | None = None,
        gone_hosts: Iterable[str] = (),
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.routes = RouteTable.load(pages_dir)
        self.tls = tls  # serve HTTPS with this server context
        self.gone_hosts = frozenset(name.lower() for name in gone_hosts)
        self.hits: Counter[str] = Counter()
        self.faults = FaultState()
        self._hits_lock = threading.Lock()
        self._host, self._port = host, port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http(s)://HOST:PORT`` of the running server."""
        if self._httpd is None:
            raise ReplicaError("the replica server is not started")
        host, port = self._httpd.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host!s}:{port}"

    def start(self) -> None:
        if self._httpd is not None:
            raise ReplicaError("the replica server is already started")
        self._httpd = _HTTPServer((self._host, self._port), _Handler, self)
        if self.tls is not None:
            self._httpd.socket = self.tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"replica {self.url}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd, self._thread = None, None

    def count_hit(self, path: str) -> None:
        with self._hits_lock:
            self.hits[path] += 1

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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type["_Handler"], replica: ReplicaServer
    ) -> None:
        self.replica = replica
        super().__init__(address, handler)

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            logger.debug("client %s went away: %r", client_address, exc)
        else:
            logger.error("error while answering %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "warcproof-replica/0.1"
    timeout = 60  # idle keep-alive connections
    server: _HTTPServer

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def end_headers(self) -> None:
        self.send_header(*REPLICA_HEADER)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def _answer(self, *, send_body: bool) -> None:
        replica = self.server.replica
        replica.count_hit(self.path)
        self._drain_request_body()
        if answer_fault(self, replica.faults):
            return
        asset = asset_name(self.path)
        hostile = answer_hostile(self.path) if asset is None else None
        if self.path.split("?", 1)[0] == "/":
            self._write(index_page(replica.routes, replica.gone_hosts), send_body=send_body)
        elif asset is not None or hostile is not None:
            if hostile is None:
                hostile = answer_asset(
                    asset or "",
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                )
            self._write(hostile, send_body=send_body)
            return
        wanted = generated.parse(self.path)
        if wanted is not None:
            self._write(
                _generated(wanted, self.headers.get("Accept-Encoding")), send_body=send_body
            )
            return
        try:
            response = respond(
                replica.routes,
                self.path,
                accept_encoding=self.headers.get("Accept-Encoding"),
                base_url=replica.url,
                gone_hosts=replica.gone_hosts,
            )
        except ReplicaError as exc:
            logger.error("cannot answer %s: %s", self.path, exc)
            response = error_page(500, "The replica could not read this page.")
        self._write(response, send_body=send_body)

    def _drain_request_body(self) -> None:
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if 0 <= length <= MAX_DRAINED_BODY:
            self.rfile.read(length)
        else:
            self.close_connection = True

    def _write(self, response: Response, *, send_body: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        if response.chunked:
            for chunk in chunks(response.body):
                self.wfile.write(chunk)
        else:
            self.wfile.write(response.body)


def _generated(wanted: tuple[int, int], accept_encoding: str | None) -> Response:
    number, size = wanted
    headers = [("Content-Type", "text/html; charset=utf-8")]
    zipped = number % 3 == 0 and accepts_gzip(accept_encoding)
    if number % 3 == 0:
        headers.append(("Vary", "Accept-Encoding"))
        if zipped:
            headers.append(("Content-Encoding", "gzip"))
    return Response(200, headers, _generated_body(number, size, zipped), chunked=number % 3 == 1)


# Pages are built and compressed once: a loopback origin should cost its clients little CPU
# (crawls of a few hundred pages, benchmarks that fetch the same pages in every round).
@lru_cache(maxsize=2048)
def _generated_body(number: int, size: int, zipped: bool) -> bytes:
    body = generated.page(number, size)
    return gzip.compress(body, compresslevel=6, mtime=0) if zipped else body


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m replica``: print the server URL as the first line, serve until signalled."""
    parser = argparse.ArgumentParser(
        prog="python -m replica", description="Serve the warcproof replica pages on loopback."
    )
    add_options(parser)
    return serve(parser.parse_args(argv))


def serve(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; the URL is the first line printed (the root lists the
    pages)."""
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(message)s")
    try:
        server = ReplicaServer(
            args.host, args.port, pages_dir=args.pages, gone_hosts=args.gone, tls=tls
        )
    except ReplicaError as exc:
        print(f"replica: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    try:
        server.start()
    except OSError as exc:
        print(f"replica: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(server.url, flush=True)
        stop.wait()
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
