"""The `warcproof` command. Exit codes: 0 ok, 1 verification failed or problems found,
2 usage error or unreadable input.

Each command group lives in a module with a `register(commands)` function that adds its
subparsers and sets `handler` (a function taking the parsed arguments, returning the exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from archive.errors import ArchiveError
from provenance.cli import (
    changes as commands_changes,
)
from provenance.cli import (
    checking as cli_check,
)
from provenance.cli import (
    crawl as commands_crawl,
)
from provenance.cli import (
    handoff as commands_handoff,
)
from provenance.cli import (
    qa as commands_qa,
)
from provenance.cli import (
    reverify as commands_reverify,
)
from provenance.cli import (
    seeds as commands_seeds,
)
from provenance.cli.exitcodes import EXIT_USAGE
from provenance.errors import ProvenanceError

COMMAND_GROUPS = (
    commands_seeds,
    commands_crawl,
    commands_reverify,
    commands_handoff,
    cli_check,
    commands_changes,
    commands_qa,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warcproof",
        description="Re-fetch the sources of plain-text documents, archive them, prove each text.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (ProvenanceError, ArchiveError) as exc:
        print(f"warcproof: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
