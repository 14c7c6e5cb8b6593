"""`warcproof check FILE...` and `warcproof warc recover FILE.warc.gz.open|DIR...`.

Exit codes: 0 clean / recovered, 1 problems found, 2 unreadable input or refused recovery.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.check.checker import check
from archive.check.problems import Problem
from archive.warc.recover import RecoveryError, open_files, recover_file
from provenance.cli.exitcodes import ExitCode
from provenance.cli.progress import Progress

CHECKED_SUFFIXES = (".warc.gz", ".warc", ".wacz")


def register(commands: Any) -> None:
    run = commands.add_parser(
        "check",
        help="validate WARC and WACZ files (stricter than `warcio check`)",
        description="Validate WARC (.warc.gz, .warc) and WACZ files together: framing, headers, "
        "digests, links between records across all files, WACZ 1.1.1 rules. One line per "
        "problem, then a summary. Exit 0 clean, 1 problems, 2 unreadable input.",
    )
    run.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE", help="a WARC or WACZ file, or a directory"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    run.set_defaults(handler=_check)

    warc = commands.add_parser("warc", help="WARC file maintenance")
    actions = warc.add_subparsers(dest="warc_command", required=True, metavar="ACTION")
    recover = actions.add_parser(
        "recover",
        help="recover the .warc.gz.open files of a killed crawl",
        description="Keep every complete record of a .warc.gz.open file, move the partial tail "
        "to NAME.warc.gz.tail, rename the file to NAME.warc.gz and report what was cut. "
        "Run it only when no crawl is writing the file.",
    )
    recover.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE|DIR", help="a .warc.gz.open file or a folder"
    )
    recover.set_defaults(handler=_recover)


def _expand(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Files to check (directories expanded), and directories holding none."""
    files: list[Path] = []
    empty: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            item
            for item in path.rglob("*")
            if item.is_file() and item.name.endswith(CHECKED_SUFFIXES)
        )
        files += found
        if not found:
            empty.append(path)
    return files, empty


def _check(args: argparse.Namespace) -> int:
    files, empty = _expand(args.paths)
    for directory in empty:
        print(f"warcproof: {directory}: no WARC or WACZ file in it", file=sys.stderr)

    def show(problem: Problem) -> None:
        if not args.quiet:
            print(problem)

    with Progress("check", unit="bytes") as progress:
        summary = check(files, on_problem=show, progress=progress)
    print(summary)
    return ExitCode.USAGE if empty else summary.exit_code


def _recover(args: argparse.Namespace) -> int:
    code = ExitCode.OK
    for target in args.paths:
        found = open_files(target)
        if not found:
            print(f"{target}: no .open file to recover")
        for path in found:
            try:
                print(recover_file(path))
            except RecoveryError as exc:
                print(f"warcproof: {exc}", file=sys.stderr)
                code = ExitCode.USAGE
            except OSError as exc:
                print(f"warcproof: {path}: {exc}", file=sys.stderr)
                code = ExitCode.USAGE
    return code
