"""The options several commands share, each defined once with its one default.

The collection is `--collection DIR` on every command that reads or writes one (index, pack and
export also take it as a positional argument, as they always have). `--manifest` and
`--collection` default to the effective WARCPROOF_SEEDS and WARCPROOF_COLLECTION
(`warcproof config`): the command line, then the environment, then `--config FILE`, then the
bundled corpus and `./collection`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from provenance.run.configuration import (
    BUNDLED_MANIFEST,
    DEFAULT,
    DEFAULT_COLLECTION_TEXT,
    Configuration,
    Setting,
    crawler_defaults,
    parse_assignments,
    resolve,
)

COLLECTION_HELP = (
    f"the collection directory (default: $WARCPROOF_COLLECTION, else {DEFAULT_COLLECTION_TEXT})"
)
MANIFEST_HELP = (
    "the seed manifest (default: $WARCPROOF_SEEDS, else ./seeds/seeds.toml if present, "
    "else the bundled corpus)"
)


def add_collection(parser: argparse.ArgumentParser, *, positional: bool = False) -> None:
    """`--collection DIR`; with `positional`, a bare `DIR` is accepted too (the older form)."""
    parser.add_argument("--collection", type=Path, metavar="DIR", help=COLLECTION_HELP)
    if positional:
        parser.add_argument(
            "collection_positional",
            type=Path,
            nargs="?",
            metavar="DIR",
            help="the collection, as a positional argument (same as --collection)",
        )


def add_manifest(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", type=Path, metavar="FILE", help=MANIFEST_HELP)


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="a warcproof.toml of settings (default: COLLECTION/warcproof.toml if present)",
    )


def add_crawl_id(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--crawl", type=int, metavar="ID", help=f"{what} (default: the latest)")


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"{what} as JSON (default: a table)")


def settings_for(args: argparse.Namespace, *, bundled: bool = False) -> Configuration:
    """The effective settings of a command (provenance.run.configuration): its options, then
    the environment, then the settings file, then the defaults. `bundled`: the manifest
    defaults to the bundled corpus even where ./seeds/seeds.toml exists (`warcproof demo`)."""
    given = parse_assignments(getattr(args, "settings", []))
    for option, name in (
        ("collection", "WARCPROOF_COLLECTION"),
        ("manifest", "WARCPROOF_SEEDS"),
        ("replica", "WARCPROOF_REPLICA_URL"),
        ("redis", "WARCPROOF_REDIS_URL"),
    ):
        value = getattr(args, option, None)
        if option == "collection" and value is None:
            value = getattr(args, "collection_positional", None)
        if value is not None:
            given[name] = str(value)
    config = resolve(given, crawler_defaults(), os.environ, getattr(args, "config", None))
    if bundled and config.settings["WARCPROOF_SEEDS"].origin.startswith(DEFAULT):
        seeds = Setting("WARCPROOF_SEEDS", str(BUNDLED_MANIFEST), f"{DEFAULT} (bundled corpus)")
        config.settings["WARCPROOF_SEEDS"] = seeds
    return config
