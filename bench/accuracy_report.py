"""bench/ACCURACY.md from the judged cases: rates per copy kind and set against issue 13's
targets, verdict histograms, the worst cases, and the time the run took."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.accuracy_cases import EXPECTED, TAMPERED, UNTOUCHED, Case

SETS = ("dragnet", "l3s_gn1", "all")
# "error": the comparison raised (the harness records it and goes on).
VERDICTS = (
    "verbatim",
    "faithful",
    "excerpt",
    "modified",
    "foreign content",
    "unverifiable",
    "error",
)
FALSE_ALARM_TARGET = 0.02
DETECTION_TARGET = 0.99
EXACT_TARGET = 0.96
WORST = 10
REASON_SHOWN = 160
# How bad a verdict is on an untouched copy: the worst cases list the most misleading first.
SEVERITY = {"error": -1, "foreign content": 0, "modified": 1, "unverifiable": 2, "excerpt": 3}


@dataclass
class RunFacts:
    """What the report says about the run besides the cases."""

    commit: str
    corpus: str
    pages: dict[str, int]
    of_pages: int  # pages in the corpus; more than judged when the time limit cut the run short
    time_limit: float | None
    wall: float
    cpu: float
    compare_cpu: float
    chromium_seconds: float
    chromium_pages: int
    chromium_failed: dict[str, str]
    api_mismatches: list[str]
    command: str
    notes: list[str] = field(default_factory=list)
    crawl: list[str] = field(default_factory=list)


def _in_set(cases: Iterable[Case], kind: str, name: str) -> list[Case]:
    return [c for c in cases if c.kind == kind and (name == "all" or c.set == name)]


def _rate(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def _met(count: int, total: int, target: float, at_most: bool) -> str:
    if not total:
        return "-"
    value = count / total
    return "yes" if (value <= target if at_most else value >= target) else "**no**"


def _untouched_table(cases: Sequence[Case], kinds: Sequence[str]) -> list[str]:
    lines = [
        "| copy kind | set | copies | skipped | false alarms | rate | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for kind in kinds:
        for name in SETS:
            chosen = _in_set(cases, kind, name)
            judged = [c for c in chosen if c.verdict is not None]
            alarms = sum(not c.ok for c in judged)
            target = "never modified/foreign" if kind == "reader-mode" else "<= 2%"
            goal = 0.0 if kind == "reader-mode" else FALSE_ALARM_TARGET
            lines.append(
                f"| {kind} | {name} | {len(judged)} | {len(chosen) - len(judged)} | {alarms} |"
                f" {_rate(alarms, len(judged))} | {target} |"
                f" {_met(alarms, len(judged), goal, True)} |"
            )
    return lines


def _tampered_table(cases: Sequence[Case], kinds: Sequence[str]) -> list[str]:
    lines = [
        "| copy kind | expected | set | copies | skipped | detected | rate (>= 99%) | met |"
        " exact-right | rate (>= 96%) | met |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for kind in kinds:
        for name in SETS:
            chosen = _in_set(cases, kind, name)
            judged = [c for c in chosen if c.verdict is not None]
            found = sum(c.ok for c in judged)
            exact = sum(c.exact for c in judged)
            total = len(judged)
            lines.append(
                f"| {kind} | {EXPECTED[kind]} | {name} | {total} | {len(chosen) - total} |"
                f" {found} | {_rate(found, total)} | {_met(found, total, DETECTION_TARGET, False)}"
                f" | {exact} | {_rate(exact, total)} | {_met(exact, total, EXACT_TARGET, False)} |"
            )
    return lines


def _histogram(cases: Sequence[Case], kinds: Sequence[str]) -> list[str]:
    lines = [
        "| copy kind | set | " + " | ".join(VERDICTS) + " |",
        "| --- | --- |" + " ---: |" * len(VERDICTS),
    ]
    for kind in kinds:
        for name in SETS:
            counted = Counter(c.verdict for c in _in_set(cases, kind, name) if c.verdict)
            lines.append(f"| {kind} | {name} | " + " | ".join(str(counted[v]) for v in VERDICTS))
            lines[-1] += " |"
    return lines


def _cell(text: str) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= REASON_SHOWN else text[: REASON_SHOWN - 1] + "…"


def _worst(cases: Sequence[Case], kind: str) -> list[str]:
    judged = [c for c in cases if c.kind == kind and c.verdict is not None]
    if kind in EXPECTED:
        bad = [c for c in judged if not c.exact]
        bad.sort(key=lambda c: (c.ok, c.verdict == EXPECTED[kind], c.set, c.id))
    else:
        bad = [c for c in judged if not c.ok or (kind == "reader-mode" and c.verdict != "verbatim")]
        bad = [c for c in bad if c.verdict in SEVERITY]
        bad.sort(key=lambda c: (SEVERITY.get(c.verdict or "", 9), c.set, c.id))
    if not bad:
        return ["(none)"]
    lines = ["| page | verdict | first reason |", "| --- | --- | --- |"]
    for case in bad[:WORST]:
        lines.append(f"| {case.set}/{case.id} | {case.verdict} | {_cell(case.reason)} |")
    if len(bad) > WORST:
        lines.append(f"| ... | {len(bad) - WORST} more | |")
    return lines


def _skips(cases: Sequence[Case], kinds: Sequence[str]) -> list[str]:
    lines = []
    for kind in kinds:
        skipped = Counter(c.reason for c in cases if c.kind == kind and c.verdict is None)
        for reason, count in sorted(skipped.items()):
            lines.append(f"- `{kind}`: {count} page(s) skipped: {reason}")
    return lines or ["(none)"]


def render(cases: Sequence[Case], facts: RunFacts, method: str) -> str:
    kinds = sorted({c.kind for c in cases}, key=(UNTOUCHED + TAMPERED).index)
    untouched = [k for k in kinds if k in UNTOUCHED]
    tampered = [k for k in kinds if k in TAMPERED]
    pages = facts.pages
    out = [
        "# Accuracy on real pages",
        "",
        "Written by `bench/accuracy.py`; do not edit by hand (the method is in the last"
        " section, and was written with the harness).",
        "",
        f"- commit measured: `{facts.commit}`",
        f"- corpus: `{facts.corpus}`: {pages.get('dragnet', 0)} dragnet + "
        f"{pages.get('l3s_gn1', 0)} l3s_gn1 pages with gold text of 300 characters or more"
        + (
            f" (**{sum(pages.values())} of {facts.of_pages}**: the run's time limit of"
            f" {facts.time_limit:.0f} s cut it short; pages were taken in a fixed pseudo-random"
            " order, sha256 of set/id)"
            if sum(pages.values()) < facts.of_pages and facts.time_limit
            else ""
        ),
        f"- command: `{facts.command}`",
        f"- wall time {facts.wall:.0f} s; CPU time {facts.cpu:.0f} s (this process and its"
        f" workers); of it the workers' extraction and comparisons {facts.compare_cpu:.0f} s"
        f" ({1000 * facts.compare_cpu / max(1, sum(pages.values())):.0f} ms a page, every copy"
        " and the `compare_text` check included)",
        f"- Chromium: {facts.chromium_pages} page(s) loaded this run in"
        f" {facts.chromium_seconds:.0f} s (the rest from the cache); failed:"
        f" {len(facts.chromium_failed)}",
        f"- `compare_text` and the harness's extract-once path disagreed on the gold copy of"
        f" {len(facts.api_mismatches)} page(s)"
        + (": " + ", ".join(facts.api_mismatches[:10]) if facts.api_mismatches else ""),
        *[f"- {note}" for note in facts.notes],
        "",
        "## Untouched copies (expected verbatim or faithful)",
        "",
        "A false alarm is any other verdict; for `reader-mode` (scored apart) only modified and"
        " foreign content are false alarms, since a reader view may rightly be an excerpt.",
        "",
        *_untouched_table(cases, untouched),
        "",
        "## Tampered copies",
        "",
        "Detected: the verdict is neither verbatim nor faithful. Exact-right: the expected"
        " verdict, and the first reason quotes the changed text.",
        "",
        *_tampered_table(cases, tampered),
        "",
        "## Verdicts",
        "",
        *_histogram(cases, kinds),
        "",
        "## Skipped copies",
        "",
        *_skips(cases, kinds),
        "",
    ]
    if facts.crawl:
        out += ["## Crawl path against the library path", "", *facts.crawl, ""]
    out += ["## Worst cases per kind", ""]
    for kind in kinds:
        out += [f"### {kind}", "", *_worst(cases, kind), ""]
    out += ["## Method", "", method.strip(), ""]
    return "\n".join(out)
