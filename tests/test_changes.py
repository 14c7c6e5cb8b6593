"""Change detection over crawls: an article edited, furniture changed, a page gone and back,
each recorded in the ledger with its diff, listed by `warcproof changes`, signalled by the
crawl's exit status and its `--on-change` hook; and the ledger's schema migration."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.compare.page_changes import ObservationRow, text_diff
from provenance.ledger import store as ledger_module
from provenance.ledger.store import Ledger
from replica.routes import DEFAULT_PAGES_DIR
from replica.server import ReplicaServer
from tests.conftest import LEDGER_SCHEMA_3, SEEDS, run_crawl

BIN = Path(sys.executable).parent
BEFORE, AFTER = "At least 3,300 ISIL fighters", "At least 3,800 ISIL fighters"
APPEAL, NEW_APPEAL = "Join us!", "Join us today, and support independent journalism!"
ROUTE_004 = 'file = "004_diyaruna.html"'


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four crawls: as published; 004's article and 003's appeal edited (with a hook); 004
    gone (HTTP 410); 004 back."""
    root = tmp_path_factory.mktemp("changes")
    pages = root / "pages"
    shutil.copytree(DEFAULT_PAGES_DIR, pages)
    shutil.copytree(SEEDS, root / "seeds")
    manifest, collection = root / "seeds" / "seeds.toml", root / "collection"
    hook_out = root / "hook.json"
    hook = f'cat > {hook_out} && echo "$WARCPROOF_COLLECTION $WARCPROOF_CHANGES" >> {hook_out}.env'
    runs = {}
    with ReplicaServer(pages_dir=pages) as replica:
        runs[1] = run_crawl(manifest, collection, replica.url, "--on-change", hook)
        edit(pages / "004_diyaruna.html", BEFORE, AFTER)
        edit(pages / "003_timesofisrael.html", APPEAL, NEW_APPEAL)
        runs[2] = run_crawl(manifest, collection, replica.url, "--on-change", hook)
    edit(pages / "routes.toml", ROUTE_004, 'status = 410\nbody = "Gone"')
    with ReplicaServer(pages_dir=pages) as replica:
        runs[3] = run_crawl(manifest, collection, replica.url, "--no-change-status")
    edit(pages / "routes.toml", 'status = 410\nbody = "Gone"', ROUTE_004)
    with ReplicaServer(pages_dir=pages) as replica:
        runs[4] = run_crawl(manifest, collection, replica.url)
    return {"collection": collection, "runs": runs, "hook": hook_out}


def changes(collection: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "warcproof"), "changes", "--collection", str(collection), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.crawl
def test_exit_status_says_whether_an_article_changed(history: dict[str, Any]) -> None:
    runs = history["runs"]
    assert runs[1].returncode == 0, runs[1].stderr  # first capture: nothing to compare with
    assert runs[2].returncode == 3, runs[2].stdout + runs[2].stderr
    assert runs[3].returncode == 0, runs[3].stderr  # gone, but --no-change-status
    assert runs[4].returncode == 0, runs[4].stderr  # back: not an alert
    assert "004  article" in runs[2].stdout
    assert "003  furniture" in runs[2].stdout


@pytest.mark.crawl
def test_the_article_edit_is_listed_with_its_diff(history: dict[str, Any]) -> None:
    listed = changes(history["collection"], "--json")
    assert listed.returncode == 0, listed.stderr
    events = json.loads(listed.stdout)
    kinds = [(e["crawl_id"], e["seed_id"], e["kind"]) for e in events]
    assert kinds == [
        (2, "003", "furniture"),
        (2, "004", "article"),
        (3, "004", "gone"),
        (4, "004", "back"),
    ]
    article = events[1]
    assert article["previous_crawl_id"] == 1
    assert article["record_id"] != article["previous_record_id"]
    (edited,) = article["diff"]
    assert edited["op"] == "edited"
    assert BEFORE in edited["old"]
    assert AFTER in edited["new"]
    changed = [op for op in edited["chars"] if op["op"] != "equal"]
    assert [(op["old"], op["new"]) for op in changed] == [("3,300", "3,800")]
    text = changes(history["collection"], "--seed", "004", "--since", "2")
    assert "[-3,300-]{+3,800+}" in text.stdout
    assert "furniture" not in text.stdout
    assert "gone" in text.stdout
    assert "HTTP 410" in text.stdout


@pytest.mark.crawl
def test_a_furniture_change_is_reported_as_such(history: dict[str, Any]) -> None:
    events = json.loads(changes(history["collection"], "--json", "--seed", "003").stdout)
    (furniture,) = events
    assert furniture["kind"] == "furniture"
    assert furniture["summary"].startswith("only the page furniture changed")
    texts = json.dumps(furniture["diff"])
    assert "Join us" in texts
    assert "support independent journalism" in texts


