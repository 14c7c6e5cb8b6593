"""`warcproof changes`: how the collection's source pages changed from crawl to crawl, and what
`warcproof crawl` does about changes (`--on-change CMD`, exit status 3)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.collection import Collection
from provenance.cli.options import add_collection, add_config, add_json, settings_for
from provenance.compare.change_rows import ALERTING, ChangeRow
from provenance.exitcodes import ExitCode


def register(commands: Any) -> None:
    show = commands.add_parser(
        "changes",
        help="how the seeds' source pages changed between crawls",
        description="Change events, oldest first: 'article' (the article text was edited), "
        "'furniture' (only the rest of the page changed), 'gone' (the page no longer answers), "
        "'back' (it answers again), each with the sentences edited, inserted or deleted.",
    )
    add_collection(show)
    add_config(show)
    show.add_argument(
        "--since", metavar="CRAWL|DATE", help="from this crawl id, or crawls started from this date"
    )
    show.add_argument("--seed", metavar="ID", help="only this seed")
    add_json(show, "every event with its full diff")
    show.set_defaults(handler=_changes)


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--on-change",
        metavar="CMD",
        help="after a crawl that recorded changes, run CMD (a shell command) with the changes "
        "as JSON on its stdin, WARCPROOF_COLLECTION and WARCPROOF_CHANGES (count) set",
    )
    parser.add_argument(
        "--no-change-status",
        action="store_true",
        help="exit 0, not 3, when the crawl recorded an article edited or gone",
    )


def after_crawl(args: argparse.Namespace, collection: Path, crawl_ids: Sequence[int]) -> int:
    """Show the changes the crawl recorded (every process's, for a distributed run) and run the
    --on-change command; the exit status they call for (ExitCode.CHANGED, ExitCode.FAILED if the
    command failed, else ExitCode.OK)."""
    from provenance.ledger.store import Ledger  # the comparison code: only when a command runs

    if not crawl_ids:
        return ExitCode.OK
    with Ledger(Collection(collection).ledger, create=False) as ledger:
        changes = [change for crawl in crawl_ids for change in ledger.changes(crawl_id=crawl)]
    if not changes:
        return ExitCode.OK
    print(f"\n{len(changes)} change(s) since the previous crawl:")
    for change in changes:
        print(f"  {change.seed_id}  {change.kind:<9}  {change.summary}")
    status = ExitCode.OK
    if any(change.kind in ALERTING for change in changes) and not args.no_change_status:
        status = ExitCode.CHANGED
    if args.on_change and not run_hook(args.on_change, collection, crawl_ids[-1], changes):
        status = ExitCode.FAILED
    return status


def run_hook(command: str, collection: Path, crawl_id: int, changes: Sequence[ChangeRow]) -> bool:
    env = {
        **os.environ,
        "WARCPROOF_COLLECTION": str(collection.resolve()),
        "WARCPROOF_CHANGES": str(len(changes)),
        "WARCPROOF_CRAWL": str(crawl_id),
    }
    payload = json.dumps([asdict(change) for change in changes], ensure_ascii=False, indent=1)
    result = subprocess.run(command, shell=True, input=payload, text=True, env=env, check=False)
    if result.returncode != 0:
        print(f"warcproof: the --on-change command exited {result.returncode}", file=sys.stderr)
        return False
    return True


def _changes(args: argparse.Namespace) -> int:
    from provenance.ledger.store import Ledger  # the comparison code: only when a command runs

    since_crawl = since = None
    if args.since is not None:
        if args.since.isdigit():
            since_crawl = int(args.since)
        else:
            try:
                moment = datetime.fromisoformat(args.since)
            except ValueError:
                print(
                    f"warcproof: --since {args.since!r} is neither a crawl id nor a date",
                    file=sys.stderr,
                )
                return ExitCode.USAGE
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            since = moment.isoformat()
    collection = settings_for(args).collection
    with Ledger(Collection(collection).ledger, create=False) as ledger:
        changes = ledger.changes(since_crawl=since_crawl, since=since, seed_id=args.seed)
    if args.json:
        print(json.dumps([asdict(change) for change in changes], ensure_ascii=False, indent=1))
        return ExitCode.OK
    if not changes:
        print("No changes recorded.")
    for change in changes:
        print(
            f"crawl {change.crawl_id} (vs {change.previous_crawl_id})  {change.seed_id}  "
            f"{change.kind}: {change.summary}"
        )
        for line in diff_lines(change.diff):
            print(f"    {line}")
    return ExitCode.OK


def diff_lines(diff: Sequence[Any]) -> list[str]:
    """One line per unit: `~` edited (changes as [-old-]{+new+}), `+` inserted, `-` deleted."""
    lines = []
    for entry in diff:
        if entry["op"] == "inserted":
            lines.append(f"+ {entry['new']}")
        elif entry["op"] == "deleted":
            lines.append(f"- {entry['old']}")
        else:
            parts = []
            for op in entry["chars"]:
                if op["op"] == "equal":
                    parts.append(op["new"])
                else:
                    parts.append(f"[-{op['old']}-]" if op["old"] else "")
                    parts.append(f"{{+{op['new']}+}}" if op["new"] else "")
            lines.append("~ " + "".join(parts))
    return lines
