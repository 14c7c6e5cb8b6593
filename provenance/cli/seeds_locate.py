"""`warcproof seeds locate ID`: search an archive for the source of a seed with no known URL."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from provenance.cli.options import add_config, add_manifest, settings_for
from provenance.exitcodes import ExitCode

if TYPE_CHECKING:
    from provenance.sources.locate import Search

_SHOWN = 10  # candidates printed
# provenance.sources.locate's defaults, restated so that building the parser does not load the
# search (and its text code); tests/test_cli_startup.py holds them equal.
DEFAULT_THRESHOLD = 0.5
DEFAULT_LIMIT = 200


def register(actions: Any) -> None:
    """Add `locate` to the `seeds` group's subparsers."""
    find = actions.add_parser(
        "locate",
        help="search an archive's captures for the source page of a seed with no URL",
        description="Lists the archive's captures under the seed's [seed.locate] url_prefix and "
        "date window, fetches each, and ranks them by the share of the seed's text they carry.",
    )
    find.add_argument("seed_id", metavar="ID")
    add_manifest(find)
    add_config(find)
    find.add_argument(
        "--accept",
        action="store_true",
        help="write the best candidate's URL into the manifest if its score clears --threshold",
    )
    find.add_argument(
        "--threshold",
        type=_fraction,
        default=DEFAULT_THRESHOLD,
        metavar="X",
        help="share of the seed a candidate must carry (default: %(default)s)",
    )
    find.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help="captures listed at most (default: %(default)s)",
    )
    find.add_argument(
        "--wayback",
        metavar="URL",
        help="Wayback-compatible archive (default: WARCPROOF_WAYBACK_URL, `warcproof config`)",
    )
    find.add_argument(
        "--cdx",
        metavar="TEMPLATE",
        help="CDX server URL template, {base}/web/cdx for pywb (default: WARCPROOF_WAYBACK_CDX)",
    )
    find.add_argument("--json", action="store_true", help="the ranked candidates as JSON")
    find.set_defaults(handler=_locate)


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError("the threshold is a fraction in (0, 1]")
    return value


def _locate(args: argparse.Namespace) -> int:
    from provenance.sources.locate import locate
    from provenance.sources.manifest import load, set_source_url
    from provenance.sources.wayback import Endpoint, WaybackClient

    config = settings_for(args)
    manifest = config.manifest
    seed = load(manifest).get(args.seed_id)
    wayback = args.wayback or config.value("WARCPROOF_WAYBACK_URL")
    client = WaybackClient(Endpoint(wayback, args.cdx or config.value("WARCPROOF_WAYBACK_CDX")))
    search = locate(seed, client, threshold=args.threshold, limit=args.limit)
    print(json.dumps(_as_dict(search), indent=2) if args.json else _table(search))
    if not search.found:
        return ExitCode.FAILED
    if args.accept and search.best is not None:
        set_source_url(manifest, seed.id, search.best.capture.url)
        print(f"accepted: seed {seed.id} now lists {search.best.capture.url} in {manifest}")
    return ExitCode.OK


def _table(search: Search) -> str:
    window = f"{search.date_from or '...'} to {search.date_to or '...'}"
    lines = [
        f"seed {search.seed_id}: {len(search.candidates)} candidate page(s) "
        f"under {search.prefix} captured {window}"
    ]
    for rank, candidate in enumerate(search.candidates[:_SHOWN], start=1):
        lines.append(
            f"{rank:>3}. {candidate.score:6.1%}  {candidate.capture.timestamp}  "
            f"{candidate.capture.url}"
        )
        if candidate.shared is not None:
            lines.append(f"       {candidate.shared.describe()}")
            lines.extend(f"       e.g. {sample[:120]!r}" for sample in candidate.shared.samples)
        if candidate.problem:
            lines.append(f"       not usable: {candidate.problem}")
    best = search.best
    if search.found and best is not None:
        lines.append(
            f"found: {best.capture.url} carries {best.score:.0%} of the seed "
            f"(threshold {search.threshold:.0%}); capture {best.replay_url}"
        )
    else:
        scores = ", ".join(f"{c.score:.0%}" for c in search.candidates[:3]) or "none"
        lines.append(
            f"not found: no candidate carries {search.threshold:.0%} of the seed "
            f"(best scores: {scores})"
        )
    return "\n".join(lines)


def _as_dict(search: Search) -> dict[str, Any]:
    return {
        "seed_id": search.seed_id,
        "prefix": search.prefix,
        "from": search.date_from.isoformat() if search.date_from else None,
        "to": search.date_to.isoformat() if search.date_to else None,
        "threshold": search.threshold,
        "found": search.found,
        "best": search.best.to_dict() if search.found and search.best else None,
        "candidates": [candidate.to_dict() for candidate in search.candidates],
    }
