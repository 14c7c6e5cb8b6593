"""One seed's page of the HTML report: verdict and reasons, coverage figures, seed and article
side by side, the evidence, and the seed's capture history."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, assert_never

from provenance.compare.evidence import RunKind
from provenance.compare.verdict import Verdict
from provenance.ledger.queries import HistoryItem
from provenance.ledger.store import LedgerEntry
from provenance.report.html.texts import SeedTexts, TextFromRecord
from provenance.report.html.unit_rows import (
    HEADLINE,
    OMITTED,
    Row,
    SeedUnit,
    build_rows,
    seed_units,
)
from provenance.report.screenshot_records import Screenshot
from provenance.report.who_changed import WhoChanged, capture_line, human_time
from provenance.text.normalize import NORMALIZER_VERSION
from provenance.text.segment import Unit, units

COUNT_LABELS = (
    ("matched", "matched"),
    ("edited", "edited"),
    ("furniture", "furniture"),
    ("foreign", "foreign"),
    ("omitted", "omitted"),
    ("left_out", "left out"),
    ("seed_units", "seed units"),
    ("article_units", "article units"),
)
# What each row kind is called on the page, and what the empty side of a one-sided row says.
KIND_TAGS = {
    "matched": "Matched",
    "edited": "Edited",
    "furniture": "Furniture",
    "foreign": "Foreign",
    OMITTED: "Omitted",
    HEADLINE: "Headline",
}
_ABSENT = {
    "furniture": "Not article text: the page shows it outside the article (page furniture).",
    "foreign": "Not found anywhere on the archived page.",
    OMITTED: "Not in the seed: this article sentence is missing from the copy.",
    HEADLINE: "Not in the seed: the article's headline (leaving it out is not an omission).",
}


@dataclass(frozen=True)
class SeedPage:
    entry: LedgerEntry
    anchor: str
    texts: SeedTexts
    history: Sequence[HistoryItem]  # this seed in every run of the ledger, oldest first
    who: WhoChanged  # whether the copy, the source, or both changed
    screenshot: Screenshot | None = None  # the page rendered from the archive (`warcproof qa`)


def e(value: object) -> str:
    return escape(str(value), quote=True)


def verdict_icon(verdict: Verdict) -> str:
    """Every verdict has its icon: a new verdict fails type checking here until it gets one."""
    match verdict:
        case Verdict.VERBATIM | Verdict.FAITHFUL:
            return "\u2714"
        case Verdict.EXCERPT:
            return "\u2702"
        case Verdict.MODIFIED:
            return "\u270e"
        case Verdict.FOREIGN:
            return "\u2716"
        case Verdict.UNVERIFIABLE:
            return "?"
        case _:
            assert_never(verdict)


def verdict_badge(verdict: Verdict) -> str:
    icon = verdict_icon(verdict)
    css = "verdict-" + verdict.replace(" ", "-")
    return (
        f'<span class="badge {e(css)}" data-verdict="{e(verdict)}">'
        f'<span aria-hidden="true">{icon} </span>{e(verdict.upper())}</span>'
    )


def _screenshot(shot: Screenshot | None) -> str:
    """The page as rendered from the archive, beside the verdict's reasons."""
    if shot is None:
        return ""
    data = base64.b64encode(shot.png()).decode("ascii")
    return (
        '<figure class="screenshot" style="float:right;width:min(40%,360px);margin:0 0 1em 1em">'
        f'<a href="data:image/png;base64,{data}" download="screenshot.png">'
        f'<img src="data:image/png;base64,{data}" style="width:100%;border:1px solid #999" '
        'alt="The source page as rendered from the archive"></a>'
        '<figcaption class="meta">The page rendered from the archive alone (headless '
        f"Chromium): <code>{e(shot.uri)}</code>, record <code>{e(shot.record_id)}</code>"
        "</figcaption></figure>"
    )


