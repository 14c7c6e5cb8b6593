"""`warcproof reverify`: the verdicts reproduced offline from a collection's WARCs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from provenance.commands_crawl import DEFAULT_COLLECTION
from provenance.commands_seeds import DEFAULT_MANIFEST
from provenance.exitcodes import EXIT_FAILED, EXIT_OK
from provenance.manifest import load
from provenance.reverify import reverify


def register(commands: Any) -> None:
    run = commands.add_parser(
        "reverify", help="check every seed again against its archived capture, offline"
    )
    run.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION)
    run.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    run.add_argument("--crawl", type=int, help="the crawl whose captures to use (default: latest)")
    run.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    run.set_defaults(handler=_reverify)


def _reverify(args: argparse.Namespace) -> int:
    outcomes = reverify(args.collection, load(args.manifest), crawl_id=args.crawl, jobs=args.jobs)
    changed = 0
    for outcome in outcomes:
        now = outcome.verdict.verdict
        mark = "" if now == outcome.stored else f"  (was {outcome.stored})"
        changed += bool(mark)
        print(f"{outcome.seed_id}  {now}{mark}")
        if mark:
            for reason in outcome.verdict.reasons:
                print(f"      {reason}")
    print(f"\n{len(outcomes)} seed(s) re-verified from the archive, {changed} verdict(s) changed")
    if not outcomes:
        print("(no captured seed in that crawl: nothing to re-verify)")
    return EXIT_FAILED if changed else EXIT_OK
