"""`warcproof seeds verify|list|add`: the seed corpus and its manifest."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from provenance.cli import seeds_locate as commands_locate
from provenance.exitcodes import EXIT_FAILED, EXIT_OK
from provenance.sources.manifest import add_seed, load, verify

DEFAULT_MANIFEST = Path("seeds/seeds.toml")


def register(commands: Any) -> None:
    seeds = commands.add_parser("seeds", help="the seed corpus and its manifest")
    actions = seeds.add_subparsers(dest="seeds_command", required=True, metavar="ACTION")
    check = actions.add_parser("verify", help="check every seed file against its sha256")
    check.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    check.set_defaults(handler=_verify)
    listing = actions.add_parser("list", help="list the seeds and their sources")
    listing.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    listing.set_defaults(handler=_list)
    add = actions.add_parser("add", help="register a text file as a new seed")
    add.add_argument("file", type=Path)
    add.add_argument("--url", action="append", default=[], help="source URL (repeatable)")
    add.add_argument("--id", dest="seed_id")
    add.add_argument("--publisher")
    add.add_argument("--published", type=date.fromisoformat, help="YYYY-MM-DD")
    add.add_argument("--notes")
    add.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    add.set_defaults(handler=_add)
    commands_locate.register(actions, DEFAULT_MANIFEST)


def _verify(args: argparse.Namespace) -> int:
    manifest = load(args.manifest)
    problems = verify(manifest)
    for problem in problems:
        print(problem)
    intact = len(manifest.seeds) - sum(p.kind != "unlisted" for p in problems)
    print(f"{intact} of {len(manifest.seeds)} seed files intact, {len(problems)} problem(s)")
    return EXIT_FAILED if problems else EXIT_OK


def _list(args: argparse.Namespace) -> int:
    for seed in load(args.manifest).seeds:
        print(f"{seed.id}  {seed.file}  {seed.url or '(source unknown)'}")
    return EXIT_OK


def _add(args: argparse.Namespace) -> int:
    seed = add_seed(
        args.manifest,
        args.file,
        urls=args.url,
        seed_id=args.seed_id,
        publisher=args.publisher,
        published=args.published,
        notes=args.notes,
    )
    print(f"added seed {seed.id}: {seed.file} sha256 {seed.sha256}")
    return EXIT_OK
