"""`warcproof index|pack|export`: the collection's CDXJ index, its WACZ, and a BagIt bag."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from provenance.cli.locking import collection_locked
from provenance.cli.options import add_collection, add_config, add_manifest, settings_for
from provenance.cli.signing_keys import signer_from, signing_options
from provenance.exitcodes import ExitCode


def register(commands: Any) -> None:
    index = commands.add_parser(
        "index", help="update the collection's sorted CDXJ index (indexes/index.cdxj)"
    )
    add_collection(index, positional=True)
    add_config(index)
    index.add_argument("--rebuild", action="store_true", help="index every WARC file again")
    index.set_defaults(handler=_index)

    pack = commands.add_parser("pack", help="pack the collection into a WACZ 1.1.1 file")
    add_collection(pack, positional=True)
    add_config(pack)
    pack.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE.wacz", help="the WACZ to write"
    )
    signing_options(pack)
    pack.add_argument(
        "--title",
        help="the package's title (datapackage.json; default: one made from the collection)",
    )
    pack.add_argument(
        "--desc",
        help="the package's description (datapackage.json; default: one made from the collection)",
    )
    pack.set_defaults(handler=_pack)

    export = commands.add_parser(
        "export", help="a BagIt bag of the collection's WACZ, report and seed corpus"
    )
    add_collection(export, positional=True)
    add_config(export)
    export.add_argument("--bag", type=Path, required=True, metavar="DIR", help="a new directory")
    add_manifest(export)
    export.add_argument("--organization", help="the bag's Source-Organization (default: none)")
    signing_options(export)
    export.set_defaults(handler=_export)


def _index(args: argparse.Namespace) -> int:
    from provenance.report import export as handoff  # cdxj-indexer, bagit: only when a command runs

    collection = settings_for(args).collection
    with collection_locked(collection):
        update = handoff.index(collection, rebuild=args.rebuild)
    how = "rebuilt" if update.rebuilt else f"{len(update.added)} new WARC file(s) added"
    print(f"{update.path}: {update.lines} lines, {len(update.warcs)} WARC file(s) ({how})")
    return ExitCode.OK


def _pack(args: argparse.Namespace) -> int:
    from provenance.report import export as handoff  # cdxj-indexer, bagit: only when a command runs

    if args.output.suffix != ".wacz":
        print(f"warcproof: {args.output}: a WACZ file's name must end in .wacz", file=sys.stderr)
        return ExitCode.USAGE
    signing = signer_from(args)
    collection = settings_for(args).collection
    with collection_locked(collection):  # pack updates the collection's index first
        package = handoff.pack(
            collection, args.output, title=args.title, description=args.desc, sign=signing
        )
    size = sum(resource.bytes for resource in package.resources)
    print(
        f"{package.path}: {len(package.resources)} files ({size} bytes) listed, "
        f"{package.pages} page(s); datapackage.json {package.datapackage_hash}"
    )
    if signing is not None:
        print(signing.summary())
    return ExitCode.OK


def _export(args: argparse.Namespace) -> int:
    from provenance.report import export as handoff  # cdxj-indexer, bagit: only when a command runs

    config = settings_for(args)
    signing = signer_from(args)
    try:
        with collection_locked(config.collection):  # its WACZ updates the collection's index
            bag, package = handoff.export(
                config.collection,
                args.bag,
                config.manifest,
                organization=args.organization,
                sign=signing,
            )
    except handoff.SeedsChangedError as exc:
        for problem in exc.problems:
            print(f"warcproof: {problem}", file=sys.stderr)
        print(f"warcproof: {config.manifest}: not exported; the seeds changed", file=sys.stderr)
        return ExitCode.FAILED
    print(f"{bag.path}: valid bag, {bag.files} payload file(s), Payload-Oxum {bag.payload_oxum}")
    print(f"  {package.path} ({package.pages} page(s))")
    if signing is not None:
        print(signing.summary())
    return ExitCode.OK
