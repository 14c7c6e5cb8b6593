"""The verdict on one seed, drawn from its alignment, with reasons a reader can check by eye."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from provenance.compare.align import (
    Alignment,
    DiffOp,
    SeedUnitResult,
    UnitClass,
    punctuation_only,
)
from provenance.text.normalize import NORMALIZER_RULES, NORMALIZER_VERSION
from provenance.text.segment import Unit

_CONTEXT_WORDS = 3  # words of unchanged text shown either side of an edit
_QUOTE_LIMIT = 300  # longest text quoted in full in a reason
_FURNITURE_LIMIT = 80  # furniture is listed, not read: keep each item short
_COUNT_KEYS = (
    "matched",
    "edited",
    "furniture",
    "foreign",
    "omitted",
    "left_out",
    "seed_units",
    "article_units",
)
_WORD = re.compile(r"\S+")


class Verdict(StrEnum):
    VERBATIM = "verbatim"
    FAITHFUL = "faithful"
    EXCERPT = "excerpt"
    MODIFIED = "modified"
    FOREIGN = "foreign content"
    UNVERIFIABLE = "unverifiable"


# The verdicts that say the seed is a true copy of its source.
SOUND = frozenset({Verdict.VERBATIM, Verdict.FAITHFUL})


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reasons: tuple[str, ...]  # plain-English sentences naming the text concerned
    counts: Mapping[str, int]  # matched, edited, furniture, foreign, omitted, seed/article units
    alignment: Alignment | None
    # The evidence as JSON, for an assessment detached from its alignment (`detached`).
    serialised: str | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable evidence: verdict, reasons, counts, every seed unit, omissions."""
        if self.alignment is None and self.serialised is not None:
            return dict(json.loads(self.serialised))
        return _evidence(self)

    @cached_property
    def evidence_json(self) -> str:
        """`to_dict()` serialised (compact, non-ASCII kept)."""
        if self.serialised is not None:
            return self.serialised
        return json.dumps(_evidence(self), ensure_ascii=False, separators=(",", ":"))

    def detached(self) -> Assessment:
        """The same assessment holding its evidence as JSON instead of the alignment: one
        string travels between processes where the alignment is thousands of objects."""
        return Assessment(self.verdict, self.reasons, self.counts, None, self.evidence_json)

    def unit_classes(self) -> list[tuple[int, UnitClass, str]]:
        """(index, class, text) of every seed unit."""
        if self.alignment is not None:
            return [(r.unit.index, r.cls, r.unit.text) for r in self.alignment.seed_units]
        units = self.to_dict()["seed_units"]
        assert isinstance(units, list)
        return [(u["index"], UnitClass(u["class"]), u["text"]) for u in units]


def _evidence(assessment: Assessment) -> dict[str, object]:
    alignment = assessment.alignment
    return {
        "verdict": assessment.verdict.value,
        "reasons": list(assessment.reasons),
        "counts": dict(assessment.counts),
        "omitted_title": alignment.omitted_title if alignment else False,
        "seed_units": [_result_dict(r) for r in alignment.seed_units] if alignment else [],
        "omitted": [_unit_dict(u) for u in alignment.omitted] if alignment else [],
        "left_out": [{**_unit_dict(u), "role": role} for u, role in alignment.left_out]
        if alignment
        else [],
        "normalizer": {"version": NORMALIZER_VERSION, "treats_as_equal": list(NORMALIZER_RULES)},
        "paragraph_map": [list(p) for p in alignment.paragraph_map] if alignment else [],
    }


MAX_LISTED = 12


