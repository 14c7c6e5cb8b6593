"""`warcproof ledger vacuum`: the collection's ledger made as small as its content."""

from __future__ import annotations

import argparse
from typing import Any

from archive.collection import Collection
from provenance.cli.options import add_collection, add_config, settings_for
from provenance.exitcodes import ExitCode


def register(commands: Any) -> None:
    ledger = commands.add_parser("ledger", help="upkeep of the collection's ledger")
    actions = ledger.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    vacuum = actions.add_parser(
        "vacuum",
        help="store each distinct assessment once (ledgers from before 0.3 too) and shrink "
        "the file; run it when no crawl writes the collection",
    )
    add_collection(vacuum)
    add_config(vacuum)
    vacuum.set_defaults(handler=_vacuum)


def _vacuum(args: argparse.Namespace) -> int:
    from provenance.ledger.store import Ledger  # the comparison code: only when a command runs

    collection = Collection(settings_for(args).collection)
    with Ledger(collection.ledger, create=False) as ledger:
        done = ledger.vacuum()
    print(
        f"{collection.ledger}: {_mb(done.bytes_before)} -> {_mb(done.bytes_after)}; "
        f"{done.verdicts_split} verdict(s) now share their assessment, "
        f"{done.assessments_dropped} unused assessment(s) dropped"
    )
    return ExitCode.OK


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
