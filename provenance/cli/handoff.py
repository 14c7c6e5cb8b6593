"""`warcproof index|pack|export`: the collection's CDXJ index, its WACZ, and a BagIt bag."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.collection import DEFAULT_COLLECTION
from provenance.cli.corpus import DEFAULT_MANIFEST
from provenance.cli.signing_keys import signer_from, signing_options
from provenance.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def register(commands: Any) -> None:
    index = commands.add_parser(
        "index", help="update the collection's sorted CDXJ index (indexes/index.cdxj)"
    )
    _collection(index)
    index.add_argument("--rebuild", action="store_true", help="index every WARC file again")
    index.set_defaults(handler=_index)

    pack = commands.add_parser("pack", help="pack the collection into a WACZ 1.1.1 file")
    _collection(pack)
    pack.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.wacz")
    signing_options(pack)
    pack.add_argument("--title", help="the package's title (datapackage.json)")
    pack.add_argument("--desc", help="the package's description (datapackage.json)")
    pack.set_defaults(handler=_pack)

    export = commands.add_parser(
        "export", help="a BagIt bag of the collection's WACZ, report and seed corpus"
    )
    _collection(export)
    export.add_argument("--bag", type=Path, required=True, metavar="DIR", help="a new directory")
    export.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    export.add_argument("--organization", help="the bag's Source-Organization")
    signing_options(export)
    export.set_defaults(handler=_export)


def _collection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "collection",
        type=Path,
        nargs="?",
        default=DEFAULT_COLLECTION,
        help=f"the collection directory (default: {DEFAULT_COLLECTION})",
    )


def _index(args: argparse.Namespace) -> int:
    from provenance.report import export as handoff  # cdxj-indexer, bagit: only when a command runs

    update = handoff.index(args.collection, rebuild=args.rebuild)
    how = "rebuilt" if update.rebuilt else f"{len(update.added)} new WARC file(s) added"
    print(f"{update.path}: {update.lines} lines, {len(update.warcs)} WARC file(s) ({how})")
    return EXIT_OK


def _pack(args: argparse.Namespace) -> int:
    from provenance.report import export as handoff  # cdxj-indexer, bagit: only when a command runs

    if args.output.suffix != ".wacz":
        print(f"warcproof: {args.output}: a WACZ file's name must end in .wacz", file=sys.stderr)
        return EXIT_USAGE
    signing = signer_from(args)
    package = handoff.pack(
        args.collection, args.output, title=args.title, description=args.desc, sign=signing
    )
    size = sum(resource.bytes for resource in package.resources)
    print(
        f"{package.path}: {len(package.resources)} files ({size} bytes) listed, "
        f"{package.pages} page(s); datapackage.json {package.datapackage_hash}"
    )
    if signing is not None:
        print(signing.summary())
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from provenance.report import export as handoff  # cdxj-indexer, bagit: only when a command runs

    signing = signer_from(args)
    try:
        bag, package = handoff.export(
            args.collection, args.bag, args.manifest, organization=args.organization, sign=signing
        )
    except handoff.SeedsChangedError as exc:
        for problem in exc.problems:
            print(f"warcproof: {problem}", file=sys.stderr)
        print(f"warcproof: {args.manifest}: not exported; the seeds changed", file=sys.stderr)
        return EXIT_FAILED
    print(f"{bag.path}: valid bag, {bag.files} payload file(s), Payload-Oxum {bag.payload_oxum}")
    print(f"  {package.path} ({package.pages} page(s))")
    if signing is not None:
        print(signing.summary())
    return EXIT_OK
