"""The `warcproof` command: parses, calls the library, prints, exits.

Each command group lives in a module with a `register(commands)` function that adds its
subparsers and sets `handler` (a function taking the parsed arguments, returning the exit code).
Errors the library raises on purpose carry their exit code (`exit_code`); the codes and their
meanings are one table, provenance.exitcodes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from archive.errors import ArchiveError
from provenance.cli import (
    changes,
    checking,
    corpus,
    crawl,
    handoff,
    qa,
    reverify,
    signing_keys,
    vacuum,
)
from provenance.errors import ProvenanceError
from provenance.exitcodes import ExitCode, table

COMMAND_GROUPS = (corpus, crawl, reverify, handoff, checking, changes, signing_keys, qa, vacuum)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warcproof",
        description="Re-fetch the sources of plain-text documents, archive them, prove each text.",
        epilog=f"exit codes:\n{table()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    _add_output_options(parser, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    _everywhere(commands)
    return parser


class _Version(argparse._VersionAction):
    """`--version`: the installed version, looked up (importlib.metadata, slow to import) only
    when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import version

        self.version = f"warcproof {version('warcproof')}"
        super().__call__(parser, *args, **kwargs)


def _add_output_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="print only summaries and errors (default: tables and progress too)",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default=default,
        metavar="LEVEL",
        help="log level of warcproof and of a crawl's log file, one of "
        f"{', '.join(LOG_LEVELS)} (default: INFO in crawl logs, WARNING here)",
    )


def _everywhere(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`--quiet` and `--log-level` are taken after any command too (`warcproof crawl -q`)."""
    for parser in commands.choices.values():
        known = {option for action in parser._actions for option in action.option_strings}
        if "--quiet" not in known:
            _add_output_options(parser, argparse.SUPPRESS)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _everywhere(action)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    args.log_level = getattr(args, "log_level", None)
    logging.basicConfig(level=args.log_level or logging.WARNING, format="warcproof: %(message)s")
    try:
        return int(args.handler(args))
    except (ProvenanceError, ArchiveError) as exc:
        print(f"warcproof: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("\nwarcproof: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
