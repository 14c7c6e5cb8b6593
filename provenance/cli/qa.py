"""`warcproof qa`: the replay check. Every page of a crawl rendered by headless Chromium from
the collection alone (provenance.run.replay_check); the screenshots go into the collection."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from provenance.cli.locking import collection_locked
from provenance.cli.options import add_collection, add_config, settings_for
from provenance.errors import ProvenanceError
from provenance.exitcodes import ExitCode


def register(commands: Any) -> None:
    qa = commands.add_parser(
        "qa", help="render every page from the archive in headless Chromium; keep screenshots"
    )
    add_collection(qa)
    add_config(qa)
    qa.add_argument("--crawl", type=int, help="the crawl whose pages to render (default: latest)")
    qa.add_argument(
        "--screenshots", type=Path, metavar="DIR", help="also keep the PNG files in this folder"
    )
    qa.add_argument(
        "--no-record", action="store_true", help="do not write the screenshots into the WARCs"
    )
    qa.set_defaults(handler=_qa)


def _qa(args: argparse.Namespace) -> int:
    from provenance.report.screenshot_records import screenshot_prefix
    from provenance.run import replay_check as check  # trafilatura: only when the command runs
    from provenance.run.headless_chromium import find_chromium

    binary = find_chromium()
    if binary is None:
        raise ProvenanceError("chromium is not installed (Debian: apt-get install chromium)")
    collection = settings_for(args).collection
    pages = check.ledger_pages(collection, args.crawl)
    if not pages:
        print("No captured page in that crawl: nothing to render.")
        return ExitCode.OK
    with tempfile.TemporaryDirectory(prefix="warcproof-qa-") as scratch:
        workdir = args.screenshots or Path(scratch)
        results = check.replay_check(
            collection, pages, binary, workdir=workdir, alias=check.replica_alias(pages)
        )
    failed = False
    for result in results:
        shown = "-" if result.text_shown is None else f"{result.text_shown:.0%}"
        print(f"{result.page.url}")
        print(
            f"  {len(result.requested)} request(s), {len(result.missing)} missing from the "
            f"archive; article text shown: {shown}"
        )
        for url in result.missing:
            print(f"  missing: {url}")
        if result.problem:
            print(f"  problem: {result.problem}")
        failed = failed or bool(result.missing) or result.problem is not None
    if not args.no_record:
        prefix = screenshot_prefix("warcproof")
        with collection_locked(collection):
            files = check.record_results(collection, results, prefix=prefix)
        print(f"\nScreenshots recorded in {', '.join(f.name for f in files)}")
    return ExitCode.FAILED if failed else ExitCode.OK
