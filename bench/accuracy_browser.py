"""A browser's select-all copy of each page: Debian's headless Chromium loads the page from a
loopback server and `document.body.innerText` is read over the DevTools protocol. Nothing
leaves the machine: the server answers 404 for everything but the pages, and Chromium resolves
no host name but 127.0.0.1. Texts are cached by the sha256 of the page bytes."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from provenance.run.headless_chromium import OFFLINE_FLAGS

# Bump when the way the text is taken changes: it is part of the cache's folder name.
METHOD = "innertext-js-off-1280-v1"
DEFAULT_CACHE = Path.home() / ".cache" / "warcproof-accuracy"
CHROMIUM_FLAGS = (
    *OFFLINE_FLAGS,
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1280,1024",
    "--remote-debugging-port=0",
)
LOAD_TIMEOUT = 30.0
INNER_TEXT = "document.body ? document.body.innerText : ''"


class PageServer:
    """A loopback HTTP server serving given bytes at given paths, as they are, with
    `Content-Type: text/html` and no charset; 404 for every other path."""

    def __init__(self, pages: Mapping[str, bytes]) -> None:
        self.pages = dict(pages)
        served = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = served.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> PageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class BrowserError(Exception):
    """Chromium could not be started or stopped answering."""


class Chromium:
    """One headless Chromium; `inner_text(url)` loads a page in a fresh tab, scripts off."""

    def __init__(self, binary: str = "/usr/bin/chromium") -> None:
        if shutil.which(binary) is None:
            raise BrowserError(f"{binary} is not installed (Debian package chromium)")
        self.binary = binary
        self.profile = tempfile.TemporaryDirectory(prefix="accuracy-chromium-")
        self.process: subprocess.Popen[bytes] | None = None
        self.socket: ClientConnection | None = None
        self.connection = ExitStack()
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []  # events that arrived while awaiting a reply

    def start(self) -> None:
        profile = Path(self.profile.name) / f"profile-{next(self.ids)}"
        self.process = subprocess.Popen(
            [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not active.exists() or len(active.read_text().split("\n")) < 2:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise BrowserError("chromium did not open its DevTools port")
            time.sleep(0.1)  # polling a file Chromium writes; there is no event to wait on
        port, path = active.read_text().split("\n")[:2]
        self.connection = ExitStack()
        self.socket = self.connection.enter_context(
            connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30)
        )

    def stop(self) -> None:
        if self.socket is not None:
            self.socket = None
            self.connection.close()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def close(self) -> None:
        self.stop()
        self.profile.cleanup()

    def _call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        assert self.socket is not None
        call_id = next(self.ids)
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + LOAD_TIMEOUT
        while True:
            reply = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if "method" in reply:
                self.events.append(reply)
            elif reply.get("id") == call_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _wait_load(self, session: str) -> None:
        assert self.socket is not None
        if any(_is_load(e, session) for e in self.events):
            return
        deadline = time.monotonic() + LOAD_TIMEOUT
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = json.loads(self.socket.recv(timeout=left))
            except TimeoutError:
                return
            if _is_load(event, session):
                return

    def inner_text(self, url: str) -> str:
        if self.socket is None:
            self.start()
        self.events.clear()
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        try:
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            self._call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
            self._call("Page.enable", {}, session)
            self._call("Page.navigate", {"url": url}, session)
            self._wait_load(session)
            result = self._call(
                "Runtime.evaluate", {"expression": INNER_TEXT, "returnByValue": True}, session
            )
            value = result.get("result", {}).get("value")
            if not isinstance(value, str):
                raise BrowserError(f"no innerText for {url}")
            return value
        finally:
            self._call("Target.closeTarget", {"targetId": target})


def _is_load(event: dict[str, Any], session: str) -> bool:
    return event.get("sessionId") == session and event.get("method") == "Page.loadEventFired"


def cache_path(cache: Path, page: bytes) -> Path:
    return cache / METHOD / f"{hashlib.sha256(page).hexdigest()}.txt"


@contextmanager
def browser() -> Iterator[Chromium]:
    chromium = Chromium()
    try:
        yield chromium
    finally:
        chromium.close()


def select_all_texts(
    pages: Mapping[str, bytes], cache: Path, progress: bool = False
) -> tuple[dict[str, str], dict[str, str], float]:
    """innerText of every page (key -> text), from the cache or Chromium; the pages Chromium
    failed on (key -> error); and the seconds spent in Chromium."""
    texts: dict[str, str] = {}
    failed: dict[str, str] = {}
    missing: dict[str, bytes] = {}
    for key, body in pages.items():
        cached = cache_path(cache, body)
        if cached.exists():
            texts[key] = cached.read_text(encoding="utf-8")
        else:
            missing[key] = body
    if not missing:
        return texts, failed, 0.0
    started = time.monotonic()
    paths = {f"/{n}.html": key for n, key in enumerate(missing)}
    with PageServer({path: missing[key] for path, key in paths.items()}) as server, browser() as b:
        for done, (path, key) in enumerate(paths.items(), 1):
            try:
                text = b.inner_text(server.base + path)
            except (BrowserError, WebSocketException, TimeoutError, OSError) as error:
                failed[key] = f"{type(error).__name__}: {error}"
                b.stop()  # a fresh browser for the next page
                continue
            target = cache_path(cache, missing[key])
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)
            texts[key] = text
            if progress and done % 100 == 0:
                print(f"  chromium: {done}/{len(paths)} pages", flush=True)
    return texts, failed, time.monotonic() - started
