"""`warcproof check FILE...` and `warcproof warc recover FILE|DIR...`.

Exit codes: 0 clean / recovered, 1 problems found, 2 unreadable input or refused recovery,
4 the collection is locked by a running crawl (nothing recovered).
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.collection import Collection
from provenance.cli.locking import collection_locked
from provenance.exitcodes import ExitCode

if TYPE_CHECKING:
    from archive.check.problems import Problem


def register(commands: Any) -> None:
    run = commands.add_parser(
        "check",
        help="validate WARC, ARC and WACZ files (stricter than `warcio check`)",
        description="Validate WARC (.warc.gz, .warc), ARC and WACZ files together: framing, "
        "headers, digests, links between records across all files, WACZ 1.1.1 rules. One line "
        "per finding (level error, warning or info), a line per file, then a summary. A folder "
        "stands for every file in it; those that are not archives are listed as not checked. "
        "Exit 0 no errors, 1 errors (with --strict, errors or warnings), 2 unreadable input.",
    )
    run.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE", help="a WARC, ARC or WACZ file, or a folder"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    run.add_argument("--strict", action="store_true", help="warnings fail the check too")
    run.add_argument(
        "--json", action="store_true", help="print every finding and the summary as JSON"
    )
    run.add_argument(
        "--verify-signature",
        action="store_true",
        help="also verify each WACZ's signature and timestamps, offline, down to every file "
        "(exit 1 if one is unsigned or fails)",
    )
    run.add_argument(
        "--trust-roots",
        nargs="+",
        type=Path,
        default=[],
        metavar="PEM",
        help="trust only these root certificates for domain and TSA chains "
        "(default: the system's CA bundle)",
    )
    run.add_argument(
        "--signer-key",
        action="append",
        default=[],
        metavar="KEY",
        help="an anonymous signature must be by this key (its sha256:<hex> fingerprint or "
        "base64 public key, as `warcproof keys new` prints them; repeatable)",
    )
    run.set_defaults(handler=_check)

    warc = commands.add_parser("warc", help="WARC file maintenance")
    actions = warc.add_subparsers(dest="warc_command", required=True, metavar="ACTION")
    recover = actions.add_parser(
        "recover",
        help="recover a WARC file cut short (the .open files of a killed crawl, or any WARC)",
        description="Keep every complete record of a WARC file (gzipped or plain, .open or "
        "not), move the partial tail to NAME.tail, rename a NAME.open file to NAME and report "
        "what was cut. A folder stands for its .open files. Run it only when no crawl is "
        "writing the file.",
    )
    recover.add_argument(
        "paths", nargs="+", type=Path, metavar="FILE|DIR", help="a WARC file or a folder"
    )
    recover.set_defaults(handler=_recover)


def _check(args: argparse.Namespace) -> int:
    from archive.check.checker import check  # only when the command runs
    from provenance.run.progress import Progress

    findings: list[Problem] = []

    def show(problem: Problem) -> None:
        if args.json:
            findings.append(problem)
        elif not args.quiet:
            print(problem)

    with Progress("check", unit="bytes") as progress:
        summary = check(args.paths, on_problem=show, progress=progress)
    checked = summary.by_file.keys() - {name for name, _ in summary.not_checked}
    empty = [
        path
        for path in args.paths
        if path.is_dir() and not any(Path(name).is_relative_to(path) for name in checked)
    ]
    if args.json:
        report = {"findings": [one.as_json() for one in findings], "summary": summary.as_json()}
        print(json.dumps(report, indent=1))
    else:
        for line in summary.file_lines():
            print(line)
        print(summary)
    for directory in empty:
        print(f"warcproof: {directory}: no WARC, ARC or WACZ file in it", file=sys.stderr)
    code = ExitCode.USAGE if empty else summary.exit_code(args.strict)
    if args.verify_signature:
        from provenance.cli.signature_check import verify_signatures  # cryptography: only here

        waczs = [
            found
            for path in args.paths
            for found in (sorted(path.rglob("*.wacz")) if path.is_dir() else [path])
            if found.suffix == ".wacz"
        ]
        code = max(code, verify_signatures(waczs, args.trust_roots, args.signer_key))
    return code


def _collection_of(path: Path) -> Path | None:
    """The collection whose warcs/ folder holds `path` (a crawl writing it must not see its
    open file recovered under it); None for a file outside a collection."""
    return path.parent.parent if path.parent.name == Collection(Path()).warcs.name else None


def _recover(args: argparse.Namespace) -> int:
    from archive.check.recover import RecoveryError, open_files, recover_file

    code = ExitCode.OK
    for target in args.paths:
        found = open_files(target)
        if not found:
            print(f"{target}: no .open file to recover")
        for path in found:
            collection = _collection_of(path)
            try:
                with collection_locked(collection) if collection else nullcontext():
                    print(recover_file(path))
            except RecoveryError as exc:
                print(f"warcproof: {exc}", file=sys.stderr)
                code = ExitCode.USAGE
            except OSError as exc:
                print(f"warcproof: {path}: {exc}", file=sys.stderr)
                code = ExitCode.USAGE
    return code
