"""The servers tests start: a free loopback port for them, stopping them politely first (by
force if they hang), a server process that prints its URL, and a handler served in a thread;
and whether a process the tests killed is gone."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def is_running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (killed, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return not stat.read().rpartition(") ")[2].startswith("Z")
    except OSError:
        return False


@contextmanager
def announced_url(command: Sequence[str], cwd: Path | None = None) -> Iterator[str]:
    """Run `command`, a server that prints its URL as its first line once it listens (the
    replica, the test TSA); yields that URL and stops the server after the block."""
    process = subprocess.Popen(list(command), stdout=subprocess.PIPE, text=True, cwd=cwd)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith(("http://127.0.0.1:", "https://127.0.0.1:")), url
        yield url
    finally:
        stop(process)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def served_in_thread(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` answering on a free loopback port in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
