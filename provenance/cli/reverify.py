"""`warcproof reverify`: the verdicts reproduced offline from a collection's WARCs."""

from __future__ import annotations

import argparse
from typing import Any

from provenance.cli.locking import collection_locked
from provenance.cli.options import (
    add_collection,
    add_config,
    add_crawl_id,
    add_manifest,
    settings_for,
)
from provenance.exitcodes import ExitCode


def register(commands: Any) -> None:
    run = commands.add_parser(
        "reverify", help="check every seed again against its archived capture, offline"
    )
    add_collection(run)
    add_manifest(run)
    add_config(run)
    add_crawl_id(run, "the crawl whose captures to use")
    run.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes (default: one per core)"
    )
    run.add_argument("--all", action="store_true", help="list every seed, not only changed ones")
    run.set_defaults(handler=_reverify)


def _reverify(args: argparse.Namespace) -> int:
    # trafilatura, the ledger and the report: only when the command runs
    from provenance.report import summary
    from provenance.run.progress import Progress
    from provenance.run.reverification import reverify
    from provenance.sources.manifest import load

    config = settings_for(args)
    manifest = load(config.manifest)
    if args.crawl is not None:
        summary.load_entries(config.collection, args.crawl)  # an unknown crawl id: exit 2
    with collection_locked(config.collection), Progress("reverify", unit="seeds") as progress:
        result = reverify(
            config.collection, manifest, crawl_id=args.crawl, jobs=args.jobs, progress=progress
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
    return ExitCode.FAILED if changed else ExitCode.OK
