"""Who changed the text: the copy (the seed file no longer matches the sha256 pinned in its
manifest), the source (the article on the page changed since an earlier crawl), or both. The
report says this before anything else about a seed, and in one line in its summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from provenance.compare.change_rows import ChangeRow
from provenance.ledger.store import CaptureRow, LedgerEntry

# Change kinds (provenance.compare.page_changes) that change the text a seed is checked against.
TEXT_CHANGES = ("article", "gone")


@dataclass(frozen=True)
class WhoChanged:
    copy: bool  # the seed file differs from its pinned sha256
    source: tuple[ChangeRow, ...]  # this crawl's changes of the seed's article

    @classmethod
    def of(cls, entry: LedgerEntry, changes: Sequence[ChangeRow] = ()) -> WhoChanged:
        seed = entry.verdict.evidence.get("seed", {})
        copy = isinstance(seed, dict) and seed.get("intact") is False
        source = tuple(
            change
            for change in changes
            if change.seed_id == entry.verdict.seed_id
            and change.crawl_id == entry.crawl_id
            and change.kind in TEXT_CHANGES
        )
        return cls(copy, source)

    @property
    def kind(self) -> str:
        """ "both", "copy", "source" or "" (neither)."""
        if self.copy and self.source:
            return "both"
        return "copy" if self.copy else "source" if self.source else ""

    def _source_text(self) -> str:
        change = self.source[0]
        what = "the source page is gone" if change.kind == "gone" else "the source page changed"
        return f"{what} since crawl {change.previous_crawl_id}"

    def line(self) -> str:
        """One line for a summary table ("" when neither changed)."""
        copy = "the copy was changed after it was registered"
        if self.kind == "both":
            return f"both: {copy}, and {self._source_text()}"
        if self.kind == "copy":
            return copy
        return self._source_text() if self.source else ""

    def statement(self) -> str:
        """What a seed's section says first ("" when neither changed)."""
        copy = (
            "The copy was changed: the seed file's sha256 differs from the one pinned in the "
            "manifest, so the text was edited after it was registered."
        )
        if not self.source:
            return copy if self.copy else ""
        change = self.source[0]
        source = f"The source changed: {self._source_text()} ({change.summary.rstrip('.')})."
        if self.copy:
            return f"Both changed. {copy} {source}"
        return f"{source} The copy is as it was registered."


def one_line_reason(entry: LedgerEntry, who: WhoChanged) -> str:
    """Why the seed got its verdict, in one line: who changed the text, else the first reason's
    first sentence."""
    if who.kind:
        return who.line()
    reasons = entry.verdict.reasons
    if not reasons:
        return ""
    first = reasons[0].strip()
    end = first.find(". ")
    return first[: end + 1] if 0 < end < 160 else first


def human_time(stamp: str) -> str:
    """An ISO time of the ledger ("2026-12-06T23:12:03.123456Z") as people read it:
    "6 Dec 2026, 23:12:03 UTC"; a stamp that is not ISO is shown as it is."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return f"{moment.day} {moment:%b %Y, %H:%M:%S} UTC"


def capture_line(capture: CaptureRow | None) -> str:
    """ "captured TIME" only for a 2xx answer; otherwise what the server did answer."""
    if capture is None:
        return "not captured"
    when = human_time(capture.captured_at)
    if capture.status is not None and 200 <= capture.status < 300:
        return f"captured {when}" + (
            " (archived copy)" if capture.source_kind == "archived" else ""
        )
    if capture.status is None:
        return f"no answer, {when}"
    return f"answered HTTP {capture.status}, {when} (not captured)"
