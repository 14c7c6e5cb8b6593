"""`warcproof seeds verify|list|add|locate`: the seed corpus and its manifest."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from provenance.cli import seeds_locate
from provenance.cli.options import add_config, add_manifest, settings_for
from provenance.exitcodes import ExitCode


def register(commands: Any) -> None:
    seeds = commands.add_parser("seeds", help="the seed corpus and its manifest")
    actions = seeds.add_subparsers(dest="seeds_command", required=True, metavar="ACTION")
    check = actions.add_parser("verify", help="check every seed file against its sha256")
    add_manifest(check)
    add_config(check)
    check.set_defaults(handler=_verify)
    listing = actions.add_parser("list", help="list the seeds and their sources")
    add_manifest(listing)
    add_config(listing)
    listing.set_defaults(handler=_list)
    add = actions.add_parser("add", help="register a text file as a new seed")
    add.add_argument("file", type=Path, help="the text file (copied next to the manifest)")
    add.add_argument("--url", action="append", default=[], help="source URL (repeatable)")
    add.add_argument("--id", dest="seed_id", help="the seed's id (default: the next number)")
    add.add_argument("--publisher", help="who published the source (default: none)")
    add.add_argument("--published", type=date.fromisoformat, help="YYYY-MM-DD (default: none)")
    add.add_argument("--notes", help="free text kept in the manifest (default: none)")
    add_manifest(add)
    add_config(add)
    add.set_defaults(handler=_add)
    seeds_locate.register(actions)


def _verify(args: argparse.Namespace) -> int:
    from provenance.sources.manifest import load, verify  # text code: only when a command runs

    manifest = load(settings_for(args).manifest)
    problems = verify(manifest)
    for problem in problems:
        print(problem)
    intact = len(manifest.seeds) - sum(p.kind != "unlisted" for p in problems)
    print(f"{intact} of {len(manifest.seeds)} seed files intact, {len(problems)} problem(s)")
    return ExitCode.FAILED if problems else ExitCode.OK


def _list(args: argparse.Namespace) -> int:
    from provenance.sources.manifest import load  # text code: only when a command runs

    manifest = load(settings_for(args).manifest)
    header = ("id", "file", "publisher", "published", "source")
    rows = [
        (
            seed.id,
            seed.file,
            seed.publisher or "-",
            seed.published.isoformat() if seed.published else "-",
            seed.url or "(source unknown)",
        )
        for seed in manifest.seeds
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        print("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]))
    return ExitCode.OK


def _add(args: argparse.Namespace) -> int:
    from provenance.sources.manifest import add_seed  # text code: only when a command runs

    manifest = settings_for(args).manifest
    seed = add_seed(
        manifest,
        args.file,
        urls=args.url,
        seed_id=args.seed_id,
        publisher=args.publisher,
        published=args.published,
        notes=args.notes,
    )
    if seed.path.resolve() != args.file.resolve():
        print(f"copied {args.file} to {seed.path}")
    print(f"added seed {seed.id} to {manifest}: {seed.file} sha256 {seed.sha256}")
    return ExitCode.OK
