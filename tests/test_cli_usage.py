"""The command line as a user meets it: the command, what it prints, its exit code. Exit codes
(one table, the README's section made from it), `--version`, `--help`, unknown ids, one way to
configure (`warcproof config`), a new corpus folder, `warcproof replica` and its index page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from provenance.cli.main import build_parser
from provenance.errors import ProvenanceError
from provenance.exitcodes import MEANING, ExitCode
from tests.conftest import ROOT, SEEDS

BIN = Path(sys.executable).parent


def warcproof(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "warcproof"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env=env,
    )


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WARCPROOF_")}


def test_the_readme_exit_code_section_is_the_table() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("<!-- exit-codes: generated from provenance.exitcodes.MEANING -->")
    assert len(section) == 2, "the README lost its exit-code table"
    rows = section[1].split("<!-- /exit-codes -->")[0].strip().splitlines()[2:]
    assert rows == [f"| {code.value} | {MEANING[code]} |" for code in ExitCode]


def all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *all_subclasses(sub)]
    return found


def test_every_error_class_carries_a_code_of_the_table() -> None:
    import provenance.ledger.store
    import provenance.report.export
    import provenance.run.configuration
    import provenance.run.redis_processes
    import provenance.sources.locate

    for root in (ProvenanceError, ArchiveError):
        for cls in [root, *all_subclasses(root)]:
            assert cls.exit_code in {code.value for code in ExitCode}, cls
    assert provenance.ledger.store.LedgerLockedError.exit_code == ExitCode.LOCKED
    assert provenance.run.redis_processes.RedisUnavailableError.exit_code == 5


def test_version_and_help() -> None:
    shown = warcproof("--version")
    assert shown.returncode == 0
    assert re.fullmatch(r"warcproof \d+\.\d+\.\d+\S*\n", shown.stdout)
    helped = warcproof("--help")
    assert "exit codes:" in helped.stdout
    assert "130" in helped.stdout


def test_every_option_of_every_command_says_what_it_does() -> None:
    import argparse

    def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        found = [parser]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found += parsers(sub)
        return found

    undocumented = [
        f"{parser.prog} {action.option_strings[0]}"
        for parser in parsers(build_parser())
        for action in parser._actions
        if action.option_strings and not action.help
    ]
    assert undocumented == []
    # An option with a default value names it.
    silent = [
        f"{parser.prog} {action.option_strings[0]}"
        for parser in parsers(build_parser())
        for action in parser._actions
        if action.option_strings
        and action.default not in (None, False, [], argparse.SUPPRESS)
        and "default" not in (action.help or "")
    ]
    assert silent == []


@pytest.mark.crawl
def test_unknown_ids_are_usage_errors(corpus: Path, tmp_path: Path) -> None:
    crawled = warcproof("crawl", "--manifest", str(corpus), "--collection",
                        str(tmp_path / "c"), "--seed", "999")  # fmt: skip
    assert crawled.returncode == 2
    assert "no seed with id '999'" in crawled.stderr
    assert not (tmp_path / "c").exists()  # nothing started
    reported = warcproof("report", "--collection", str(tmp_path / "none"), "--crawl", "99")
    assert reported.returncode == 2
    assert "no ledger here" in reported.stderr


def test_seeds_add_into_a_new_corpus_folder(tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("A copied article.\n", "utf-8")
    manifest = tmp_path / "mycorpus" / "seeds.toml"
    added = warcproof("seeds", "add", str(text), "--url", "https://example.org/a",
                      "--publisher", "Example News", "--published", "2024-05-01",
                      "--manifest", str(manifest))  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert f"copied {text} to {tmp_path / 'mycorpus' / 'note.txt'}" in added.stdout
    listed = warcproof("seeds", "list", "--manifest", str(manifest))
    assert listed.stdout.splitlines() == [
        "id   file      publisher     published   source",
        "000  note.txt  Example News  2024-05-01  https://example.org/a",
    ]


def test_settings_come_from_the_command_line_then_environment_then_file(tmp_path: Path) -> None:
    collection = tmp_path / "c"
    collection.mkdir()
    (collection / "warcproof.toml").write_text(
        'wayback_url = "http://127.0.0.1:9"\nWARCPROOF_WORKERS = 1\nmin_shared = 0.5\n', "utf-8"
    )
    env = {**clean_environment(), "WARCPROOF_WORKERS": "3"}
    shown = warcproof("config", "--collection", str(collection), "-s", "WARCPROOF_MIN_SHARED=0.7",
                      env=env, cwd=tmp_path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines()}
    assert "'http://127.0.0.1:9'" in lines["WARCPROOF_WAYBACK_URL"]
    assert str(collection / "warcproof.toml") in lines["WARCPROOF_WAYBACK_URL"]
    assert "'3'" in lines["WARCPROOF_WORKERS"]
    assert "(environment)" in lines["WARCPROOF_WORKERS"]
    assert "'0.7'" in lines["WARCPROOF_MIN_SHARED"]
    assert "(command line)" in lines["WARCPROOF_MIN_SHARED"]
    assert "(default)" in lines["WARCPROOF_DEDUP"]
    # Run from a folder without seeds/: the manifest is the bundled corpus.
    assert str(SEEDS / "seeds.toml") in lines["WARCPROOF_SEEDS"]

    (collection / "warcproof.toml").write_text("wayback_ulr = 'x'\n", "utf-8")
    typo = warcproof("config", "--collection", str(collection), env=env)
    assert typo.returncode == 2
    assert "WARCPROOF_WAYBACK_ULR is not a warcproof setting" in typo.stderr


@pytest.mark.crawl
def test_the_collection_is_named_the_same_way_everywhere(tmp_path: Path) -> None:
    env = {**clean_environment(), "WARCPROOF_COLLECTION": str(tmp_path / "from-env")}
    for command in (["report"], ["changes"], ["index"], ["reverify"]):
        ran = warcproof(*command, env=env, cwd=tmp_path)
        assert ran.returncode == 2, (command, ran.stderr)
        assert str(tmp_path / "from-env") in ran.stderr, command
    positional = warcproof("index", str(tmp_path / "old-style"), env=env)
    assert str(tmp_path / "old-style") in positional.stderr


@pytest.mark.crawl
def test_replica_takes_its_options_and_lists_its_pages(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [str(BIN / "warcproof"), "replica", "--port", "0", "--gone", "gone.test"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/", timeout=30) as answer:
            page = answer.read().decode("utf-8")
        assert answer.status == 200
        assert (
            "/newarab.com/news/exclusive-resistance-weakening-militants-flee-mosul-battle" in page
        )
        assert "/_generated/N" in page
        assert "/_faults/stall" in page
        assert "Hosts answering 410 Gone: gone.test" in page
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0
        if server.stdout is not None:
            server.stdout.close()


@pytest.mark.crawl
def test_demo_runs_from_any_folder(tmp_path: Path) -> None:
    ran = warcproof("demo", "--quiet", "--log-level", "warning", cwd=tmp_path,
                    env=clean_environment())  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "5 seed(s): 4 faithful, 1 unverifiable"
    assert (tmp_path / "collection" / "ledger.sqlite").exists()
    # Nothing in a normal crawl deserves a warning: the log at WARNING level stays empty.
    (log,) = (tmp_path / "collection" / "logs").glob("crawl-*.log")
    assert log.read_text("utf-8") == ""
    again = warcproof("report", "--crawl", "7", cwd=tmp_path)
    assert again.returncode == 2
    assert "no crawl 7 (crawls 1 to 1)" in again.stderr


@pytest.mark.crawl
def test_a_crawl_that_fetched_no_seed_fails_and_says_so_first(
    corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port
    ran = warcproof("crawl", "--manifest", str(corpus), "--collection", str(tmp_path / "c"),
                    "--replica", dead, "-s", "RETRY_TIMES=0")  # fmt: skip
    assert ran.returncode == 1, ran.stderr
    assert ran.stderr.startswith("warcproof: no seed's source page could be fetched (5 seed(s)")


@pytest.mark.crawl
def test_fail_on_names_the_verdicts_that_fail_a_crawl(
    corpus: Path, tmp_path: Path, replica_origin: str
) -> None:
    common = ["crawl", "--manifest", str(corpus), "--replica", replica_origin]
    sound = warcproof(*common, "--collection", str(tmp_path / "a"), "--fail-on", "modified")
    assert sound.returncode == 0, sound.stderr
    failed = warcproof(*common, "--collection", str(tmp_path / "b"), "--fail-on", "unverifiable")
    assert failed.returncode == 1
    assert "--fail-on: 1 seed(s) judged so: 001" in failed.stderr
