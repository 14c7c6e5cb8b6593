"""Change detection: a seed's source page compared with the page its previous crawl saw.

Kinds of change, per seed and crawl:

- "article": the normalized article text differs from the previous capture's;
- "furniture": the article text is the same, the rest of the page's visible text is not (a new
  appeal, a comment count);
- "gone": the page answered before and now fails (an HTTP error, no answer);
- "back": the page failed before and answers again (with a diff when its article text differs
  from the last one seen).

The old texts come from the collection's WARC files: the article from the previous capture's
conversion record, the page from its response (a revisit followed to its original). The diff
is unit-level (sentences, by provenance.compare.align: the old text aligned as "seed"
against the new one), with a character-level diff for each edited unit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive.collection import Collection
from archive.errors import ArchiveError
from archive.index.resolve import resolve_record
from archive.warc.reader import decoded_body, read_record
from provenance.compare.align import UnitClass, align
from provenance.compare.change_rows import ChangeKind, ChangeRow, ObservationRow
from provenance.text.extract import Article, extract_article
from provenance.text.normalize import normalized_digest


class TextUnavailable(Exception):
    """An earlier capture's text cannot be read back from the WARC files."""


def answered(observation: ObservationRow) -> bool:
    """Whether the page answered with something other than an error."""
    status = observation.status
    return observation.error is None and status is not None and status < 400


def text_diff(old: str, new: str) -> list[dict[str, Any]]:
    """The units (sentences) of `new` that are not in `old` ("inserted"), those of `old` that
    are gone ("deleted") and those edited, each with its character diff ("chars"), in the
    order of the new text; unchanged units are left out."""
    alignment = align(old, new, "")
    by_new = {r.article_unit: r for r in alignment.seed_units if r.article_unit is not None}
    # Every new unit the old text lacks, core or periphery alike: a change is a change.
    inserted = {unit.index for unit in alignment.omitted}
    inserted |= {unit.index for unit, _ in alignment.left_out}
    deleted = [r for r in alignment.seed_units if r.article_unit is None]
    entries: list[dict[str, Any]] = []

    def deleted_before(index: int) -> None:
        while deleted and deleted[0].unit.index < index:
            entries.append({"op": "deleted", "old": deleted.pop(0).unit.text})

    for unit in alignment.article_units:
        result = by_new.get(unit.index)
        if result is not None:
            deleted_before(result.unit.index)
            if result.cls is UnitClass.EDITED:
                entries.append(
                    {
                        "op": "edited",
                        "old": result.unit.text,
                        "new": unit.text,
                        "similarity": round(result.similarity, 3),
                        "chars": [
                            {"op": op.op, "old": op.seed, "new": op.article} for op in result.diff
                        ],
                    }
                )
        elif unit.index in inserted:
            entries.append({"op": "inserted", "new": unit.text})
    deleted_before(len(alignment.seed_units) + 1)
    return entries


def summarise(diff: Sequence[dict[str, Any]]) -> str:
    counts = {op: sum(1 for entry in diff if entry["op"] == op) for op in ("edited", "inserted")}
    counts["deleted"] = sum(1 for entry in diff if entry["op"] == "deleted")
    return ", ".join(f"{n} sentence(s) {op}" for op, n in counts.items() if n) or "no sentence"


def article_text(collection: Path, observation: ObservationRow) -> str:
    """An observation's article text, from its conversion record."""
    if observation.conversion_warc_file is None or observation.conversion_warc_offset is None:
        raise TextUnavailable(f"crawl {observation.crawl_id} kept no article text")
    path = Collection(collection).warc(observation.conversion_warc_file)
    try:
        record = read_record(path, observation.conversion_warc_offset)
        if record.record_id != observation.conversion_record_id:
            raise TextUnavailable(
                f"{path.name} at offset {observation.conversion_warc_offset} is "
                f"{record.record_id}, not {observation.conversion_record_id}"
            )
        return record.payload.decode("utf-8")
    except (ArchiveError, OSError, UnicodeDecodeError) as exc:
        raise TextUnavailable(f"the article text of crawl {observation.crawl_id}: {exc}") from exc


