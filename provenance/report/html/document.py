"""`warcproof report --html`: the provenance report people look at, as one self-contained HTML
file (inline style, optional inline script, no network), built from the collection alone: the
ledger for verdicts and evidence, the WARC files for the seed and article texts.

It opens with a summary of every seed and gives each seed its own page (printed on its own
sheet): verdict, reasons, counts, seed and article side by side, evidence, capture history."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from provenance.compare.verdict import Verdict
from provenance.errors import ProvenanceError
from provenance.ledger.queries import ReportLedger
from provenance.report.html.seed_section import (
    COUNT_LABELS,
    KIND_TAGS,
    SeedPage,
    coverage,
    e,
    seed_section,
    verdict_badge,
)
from provenance.report.html.style import SCRIPT, STYLE
from provenance.report.html.texts import CollectionTexts
from provenance.report.summary import open_ledger
from provenance.report.who_changed import WhoChanged, capture_line, human_time, one_line_reason

VERDICT_MEANINGS = (
    (Verdict.VERBATIM, "The seed is the article text on the page, exactly."),
    (Verdict.FAITHFUL, "The seed's article text matches exactly; the rest is page furniture."),
    (
        Verdict.EXCERPT,
        "All of the seed is in the article, but some article text is missing from it.",
    ),
    (Verdict.MODIFIED, "Some sentences of the seed read differently on the page."),
    (Verdict.FOREIGN, "The seed holds text that is nowhere on the page."),
    (Verdict.UNVERIFIABLE, "The seed could not be compared (no source, no page, or no article)."),
)
UNIT_MEANINGS = (
    ("matched", "The seed sentence is in the article text, word for word."),
    (
        "edited",
        "The sentence differs from the article's: text only the seed has is "
        "<del>struck through</del>, text only the page has is <ins>underlined</ins>.",
    ),
    ("furniture", "On the page, but outside the article: menus, captions, bylines, buttons."),
    ("foreign", "Not on the archived page at all."),
    ("omitted", "An article sentence that the seed leaves out."),
    ("headline", "The article's headline, left out of the seed (not counted as an omission)."),
)

Progress = Callable[[int, int], None]  # (seeds done, seeds in total)


class HtmlReportError(ProvenanceError):
    """The report cannot be written where it was asked for."""


@dataclass(frozen=True)
class HtmlReport:
    collection: Path
    crawl_id: int | None
    pages: Sequence[SeedPage]


def seed_pages(
    ledger: ReportLedger, collection: Path, crawl_id: int | None = None
) -> Iterator[SeedPage]:
    """Each shown seed's page, one at a time (by default each seed's newest crawl; its
    re-verifications show in its history): the ledger for verdicts and evidence, a light
    query for the history, the WARC files for the texts, TLS evidence and screenshot."""
    texts = CollectionTexts(collection)
    previous, repeat = None, 0
    for row in ledger.report_rows(crawl_id):
        entry = row.entry
        seed_id = entry.verdict.seed_id
        # Rows come by seed id, so a seed verified twice in one crawl comes twice in a row;
        # "~" is in no seed id, so "seed-ID~2" is no other seed's anchor.
        repeat = repeat + 1 if seed_id == previous else 1
        previous = seed_id
        anchor = f"seed-{seed_id}" + (f"~{repeat}" if repeat > 1 else "")
        who = WhoChanged.of(entry, ledger.seed_changes(entry.crawl_id, seed_id))
        shot = texts.screenshot(entry.capture.response_record_id) if entry.capture else None
        history = ledger.history(seed_id)
        yield SeedPage(entry, anchor, texts.texts(entry), history, who, shot)


def load_report(
    collection: Path,
    crawl_id: int | None = None,
    progress: Progress | None = None,
    ledger: ReportLedger | None = None,
) -> HtmlReport:
    """Everything the one-file report shows, from ``collection`` (its ledger and WARC files),
    in memory: for small collections (a large one gets a folder, provenance.report.html.folder).
    """
    with ExitStack() as stack:
        if ledger is None:
            ledger = stack.enter_context(closing(open_ledger(collection, crawl_id)))
        total = ledger.seed_count(crawl_id)
        pages = []
        for done, page in enumerate(seed_pages(ledger, collection, crawl_id), 1):
            pages.append(page)
            if progress is not None:
                progress(done, total)
    return HtmlReport(collection, crawl_id, pages)


def render(report: HtmlReport, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    pages = report.pages
    anchors = [page.anchor for page in pages]
    sections = [
        seed_section(
            page,
            f"#{anchors[k - 1]}" if k > 0 else None,
            f"#{anchors[k + 1]}" if k + 1 < len(anchors) else None,
        )
        for k, page in enumerate(pages)
    ]
    crawl = shown_crawls(report)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light">',
            f"<title>warcproof provenance report: {e(report.collection.name)}, {e(crawl)}</title>",
            f"<style>{STYLE}</style></head><body>",
            '<a class="skip" href="#summary">Skip to the summary of seeds</a>',
            "<header><h1>Provenance report</h1>",
            f'<p class="meta">Collection <code>{e(report.collection)}</code> \u00b7 {e(crawl)} '
            f"\u00b7 generated {e(human_time(generated.isoformat()))} by warcproof "
            f"{e(version('warcproof'))}</p>",
            '<p class="meta keys">Keys: <kbd>n</kbd> next seed, <kbd>p</kbd> previous seed.</p>',
            "</header>",
            '<main id="main">',
            _summary(pages),
            legend(),
            _controls(pages),
            *sections,
            "</main>",
            '<footer><p class="meta">Built from the collection alone: the verdicts, counts and '
            "evidence come from its ledger, the seed and article texts from its WARC files."
            "</p></footer>",
            f"<script>{SCRIPT}</script>",
            "</body></html>",
        ]
    )


def write_html_report(
    collection: Path,
    out: Path,
    crawl_id: int | None = None,
    progress: Progress | None = None,
    ledger: ReportLedger | None = None,
) -> HtmlReport:
    """Build the one-file report and write it to ``out`` (whole or not at all)."""
    report = load_report(collection, crawl_id, progress, ledger)
    document = render(report)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        raise HtmlReportError(f"{out}: cannot write the report there: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(document)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise HtmlReportError(f"{out}: cannot write the report: {exc.strerror}") from None
    return report


def _summary(pages: Sequence[SeedPage]) -> str:
    if not pages:
        return (
            '<section id="summary" tabindex="-1"><h2>Seeds</h2>'
            "<p>No verdicts recorded.</p></section>"
        )
    tally: dict[str, int] = {}
    for page in pages:
        tally[page.entry.verdict.verdict] = tally.get(page.entry.verdict.verdict, 0) + 1
    totals = ", ".join(f"{n} {verdict}" for verdict, n in sorted(tally.items()))
    head = "".join(f'<th scope="col" class="num">{e(label)}</th>' for _, label in COUNT_LABELS)
    rows = []
    for page in pages:
        verdict, capture = page.entry.verdict, page.entry.capture
        source = capture.source_url if capture and capture.source_url else None
        cells = "".join(
            f'<td class="num"><span class="side">{e(label)} </span>'
            f'<span data-count="{e(key)}">{e(verdict.counts.get(key, 0))}</span></td>'
            for key, label in COUNT_LABELS
        )
        rows.append(
            f'<tr data-seed="{e(verdict.seed_id)}">'
            f'<th scope="row"><a href="#{e(page.anchor)}">{e(verdict.seed_id)}</a></th>'
            f"<td>{verdict_badge(verdict.verdict)}</td>"
            f'<td class="src"><span class="url">{e(source or "unknown")}</span><br>'
            f'<span class="muted">{e(capture_line(capture))}</span></td>'
            f'<td class="why" data-who="{e(page.who.kind)}">'
            f"{e(one_line_reason(page.entry, page.who))}</td>"
            f'{cells}<td class="num"><span class="side">in the article </span>'
            f"{e(coverage(verdict.counts))}</td></tr>"
        )
    return (
        '<section id="summary" tabindex="-1" aria-labelledby="summary-h">'
        f'<h2 id="summary-h">Seeds</h2><p>{len(pages)} seed(s): {e(totals)}.</p>'
        '<div class="scroll" role="region" aria-label="Summary of seeds" tabindex="0">'
        '<table class="summary"><caption class="muted">Counts are of units (sentences, or '
        "short lines); \u201cin the article\u201d: the seed units found in the article text, "
        "out of those that are not page furniture."
        "</caption>"
        '<thead><tr><th scope="col">Seed</th><th scope="col">Verdict</th>'
        '<th scope="col">Source and capture time</th><th scope="col">Why</th>'
        f'{head}<th scope="col">In the article</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def legend() -> str:
    verdicts = "".join(
        f"<dt>{verdict_badge(verdict)}</dt><dd>{e(meaning)}</dd>"
        for verdict, meaning in VERDICT_MEANINGS
    )
    kinds = "".join(
        f'<dt class="tag"><span class="t-{kind}">{e(KIND_TAGS[kind])}</span></dt><dd>{meaning}</dd>'
        for kind, meaning in UNIT_MEANINGS  # meanings are trusted markup written above
    )
    return (
        '<details class="legend" open><summary>How to read this report</summary>'
        f'<h3>Verdicts</h3><dl class="legend">{verdicts}</dl>'
        "<h3>Units</h3><p>Seed and article are cut into units (sentences, or short lines) "
        "after the same normalization (quotes, dashes and spaces made uniform). Each row of a "
        "seed's comparison shows a seed unit beside the article unit it matches, or one side "
        f'alone.</p><dl class="legend">{kinds}</dl></details>'
    )


def _controls(pages: Sequence[SeedPage]) -> str:
    if not pages:
        return ""
    return (
        '<p class="controls"><input type="checkbox" id="only-differences"> '
        '<label for="only-differences">Show only the differences (hide matched units)</label>'
        "</p>"
    )


def shown_crawls(report: HtmlReport) -> str:
    """Which crawl(s) the report shows: one chosen, or each seed's newest."""
    crawls = sorted({page.entry.crawl_id for page in report.pages})
    if not crawls:
        return "no verdicts recorded"
    if report.crawl_id is not None:
        return f"crawl {report.crawl_id}"
    if len(crawls) == 1:
        return f"crawl {crawls[0]}"
    return "each seed's latest crawl (" + ", ".join(str(c) for c in crawls) + ")"