def seed_section(
    page: SeedPage, previous: str | None, following: str | None, summary: str = "#summary"
) -> str:
    """The seed's section; `previous`, `following` and `summary` are the hrefs of the seeds
    beside it and of the summary (anchors in one file, pages in a folder)."""
    entry = page.entry
    verdict = entry.verdict
    capture = entry.capture
    source = capture.source_url if capture and capture.source_url else None
    parts = [
        f'<section class="seed" id="{e(page.anchor)}" data-seed="{e(verdict.seed_id)}" '
        f'aria-labelledby="{e(page.anchor)}-h">',
        f'<h2 id="{e(page.anchor)}-h" tabindex="-1">Seed {e(verdict.seed_id)} '
        f"{verdict_badge(verdict.verdict)}{_who_tag(page.who)}</h2>",
        _who_statement(page.who),
        _pager(summary, previous, following),
        f'<p class="meta">Source: {url_link(source) if source else "unknown"}'
        f" \u00b7 {e(capture_line(capture))}</p>",
        _screenshot(page.screenshot),
        "<h3>Why</h3>",
        '<ul class="reasons">' + "".join(f"<li>{e(r)}</li>" for r in verdict.reasons) + "</ul>",
        _counts_table(verdict.counts),
        _comparison(page),
        _evidence(page),
        _history(page),
        "</section>",
    ]
    return "\n".join(part for part in parts if part)


# Who changed the text, as the seed's heading tags it (a copy changed and a source changed
# must never look alike).
WHO_TAGS = {
    "copy": "the copy was changed",
    "source": "the source changed",
    "both": "the copy and the source changed",
}


def _who_tag(who: WhoChanged) -> str:
    if not who.kind:
        return ""
    kind = e(who.kind)
    return f' <span class="who who-{kind}" data-who="{kind}">{e(WHO_TAGS[who.kind])}</span>'


def _who_statement(who: WhoChanged) -> str:
    if not who.kind:
        return ""
    return f'<p class="who-statement who-{e(who.kind)}" role="note">{e(who.statement())}</p>'


def coverage(counts: Mapping[str, int]) -> str:
    """Seed units found in the article text out of those that are not page furniture, and the
    furniture apart, e.g. "13 of 13 (100%); 22 furniture": furniture is not a shortfall."""
    found = counts.get("matched", 0) + counts.get("edited", 0)
    furniture = counts.get("furniture", 0)
    total = counts.get("seed_units", 0) - furniture
    if total <= 0:
        return f"{furniture} furniture only" if furniture else "not compared"
    shown = f"{found} of {total} ({100 * found // total}%)"
    return f"{shown}; {furniture} furniture" if furniture else shown


def _pager(summary: str, previous: str | None, following: str | None) -> str:
    links = [f'<a href="{e(summary)}">Back to the summary</a>']
    if previous:
        links.append(f'<a href="{e(previous)}" rel="prev">Previous seed</a>')
    if following:
        links.append(f'<a href="{e(following)}" rel="next">Next seed</a>')
    return '<nav class="pager" aria-label="Seeds">' + "".join(links) + "</nav>"


def url_link(url: str) -> str:
    """A link to an http(s) URL; any other URL (`javascript:`, `data:`, from a hostile archive)
    is shown as text, never as a link."""
    if url.strip().lower().startswith(("http://", "https://")):
        return f'<a class="url" href="{e(url)}" rel="noreferrer">{e(url)}</a>'
    return f'<span class="url">{e(url)}</span>'


def _counts_table(counts: Mapping[str, int]) -> str:
    items = "".join(
        f'<div><dt>{e(label)}</dt><dd data-count="{e(key)}">{e(counts.get(key, 0))}</dd></div>'
        for key, label in COUNT_LABELS
    )
    return (
        f'<dl class="counts">{items}</dl><p class="meta">Units are sentences or short lines. '
        f"Seed units found in the article text (page furniture apart): {e(coverage(counts))}."
        "</p>"
    )


