"""One seed against several versions of its page (the live page, the archived capture nearest
its publication, the newest capture): which version the verdict rests on, and what the versions
together say, in words a reader can follow.

The verdict is the best-supported one (verbatim, then faithful, ... then unverifiable; the live
page first among equals, then the capture nearest publication). The finding tells apart:

- a seed faithful to the page as it stood on one date, where the page changed later;
- a seed copied after the page changed: an older version lacks lines the seed has, a later
  version shows them (the seed was not altered, the page was);
- a seed that differs from every version of the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from provenance.compare.align import UnitClass
from provenance.compare.evidence import SourceKind
from provenance.compare.seedcheck import SeedCheck
from provenance.compare.verdict import SOUND, Verdict

_ORDER = (
    Verdict.VERBATIM,
    Verdict.FAITHFUL,
    Verdict.EXCERPT,
    Verdict.MODIFIED,
    Verdict.FOREIGN,
    Verdict.UNVERIFIABLE,
)
_QUOTED = 3  # differing lines quoted by name
_QUOTE_LIMIT = 60


@dataclass(frozen=True)
class Version:
    kind: SourceKind
    role: str  # "live", "nearest", "newest", "nearest, newest"
    url: str | None  # what was fetched
    when: str | None  # ISO UTC: the capture time of a capture, the fetch time of a live page
    check: SeedCheck

    @property
    def verdict(self) -> Verdict:
        return self.check.assessment.verdict

    def describe(self) -> str:
        when = _day_time(self.when)
        if self.kind is SourceKind.ARCHIVED:
            return f"the archived capture of {when} ({self.url})"
        return (
            f"the {'replica' if self.kind is SourceKind.REPLICA else 'live'} page (fetched {when})"
        )


@dataclass(frozen=True)
class Finding:
    chosen: int  # index of the version the verdict rests on
    kind: str  # "single" | "consistent" | "copied after change" | "changed later" | "differs"
    reasons: tuple[str, ...]  # to put before the chosen check's own reasons
    versions: tuple[Version, ...] = field(repr=False)

    def evidence(self) -> dict[str, Any]:
        return {
            "finding": self.kind,
            "chosen": self.chosen,
            "reasons": list(self.reasons),
            "versions": [
                {
                    "kind": v.kind,
                    "role": v.role,
                    "url": v.url,
                    "when": v.when,
                    "verdict": v.verdict.value,
                    "counts": dict(v.check.assessment.counts),
                    "first_reason": v.check.assessment.reasons[0]
                    if v.check.assessment.reasons
                    else None,
                }
                for v in self.versions
            ],
        }


def judge(
    versions: Sequence[Version], *, live_problem: str | None = None, archive_note: str | None = None
) -> Finding:
    """`versions[0]` is the live fetch; `live_problem` says why it may not be the source (failed,
    or shares too little); `archive_note` why the archive yielded no capture, if it did not (said
    only when the live page is in doubt)."""
    if not versions:
        raise ValueError("judge needs at least the live version")
    chosen = min(range(len(versions)), key=lambda i: (_ORDER.index(versions[i].verdict), i))
    best = versions[chosen]
    reasons: list[str] = []
    if best.kind is SourceKind.ARCHIVED:
        because = (
            f", because the live page could not be used: {live_problem}" if live_problem else ""
        )
        reasons.append(f"Verified against {best.describe()}{because}.")
    elif live_problem and best.verdict is not Verdict.UNVERIFIABLE:
        reasons.append(f"Note: {live_problem}.")
    if archive_note and live_problem and not any(v.kind is SourceKind.ARCHIVED for v in versions):
        reasons.append(f"No archived capture could stand in for it: {archive_note}.")
    usable = [v for v in versions if v.verdict is not Verdict.UNVERIFIABLE]
    if len(usable) < 2:
        return Finding(chosen, "single", tuple(reasons), tuple(versions))
    others = [v for v in usable if v is not best]
    if best.verdict not in SOUND:
        listed = "; ".join(f"{v.describe()}: {v.verdict.value}" for v in usable)
        reasons.append(f"The seed differs from every version of the page checked ({listed}).")
        return Finding(chosen, "differs", tuple(reasons), tuple(versions))
    kind = "consistent"
    agreeing = [v for v in others if v.verdict in SOUND]
    for other in others:
        if other.verdict in SOUND:
            continue
        if _earlier(other, best):
            reasons.append(_copied_after(other, best))
            kind = "copied after change"
        else:
            reasons.append(_changed_later(other, best))
            kind = "changed later"
    if agreeing:
        listed = "; ".join(f"{v.describe()}: {v.verdict.value}" for v in agreeing)
        reasons.append(f"The other version(s) checked agree ({listed}).")
    return Finding(chosen, kind, tuple(reasons), tuple(versions))


def _copied_after(older: Version, later: Version) -> str:
    lines = _differing(older)
    shown = _shown_in(later, lines)
    quoted = ", ".join(f'"{_clip(text)}"' for _, text in lines[:_QUOTED])
    more = f" and {len(lines) - _QUOTED} more" if len(lines) > _QUOTED else ""
    older_day = _day(older.when)
    if lines and shown == len(lines):
        return (
            f"Against an earlier version, {older.describe()}, the seed has {len(lines)} "
            f"line(s) that page lacks ({quoted}{more}); the later version, {later.describe()}, "
            "shows them. So the seed was copied "
            f"from the page after {older_day}, once the site had added those lines; the seed "
            "was not altered."
        )
    return (
        f"Against an earlier version, {older.describe()}, the verdict is "
        f"{older.verdict.value}: the page "
        f"changed after {older_day}, and the seed follows the later version ({later.describe()})."
    )


def _changed_later(later: Version, best: Version) -> str:
    first = later.check.assessment.reasons[0] if later.check.assessment.reasons else ""
    return (
        f"The seed is {best.verdict.value} to the page as it stood on {_day(best.when)}; the page "
        f"changed later: against {later.describe()} the verdict is {later.verdict.value} "
        f"({_clip(first, 200)})."
    )


def _differing(version: Version) -> list[tuple[int, str]]:
    return [
        (index, text)
        for index, cls, text in version.check.assessment.unit_classes()
        if cls in (UnitClass.FOREIGN, UnitClass.EDITED)
    ]


def _shown_in(version: Version, lines: list[tuple[int, str]]) -> int:
    classes = {index: cls for index, cls, _ in version.check.assessment.unit_classes()}
    return sum(classes.get(i) in (UnitClass.MATCHED, UnitClass.FURNITURE) for i, _ in lines)


def _earlier(a: Version, b: Version) -> bool:
    return (a.when or "") < (b.when or "")


def _day(when: str | None) -> str:
    return when[:10] if when else "an unknown date"


def _day_time(when: str | None) -> str:
    if not when:
        return "at an unknown time"
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return when
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _clip(text: str, limit: int = _QUOTE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
