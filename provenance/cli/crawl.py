"""`warcproof crawl|demo|report|replica|config`: fetching, verifying and showing verdicts."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.collection import Collection
from provenance.cli import changes
from provenance.cli.options import (
    add_collection,
    add_config,
    add_crawl_id,
    add_json,
    add_manifest,
    settings_for,
)
from provenance.exitcodes import ExitCode
from provenance.run.configuration import Configuration
from replica import server_options

if TYPE_CHECKING:
    from provenance.ledger.queries import ReportLedger, ReportRow
    from provenance.run.crawl_process import CrawlOutcome

# Above this many seeds `report --html OUT.html` suggests a folder: one file holds every
# seed's page and opens slowly.
ONE_FILE_SEEDS = 1000

# `--fail-on` names, and the verdicts they stand for.
FAIL_ON = {
    "excerpt": "excerpt",
    "modified": "modified",
    "foreign": "foreign content",
    "unverifiable": "unverifiable",
}


def register(commands: Any) -> None:
    run = commands.add_parser("crawl", help="fetch every seed's source, archive it, verify it")
    _crawl_options(run)
    run.add_argument(
        "--replica", metavar="URL", help="fetch from this replica origin (WARCPROOF_REPLICA_URL)"
    )
    run.add_argument(
        "--redis",
        metavar="URL",
        help="crawl with several processes sharing a Redis frontier (WARCPROOF_REDIS_URL)",
    )
    run.add_argument(
        "--processes", type=int, metavar="N", help="crawler processes here with --redis (default 2)"
    )
    run.set_defaults(handler=_crawl)

    demo = commands.add_parser(
        "demo",
        help="crawl the bundled replica of the source pages (offline, from any folder)",
    )
    _crawl_options(demo)
    demo.set_defaults(handler=_crawl, replica=None, redis=None, processes=None)

    show = commands.add_parser("report", help="the verdicts of a collection's latest crawl")
    add_collection(show)
    add_config(show)
    add_crawl_id(show, "the crawl to show")
    add_json(show, "the full evidence")
    show.add_argument(
        "--jsonl", action="store_true", help="one JSON object per seed per line (JSON Lines)"
    )
    show.add_argument(
        "--html",
        type=Path,
        metavar="OUT",
        help="write the report for people: OUT.html as one file (for up to about "
        f"{ONE_FILE_SEEDS} seeds), any other OUT as a folder with a searchable summary page "
        "and a page per seed",
    )
    show.set_defaults(handler=_report)

    serve = commands.add_parser(
        "replica",
        help="serve the replica origin on loopback until interrupted (its root lists its pages)",
    )
    server_options.add_options(serve)
    serve.set_defaults(handler=_replica)

    settings = commands.add_parser(
        "config",
        help="the effective WARCPROOF_* settings and where each comes from",
        description="Each setting comes from the command line, else the environment, else "
        "--config FILE or COLLECTION/warcproof.toml, else its default.",
    )
    add_collection(settings)
    add_manifest(settings)
    add_config(settings)
    _set_option(settings)
    settings.set_defaults(handler=_config)


def _crawl_options(parser: argparse.ArgumentParser) -> None:
    add_manifest(parser)
    add_collection(parser)
    add_config(parser)
    parser.add_argument(
        "--seed",
        action="append",
        default=[],
        metavar="ID",
        help="only this seed (repeatable; default: every seed in the manifest)",
    )
    parser.add_argument(
        "--fail-on",
        nargs="+",
        default=[],
        choices=sorted(FAIL_ON),
        metavar="KIND",
        help=f"exit 1 if a seed gets one of these verdicts ({', '.join(sorted(FAIL_ON))}); "
        "default: none (a crawl fails only when it fetched no seed or stopped early)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="same as --fail-on with every KIND: exit 1 unless every seed is verbatim or faithful",
    )
    _set_option(parser)
    changes.add_crawl_options(parser)


def _set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a WARCPROOF_* or Scrapy setting for this run (repeatable; `warcproof config` "
        "lists warcproof's own)",
    )


def _crawl(args: argparse.Namespace) -> int:
    # The crawl's and the report's code (the ledger, trafilatura) load only when a command runs.
    from provenance.run import crawl_process
    from provenance.sources.manifest import load

    demo = args.command == "demo"
    config = settings_for(args, bundled=demo)
    manifest = load(config.manifest)  # a broken manifest is a usage error, before any fetching
    for seed_id in args.seed:
        manifest.get(seed_id)  # an unknown seed id is a usage error (exit 2), not an empty crawl
    redis = config.value("WARCPROOF_REDIS_URL")
    if args.processes is not None and not redis:
        print(
            "warcproof: --processes needs --redis (processes share a Redis frontier)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    chosen = _scrapy_settings(args, config)
    if demo:
        outcome = crawl_process.run_demo(config.manifest, config.collection, args.seed, chosen)
    elif redis:
        from provenance.run import redis_processes  # imports redis: only for --redis

        outcome = redis_processes.run_distributed(
            config.manifest,
            config.collection,
            redis,
            2 if args.processes is None else args.processes,
            args.seed,
            config.value("WARCPROOF_REPLICA_URL") or None,
            chosen,
        )
    else:
        outcome = crawl_process.run_crawl(
            config.manifest,
            config.collection,
            args.seed,
            config.value("WARCPROOF_REPLICA_URL") or None,
            chosen,
        )
    return _crawl_outcome(args, config, outcome)


def _scrapy_settings(args: argparse.Namespace, config: Configuration) -> list[str]:
    """The settings the crawler gets with -s: every WARCPROOF_* one not at its default, the
    Scrapy ones given with -s, and the log level and progress of --log-level and --quiet."""
    skipped = ("WARCPROOF_SEEDS", "WARCPROOF_COLLECTION", "WARCPROOF_REPLICA_URL")
    chosen = [s for s in config.chosen() if s.partition("=")[0] not in skipped]
    chosen += [s for s in args.settings if not s.startswith("WARCPROOF_")]
    if args.log_level:
        chosen.append(f"LOG_LEVEL={args.log_level}")
    if args.quiet:
        chosen.append("WARCPROOF_PROGRESS=False")
    return chosen


def _crawl_outcome(args: argparse.Namespace, config: Configuration, outcome: CrawlOutcome) -> int:
    from provenance.report import summary

    if outcome.returncode == ExitCode.LOCKED:
        return ExitCode.LOCKED  # the crawl said which run holds the collection; it did nothing
    collection = config.collection
    if outcome.entries and not any(summary.fetched(e) for e in outcome.entries):
        print(
            f"warcproof: no seed's source page could be fetched ({len(outcome.entries)} "
            "seed(s) tried); see the reasons below",
            file=sys.stderr,
            flush=True,
        )
    if not args.quiet:
        recorded = summary.load_changes(collection, outcome.crawl_ids)
        print(summary.table(outcome.entries, recorded))
        print(f"\nCollection: {collection} (crawl log: {outcome.log})")
    else:
        print(summary.counts_line(outcome.entries))
    if outcome.interrupted:
        _interrupted(args, collection, len(outcome.entries))
        return ExitCode.INTERRUPTED
    changed = changes.after_crawl(args, collection, outcome.crawl_ids)
    if outcome.returncode != 0:
        print(f"warcproof: the crawl failed (exit {outcome.returncode})", file=sys.stderr)
        return ExitCode.FAILED
    if outcome.status != "finished":
        reason = outcome.status or "no finish recorded"
        print(f"warcproof: the crawl stopped early ({reason}); see the log", file=sys.stderr)
        return ExitCode.FAILED
    if outcome.entries and not any(summary.fetched(e) for e in outcome.entries):
        return ExitCode.FAILED
    kinds = sorted(FAIL_ON) if args.strict else args.fail_on
    failed = summary.failing(outcome.entries, [FAIL_ON[kind] for kind in kinds])
    if failed:
        ids = ", ".join(entry.verdict.seed_id for entry in failed)
        print(f"warcproof: --fail-on: {len(failed)} seed(s) judged so: {ids}", file=sys.stderr)
        return ExitCode.FAILED
    return changed


def _interrupted(args: argparse.Namespace, collection: Path, recorded: int) -> None:
    print(
        f"warcproof: interrupted; {recorded} seed(s) recorded are kept, the collection is "
        "unlocked.",
        file=sys.stderr,
    )
    from provenance.run.crawl_process import open_warcs

    left_open = open_warcs(collection)
    if left_open:
        print(
            f"  {len(left_open)} WARC file(s) were left open: "
            f"warcproof warc recover {Collection(collection).warcs}",
            file=sys.stderr,
        )
    resumable = any(s.startswith("JOBDIR=") for s in args.settings)
    how = (
        "the same command resumes it"
        if resumable
        else (
            "run the same command to crawl again (with -s JOBDIR=DIR a crawl can be resumed "
            "where it stopped; docs/scheduling.md)"
        )
    )
    print(f"  To go on: {how}.", file=sys.stderr)


def _report(args: argparse.Namespace) -> int:
    from provenance.report import summary

    if args.json and args.jsonl:
        print("warcproof: report: give --json or --jsonl, not both", file=sys.stderr)
        return ExitCode.USAGE
    collection = settings_for(args).collection
    machine = args.json or args.jsonl
    with closing(summary.open_ledger(collection, args.crawl)) as ledger:  # unknown crawl: 2
        if args.html is not None:
            message = _html_report(args, collection, ledger)
            print(message, file=sys.stderr if machine else sys.stdout)
            if not machine:
                return ExitCode.OK
        crawls: set[int] = set()
        rows = _noting_crawls(ledger.report_rows(args.crawl), crawls)
        try:
            if machine:
                (summary.write_jsonl if args.jsonl else summary.write_json)(rows, sys.stdout)
            else:
                shown = summary.collect(rows)
                changed = [c for crawl in sorted(crawls) for c in ledger.changes(crawl_id=crawl)]
                print(summary.table(shown.entries, changed, shown.reverified))
            sys.stdout.flush()
        except BrokenPipeError:  # `report --json | head`: the reader has gone; so do we
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return ExitCode.OK
        note = ledger.unfinished(crawls)
    if note is not None:
        print(f"warcproof: {note}", file=sys.stderr)
    return ExitCode.OK


def _noting_crawls(rows: Iterator[ReportRow], crawls: set[int]) -> Iterator[ReportRow]:
    for row in rows:
        crawls.add(row.entry.crawl_id)
        yield row


def _html_report(args: argparse.Namespace, collection: Path, ledger: ReportLedger) -> str:
    """Write the HTML report: one file for OUT.html, else a folder; what was written."""
    from provenance.report.html.document import shown_crawls, write_html_report
    from provenance.report.html.folder import write_html_folder
    from provenance.run.progress import Progress

    out: Path = args.html
    with Progress("report", unit="seeds") as progress:
        if out.suffix.lower() in (".html", ".htm"):
            written = write_html_report(collection, out, args.crawl, progress, ledger)
            seeds = len(written.pages)
            message = f"{out}: report of {seeds} seed(s), {shown_crawls(written)}"
            if seeds > ONE_FILE_SEEDS:
                message += (
                    f" (a large file: for more than {ONE_FILE_SEEDS} seeds give a folder, "
                    "e.g. --html report/)"
                )
            return message
        folder = write_html_folder(collection, out, args.crawl, progress, ledger)
    return f"{out}/index.html: report of {folder.seeds} seed(s), a page per seed in {out}/seeds/"


def _config(args: argparse.Namespace) -> int:
    config = settings_for(args)
    width = max(len(name) for name in config.settings)
    for setting in config.settings.values():
        print(f"{setting.name:<{width}}  {setting.value!r:<40}  ({setting.origin})")
    return ExitCode.OK


def _replica(args: argparse.Namespace) -> int:
    from replica import server

    return server.serve(args)