def _comparison(page: SeedPage) -> str:
    evidence = page.entry.evidence
    assessment = evidence.assessment
    seed = seed_units(assessment)
    texts = page.texts
    notes = [
        f"The {name} text could not be read from the collection: {text.problem}"
        for name, text in (("seed", texts.seed), ("article", texts.article))
        if text.problem and (name == "seed" or page.entry.verdict.conversion_record_id)
    ]
    if not seed:
        return _full_texts(texts, notes)
    article = units(texts.article.text) if texts.article.text is not None else []
    counted = page.entry.verdict.counts.get("article_units", 0)
    if article and len(article) != counted:
        notes.append(
            f"The archived article text now splits into {len(article)} units, not the "
            f"{counted} the verdict counted (normalizer then: {evidence.normalizer}, "
            f"now: {NORMALIZER_VERSION}); only the seed side is shown."
        )
        article = []
    if texts.seed.text is not None and [u.text for u in units(texts.seed.text)] != [
        u.text for u in seed
    ]:
        notes.append(
            "The archived seed text does not split into the units the verdict was decided "
            "on; the units below are those recorded with the verdict."
        )
    # Article units the seed lacks: core text (omitted) and periphery it may leave out alike
    # get a row, so every article unit is shown once.
    lacking = [*assessment.get("omitted", []), *assessment.get("left_out", [])]
    omitted = frozenset(int(u["index"]) for u in lacking)
    rows = build_rows(seed, article, omitted, bool(assessment.get("omitted_title")))
    body = "".join(
        _row(row, previous) for row, previous in zip(rows, [None, *rows][: len(rows)], strict=True)
    )
    return (
        "<h3>Seed and source article, side by side</h3>"
        + "".join(f'<p class="note">{e(n)}</p>' for n in notes)
        + '<table class="align"><colgroup><col class="c-tag"><col><col></colgroup>'
        '<thead><tr><th scope="col">Unit</th><th scope="col">Seed (the copy)</th>'
        '<th scope="col">Source article (archived page)</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _full_texts(texts: SeedTexts, notes: list[str]) -> str:
    def column(title: str, text: TextFromRecord) -> str:
        inner = (
            f'<pre class="fulltext">{e(text.text)}</pre>'
            if text.text is not None
            else '<p class="absent">Not available.</p>'
        )
        return f"<div><h4>{e(title)}</h4>{inner}</div>"

    return (
        "<h3>Texts (not compared unit by unit)</h3>"
        + "".join(f'<p class="note">{e(n)}</p>' for n in notes)
        + '<div class="cols">'
        + column("Seed (the copy)", texts.seed)
        + column("Source article (archived page)", texts.article)
        + "</div>"
    )


def _row(row: Row, previous: Row | None) -> str:
    new_paragraph = bool(
        row.seed
        and previous
        and previous.seed
        and row.seed[0].paragraph != previous.seed[-1].paragraph
    )
    classes = f"k-{row.kind}" + (" para" if new_paragraph else "")
    tag = f'<span class="t-{e(row.kind)}">{e(KIND_TAGS.get(row.kind, row.kind))}</span>'
    if row.kind == "edited" and row.seed:
        tag += f'<span class="sim">similarity {_percent(row.seed[0].similarity)}</span>'
    elif row.kind == "matched" and (len(row.seed) > 1 or len(row.article) > 1):
        tag += '<span class="sim">split differently</span>'
    if row.kind == "edited" and len(row.seed) == 1 and len(row.article) == 1:
        seed_diff, article_diff = _diff(row.seed[0].diff)
        seed_html = _seed_span(row.seed[0], seed_diff)
        article_html = _article_span(row.article[0], row.kind, article_diff)
    else:
        seed_html = " ".join(_seed_span(u, e(u.text)) for u in row.seed)
        article_html = " ".join(_article_span(u, row.kind, e(u.text)) for u in row.article)
    absent = f'<span class="absent">{e(_ABSENT.get(row.kind, ""))}</span>'
    return (
        f'<tr class="{classes}" data-kind="{e(row.kind)}"><td class="tag">{tag}</td>'
        f'<td class="s"><span class="side">Seed</span>{seed_html or absent}</td>'
        f'<td class="a"><span class="side">Source article</span>{article_html or absent}</td></tr>'
    )


def _percent(fraction: float) -> str:
    """Rounded down, so an edit never reads as 100% similar."""
    return f"{math.floor(fraction * 1000) / 10:.1f}%"


def _seed_span(unit: SeedUnit, inner: str) -> str:
    return (
        f'<span class="u" data-seed-unit="{unit.index}" data-class="{e(unit.cls)}">{inner}</span>'
    )


def _article_span(unit: Unit, kind: str, inner: str) -> str:
    state = kind if kind in (OMITTED, HEADLINE) else "paired"
    return f'<span class="u" data-article-unit="{unit.index}" data-state="{state}">{inner}</span>'


def _diff(ops: Sequence[tuple[str, str, str]]) -> tuple[str, str]:
    """Both sides of an edit: text only the seed has struck through, text only the page has
    underlined, each with a word for screen readers."""
    seed: list[str] = []
    article: list[str] = []
    for op, seed_text, article_text in ops:
        if op == "equal":
            seed.append(e(seed_text))
            article.append(e(article_text))
            continue
        if seed_text:
            seed.append(f'<del><span class="side-sr">[seed:] </span>{e(seed_text)}</del>')
        if article_text:
            article.append(f'<ins><span class="side-sr">[page:] </span>{e(article_text)}</ins>')
    return "".join(seed), "".join(article)


def _evidence(page: SeedPage) -> str:
    verdict = page.entry.verdict
    capture = page.entry.capture
    evidence = page.entry.evidence
    seed, extraction = evidence.seed, evidence.extraction
    items: list[tuple[str, str]] = []
    if capture is not None:
        redirects = " \u2192 ".join(url_link(url) for url in capture.redirects) or "none"
        items += [
            ("Source URL", url_link(capture.source_url) if capture.source_url else "unknown"),
            ("Fetched URL", url_link(capture.fetched_url)),
            ("Redirects", redirects),
            ("Fetched from", e(f"{capture.source_kind}, HTTP status {capture.status}")),
            ("Captured at", f"<time>{e(capture.captured_at)}</time>"),
            ("WARC file", _code(capture.warc_file)),
            (
                "Response record",
                f"{_code(capture.response_record_id)} at offset {e(capture.warc_offset)} "
                f"({e(capture.warc_length)} bytes stored)",
            ),
            ("Request record", _code(capture.request_record_id or "none")),
            ("Payload digest", _code(capture.payload_digest or "none")),
        ]
        items += _tls_items(page.texts.tls)
    if evidence.source.error:
        items.append(("Fetch problem", e(evidence.source.error)))
    intact = (
        "matches the digest pinned in the manifest"
        if seed.intact
        else f"DIFFERS from the digest pinned in the manifest ({seed.sha256_pinned})"
    )
    items += [
        ("Seed file", _code(seed.file or "unknown")),
        ("Seed sha256", f"{_code(verdict.seed_sha256 or 'none')}: {e(intact)}"),
        ("Seed record (resource)", _record(page.texts.seed, "the seed's exact bytes")),
        ("Seed, normalized", _code(verdict.seed_digest or "none")),
        ("Article record (conversion)", _record(page.texts.article, "the extracted article")),
        ("Article, normalized", _code(verdict.article_digest or "none")),
        (
            "Extractor",
            e(verdict.extractor or "none") + _options(extraction.options if extraction else None),
        ),
    ]
    if extraction:
        items += [
            ("Page encoding", e(f"{extraction.encoding} ({extraction.encoding_how})")),
            ("Page title", e(extraction.title or "none")),
        ]
    items += [
        ("Normalizer", e(verdict.normalizer or "none")),
        ("Metadata record", _code(verdict.metadata_record_id or "none")),
        ("Crawl", e(page.entry.crawl_id)),
        ("Decided at", f"<time>{e(page.entry.decided_at)}</time>"),
    ]
    rows = "".join(f"<dt>{e(label)}</dt><dd>{value}</dd>" for label, value in items)
    return (
        '<details open class="evidence"><summary>Evidence</summary>'
        f'<dl class="evidence">{rows}</dl></details>'
    )


def _tls_items(tls: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The connection an HTTPS capture came over, from its TLS evidence record."""
    if tls is None:
        return []
    certs: list[Mapping[str, Any]] = list(tls.get("certificates") or [])
    connection = (
        f"{tls.get('tls_version')}, cipher {tls.get('cipher')} ({tls.get('cipher_bits')} bits)"
        if tls.get("tls_version")
        else "not recorded"
    )
    items = [("TLS connection", e(connection))]
    for number, cert in enumerate(certs):
        label = "Server certificate" if number == 0 else f"Chain certificate {number}"
        items.append(
            (
                label,
                f"{e(cert.get('subject'))}, issued by {e(cert.get('issuer'))}, valid "
                f"{e(cert.get('not_before'))} to {e(cert.get('not_after'))}, sha256 "
                f"{_code(cert.get('sha256'))}",
            )
        )
    return items


def _code(value: object) -> str:
    return f'<code class="id">{e(value)}</code>'


def _options(options: object) -> str:
    if not isinstance(options, Mapping) or not options:
        return ""
    listed = ", ".join(f"{key}={value}" for key, value in options.items())
    return f'<br><span class="muted">options: {e(listed)}</span>'


def _record(text: TextFromRecord, what: str) -> str:
    if text.record_id is None:
        return e(text.problem or "none")
    found = f" in {e(text.location)}" if text.location else ""
    if text.digest_ok and text.problem is None:
        check = f"\u2714 verified: the record holds {e(what)} with the digest in the ledger"
    else:
        check = f"\u2716 problem: {e(text.problem or 'digest mismatch')}"
    return f"{_code(text.record_id)}{found}<br>{check}"


def _history(page: SeedPage) -> str:
    if len(page.history) < 2:
        return ""
    rows = []
    previous: HistoryItem | None = None
    for item in page.history:
        here = item.crawl_id == page.entry.crawl_id
        label = f"{item.crawl_id}" + (" (this report)" if here else "")
        if item.run is RunKind.REVERIFICATION:
            label += " (re-verified offline)"
        rows.append(
            ('<tr aria-current="true">' if here else "<tr>") + f'<td class="num">{e(label)}</td>'
            f"<td>{e(human_time(item.captured_at) if item.captured_at else 'not captured')}</td>"
            f"<td>{verdict_badge(item.verdict)}</td>"
            f"<td>{_code(item.payload_digest or 'none')}</td>"
            f"<td>{_code(item.article_digest or 'none')}</td>"
            f"<td>{e(_changes(previous, item))}</td></tr>"
        )
        previous = item
    return (
        f"<details open><summary>Capture history ({len(page.history)} crawls)</summary>"
        '<div class="scroll" role="region" aria-label="Capture history" tabindex="0">'
        '<table class="history"><thead><tr><th scope="col" class="num">Crawl</th>'
        '<th scope="col">Captured at</th><th scope="col">Verdict</th>'
        '<th scope="col">Page payload digest</th><th scope="col">Article text digest</th>'
        '<th scope="col">Change since the crawl before</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


def _changes(previous: HistoryItem | None, item: HistoryItem) -> str:
    if previous is None:
        return "first crawl of this seed"
    changes = []
    if previous.verdict != item.verdict:
        changes.append(f"verdict was {previous.verdict}")
    if previous.payload_digest != item.payload_digest:
        changes.append("page bytes changed")
    if previous.article_digest != item.article_digest:
        changes.append("article text changed")
    if previous.seed_sha256 != item.seed_sha256:
        changes.append("seed file changed")
    return "; ".join(changes) or "no change"