@pytest.mark.crawl
def test_the_hook_gets_the_changes_on_stdin_once(history: dict[str, Any]) -> None:
    events = json.loads(history["hook"].read_text("utf-8"))
    assert {(e["seed_id"], e["kind"]) for e in events} == {("003", "furniture"), ("004", "article")}
    env = Path(f"{history['hook']}.env").read_text("utf-8").splitlines()
    assert env == [f"{history['collection'].resolve()} 2"]  # run after crawl 2 only


@pytest.mark.crawl
def test_since_a_date_and_bad_arguments(history: dict[str, Any]) -> None:
    assert "No changes recorded." in changes(history["collection"], "--since", "2999-01-01").stdout
    assert (
        len(json.loads(changes(history["collection"], "--since", "2000-01-01", "--json").stdout))
        == 4
    )
    bad = changes(history["collection"], "--since", "last tuesday")
    assert bad.returncode == 2
    assert "neither a crawl id nor a date" in bad.stderr
    missing = changes(history["collection"].parent / "nowhere")
    assert missing.returncode == 2
    assert "no ledger here" in missing.stderr


@pytest.mark.crawl
def test_each_crawl_observed_every_seed_with_a_url(history: dict[str, Any]) -> None:
    db = sqlite3.connect(history["collection"] / "ledger.sqlite")
    try:
        rows = db.execute(
            "SELECT crawl_id, count(*) FROM observations GROUP BY crawl_id"
        ).fetchall()
        gone = db.execute(
            "SELECT status, article_digest FROM observations WHERE crawl_id = 3 AND seed_id = '004'"
        ).fetchone()
    finally:
        db.close()
    assert rows == [(1, 4), (2, 4), (3, 4), (4, 4)]  # 001 has no URL
    assert gone == (410, None)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(range(12)), min_size=1, max_size=8, unique=True),
    st.lists(st.sampled_from(range(12)), min_size=1, max_size=8, unique=True),
)
def test_text_diff_accounts_for_every_sentence(old: list[int], new: list[int]) -> None:
    def sentence(n: int) -> str:
        return f"Sentence number {n} tells of {'ab' * (n + 1)} events in the city of {n * 7}."

    before, after = " ".join(map(sentence, old)), " ".join(map(sentence, new))
    diff = text_diff(before, after)
    assert (diff == []) == (set(old) == set(new))  # a sentence that moved is no change
    olds = {e["old"] for e in diff if e["op"] in ("deleted", "edited")}
    news = {e["new"] for e in diff if e["op"] in ("inserted", "edited")}
    assert {sentence(n) for n in old if n not in new} <= olds
    assert {sentence(n) for n in new if n not in old} <= news


def test_a_schema_1_ledger_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    schema_1 = LEDGER_SCHEMA_3.split("CREATE TABLE IF NOT EXISTS observations")[0]
    schema_1 = schema_1.replace("    page_digest TEXT,\n", "")
    schema_1 = schema_1.replace(",\n    kind TEXT NOT NULL DEFAULT 'crawl'", "")
    db = sqlite3.connect(path)
    db.executescript(schema_1)
    db.execute("INSERT INTO crawls (started, origin) VALUES ('2025-01-01T00:00:00Z', 'live')")
    db.execute("INSERT INTO crawls (started, origin) VALUES ('2025-01-02T00:00:00Z', 'reverify')")
    db.execute(
        """INSERT INTO verdicts (crawl_id, seed_id, verdict, reasons, counts, evidence,
           decided_at) VALUES (1, '000', 'faithful', '[]', '{}', '{}', '2025-01-01')"""
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        (entry,) = ledger.entries(1)
        assert (entry.verdict.verdict, entry.verdict.page_digest) == ("faithful", None)
        crawl = ledger.begin_crawl(origin="live", settings={})
        observation = ObservationRow(
            "000", "u", 200, None, None, None, None, None, "a", "p", None, None, None
        )
        ledger.record(crawl, entry.verdict, None, observation=observation)
        assert ledger.last_observation("000", crawl + 1) == ObservationRow(
            **{**observation.__dict__, "crawl_id": crawl}
        )
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone() == (ledger_module.SCHEMA_VERSION,)
        kinds = db.execute("SELECT kind FROM crawls ORDER BY id").fetchall()
        assert kinds == [("crawl",), ("reverification",), ("crawl",)]
        assert db.execute("SELECT count(*) FROM verdicts").fetchone() == (2,)
    finally:
        db.close()
    assert os.path.getsize(path) > 0
