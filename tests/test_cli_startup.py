"""`warcproof` loads a command's code only when that command runs: building the parser (every
command's `--help`, `--version`) must not import trafilatura, lxml, cryptography, Scrapy, the
ledger, warcio, the replica server or the checker, and `warcproof check` of a WARC loads the
checker but none of the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import archive
import replica
from archive import WarcWriter
from provenance.cli import seeds_locate
from provenance.sources import locate
from tests.test_check_warc import exchange

# Modules (and packages) that only some command needs; none is loaded to build the parser.
COMMAND_CODE = (
    "trafilatura",
    "lxml",
    "cryptography",
    "scrapy",
    "twisted",
    "redis",
    "warcio",
    "replica.server",
    "provenance.ledger.store",
    "provenance.compare.align",
    "provenance.report.summary",
    "provenance.run.crawl_process",
    "provenance.sources.locate",
    "provenance.sources.manifest",
    "archive.packaging",
    "archive.check.checker",
)

# Runs in a fresh interpreter: the arguments' command (or, with none, every command's --help
# text), then prints the names among COMMAND_CODE that were imported, and the exit code.
PROBE = """
import argparse, json, sys
from provenance.cli.main import build_parser, main

def helps(parser):
    parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                helps(sub)

code = 0
if sys.argv[1:]:
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
else:
    helps(build_parser())
heavy = tuple(json.loads(sys.stdin.read()))
loaded = sorted(name for name in sys.modules if name.startswith(heavy))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def probe(*args: str) -> tuple[int, set[str]]:
    """The exit code of `warcproof ARGS` and the top names of COMMAND_CODE it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(COMMAND_CODE),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    found = {
        heavy
        for heavy in COMMAND_CODE
        for name in result["loaded"]
        if name == heavy or name.startswith(heavy + ".")
    }
    return result["code"], found


def test_every_commands_help_loads_no_command_code() -> None:
    assert probe() == (0, set())
    assert probe("--version") == (0, set())
    assert probe("crawl", "--help") == (0, set())


def test_check_loads_the_checker_and_nothing_else(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        writer.write_exchange(exchange(1))
    (warc,) = tmp_path.glob("*.warc.gz")
    assert probe("check", "-q", str(warc)) == (0, {"archive.check.checker"})


def test_every_public_name_of_the_lazy_packages_loads() -> None:
    # archive and replica load some exports on first use (PEP 562): each must still be there.
    for package in (archive, replica):
        for name in package.__all__:
            assert getattr(package, name).__name__ == name


def test_locate_shows_the_searchs_own_defaults() -> None:
    assert seeds_locate.DEFAULT_THRESHOLD == locate.DEFAULT_THRESHOLD
    assert seeds_locate.DEFAULT_LIMIT == locate.DEFAULT_LIMIT
