"""A real pywb (from its own virtual environment, .venv-pywb) serving WARCs on loopback."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
PYWB_BIN = ROOT / ".venv-pywb" / "bin"
COLLECTION = "web"  # so URLs read like the Wayback Machine's: /web/<timestamp>id_/<url>


@contextmanager
def pywb_server(workdir: Path, warcs: Iterable[Path], index: Path | None = None) -> Iterator[str]:
    """Serve `warcs` in collection "web"; yields the server's base URL.

    With `index`, pywb uses that CDXJ file (e.g. warcproof's own) instead of indexing the WARCs
    itself with `wb-manager add`."""
    if not (PYWB_BIN / "wayback").exists():
        raise RuntimeError(
            f"pywb is not installed in {PYWB_BIN.parent}: run scripts/install-test.sh"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(PYWB_BIN / "wb-manager"), "init", COLLECTION],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    archive = workdir / "collections" / COLLECTION / "archive"
    files = [Path(w).resolve() for w in warcs]
    if index is None:
        subprocess.run(
            [str(PYWB_BIN / "wb-manager"), "add", COLLECTION, *map(str, files)],
            cwd=workdir,
            check=True,
            capture_output=True,
        )
    else:
        for warc in files:
            shutil.copy(warc, archive / warc.name)
        shutil.copy(index, workdir / "collections" / COLLECTION / "indexes" / "index.cdxj")
    with running_wayback(workdir) as base:
        yield base


@contextmanager
def running_wayback(workdir: Path, *options: str) -> Iterator[str]:
    """pywb's `wayback` started in `workdir` (set up by `wb-manager init`) with `options`, on
    a free loopback port, logging to workdir/pywb.log; yields its base URL once collection
    "web" answers, and stops it after the block."""
    port = free_port()
    log = (workdir / "pywb.log").open("wb")
    process = subprocess.Popen(
        [str(PYWB_BIN / "wayback"), *options, "--bind", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # pywb starts slowly on a loaded machine
        while True:
            try:
                with urllib.request.urlopen(f"{base}/{COLLECTION}/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError) as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"pywb did not start: see {workdir / 'pywb.log'}") from exc
                time.sleep(0.2)
        yield base
    finally:
        stop(process)
        log.close()


def unpacked_wacz(collection: Path, root: Path) -> Path:
    """`warcproof pack` the collection into ROOT/collection.wacz, then let pywb's wb-manager
    unpack it into collection "web" under ROOT/unpacked; returns that collection's folder."""
    wacz = root / "collection.wacz"
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "warcproof"), "pack", str(collection), "-o", str(wacz)],
        check=True,
        capture_output=True,
    )
    unpacked = root / "unpacked"
    unpacked.mkdir()
    manager = str(PYWB_BIN / "wb-manager")
    for args in (["init", COLLECTION], ["add", "--unpack-wacz", COLLECTION, str(wacz)]):
        subprocess.run([manager, *args], cwd=unpacked, check=True, capture_output=True)
    return unpacked / "collections" / COLLECTION