def assess(alignment: Alignment) -> Assessment:
    """Judge an alignment: the most severe finding decides the verdict."""
    counts = _counts(alignment)
    if not alignment.article_units:
        reason = (
            "No article text was found on the page, so there is nothing to check the seed against."
        )
        return Assessment(Verdict.UNVERIFIABLE, (reason,), counts, alignment)
    if not alignment.seed_units:
        reason = "The seed has no text to check."
        return Assessment(Verdict.UNVERIFIABLE, (reason,), counts, alignment)

    def of(cls: UnitClass) -> list[SeedUnitResult]:
        return [r for r in alignment.seed_units if r.cls is cls]

    foreign, edited, furniture = (
        of(UnitClass.FOREIGN),
        of(UnitClass.EDITED),
        of(UnitClass.FURNITURE),
    )
    reasons = _listed(
        "Not on the page: {}", [_quote(r.unit.text) for r in foreign], "not on the page"
    )
    reasons += _listed("{}", [_edit_reason(r.diff) for r in edited], "edited")
    reasons += _listed(
        "Missing from the seed: {}",
        [_quote(" ".join(u.text for u in run)) for run in _gaps_largest_first(alignment.omitted)],
        "missing",
    )
    if alignment.omitted_title:
        headline = " ".join(u.text for u in alignment.article_units if u.paragraph == 0)
        reasons.append(
            f"The seed lacks the headline {_quote(headline)}; that alone is not an omission."
        )
    loose = [r for r in alignment.seed_units if r.cls is UnitClass.MATCHED and r.diff]
    spacing = [r for r in loose if punctuation_only(r.diff)]
    if spacing:
        reasons += _listed(
            "Punctuation or spacing only: {}", [_edit_reason(r.diff) for r in spacing], "such"
        )
    if labels := [r for r in loose if not punctuation_only(r.diff)]:
        reasons += _listed(
            "Only labels of links or images left out or run into the text: {}",
            [_edit_reason(r.diff) for r in labels],
            "such",
        )
    if furniture:
        texts = dict.fromkeys(r.unit.text for r in furniture)  # a doubled caption is listed once
        items = ", ".join(_quote(text, _FURNITURE_LIMIT) for text in texts)
        reasons.append(f"Page furniture (not article text): {items}")
    if alignment.left_out:
        roles = dict.fromkeys(
            f"{role} {_quote(u.text, _FURNITURE_LIMIT)}" for u, role in alignment.left_out
        )
        shown = list(roles)[:MAX_LISTED]
        more = f" and {len(roles) - len(shown)} more" if len(roles) > len(shown) else ""
        reasons.append(
            "Not in the copy, outside the article's core text: " + ", ".join(shown) + more
        )

    if foreign:
        verdict = Verdict.FOREIGN
    elif edited:
        verdict = Verdict.MODIFIED
    elif alignment.omitted:
        verdict = Verdict.EXCERPT
    elif furniture or alignment.left_out or loose:
        verdict = Verdict.FAITHFUL
        reasons.append("Everything else in the seed matches the article text on the page exactly.")
    else:
        verdict = Verdict.VERBATIM
        reasons.append("The seed matches the article text on the page exactly.")
    return Assessment(verdict, tuple(reasons), counts, alignment)


def _gaps_largest_first(omitted: Sequence[Unit]) -> list[list[Unit]]:
    """Omitted units as passages (runs of consecutive units), the one with the most text first:
    a missing paragraph outranks a stray line the extractor kept, and reads as one passage
    with the list number or subheading before it."""
    runs: list[list[Unit]] = []
    for unit in omitted:
        if runs and runs[-1][-1].index + 1 == unit.index:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    runs.sort(key=lambda run: -sum(len(u.text) for u in run))
    return runs


def _listed(template: str, texts: list[str], kind: str) -> list[str]:
    """One reason per distinct text (repeats counted), at most MAX_LISTED of them; the evidence
    keeps every unit."""
    counted = Counter(texts)
    lines = [
        template.format(text) + (f" (x{n})" if n > 1 else "")
        for text, n in list(counted.items())[:MAX_LISTED]
    ]
    rest = sum(list(counted.values())[MAX_LISTED:])
    if rest:
        lines.append(f"... and {rest} more {kind} unit(s): the evidence lists every one.")
    return lines


def unverifiable(reason: str) -> Assessment:
    """An assessment for a seed that could not be compared at all (no page, no article text)."""
    counts = dict.fromkeys(_COUNT_KEYS, 0)
    return Assessment(Verdict.UNVERIFIABLE, (reason,), counts, None)


def _counts(alignment: Alignment) -> Mapping[str, int]:
    counts = dict.fromkeys(_COUNT_KEYS, 0)
    for result in alignment.seed_units:
        counts[result.cls.value] += 1
    counts["omitted"] = len(alignment.omitted)
    counts["left_out"] = len(alignment.left_out)
    counts["seed_units"] = len(alignment.seed_units)
    counts["article_units"] = len(alignment.article_units)
    return counts


def _edit_reason(ops: Sequence[DiffOp]) -> str:
    changed = [k for k, op in enumerate(ops) if op.op != "equal"]
    first, last = changed[0], changed[-1]
    before = ops[first - 1].seed if first > 0 else ""
    after = ops[last + 1].seed if last + 1 < len(ops) else ""
    lead, tail = _last_words(before), _first_words(after)
    seed = lead + "".join(op.seed for op in ops[first : last + 1]) + tail
    article = lead + "".join(op.article for op in ops[first : last + 1]) + tail
    return f"Edited: {_quote(seed)} reads {_quote(article)} on the page"


def _last_words(text: str) -> str:
    starts = [m.start() for m in _WORD.finditer(text)]
    if len(starts) <= _CONTEXT_WORDS:
        return text
    return "..." + text[starts[-_CONTEXT_WORDS] :]


def _first_words(text: str) -> str:
    ends = [m.end() for m in _WORD.finditer(text)]
    if len(ends) <= _CONTEXT_WORDS:
        return text
    return text[: ends[_CONTEXT_WORDS - 1]] + "..."


def _quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return f'"{text}"'


def _unit_dict(unit: Unit) -> dict[str, object]:
    return {"index": unit.index, "paragraph": unit.paragraph, "text": unit.text}


def _result_dict(result: SeedUnitResult) -> dict[str, object]:
    return {
        **_unit_dict(result.unit),
        "class": result.cls.value,
        "article_unit": result.article_unit,
        "similarity": round(result.similarity, 4),
        "diff": [{"op": d.op, "seed": d.seed, "article": d.article} for d in result.diff],
    }
