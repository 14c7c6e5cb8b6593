"""Debian's Chromium, headless, run once per rendering: a screenshot or the DOM the page built,
through a replay proxy on loopback, with a fresh profile and every background service off.

Every request goes to the proxy (loopback included: `<-loopback>` takes 127.0.0.1 and
localhost off Chromium's implicit bypass list), and every host name but the proxy's resolves
to nothing, so a page cannot reach the live web even through a path the proxy does not see."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ProvenanceError

WINDOW = (1280, 2000)
# Virtual time lets timers, scripts and lazy images settle before the shot, without waiting
# for it in real time.
VIRTUAL_TIME_MS = 5000
TIMEOUT_SECONDS = 120
# Headless, and nothing of Chromium's own traffic (updates, sync, QUIC probes): on a machine
# with no route out, those connections fail by the dozen.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
FLAGS = (
    *OFFLINE_FLAGS,
    "--hide-scrollbars",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,AutofillServerCommunication,OptimizationHints,"
    "MediaRouter,Translate",
    "--force-device-scale-factor=1",
)


class ChromiumError(ProvenanceError):
    """Chromium failed to render a page."""


def find_chromium() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass(frozen=True)
class Chromium:
    binary: str
    proxy: str  # HOST:PORT of the replay proxy
    window: tuple[int, int] = WINDOW

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        with tempfile.TemporaryDirectory(prefix="warcproof-chromium-") as profile:
            command = [
                self.binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--proxy-server=http://{self.proxy}",
                "--proxy-bypass-list=<-loopback>",
                # The proxy ends https tunnels with its own throwaway certificate.
                "--ignore-certificate-errors",
                f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {self.proxy.rsplit(':', 1)[0]}",
                f"--window-size={self.window[0]},{self.window[1]}",
                f"--virtual-time-budget={VIRTUAL_TIME_MS}",
                *args,
            ]
            try:
                return subprocess.run(
                    command, capture_output=True, timeout=TIMEOUT_SECONDS, check=True
                )
            except subprocess.TimeoutExpired as exc:
                raise ChromiumError(f"chromium took more than {TIMEOUT_SECONDS}s") from exc
            except subprocess.CalledProcessError as exc:
                tail = " ".join(exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:])
                raise ChromiumError(f"chromium failed ({exc.returncode}): {tail}") from exc

    def render(self, url: str, target: Path) -> tuple[str, bytes]:
        """The serialised DOM of `url` once its scripts have run, and its PNG screenshot (also
        written to `target`), from one browser run."""
        target.unlink(missing_ok=True)
        dom = self._run("--dump-dom", f"--screenshot={target}", url).stdout
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise ChromiumError(f"chromium wrote no screenshot of {url}") from exc
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ChromiumError(f"chromium's screenshot of {url} is not a PNG")
        return dom.decode("utf-8", "replace"), data
