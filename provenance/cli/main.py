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
from provenance.cli import changes, checking, corpus, crawl, handoff, reverify, signing_keys
from provenance.errors import ProvenanceError
from provenance.exitcodes import EXIT_USAGE

COMMAND_GROUPS = (corpus, crawl, reverify, handoff, checking, changes, signing_keys)


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
