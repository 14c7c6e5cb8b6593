"""Ctrl-C and SIGTERM as a user sends them to `warcproof crawl`, and `kill -9`: the crawl ends
within seconds, the collection is unlocked, every complete record is kept (`check` is clean
after `warc recover`), and no process of the crawl is left behind."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replica.generated import article_text
from tests.conftest import ROOT
from tests.processes import is_running

BIN = Path(sys.executable).parent
PAGES = 300
# "Exits within 10 s of Ctrl-C": the first signal asks for a clean stop, the command forces one
# after 5 s and kills after 8 s; the margin is for a loaded machine.
EXIT_WITHIN = 15

pytestmark = pytest.mark.crawl


def generated_corpus(root: Path, pages: int, stalled: int = 0) -> Path:
    """A manifest of `pages` seeds, each the exact copy of the replica's /_generated/N page; the
    first `stalled` of them are sourced instead at a page that answers only after 30 s."""
    root.mkdir(parents=True)
    blocks = ["version = 1\n"]
    for n in range(pages):
        data = article_text(n).encode("utf-8")
        (root / f"p{n}.txt").write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        url = (
            f"http://slow.test/_faults/stall?seconds=30&n={n}"
            if n < stalled
            else f"http://news.test/_generated/{n}"
        )
        blocks.append(
            f'[[seed]]\nid = "p{n}"\nfile = "p{n}.txt"\nsha256 = "{digest}"\nurls = ["{url}"]\n'
        )
    manifest = root / "seeds.toml"
    manifest.write_text("\n".join(blocks), "utf-8")
    return manifest


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_corpus(tmp_path_factory.mktemp("corpus") / "seeds", PAGES)


def start_crawl(manifest: Path, collection: Path, replica: str) -> subprocess.Popen[str]:
    """`warcproof crawl` in a session of its own: every process it starts stays in it."""
    command = [str(BIN / "warcproof"), "crawl", "--manifest", str(manifest),
               "--collection", str(collection), "--replica", replica]  # fmt: skip
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def session_processes(session: int) -> list[str]:
    """The command lines of the processes still alive in `session` (zombies excluded)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:
            found.append(command)
    return found


def wait_until_gone(session: int, seconds: float = 60) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def lock_is_free(collection: Path) -> bool:
    lock = collection / ".lock"
    if not lock.exists():
        return True
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


