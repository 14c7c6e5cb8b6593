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

BIN = Path(sys.executable).parent
PAGES = 300
# "Exits within 10 s of Ctrl-C": the first signal asks for a clean stop, the command forces one
# after 5 s and kills after 8 s; the margin is for a loaded machine.
EXIT_WITHIN = 15

pytestmark = pytest.mark.crawl


def generated_corpus(root: Path, pages: int) -> Path:
    """A manifest of `pages` seeds, each the exact copy of the replica's /_generated/N page."""
    root.mkdir(parents=True)
    blocks = ["version = 1\n"]
    for n in range(pages):
        data = article_text(n).encode("utf-8")
        (root / f"p{n}.txt").write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        blocks.append(
            f'[[seed]]\nid = "p{n}"\nfile = "p{n}.txt"\nsha256 = "{digest}"\n'
            f'urls = ["http://news.test/_generated/{n}"]\n'
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
