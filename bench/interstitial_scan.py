"""How often real article pages are taken for interstitials, and what the check costs.

Every page of ../shared/realpages-dev (news and blog articles: none is a challenge or a wall) is
read as `extract_article` reads it and given to the detector; each page it calls a bot
challenge, consent wall, login wall or paywall teaser is a false alarm and is listed. On a
sample (--every) the detector's CPU time is set against the whole extraction's. Then each page
is read again with a wall's own furniture (a consent dialog, a login form, a paywall box, a
captcha widget) added above its article. Writes bench/INTERSTITIAL.md.

    .venv/bin/python -m bench.interstitial_scan [--corpus DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import time
from pathlib import Path

from lxml import html

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


# The walls' own furniture, cut from the replica's interstitial pages, put at the top of a real
# article page's body: the article is still there, so the page must still not be flagged.
FURNITURE = {
    "consent dialog": ("consent_wall.html", ".//main"),
    "login form": ("login_wall.html", ".//form"),
    "paywall box": ("paywall_teaser.html", ".//aside"),
    "captcha widget": ("captcha_hold.html", ".//div[@id='px-captcha']"),
}


def furniture() -> dict[str, bytes]:
    pieces = {}
    for kind, (page, path) in FURNITURE.items():
        source = ROOT / "replica" / "pages" / "blocked" / page
        tree = html.document_fromstring(source.read_bytes())
        element = tree.find(path)
        assert element is not None, (page, path)
        pieces[kind] = html.tostring(element)
    return pieces


def with_furniture(body: bytes, piece: bytes) -> html.HtmlElement | None:
    """The page's tree with `piece` first in its body (None if it has no body)."""
    tree = parse_page(body, "text/html")
    top = tree.find(".//body") if tree is not None else None
    if top is None:
        return None
    top.insert(0, html.fragment_fromstring(piece))
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "INTERSTITIAL.md")
    parser.add_argument("--every", type=int, default=5, help="time every Nth page's extraction")
    args = parser.parse_args()
    flagged: list[tuple[str, str]] = []
    pieces = furniture()
    furnished: dict[str, list[str]] = {kind: [] for kind in pieces}
    pages = timed = unparsed = 0
    extract_cpu = detect_cpu = 0.0
    for name in SETS:
        for number, path in enumerate(sorted((args.corpus / name / "html").glob("*.html.gz"))):
            body = gzip.decompress(path.read_bytes())
            page = f"{name}/{path.name.removesuffix('.html.gz')}"
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
                flagged.append((page, blocked.reason))
            for kind, piece in pieces.items():
                changed = with_furniture(body, piece)
                if changed is not None and find_interstitial(changed, visible_text(changed)):
                    furnished[kind].append(page)
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
        lines.append("")
    lines += [
        "The same pages with a wall's furniture put first in the body (the article still there):",
        "",
        "| furniture added | pages taken for an interstitial | which |",
        "| --- | ---: | --- |",
    ]
    lines += [
        f"| {kind} | {len(found)} ({100 * len(found) / max(pages, 1):.1f}%) | {', '.join(found)} |"
        for kind, found in furnished.items()
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