def warcproof(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "warcproof"), *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("after", [0.5, 1, 2, 5, 10])
def test_ctrl_c_stops_a_crawl_within_seconds_and_keeps_what_it_did(
    after: float, big_corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    crawl = start_crawl(big_corpus, collection, replica_origin)
    time.sleep(after)  # the moment of the Ctrl-C is what is tested
    crawl.send_signal(signal.SIGINT)
    try:
        _, err = crawl.communicate(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        crawl.kill()
        _, err = crawl.communicate()
        pytest.fail(f"the crawl did not stop within {EXIT_WITHIN} s of Ctrl-C: {err[-2000:]}")
    assert crawl.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    assert wait_until_gone(crawl.pid) == []
    assert lock_is_free(collection)
    if list((collection / "warcs").glob("*.warc.gz*")):  # it may stop before writing any
        assert warcproof("warc", "recover", str(collection / "warcs")).returncode == 0
        checked = warcproof("check", str(collection / "warcs"))
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_sigterm_reaches_the_crawler_and_resume_is_explained(
    big_corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    crawl = start_crawl(big_corpus, collection, replica_origin)
    wait_for_verdicts(collection / "ledger.sqlite", crawl)
    crawl.send_signal(signal.SIGTERM)
    _, err = crawl.communicate(timeout=EXIT_WITHIN)
    assert crawl.returncode == 130, err
    assert "seed(s) recorded are kept, the collection is unlocked" in err
    assert "To go on: run the same command" in err
    assert wait_until_gone(crawl.pid) == []
    assert lock_is_free(collection)
    log = next((collection / "logs").glob("crawl-*.log")).read_text()
    assert "Received SIGTERM, shutting down gracefully" in log


def test_no_process_survives_a_killed_crawl(
    big_corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    collection = tmp_path / "collection"
    crawl = start_crawl(big_corpus, collection, replica_origin)
    wait_for_verdicts(collection / "ledger.sqlite", crawl)
    assert any("forkserver" in command for command in session_processes(crawl.pid))
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.communicate(timeout=60)
    assert wait_until_gone(crawl.pid) == []
    assert lock_is_free(collection)
    # The kernel's SIGTERM alone: a clean stop, WARC files closed, no hard exit.
    log = next((collection / "logs").glob("crawl-*.log")).read_text()
    assert "Received SIGTERM, shutting down gracefully" in log
    assert "Received SIGTERM twice" not in log
    assert "exiting now" not in log
    assert "WARC capture closed" in log


def test_a_crawl_killed_while_it_stops_ends_by_itself_and_keeps_its_records(
    tmp_path: Path, replica_origin: str
) -> None:
    """Ctrl-C, then `kill -9` of `warcproof crawl` while the crawler finishes its pages in flight
    (two pages that stall keep it busy): the kernel's SIGTERM is the crawler's second signal,
    Scrapy stops its reactor at once and ignores every further signal, yet the crawler exits by
    itself (not by the orphan watchdog's hard exit) and its complete records are readable."""
    manifest = generated_corpus(tmp_path / "seeds", 60, stalled=2)
    collection = tmp_path / "collection"
    crawl = start_crawl(manifest, collection, replica_origin)
    wait_for_verdicts(collection / "ledger.sqlite", crawl)
    crawl.send_signal(signal.SIGINT)
    log = next((collection / "logs").glob("crawl-*.log"))
    wait_for_line(log, "Received SIGTERM, shutting down gracefully", crawl)
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.communicate(timeout=60)
    assert wait_until_gone(crawl.pid, 60) == [], "the crawler outlived `warcproof crawl`"
    text = log.read_text()
    assert "Received SIGTERM twice, forcing unclean shutdown" in text  # the case under test
    assert "exiting now" not in text  # ended by itself, not by spiders.extensions.orphan_exit
    assert lock_is_free(collection)
    assert warcproof("warc", "recover", str(collection / "warcs")).returncode == 0
    checked = warcproof("check", str(collection / "warcs"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert any("/_generated/" in uri for uri in response_uris(collection / "warcs"))


def response_uris(warcs: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    uris = []
    for path in sorted(warcs.glob("*.warc.gz")):
        with path.open("rb") as stream:
            uris += [
                str(r.rec_headers.get_header("WARC-Target-URI"))
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            ]
    return uris


# Stands for a crawler stuck at exit with SIGINT and SIGTERM ignored (as Scrapy leaves them after
# a second signal): a thread that never ends keeps the interpreter from exiting.
ORPHAN = """
import os, signal, sys, threading
from pathlib import Path
from provenance.run.parent_death import exit_when_orphaned
out = Path(sys.argv[1])
for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, signal.SIG_IGN)
threading.Thread(target=threading.Event().wait).start()
exit_when_orphaned(os.getppid(), 1.0, lambda: (out.parent / "exiting").touch(), poll=0.1)
out.write_text(str(os.getpid()))
"""
# Starts ORPHAN, waits until it has said its pid, then kills itself.
ORPHAN_STARTER = """
import os, signal, subprocess, sys, time
from pathlib import Path
out = Path(sys.argv[2])
subprocess.Popen([sys.executable, "-c", sys.argv[1], str(out)])
while not out.exists() or not out.read_text():
    time.sleep(0.05)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_stuck_crawler_exits_hard_once_its_parent_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    starter = subprocess.Popen([sys.executable, "-c", ORPHAN_STARTER, ORPHAN, str(out)], cwd=ROOT)
    assert starter.wait(timeout=120) == -signal.SIGKILL
    orphan = int(out.read_text())
    deadline = time.monotonic() + 60
    while is_running(orphan):
        assert time.monotonic() < deadline, "the orphan never exited"
        time.sleep(0.2)
    assert (tmp_path / "exiting").exists()  # its watchdog ended it


def wait_for_line(log: Path, line: str, crawl: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while line not in log.read_text():
        assert crawl.poll() is None, "the crawl ended before it logged: " + line
        assert time.monotonic() < deadline, "never logged: " + line
        time.sleep(0.1)


def wait_for_verdicts(ledger: Path, crawl: subprocess.Popen[str]) -> None:
    """Until the crawl has recorded a verdict (its workers are running by then)."""
    import sqlite3

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert crawl.poll() is None, "the crawl ended before it could be interrupted"
        if ledger.exists():
            db = sqlite3.connect(ledger)
            try:
                if db.execute("SELECT count(*) FROM verdicts").fetchone()[0]:
                    return
            except sqlite3.OperationalError:
                pass  # the crawl has not created its tables yet
            finally:
                db.close()
        time.sleep(0.2)
    pytest.fail("no verdict recorded in 300 s")