def page_text(collection: Path, observation: ObservationRow) -> str:
    """An observation's whole visible page text, from its response (or revisit) record."""
    if observation.warc_file is None or observation.warc_offset is None:
        raise TextUnavailable(f"crawl {observation.crawl_id} kept no page")
    try:
        record = resolve_record(
            Collection(collection).warc(observation.warc_file), observation.warc_offset
        )
        body = decoded_body(record)
    except (ArchiveError, OSError) as exc:
        raise TextUnavailable(f"the page of crawl {observation.crawl_id}: {exc}") from exc
    content_type = next(
        (value for name, value in record.http_headers or [] if name.lower() == "content-type"),
        None,
    )
    page = extract_article(body, url=observation.url or "", content_type=content_type)
    if not isinstance(page, Article):
        raise TextUnavailable(f"the page of crawl {observation.crawl_id}: {page.reason}")
    return page.page_text


def detect(
    collection: Path,
    previous: ObservationRow | None,
    current: ObservationRow,
    article: Article | None,
    *,
    last_article: ObservationRow | None = None,
) -> ChangeRow | None:
    """How the page changed since `previous` (None: no change, or nothing to compare with).
    `article` is the current extraction; `last_article` the newest earlier observation that
    had an article (for a page that comes back)."""
    if previous is None:
        return None
    was, now = answered(previous), answered(current)
    if was and not now:
        why = current.error or f"HTTP {current.status}"
        return _change(ChangeKind.GONE, previous, current, f"the page no longer answers: {why}", [])
    if not was and not now:
        return None
    if not was:
        summary = f"the page answers again (it failed in crawl {previous.crawl_id})"
        if last_article is not None and article is not None:
            diff, note = _article_diff(collection, last_article, current, article)
            if diff is not None or note:
                summary += f"; since crawl {last_article.crawl_id}: {note or summarise(diff or [])}"
            return _change(ChangeKind.BACK, previous, current, summary, diff or [])
        return _change(ChangeKind.BACK, previous, current, summary, [])
    diff, note = _article_diff(collection, previous, current, article)
    if diff is not None or note:
        summary = note or summarise(diff or [])
        return _change(ChangeKind.ARTICLE, previous, current, summary, diff or [])
    if previous.page_digest == current.page_digest or article is None:
        return None
    try:
        furniture = text_diff(page_text(collection, previous), article.page_text)
        summary = f"only the page furniture changed: {summarise(furniture)}"
    except TextUnavailable as exc:
        furniture, summary = [], f"only the page furniture changed ({exc})"
    return _change(ChangeKind.FURNITURE, previous, current, summary, furniture)


def _article_diff(
    collection: Path, previous: ObservationRow, current: ObservationRow, article: Article | None
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """(diff, None) when the article text changed, (None, note) when it changed but the old
    text cannot be read, (None, None) when it is the same."""
    if previous.article_digest == current.article_digest:
        return None, None
    if previous.article_digest is None or article is None:
        gained = "an article text appeared" if article is not None else "the article text is gone"
        return None, gained
    try:
        old = article_text(collection, previous)
    except TextUnavailable as exc:
        return None, f"the article text changed; the old one cannot be read ({exc})"
    if normalized_digest(old) == normalized_digest(article.text):
        return None, None  # same text, digests from another normalizer version
    return text_diff(old, article.text), None


def _change(
    kind: ChangeKind,
    previous: ObservationRow,
    current: ObservationRow,
    summary: str,
    diff: list[dict[str, Any]],
) -> ChangeRow:
    return ChangeRow(
        seed_id=current.seed_id,
        kind=kind,
        previous_crawl_id=previous.crawl_id,
        previous_record_id=previous.response_record_id,
        record_id=current.response_record_id,
        previous_conversion_id=previous.conversion_record_id,
        conversion_id=current.conversion_record_id,
        summary=summary,
        diff=diff,
    )
