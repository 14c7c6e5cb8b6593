"""A real redis-server (Debian's package, installed by scripts/install-test.sh) for the tests and
the scale benchmark: on a free loopback port, nothing saved to disk, stopped when the context
ends."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.processes import free_port, stop

START_TIMEOUT = 30.0


class RedisServerError(RuntimeError):
    """redis-server is missing, exited or did not answer."""


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Start redis-server in `workdir`; yields its URL (database 0)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisServerError(
            "redis-server is not installed (scripts/install-test.sh installs it)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "redis.log"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--dir", str(workdir), "--logfile", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        stop(process, timeout=10)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    with client:
        while True:
            if process.poll() is not None:
                raise RedisServerError(f"redis-server exited ({process.returncode}): {_tail(log)}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RedisServerError(
                    f"redis-server did not answer within {START_TIMEOUT} s: {_tail(log)}"
                )
            time.sleep(0.05)


def _tail(log: Path) -> str:
    return log.read_text("utf-8", "replace")[-2000:] if log.exists() else "(no log)"
