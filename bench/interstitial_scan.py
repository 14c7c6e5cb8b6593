"""How often real article pages are taken for interstitials, and what the check costs.

Every page of ../shared/realpages-dev (news and blog articles: none is a challenge or a wall)
goes through `extract_article`; each page it calls a bot challenge, consent wall, login wall or
paywall teaser is a false alarm and is listed. The detector's CPU time is measured apart and set
against the whole extraction's. Writes bench/INTERSTITIAL.md.

    .venv/bin/python -m bench.interstitial_scan [--corpus DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from lxml import html

from provenance.text.extract import NoArticle, extract_article
from provenance.text.interstitial import find_interstitial
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
    args = parser.parse_args()
    flagged: list[tuple[str, str]] = []
    pages = 0
    extract_cpu = detect_cpu = 0.0
    for name in SETS:
        for path in sorted((args.corpus / name / "html").glob("*.html.gz")):
            body = gzip.decompress(path.read_bytes())
            pages += 1
            started = time.process_time()
            page = extract_article(body, url="", content_type="text/html")
            extract_cpu += time.process_time() - started
            if isinstance(page, NoArticle) and page.blocked is not None:
                flagged.append((f"{name}/{path.name.removesuffix('.html.gz')}", page.reason))
            try:
                tree = html.document_fromstring(body)
            except ValueError:
                continue
            text = visible_text(tree)
            started = time.process_time()
            find_interstitial(tree, text)
            detect_cpu += time.process_time() - started
    lines = [
        "# Interstitials: false alarms on real article pages",
        "",
        f"Written by `bench/interstitial_scan.py` from `{args.corpus.name}` ({', '.join(SETS)}).",
        "",
        "| pages | taken for an interstitial | detector CPU per page | share of extraction CPU |",
        "| ---: | ---: | ---: | ---: |",
        f"| {pages} | {len(flagged)} | {1000 * detect_cpu / max(pages, 1):.2f} ms "
        f"| {100 * detect_cpu / max(extract_cpu, 1e-9):.1f}% |",
        "",
    ]
    if flagged:
        lines += ["| page | reason |", "| --- | --- |"]
        lines += [f"| {page} | {reason.replace('|', '/')} |" for page, reason in flagged]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
