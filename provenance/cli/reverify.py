"""`warcproof reverify`: the verdicts reproduced offline from a collection's WARCs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from archive.collection import DEFAULT_COLLECTION
from provenance.cli.corpus import DEFAULT_MANIFEST
from provenance.exitcodes import EXIT_FAILED, EXIT_OK
from provenance.run.progress import Progress
from provenance.sources.manifest import load


def register(commands: Any) -> None:
    run = commands.add_parser(
        "reverify", help="check every seed again against its archived capture, offline"
    )
    run.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION)
    run.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    run.add_argument("--crawl", type=int, help="the crawl whose captures to use (default: latest)")
    run.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    run.add_argument("--all", action="store_true", help="list every seed, not only changed ones")
    run.set_defaults(handler=_reverify)


def _reverify(args: argparse.Namespace) -> int:
    from provenance.run.reverification import reverify  # trafilatura: only when the command runs

    manifest = load(args.manifest)
    with Progress("reverify", unit="seeds") as progress:
        result = reverify(
            args.collection, manifest, crawl_id=args.crawl, jobs=args.jobs, progress=progress
        )
    changed = {outcome.seed_id: outcome for outcome in result.changed}
    for seed_id, verdict in result.verdicts.items():
        outcome = changed.get(seed_id)
        if outcome is None:
            if args.all:
                print(f"{seed_id}  {verdict}")
            continue
        print(f"{seed_id}  {verdict}  (was {outcome.stored})")
        for reason in outcome.verdict.reasons:
            print(f"      {reason}")
    print(
        f"\n{result.seeds} seed(s) re-verified from the archive, {len(changed)} verdict(s) "
        f"changed (recorded as crawl {result.crawl_id})"
    )
    if not result.seeds:
        print("(no captured seed in that crawl: nothing to re-verify)")
    return EXIT_FAILED if changed else EXIT_OK
