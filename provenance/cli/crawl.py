"""`warcproof crawl|demo|report|replica`: fetching, verifying and showing verdicts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.collection import DEFAULT_COLLECTION
from provenance.cli import changes as commands_changes
from provenance.cli.corpus import DEFAULT_MANIFEST
from provenance.errors import ProvenanceError
from provenance.exitcodes import EXIT_FAILED, EXIT_LOCKED, EXIT_OK
from provenance.report import summary as report
from provenance.run import crawl_process as crawl
from provenance.sources.manifest import load


def register(commands: Any) -> None:
    run = commands.add_parser("crawl", help="fetch every seed's source, archive it, verify it")
    _crawl_options(run)
    run.add_argument("--replica", metavar="URL", help="fetch from this replica origin")
    run.add_argument(
        "--redis", metavar="URL", help="crawl with several processes sharing a Redis frontier"
    )
    run.add_argument(
        "--processes", type=int, help="crawler processes here with --redis (default 2)"
    )
    run.set_defaults(handler=_crawl)

    demo = commands.add_parser(
        "demo", help="start the bundled replica of the source pages and crawl it (offline)"
    )
    _crawl_options(demo)
    demo.set_defaults(handler=_crawl, replica=None)

    show = commands.add_parser("report", help="the verdicts of a collection's latest crawl")
    show.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION)
    show.add_argument("--crawl", type=int, help="a crawl id (default: the latest)")
    show.add_argument("--json", action="store_true", help="full evidence as JSON")
    show.add_argument(
        "--html", type=Path, metavar="OUT", help="write the report for people to this HTML file"
    )
    show.set_defaults(handler=_report)

    serve = commands.add_parser("replica", help="serve the replica origin until interrupted")
    serve.add_argument("args", nargs=argparse.REMAINDER, help="options of `python -m replica`")
    serve.set_defaults(handler=_replica)


def _crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION)
    parser.add_argument("--seed", action="append", default=[], help="only this seed id")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 unless every seed is verbatim or faithful"
    )
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for this crawl (repeatable)",
    )
    commands_changes.add_crawl_options(parser)


def _crawl(args: argparse.Namespace) -> int:
    load(args.manifest)  # a broken manifest is a usage error, before any fetching
    if getattr(args, "processes", None) is not None and not args.redis:
        raise ProvenanceError("--processes needs --redis (processes share a Redis frontier)")
    if args.command == "demo":
        outcome = crawl.run_demo(args.manifest, args.collection, args.seed, args.settings)
    elif args.redis:
        from provenance.run import redis_processes as distributed  # imports redis: only for --redis

        outcome = distributed.run_distributed(
            args.manifest,
            args.collection,
            args.redis,
            2 if args.processes is None else args.processes,
            args.seed,
            args.replica,
            args.settings,
        )
    else:
        outcome = crawl.run_crawl(
            args.manifest, args.collection, args.seed, args.replica, args.settings
        )
    if outcome.returncode == EXIT_LOCKED:
        return EXIT_LOCKED  # the crawl said which run holds the collection; it did nothing
    print(report.table(outcome.entries))
    print(f"\nCollection: {args.collection} (crawl log: {outcome.log})")
    changed = commands_changes.after_crawl(args, outcome.crawl_ids)
    if outcome.returncode != 0:
        print(f"warcproof: the crawl failed (exit {outcome.returncode})", file=sys.stderr)
        return EXIT_FAILED
    if outcome.status != "finished":
        reason = outcome.status or "no finish recorded"
        print(f"warcproof: the crawl stopped early ({reason}); see the log", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED if args.strict and not report.all_sound(outcome.entries) else changed


def _report(args: argparse.Namespace) -> int:
    if args.html is not None:
        from provenance.report.html.document import shown_crawls, write_html_report
        from provenance.run.progress import Progress

        with Progress("report", unit="seeds") as progress:
            written = write_html_report(args.collection, args.html, args.crawl, progress)
        message = f"{args.html}: report of {len(written.pages)} seed(s), {shown_crawls(written)}"
        print(message, file=sys.stderr if args.json else sys.stdout)
        if not args.json:
            return EXIT_OK
    shown = report.load(args.collection, args.crawl)
    entries = shown.entries
    if args.json:
        print(report.as_json(entries, shown.reverified))
    else:
        print(report.table(entries, shown.reverified))
    note = report.unfinished(args.collection, entries)
    if note is not None:
        print(f"warcproof: {note}", file=sys.stderr)
    return EXIT_OK


def _replica(args: argparse.Namespace) -> int:
    from replica.server import main as serve

    return serve(args.args)
