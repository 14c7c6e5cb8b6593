"""How often real article pages are taken for interstitials, and what the check costs.

Every page of ../shared/realpages-dev (news and blog articles: none is a challenge or a wall) is
read as `extract_article` reads it and given to the detector; each page it calls a bot
challenge, consent wall, login wall or paywall teaser is a false alarm and is listed. On a
sample (--every) the detector's CPU time is set against the whole extraction's. Writes
bench/INTERSTITIAL.md.

    .venv/bin/python -m bench.interstitial_scan [--corpus DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from provenance.text.extract import extract_article
from provenance.text.interstitial import find_interstitial, parse_page
from provenance.text.pagetext import visible_text

ROOT = Path(__file__).resolve().parent.parent
SETS = ("dragnet", "l3s_gn1")


def default_corpus() -> Path:
    """../shared/realpages-dev beside the repository (one level further up from a worktree)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "realpages-dev").is_dir():
            return base / "shared" / "realpages-dev"
    return ROOT.parent / "shared" / "realpages-dev"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "INTERSTITIAL.md")
    parser.add_argument("--every", type=int, default=5, help="time every Nth page's extraction")
    args = parser.parse_args()
    flagged: list[tuple[str, str]] = []
    pages = timed = unparsed = 0
    extract_cpu = detect_cpu = 0.0
    for name in SETS:
        for number, path in enumerate(sorted((args.corpus / name / "html").glob("*.html.gz"))):
            body = gzip.decompress(path.read_bytes())
            pages += 1
            tree = parse_page(body, "text/html")
            if tree is None:
                unparsed += 1
                continue
            text = visible_text(tree)
            started = time.process_time()
            blocked = find_interstitial(tree, text)
            spent = time.process_time() - started
            if blocked is not None:
                flagged.append((f"{name}/{path.name.removesuffix('.html.gz')}", blocked.reason))
            if number % args.every == 0:  # the whole extraction, on a sample
                timed += 1
                detect_cpu += spent
                started = time.process_time()
                extract_article(body, url="", content_type="text/html")
                extract_cpu += time.process_time() - started
    lines = [
        "# Interstitials: false alarms on real article pages",
        "",
        f"Written by `bench/interstitial_scan.py` from `{args.corpus.name}` ({', '.join(SETS)}); "
        f"{unparsed} page(s) could not be parsed.",
        "",
        "| pages | taken for an interstitial | detector CPU per page | share of extraction CPU |",
        "| ---: | ---: | ---: | ---: |",
        f"| {pages} | {len(flagged)} | {1000 * detect_cpu / max(timed, 1):.2f} ms "
        f"| {100 * detect_cpu / max(extract_cpu, 1e-9):.1f}% (on {timed} pages) |",
        "",
    ]
    if flagged:
        lines += ["| page | reason |", "| --- | --- |"]
        lines += [f"| {page} | {reason.replace('|', '/')} |" for page, reason in flagged]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
